import type { FastifyReply } from "fastify";
import type { Language } from "./i18n.js";

/** Pages load nothing from elsewhere and run no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function sendPage(
  reply: FastifyReply,
  language: Language,
  body: string,
  statusCode = 200,
): FastifyReply {
  return reply
    .code(statusCode)
    .type("text/html; charset=utf-8")
    .header("content-language", language)
    .header("vary", "Accept-Language")
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("cache-control", "no-store")
    .send(body);
}
