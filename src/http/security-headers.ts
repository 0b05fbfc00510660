import type { FastifyRequest } from "fastify";
import type { App } from "./app.js";

/**
 * The /docs page's policy: Swagger UI's own scripts (by hash, as @fastify/swagger-ui computes
 * them) and styles from this origin, nothing from elsewhere, no framing.
 */
export function docsContentSecurityPolicy(header: string, https: boolean): string {
  const hashes = (directive: string) =>
    (new RegExp(`${directive} ([^;]*)`).exec(header)?.[1] ?? "")
      .split(" ")
      .filter((source) => source.startsWith("'sha") || source.startsWith("'nonce"))
      .join(" ");
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "img-src 'self' data:",
    "object-src 'none'",
    `script-src 'self' ${hashes("script-src")}`.trim(),
    "script-src-attr 'none'",
    // Swagger UI sets style attributes from script; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** A route that needs a token: everything but the public routes, the docs and unknown paths. */
const isAuthenticated = (request: FastifyRequest) =>
  !request.routeOptions.config?.public &&
  request.routeOptions.url !== undefined &&
  !request.url.startsWith("/docs");

/**
 * Headers on every answer: `nosniff` everywhere, `no-store` on whatever a token was needed
 * for (answers to one caller must not sit in a shared cache), and HSTS when the service's
 * public address is https. Set when the request arrives, before any other hook can answer it:
 * Fastify keeps them on every answer, errors included, and a route may still narrow its own
 * caching (`private, no-store`). An onSend hook would do the same at a cost on every answer.
 */
export function securityHeaders(app: App, options: { publicUrl: string }): void {
  const hsts = options.publicUrl.startsWith("https:");
  app.addHook("onRequest", function addSecurityHeaders(request, reply, done) {
    reply.header("x-content-type-options", "nosniff");
    if (hsts) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if (isAuthenticated(request)) reply.header("cache-control", "no-store");
    done();
  });
}
