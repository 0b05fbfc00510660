import { PDFDocument, PDFName, PDFString } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import {
  grant,
  makeGlobalAdmin,
  makeMember,
  makeScene,
  TestClock,
  verificationCodeOf,
} from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../test/http.js";
import type { App } from "../http/app.js";
import { escapeHtml } from "./html.js";
import { formatDate, pickLanguage } from "./i18n.js";
import { renderCertificatePdf, verificationUrl } from "./pdf.js";

const PUBLIC_URL = "https://sertifikat.example.no";

describe("language choice", () => {
  it("?lang wins over the browser's language", () => {
    expect(pickLanguage("en", "nb-NO,nb;q=0.9")).toBe("en");
    expect(pickLanguage("nb", "en-US")).toBe("nb");
  });

  it("follows Accept-Language by preference, treating no and nn as Norwegian", () => {
    expect(pickLanguage(undefined, "en-GB,en;q=0.9,nb;q=0.8")).toBe("en");
    expect(pickLanguage(undefined, "de-DE,no;q=0.9,en;q=0.8")).toBe("nb");
    expect(pickLanguage(undefined, "fr;q=0.4, en;q=0.2, nn;q=0.9")).toBe("nb");
    expect(pickLanguage(undefined, "en;q=0, sv")).toBe("nb");
  });

  it("is bokmål when nothing says otherwise, or ?lang is not one we speak", () => {
    expect(pickLanguage(undefined, undefined)).toBe("nb");
    expect(pickLanguage("de", "de-DE")).toBe("nb");
  });

  it("formats dates in the language's way, in Norway's time zone", () => {
    // 23:30 UTC on 31 December is already 1 January in Oslo.
    expect(formatDate("2025-12-31T23:30:00Z", "nb")).toBe("1. januar 2026");
    expect(formatDate("2025-12-31T23:30:00Z", "en")).toBe("1 January 2026");
  });

  it("escapes text put into a page", () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe(
      "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;",
    );
  });
});

describe("certificate PDF rendering", () => {
  const facts = {
    certificateNumber: "NHF-2025-00312",
    status: "active" as const,
    organizationName: "Norges Håndballforbund",
    holderName: "Åse Ødegård Łukasz",
    typeName: "Likeperson – grunnkurs",
    issuedAt: "2025-03-01T10:00:00Z",
    expiresAt: null,
    verificationCode: "7QX4-M2KD",
  };

  it("sets title and language in the metadata, in Norwegian by default and English on request", async () => {
    const now = new Date("2025-03-02T00:00:00Z");
    const nb = await PDFDocument.load(
      await renderCertificatePdf(facts, { language: "nb", publicUrl: PUBLIC_URL, now }),
    );
    expect(nb.getTitle()).toBe("Sertifikat NHF-2025-00312 – Åse Ødegård Łukasz");
    expect(nb.catalog.lookup(PDFName.of("Lang"), PDFString).decodeText()).toBe("nb-NO");
    expect(nb.getAuthor()).toBe("Norges Håndballforbund");
    const en = await PDFDocument.load(
      await renderCertificatePdf(facts, { language: "en", publicUrl: PUBLIC_URL, now }),
    );
    expect(en.getTitle()).toBe("Certificate NHF-2025-00312 – Åse Ødegård Łukasz");
    expect(en.catalog.lookup(PDFName.of("Lang"), PDFString).decodeText()).toBe("en-GB");
  });

  it("points the QR code at the public verification page, with the code", () => {
    expect(verificationUrl(`${PUBLIC_URL}/`, "NHF-2025-00312", "7QX4-M2KD")).toBe(
      `${PUBLIC_URL}/verify/NHF-2025-00312?code=7QX4-M2KD`,
    );
  });
});

describe.each(DATABASE_KINDS)("web routes over HTTP (%s)", (kind) => {
  let http: HttpTestApp;
  let app: App;
  let ctx: HttpTestApp["ctx"];
  let scene: Awaited<ReturnType<typeof makeScene>>;
  let certification: Awaited<ReturnType<typeof grant>>;
  const bearer = (userId: string) => http.bearer(userId);

  beforeAll(async () => {
    http = await createHttpTestApp(kind, {
      pages: true,
      clock: new TestClock(new Date("2026-03-15T10:00:00Z")),
      publicUrl: PUBLIC_URL,
      verifyRateLimit: 100_000,
    });
    ({ app, ctx } = http);
    scene = await makeScene(ctx);
    certification = await grant(ctx, scene);
  });

  afterAll(async () => {
    await http?.close();
  });

  it("serves the pages as HTML without a token, with no inline script and nothing from elsewhere", async () => {
    const code = await verificationCodeOf(ctx, certification.id);
    for (const url of ["/", "/app", `/verify/${certification.certificate_number}?code=${code}`]) {
      const response = await app.inject(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(response.body).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(response.body).not.toMatch(/<script>|<script(?![^>]*(src=|type="application\/json"))[^>]*>/);
      expect(response.body).toMatch(/^<!doctype html><html lang="nb">/);
    }
  });

  it("serves its own stylesheet and script", async () => {
    const css = await app.inject("/assets/site.css");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    for (const module of ["main", "api", "dom", "strings"]) {
      const js = await app.inject(`/assets/app/${module}.js`);
      expect(js.statusCode).toBe(200);
      expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    }
    expect((await app.inject("/assets/app/../../routes.ts")).statusCode).toBe(404);
    expect((await app.inject("/assets/app.js")).statusCode).toBe(404);
    expect((await app.inject("/assets/../server.ts")).statusCode).toBe(404);
    expect((await app.inject("/assets/nothing.js")).statusCode).toBe(404);
  });

  it("answers in the Accept-Language's language and says so", async () => {
    const response = await app.inject({ url: "/", headers: { "accept-language": "en-US,en;q=0.9" } });
    expect(response.body).toContain('<html lang="en">');
    expect(response.headers["content-language"]).toBe("en");
    expect(response.headers.vary).toContain("Accept-Language");
  });

  it("the verification form's address redirects to the number's own page, upper-cased", async () => {
    const response = await app.inject(
      `/verify?number=${certification.certificate_number.toLowerCase()}%20&lang=en`,
    );
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/verify/${certification.certificate_number}?lang=en`);
    expect((await app.inject("/verify?number=")).headers.location).toBe("/?lang=nb");
  });

  it("an unknown number is a 404 page and a malformed one a 422 page, both in HTML", async () => {
    const unknown = await app.inject("/verify/ABC-2020-99999");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("Ikke bekreftet");
    const malformed = await app.inject("/verify/%3Cb%3Ehello");
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain("Ugyldig sertifikatnummer");
    expect(malformed.body).toContain("&lt;B&gt;HELLO");
    expect(malformed.body).not.toContain("<B>HELLO");
  });

  it("the PDF goes to the holder and the organization's staff, in the language asked for", async () => {
    const url = `/v1/certifications/${certification.id}/certificate.pdf`;
    const holder = await app.inject({ url, headers: await bearer(scene.mentor.userId) });
    expect(holder.statusCode).toBe(200);
    expect(holder.headers["content-type"]).toBe("application/pdf");
    expect(holder.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const staff = await app.inject({
      url: `${url}?lang=en`,
      headers: await bearer(scene.coordinator.userId),
    });
    const pdf = await PDFDocument.load(staff.rawPayload);
    expect(pdf.getTitle()).toBe(`Certificate ${certification.certificate_number} – Mari Mentor`);
    const admin = await makeGlobalAdmin(ctx);
    expect((await app.inject({ url, headers: await bearer(admin.userId) })).statusCode).toBe(200);
  });

  it("the PDF is refused without a token, hidden from other organizations and other mentors", async () => {
    const url = `/v1/certifications/${certification.id}/certificate.pdf`;
    expect((await app.inject(url)).statusCode).toBe(401);
    const other = await makeScene(ctx);
    const outsider = await app.inject({ url, headers: await bearer(other.coordinator.userId) });
    expect(outsider.statusCode).toBe(404);
    expect(outsider.headers["content-type"]).toContain("application/problem+json");
    const peer = await makeMember(ctx, scene.organization.id, "peer_mentor");
    expect((await app.inject({ url, headers: await bearer(peer.userId) })).statusCode).toBe(404);
    const badLang = await app.inject({ url: `${url}?lang=de`, headers: await bearer(scene.mentor.userId) });
    expect(badLang.statusCode).toBe(400);
  });

  it("the PDF route is described in the OpenAPI document", async () => {
    const spec = (await app.inject("/openapi.json")).json() as {
      paths: Record<string, { get?: { description?: string; responses?: Record<string, unknown> } }>;
    };
    const operation = spec.paths["/v1/certifications/{id}/certificate.pdf"]?.get;
    expect(operation?.description).toContain("QR code");
    expect(JSON.stringify(operation?.responses?.["200"])).toContain("application/pdf");
    expect(spec.paths["/verify/{certificate_number}"]).toBeUndefined();
  });
});
