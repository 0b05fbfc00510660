import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
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

const languageOf = (request: { query: { lang?: string | undefined }; headers: Record<string, unknown> }) =>
  pickLanguage(request.query.lang, request.headers["accept-language"] as string | undefined);

/**
 * The web pages (CONTRACT §7) and the certificate PDF: server-rendered HTML for the public pages,
 * one small script for the signed-in area, all served by this process.
 */
export function webRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;
  const page = { config: { public: true }, schema: { hide: true, querystring: LangQuery } } as const;

  app.get("/", page, async (request, reply) => {
    const language = languageOf(request);
    return sendPage(reply, language, homePage(language));
  });

  app.get("/app", page, async (request, reply) => {
    const language = languageOf(request);
    return sendPage(reply, language, appPage(language, { platformUrl: deps.platformUrl ?? null }));
  });

  verifyPageRoutes(app, deps);

  // The stylesheet and the /app script's ES modules, from assets/: public, revalidated on each load
  // (ETag), and a missing one gets the 404 page.
  app.register(
    async (assets) => {
      assets.addHook("onRoute", (route) => {
        route.config = { ...route.config, public: true };
      });
      // @fastify/send still names scripts application/javascript; RFC 9239 makes it text/javascript.
      assets.addHook("onSend", async (_request, reply, payload) => {
        if (String(reply.getHeader("content-type")).startsWith("application/javascript")) {
          reply.header("content-type", "text/javascript; charset=utf-8");
        }
        return payload;
      });
      assets.setNotFoundHandler((request, reply) => {
        const language = languageOf({ query: {}, headers: request.headers });
        return sendPage(reply, language, notFoundPage(language, request.url), 404);
      });
      await assets.register(fastifyStatic, {
        root: fileURLToPath(new URL("./assets/", import.meta.url)),
        decorateReply: false,
        index: false,
        // Files only: a folder's address is not found (send would answer 403).
        allowedPath: (pathname) => !pathname.endsWith("/"),
        cacheControl: false,
        setHeaders: (response) => {
          response.setHeader("cache-control", "no-cache");
          response.setHeader("x-content-type-options", "nosniff");
        },
      });
    },
    { prefix: "/assets" },
  );

  app.get(
    "/v1/certifications/:id/certificate.pdf",
    {
      schema: {
        tags: ["certifications"],
        operationId: "getCertificatePdf",
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
