import { Type } from "@sinclair/typebox";
import { DomainError } from "../domain/errors.js";
import type { App, ServerDeps } from "../http/app.js";
import { openSharedCertification } from "../services/share-links.js";
import { verifyCertificate } from "../services/verify-certificate.js";
import { link } from "./html.js";
import { type Language, pickLanguage } from "./i18n.js";
import { sendPage } from "./send-page.js";
import { sharedFailurePage, sharedPage, verificationFailurePage, verificationPage } from "./verify-pages.js";

const languageOf = (request: {
  query: { lang?: string | undefined };
  headers: Record<string, unknown>;
}): Language => pickLanguage(request.query.lang, request.headers["accept-language"] as string | undefined);

const isCode = (error: unknown, code: string) => error instanceof DomainError && error.code === code;

/** The public verification page (by number and code) and the share link's page (CONTRACT §7). */
export function verifyPageRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;
  const rateLimit = { max: deps.verifyRateLimit, timeWindow: "1 minute" };

  // The forms submit here; the result has its own address (/verify/{number}?code=…).
  app.get(
    "/verify",
    {
      config: { public: true },
      schema: {
        hide: true,
        querystring: Type.Object({
          lang: Type.Optional(Type.String({ maxLength: 10 })),
          number: Type.Optional(Type.String({ maxLength: 200 })),
          code: Type.Optional(Type.String({ maxLength: 32 })),
          name: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (request, reply) => {
      const language = languageOf(request);
      const number = (request.query.number ?? "").trim().toUpperCase();
      if (number === "") return reply.redirect(link("/", language), 303);
      const query = new URLSearchParams();
      const code = (request.query.code ?? "").trim().toUpperCase();
      const name = (request.query.name ?? "").trim();
      if (code !== "") query.set("code", code);
      if (name !== "") query.set("name", name);
      const path = `/verify/${encodeURIComponent(number)}${query.size > 0 ? `?${query}` : ""}`;
      return reply.redirect(link(path, language), 303);
    },
  );

  app.get(
    "/verify/:certificate_number",
    {
      config: { public: true, rateLimit },
      schema: {
        hide: true,
        params: Type.Object({ certificate_number: Type.String({ maxLength: 200 }) }),
        querystring: Type.Object({
          lang: Type.Optional(Type.String({ maxLength: 10 })),
          code: Type.Optional(Type.String({ maxLength: 32 })),
          name: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (request, reply) => {
      const language = languageOf(request);
      const number = request.params.certificate_number.trim().toUpperCase();
      const name = request.query.name?.trim() ? request.query.name : undefined;
      try {
        const result = await verifyCertificate(ctx, number, request.query.code, name);
        return sendPage(reply, language, verificationPage(language, result));
      } catch (error) {
        if (isCode(error, "certificate_number_format")) {
          return sendPage(reply, language, verificationFailurePage(language, number, "malformed"), 422);
        }
        if (isCode(error, "not_found")) {
          return sendPage(reply, language, verificationFailurePage(language, number, "unknown"), 404);
        }
        throw error;
      }
    },
  );

  app.get(
    "/s/:token",
    {
      config: { public: true, rateLimit },
      schema: {
        hide: true,
        params: Type.Object({ token: Type.String({ maxLength: 128 }) }),
        querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }),
      },
    },
    async (request, reply) => {
      const language = languageOf(request);
      const { token } = request.params;
      try {
        const result = await openSharedCertification(ctx, token);
        return sendPage(reply, language, sharedPage(language, token, result));
      } catch (error) {
        if (isCode(error, "gone"))
          return sendPage(reply, language, sharedFailurePage(language, token, "gone"), 410);
        if (isCode(error, "not_found")) {
          return sendPage(reply, language, sharedFailurePage(language, token, "unknown"), 404);
        }
        throw error;
      }
    },
  );
}
