import { invalid } from "../domain/errors.js";
import type { App } from "./app.js";
import { problem, sendProblem } from "./problems.js";
import { problems } from "./schemas/problem.js";

/** Deeper JSON than any body of this API needs; refused before JSON.parse sees it. */
export const MAX_JSON_DEPTH = 32;

/** What a route takes when it declares nothing: a JSON body, or none. */
export const DEFAULT_CONTENT_TYPES: readonly string[] = ["application/json"];

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * Media types the route's body may have (without parameters), checked before any parser
     * runs; a body of any other type is 415. Unset: application/json.
     */
    contentTypes?: readonly string[];
  }
}

/**
 * Whether JSON text nests arrays and objects deeper than `max`. One pass over the characters,
 * skipping strings, so it costs a few milliseconds per megabyte and never recurses.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

const mediaType = (header: string): string => (header.split(";", 1)[0] ?? "").trim().toLowerCase();

/** Methods whose bodies Fastify parses; GET and HEAD bodies are never read. */
const IGNORED_BODIES = new Set(["GET", "HEAD"]);

/**
 * Bodies are checked before they are parsed: a media type the route does not declare is 415,
 * and JSON deeper than MAX_JSON_DEPTH is 400, so no body reaches a parser, a validator or a
 * recursive walk it could crash or stall.
 */
export function guardBodies(app: App): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      const detail = `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`;
      done(invalid(detail, [{ field: "body", message: detail }]), undefined);
      return;
    }
    parseJson(request, text, done);
  });
  // Fastify parses text/plain by default; no route of this API takes it.
  app.removeContentTypeParser("text/plain");

  // Registered before @fastify/swagger collects the routes, so the document shows what every
  // route may answer: 415 where it takes a body, 503 wherever it needs the database.
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
    if (!schema || schema.hide) return;
    const takesBody = !methods.every((method) => IGNORED_BODIES.has(method));
    schema.response = {
      ...schema.response,
      ...(takesBody ? { 415: schema.response?.[415] ?? problems(415)[415] } : {}),
      ...(route.url === "/healthz" ? {} : { 503: schema.response?.[503] ?? problems(503)[503] }),
    };
  });

  app.addHook("onRequest", function checkMediaType(request, reply, done) {
    if (IGNORED_BODIES.has(request.method)) {
      done();
      return;
    }
    const header = request.headers["content-type"];
    const length = request.headers["content-length"];
    const hasBody =
      request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
    if (header === undefined && !hasBody) {
      done();
      return;
    }
    const declared = request.routeOptions.config?.contentTypes ?? DEFAULT_CONTENT_TYPES;
    const type = header === undefined ? "" : mediaType(header);
    if (declared.includes(type)) {
      done();
      return;
    }
    const detail =
      header === undefined
        ? `The body has no Content-Type; send it as ${declared.join(" or ")}`
        : `This route takes ${declared.join(" or ")}, not ${type || "an empty media type"}`;
    sendProblem(request, reply, problem("unsupported_media_type", detail));
  });
}
