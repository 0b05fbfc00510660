import { readdirSync, readFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import { type App, principalOf, type ServerDeps } from "../http/app.js";
import { IdParams } from "../http/schemas/common.js";
import { problems } from "../http/schemas/problem.js";
import { getCertificateDocument } from "../services/certificate-document.js";
import { type Language, pickLanguage } from "./i18n.js";
import { appPage, homePage, notFoundPage } from "./pages.js";
import { renderCertificatePdf } from "./pdf.js";
import { sendPage } from "./send-page.js";
import { verifyPageRoutes } from "./verify-routes.js";

const LangQuery = Type.Object({
  lang: Type.Optional(
    Type.String({ maxLength: 10, description: "nb (default) or en; else the Accept-Language header" }),
  ),
});

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8");
}

/** The stylesheets and the /app script's ES modules (assets/app/*.js), read once at start. */
function loadAssets(): ReadonlyMap<string, { body: string; type: string }> {
  const css = "text/css; charset=utf-8";
  const found = new Map([
    ["site.css", { body: asset("site.css"), type: css }],
    ["staff.css", { body: asset("staff.css"), type: css }],
  ]);
  for (const file of readdirSync(new URL("./assets/app/", import.meta.url))) {
    if (file.endsWith(".js")) {
      found.set(`app/${file}`, { body: asset(`app/${file}`), type: "text/javascript; charset=utf-8" });
    }
  }
  return found;
}

const languageOf = (request: { query: { lang?: string | undefined }; headers: Record<string, unknown> }) =>
  pickLanguage(request.query.lang, request.headers["accept-language"] as string | undefined);

/**
 * The web pages (CONTRACT §7) and the certificate PDF: server-rendered HTML for the public pages,
 * one small script for the signed-in area, all served by this process.
 */
export function webRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;
  const assets = loadAssets();
  const page = { config: { public: true }, schema: { hide: true, querystring: LangQuery } } as const;

  app.get("/", page, async (request, reply) => {
    const language = languageOf(request);
    return sendPage(reply, language, homePage(language));
  });

  app.get("/app", page, async (request, reply) => {
    const language = languageOf(request);
    return sendPage(reply, language, appPage(language));
  });

  verifyPageRoutes(app, deps);

  app.get(
    "/assets/*",
    {
      config: { public: true },
      schema: { hide: true, params: Type.Object({ "*": Type.String({ maxLength: 200 }) }) },
    },
    async (request, reply) => {
      const found = assets.get(request.params["*"]);
      if (!found) {
        const language = languageOf({ query: {}, headers: request.headers });
        return sendPage(reply, language, notFoundPage(language, request.url), 404);
      }
      return reply
        .type(found.type)
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-cache")
        .send(found.body);
    },
  );

  app.get(
    "/v1/certifications/:id/certificate.pdf",
    {
      schema: {
        tags: ["certifications"],
        summary: "Certificate as PDF",
        description:
          "The printable certificate (A4): organization, holder's full name, type, number, issue and expiry dates, status, its verification code, and a QR code to the public verification page with the code (`CERTSVC_PUBLIC_URL/verify/{number}?code=…`); fonts embedded (DejaVu Sans, every Norwegian and Sami letter); a revoked, suspended or expired certificate is marked NOT VALID / UGYLDIG across the page. Title and language are set in the document's metadata. Norwegian by default; `?lang=en` for English. Visible to whoever may read the certification: its holder, staff of its organization, global admins.",
        params: IdParams,
        querystring: Type.Object(
          {
            lang: Type.Optional(
              Type.Union([Type.Literal("nb"), Type.Literal("en")], {
                description: "Language of the certificate: nb (default) or en",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: "The certificate",
            content: { "application/pdf": { schema: { type: "string", format: "binary" } } },
          },
          ...problems(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const document = await getCertificateDocument(ctx, principalOf(request), request.params.id);
      const c = document.certification;
      const language: Language = request.query.lang ?? "nb";
      const pdf = await renderCertificatePdf(
        {
          certificateNumber: c.certificate_number,
          status: c.status,
          organizationName: document.organizationName,
          holderName: document.holderName,
          typeName: document.typeName,
          issuedAt: c.issued_at,
          expiresAt: c.expires_at,
          verificationCode: document.verificationCode,
        },
        { language, publicUrl: deps.publicUrl, now: ctx.clock() },
      );
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="${c.certificate_number}.pdf"`)
        .header("content-language", language)
        .header("cache-control", "private, no-store")
        .send(Buffer.from(pdf));
    },
  );
}
