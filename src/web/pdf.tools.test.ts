import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { Status } from "../domain/status.js";
import { type CertificateFacts, renderCertificatePdf } from "./pdf.js";

// The certificate as the standard tools read it (poppler's pdffonts and pdftotext, zbar's
// zbarimg; .ci/run installs them): fonts embedded, letters printed right, the QR code readable.
const run = promisify(execFile);
const PUBLIC_URL = "https://sertifikat.example.no";
const HOLDER = "Čáhppes Đánel Ŋuolla Šaddu Ŧaŋa Žæøå";
const dir = mkdtempSync(join(tmpdir(), "certsvc-pdf-"));

const facts = (status: Status): CertificateFacts => ({
  certificateNumber: "NHF-2026-00312",
  status,
  organizationName: "Norges Handikapforbund",
  holderName: HOLDER,
  typeName: "Likeperson – grunnkurs",
  issuedAt: "2026-01-15T10:00:00Z",
  expiresAt: "2028-01-15T10:00:00Z",
  verificationCode: "7QX4-M2KD",
});

async function written(status: Status, language: "nb" | "en" = "nb"): Promise<string> {
  const bytes = await renderCertificatePdf(facts(status), {
    language,
    publicUrl: PUBLIC_URL,
    now: new Date("2026-03-15T10:00:00Z"),
  });
  const path = join(dir, `${status}-${language}.pdf`);
  writeFileSync(path, bytes);
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the certificate PDF, read by poppler and zbar", () => {
  it("embeds every font it uses (pdffonts)", async () => {
    const { stdout } = await run("pdffonts", [await written("active")]);
    const rows = stdout.trim().split("\n").slice(2);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // name, type, encoding, emb, sub, uni, object, generation: emb and uni are yes for each.
      const [emb, , uni] = row.trim().split(/\s+/).slice(-5, -2);
      expect({ row, emb, uni }).toMatchObject({ emb: "yes", uni: "yes" });
    }
  });

  it("prints the holder's name with Norwegian and Sami letters exactly, and the code beside the number (pdftotext)", async () => {
    const { stdout } = await run("pdftotext", ["-enc", "UTF-8", await written("active"), "-"]);
    expect(stdout).toContain(HOLDER);
    expect(stdout).toContain("NHF-2026-00312");
    expect(stdout).toContain("Kontrollkode");
    expect(stdout).toContain("7QX4-M2KD");
    expect(stdout).toContain(`${PUBLIC_URL}/verify/NHF-2026-00312?code=7QX4-M2KD`);
    expect(stdout).not.toContain("UGYLDIG");
  });

  it("carries the verification page with the code in its QR code (zbarimg)", async () => {
    const prefix = join(dir, "qr");
    await run("pdftoppm", ["-r", "150", "-png", "-singlefile", await written("active"), prefix]);
    const { stdout } = await run("zbarimg", ["--quiet", "--raw", `${prefix}.png`]);
    expect(stdout.trim()).toBe(`${PUBLIC_URL}/verify/NHF-2026-00312?code=7QX4-M2KD`);
  });

  it("marks a revoked, suspended or expired certificate as not valid across the page, in its language", async () => {
    // The word runs along the diagonal, so the tool gives it letter by letter: spaces are dropped.
    const text = async (status: Status, language: "nb" | "en") =>
      (
        await run("pdftotext", ["-raw", "-enc", "UTF-8", await written(status, language), "-"])
      ).stdout.replace(/\s+/g, "");
    const statuses = ["revoked", "expired", "suspended"] as unknown as Status[];
    for (const status of statuses) {
      expect(await text(status, "nb"), status).toContain("UGYLDIG");
      expect(await text(status, "en"), status).toContain("NOTVALID");
    }
    expect(await text("expiring_soon", "en")).not.toContain("NOTVALID");
  });
});
