import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PDFDocument, PDFName, PDFString } from "pdf-lib";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  grant,
  makeMember,
  makeOrganization,
  makeScene,
  makeType,
  TestClock,
  verificationCodeOfNumber,
} from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../test/http.js";
import type { App } from "../http/app.js";
import { signToken } from "../http/auth.js";
import { revokeCertification } from "../services/revoke-certification.js";

const PUBLIC_URL = "https://sertifikat.example.no";
const DAY = 86_400_000;
const SCREENSHOTS = "test-artifacts/screenshots";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core"), "utf8");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core in the page and returns its violations, summarised for a readable failure. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as { violations: AxeViolation[] };
    return result.violations;
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`)
        .join("; ")}`,
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

// A real browser on two shared cores: generous limits, never a timed assertion.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 300_000 });

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

// The pages sit on the same services on either database, and web.test.ts runs their routes on
// both; the browser suite, the costly part, runs once, on PGlite.
describe("web pages in a real browser", () => {
  const kind = "pglite" as const;
  const shoot = screenshot;
  let http: HttpTestApp;
  let app: App;
  let base: string;
  let seed: Awaited<ReturnType<typeof seedData>>;
  let ctx: HttpTestApp["ctx"];
  const contexts: BrowserContext[] = [];

  async function seedData() {
    const now = ctx.clock().getTime();
    const scene = await makeScene(ctx);
    const member = (displayName: string) =>
      makeMember(ctx, scene.organization.id, "peer_mentor", { displayName });
    const valid = await grant(ctx, scene);
    const ola = await member("Ola Nordmann");
    const expiringSoon = await grant(ctx, scene, {
      userId: ola.userId,
      issuedAt: new Date(now - 700 * DAY),
      expiresAt: new Date(now + 10 * DAY),
    });
    const kari = await member("Kari Hansen");
    const expired = await grant(ctx, scene, {
      userId: kari.userId,
      issuedAt: new Date(now - 800 * DAY),
      expiresAt: new Date(now - 5 * DAY),
    });
    const per = await member("Per Olsen");
    const revokedCert = await grant(ctx, scene, { userId: per.userId });
    await revokeCertification(ctx, scene.coordinator.principal, revokedCert.id, {
      reason: "Feil utstedt",
    });
    const siri = await member("Siri Berg");
    const toRevoke = await grant(ctx, scene, { userId: siri.userId });
    const nina = await member("Nina Nilsen");

    // A second organization of the same coordinator, big enough for two pages of five.
    const big = await makeOrganization(ctx, { name: "Stor Forening" });
    const bigCoordinator = await makeMember(ctx, big.id, "coordinator", {
      userId: scene.coordinator.userId,
      displayName: "Coordinator",
    });
    const bigType = await makeType(ctx, big.id, { name: "Likeperson grunnkurs" });
    const bigScene = { ...scene, organization: big, type: bigType, coordinator: bigCoordinator };
    for (let i = 0; i < 7; i++) {
      const holder = await makeMember(ctx, big.id, "peer_mentor", { displayName: `Medlem ${i + 1}` });
      await grant(ctx, bigScene, { userId: holder.userId });
    }

    const outsider = await makeScene(ctx);
    return { scene, valid, expiringSoon, expired, revokedCert, toRevoke, siri, nina, ola, big, outsider };
  }

  beforeAll(async () => {
    http = await createHttpTestApp(kind, {
      pages: true,
      clock: new TestClock(new Date()),
      publicUrl: PUBLIC_URL,
      verifyRateLimit: 100_000,
    });
    ({ app, ctx } = http);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    base = `http://127.0.0.1:${address.port}`;
    seed = await seedData();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await http?.close();
  });

  async function newPage(locale = "nb-NO"): Promise<Page> {
    // bypassCSP lets the test inject axe-core; the pages themselves run no inline script.
    const context = await browser.newContext({
      locale,
      bypassCSP: true,
      acceptDownloads: true,
      viewport: { width: 1100, height: 900 },
    });
    contexts.push(context);
    return context.newPage();
  }

  const token = (userId: string) => http.token(userId);

  it("the front page says what the service is, and its form leads to the verification result", async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    expect(await page.getAttribute("html", "lang")).toBe("nb");
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toBe("Sertifikattjenesten");
    expect(await page.getByRole("banner").count()).toBe(1);
    expect(await page.getByRole("navigation").count()).toBe(1);
    expect(await page.getByRole("main").count()).toBe(1);
    expect(await page.getByRole("contentinfo").count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "home-nb");

    await page
      .getByRole("textbox", { name: "Sertifikatnummer" })
      .fill(seed.valid.certificate_number.toLowerCase());
    const code = await verificationCodeOfNumber(ctx, seed.valid.certificate_number);
    await page.getByRole("textbox", { name: "Kontrollkode" }).fill(code.toLowerCase());
    await page.getByRole("button", { name: "Verifiser" }).click();
    await page.waitForURL(`**/verify/${seed.valid.certificate_number}?code=${code}&lang=nb`);
    expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe("Gyldig");
  });

  it("the front page in English, chosen by ?lang=en, keeps the language in its links", async () => {
    const page = await newPage();
    await page.goto(`${base}/?lang=en`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.getByRole("link", { name: "My page" }).getAttribute("href")).toBe("/app?lang=en");
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "home-en");
    await page.getByRole("textbox", { name: "Certificate number" }).fill(seed.expired.certificate_number);
    const code = await verificationCodeOfNumber(ctx, seed.expired.certificate_number);
    await page.getByRole("textbox", { name: "Verification code" }).fill(code);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(`**/verify/${seed.expired.certificate_number}?code=${code}&lang=en`);
    expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toBe("Expired");
  });

  it("the browser's language picks English when no ?lang is given", async () => {
    const page = await newPage("en-US");
    await page.goto(`${base}/`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.getByRole("link", { name: "Norsk" }).click();
    expect(await page.getAttribute("html", "lang")).toBe("nb");
  });

  const cases = [
    { name: "valid", number: () => seed.valid.certificate_number, status: 200, nb: "Gyldig", en: "Valid" },
    {
      name: "expiring-soon",
      number: () => seed.expiringSoon.certificate_number,
      status: 200,
      nb: "Gyldig – utløper snart",
      en: "Valid – expires soon",
    },
    {
      name: "expired",
      number: () => seed.expired.certificate_number,
      status: 200,
      nb: "Utløpt",
      en: "Expired",
    },
    {
      name: "revoked",
      number: () => seed.revokedCert.certificate_number,
      status: 200,
      nb: "Trukket tilbake",
      en: "Revoked",
    },
    {
      name: "unknown",
      number: () => "ZZZ-2020-99999",
      status: 404,
      nb: "Ikke bekreftet",
      en: "Not confirmed",
    },
    {
      name: "malformed",
      number: () => "NOT-A-NUMBER",
      status: 422,
      nb: "Ugyldig sertifikatnummer",
      en: "Not a valid certificate number",
    },
  ] as const;

  for (const c of cases) {
    for (const language of ["nb", "en"] as const) {
      it(`the verification page shows a ${c.name} certificate in words and an icon (${language})`, async () => {
        const page = await newPage();
        const code = await verificationCodeOfNumber(ctx, c.number());
        const response = await page.goto(`${base}/verify/${c.number()}?code=${code}&lang=${language}`);
        expect(response?.status()).toBe(c.status);
        expect(await page.getAttribute("html", "lang")).toBe(language);
        const statusHeading = page.getByRole("heading", { level: 2 }).first();
        expect(await statusHeading.textContent()).toBe(c[language]);
        // The icon repeats the words; it is hidden from assistive technology.
        expect(await statusHeading.locator("svg").getAttribute("aria-hidden")).toBe("true");
        if (c.status === 200) {
          const facts = await page.locator("dl.facts").textContent();
          expect(facts).toContain(seed.scene.organization.name);
          expect(facts).toContain(seed.scene.type.name);
          // Only initials of the holder, never the name.
          expect(await page.content()).not.toMatch(/Nordmann|Hansen|Olsen|Mari Mentor/);
        }
        expect(await axeViolations(page)).toEqual([]);
        await shoot(page, `verify-${c.name}-${language}`);
      });
    }
  }

  it("a coordinator opens a certification, revokes it through the dialog with a reason, and reads the audit trail", async () => {
    const page = await newPage();
    await page.goto(`${base}/app?lang=nb#token=${await token(seed.scene.coordinator.userId)}`);
    const number = seed.toRevoke.certificate_number;
    const opener = page.getByRole("link", { name: number });
    await opener.waitFor();
    // The token left the address bar and lives in this tab's sessionStorage only.
    expect(new URL(page.url()).hash).toBe("");
    expect(await page.evaluate(() => sessionStorage.getItem("certsvc.token"))).toMatch(/^ey/);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-coordinator-nb");

    await opener.click();
    const heading = page.getByRole("heading", { name: `Sertifikat ${number}` });
    await expect.poll(() => heading.evaluate((node) => node === document.activeElement)).toBe(true);
    await page
      .getByRole("table", { name: "Endringer av sertifikatet" })
      .getByRole("cell", { name: "Utstedt", exact: true })
      .waitFor();

    // Escape closes the dialog and gives focus back to the button that opened it.
    await page.getByRole("button", { name: "Trekk tilbake", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Trekk tilbake sertifikat ${number}` });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Trekk tilbake");

    await page.getByRole("button", { name: "Trekk tilbake", exact: true }).click();
    await dialog.waitFor();
    const reason = page.getByRole("textbox", { name: "Begrunnelse" });
    await expect.poll(() => reason.evaluate((node) => node === document.activeElement)).toBe(true);
    // Focus stays in the dialog, however far one tabs.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(true);
    }
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-revoke-dialog-nb");

    await reason.fill("Vilkårene for sertifikatet er ikke oppfylt");
    // With the dialog open, the page's own "Trekk tilbake" is out of reach: only the dialog's one is found.
    await page.getByRole("button", { name: "Trekk tilbake", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    await page.getByRole("status").getByText(`Sertifikat ${number} er trukket tilbake.`).waitFor();
    const facts = page.locator("#detail-facts");
    await facts.getByText("Trukket tilbake").waitFor();
    expect(await facts.textContent()).toContain("Vilkårene for sertifikatet er ikke oppfylt");
    const audit = page.getByRole("table", { name: "Endringer av sertifikatet" });
    await audit.getByRole("cell", { name: "Trukket tilbake", exact: true }).waitFor();
    expect(await audit.textContent()).toContain("Vilkårene for sertifikatet er ikke oppfylt");
    expect(await page.getByRole("button", { name: "Trekk tilbake", exact: true }).count()).toBe(0);
    await shoot(page, "app-detail-revoked-nb");

    // The public page agrees.
    const publicPage = await newPage();
    await publicPage.goto(`${base}/verify/${number}?code=${await verificationCodeOfNumber(ctx, number)}`);
    expect(await publicPage.getByRole("heading", { level: 2 }).first().textContent()).toBe("Trukket tilbake");
  });

  it("a coordinator filters by status and by expiring soon, and pages through a large organization", async () => {
    const page = await newPage();
    await page.goto(`${base}/app#token=${await token(seed.scene.coordinator.userId)}`);
    const list = page.locator("#list");
    await list.getByRole("link", { name: seed.valid.certificate_number }).waitFor();

    await page.getByRole("combobox", { name: "Status" }).selectOption("expired");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await list.getByRole("link", { name: seed.valid.certificate_number }).waitFor({ state: "detached" });
    expect(await list.getByRole("link").allTextContents()).toEqual([seed.expired.certificate_number]);

    await page.getByRole("combobox", { name: "Status" }).selectOption("");
    await page.getByRole("checkbox", { name: "Bare de som utløper snart" }).check();
    await page.getByRole("button", { name: "Filtrer" }).click();
    await list.getByRole("link", { name: seed.expiringSoon.certificate_number }).waitFor();
    expect(await list.getByRole("link").allTextContents()).toEqual([seed.expiringSoon.certificate_number]);
    expect(await list.textContent()).toContain("Ola Nordmann");
    await page.getByRole("checkbox", { name: "Bare de som utløper snart" }).uncheck();

    await page.getByRole("combobox", { name: "Organisasjon" }).selectOption({ label: "Stor Forening" });
    await list.getByText("Medlem 7", { exact: true }).waitFor();
    await page.getByRole("combobox", { name: "Per side" }).selectOption("5");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await expect.poll(() => list.getByRole("row").count()).toBe(6);
    const next = page.getByRole("button", { name: "Neste side" });
    const previous = page.getByRole("button", { name: "Forrige side" });
    expect(await previous.isDisabled()).toBe(true);
    const firstPage = await list.getByRole("link").allTextContents();
    await next.click();
    await expect.poll(() => list.getByRole("row").count()).toBe(3);
    const secondPage = await list.getByRole("link").allTextContents();
    expect(secondPage.filter((n) => firstPage.includes(n))).toEqual([]);
    expect(await next.isDisabled()).toBe(true);
    await previous.click();
    await expect.poll(() => list.getByRole("link").allTextContents()).toEqual(firstPage);
  });

  it("a coordinator grants a certificate, sees a refused grant's problem, and renews an expired one", async () => {
    const page = await newPage();
    await page.goto(`${base}/app?lang=en#token=${await token(seed.scene.coordinator.userId)}`);
    await page.locator("#list").getByRole("link", { name: seed.valid.certificate_number }).waitFor();

    // Ola already holds a live certification of the type: the API's problem is read out beside the form.
    await page.getByRole("navigation", { name: "Work areas" }).getByRole("link", { name: "Grant" }).click();
    const chooseMember = async (name: string) => {
      await page.getByRole("searchbox", { name: "Search for a member" }).fill(name);
      await page.getByRole("radio", { name: new RegExp(`^${name}`) }).check();
    };
    await chooseMember("Ola Nordmann");
    await page
      .getByRole("combobox", { name: "Certification type" })
      .selectOption({ label: seed.scene.type.name });
    await page.getByRole("button", { name: "Grant", exact: true }).click();
    await page
      .locator("#grant-msg")
      .getByText(/^Error: /)
      .waitFor();

    await chooseMember("Nina Nilsen");
    await page
      .getByRole("combobox", { name: "Certification type" })
      .selectOption({ label: seed.scene.type.name });
    await page.getByRole("textbox", { name: "Notes (optional)" }).fill("Granted in the browser test");
    await page.getByRole("button", { name: "Grant", exact: true }).click();
    await page
      .locator("#grant-msg")
      .getByText(/has been granted\.$/)
      .waitFor();
    await page.getByRole("heading", { name: /^Certificate / }).waitFor();
    expect(await page.locator("#detail-facts").textContent()).toContain("Nina Nilsen");
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-detail-en");

    await page
      .getByRole("navigation", { name: "Work areas" })
      .getByRole("link", { name: "Certificates" })
      .click();
    await page.locator("#list").getByRole("link", { name: seed.expired.certificate_number }).click();
    await page.locator("#detail-facts").getByText("Expired").waitFor();
    await page.getByRole("button", { name: "Renew" }).click();
    await page
      .getByRole("status")
      .getByText(`Certificate ${seed.expired.certificate_number} has been renewed.`)
      .waitFor();
    await page.locator("#detail-facts").getByText("Active").waitFor();
    await page
      .getByRole("table", { name: "Changes to the certificate" })
      .getByRole("cell", { name: "Renewed" })
      .waitFor();

    // The dialog in English, scanned too.
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByRole("dialog").waitFor();
    expect(await page.getByRole("textbox", { name: "Reason" }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-revoke-dialog-en");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("dialog").waitFor({ state: "hidden" });
  });

  it("a peer mentor signs in with a pasted token, sees their certificates and downloads the PDF", async () => {
    const page = await newPage();
    await page.goto(`${base}/app`);
    const signIn = page.getByRole("button", { name: "Logg inn" });
    // The token form is folded away under the way in from the platform.
    await page.getByText("Har du fått en tilgangsnøkkel?").click();
    await signIn.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-sign-in-nb");
    await page.getByRole("textbox", { name: "Tilgangstoken" }).fill(await token(seed.scene.mentor.userId));
    await signIn.click();

    const mine = page.getByRole("region", { name: "Mine sertifikater" });
    await mine.getByText(seed.valid.certificate_number, { exact: true }).first().waitFor();
    expect(await mine.textContent()).toContain("Aktiv");
    expect(await page.getByRole("region", { name: "Administrer sertifikater" }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-mentor-nb");

    const [download, response] = await Promise.all([
      page.waitForEvent("download"),
      page.waitForResponse((r) => r.url().includes("/certificate.pdf")),
      mine.getByRole("link", { name: /^Last ned PDF/ }).click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("application/pdf");
    expect(download.suggestedFilename()).toBe(`${seed.valid.certificate_number}.pdf`);
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    writeFileSync("test-artifacts/certificate-nb.pdf", bytes);
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getTitle()).toBe(`Sertifikat ${seed.valid.certificate_number} – Mari Mentor`);
    expect(pdf.catalog.lookup(PDFName.of("Lang"), PDFString).decodeText()).toBe("nb-NO");
    const [a4] = pdf.getPages();
    expect(a4?.getSize()).toEqual({ width: 595.28, height: 841.89 });
    await page.getByRole("status").getByText("PDF-en er lastet ned.").waitFor();

    await page.getByRole("button", { name: "Logg ut" }).click();
    await signIn.waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("certsvc.token"))).toBeNull();
  });

  it("the signed-in area in English passes the accessibility check and says when a token is refused", async () => {
    const page = await newPage();
    await page.goto(`${base}/app?lang=en#token=${await token(seed.scene.mentor.userId)}`);
    await page
      .getByRole("region", { name: "My certificates" })
      .getByText(seed.valid.certificate_number, { exact: true })
      .first()
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shoot(page, "app-mentor-en");

    const stranger = await newPage();
    await stranger.goto(
      `${base}/app?lang=en#token=${await signToken("another-secret-entirely-0123456789", randomUUID())}`,
    );
    await stranger
      .getByRole("status")
      .getByText("Error: Your sign-in is no longer valid. Sign in again.")
      .waitFor();
    await stranger.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await axeViolations(stranger)).toEqual([]);
    await shoot(stranger, "app-sign-in-en");
  });

  it("the skip link is the first stop of the keyboard and moves focus to the main content", async () => {
    const page = await newPage();
    await page.goto(`${base}/verify/${seed.valid.certificate_number}`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Hopp til hovedinnhold");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("a coordinator of another organization does not get the PDF", async () => {
    const response = await fetch(`${base}/v1/certifications/${seed.valid.id}/certificate.pdf`, {
      headers: { authorization: `Bearer ${await token(seed.outsider.coordinator.userId)}` },
    });
    expect(response.status).toBe(404);
  });
});
