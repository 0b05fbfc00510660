import { Readable } from "node:stream";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { invalid } from "../domain/errors.js";
import { httpDuration, httpRequests } from "../observability/metrics.js";
import { type App, DEFAULT_TIMEOUTS, type ServerDeps } from "./app.js";
import { guardBodies } from "./body-guard.js";
import { clientErrorHandler } from "./client-errors.js";
import { loggedPath } from "./log-redaction.js";
import { documentBase, refineDocument } from "./openapi.js";
import { problem, sendProblem, toProblem } from "./problems.js";
import { certificationChangeRoutes } from "./routes/certification-changes.js";
import { certificationRoutes } from "./routes/certifications.js";
import { credentialRoutes } from "./routes/credentials.js";
import { directoryRoutes } from "./routes/directory.js";
import { expiryWeekRoutes } from "./routes/expiry-weeks.js";
import { healthRoutes } from "./routes/health.js";
import { importRoutes } from "./routes/import.js";
import { jobRoutes } from "./routes/jobs.js";
import { operationsRoutes } from "./routes/operations.js";
import { sharingRoutes } from "./routes/sharing.js";
import { staffCertificationRoutes } from "./routes/staff-certifications.js";
import { suspensionRoutes } from "./routes/suspensions.js";
import { verifyRoutes } from "./routes/verify.js";
import { AuditEventSchema, CertificationSchema } from "./schemas/certifications.js";
import { ProblemSchema } from "./schemas/problem.js";
import { docsContentSecurityPolicy, securityHeaders } from "./security-headers.js";
import { ajvOptions, strictBodyValidators } from "./validation.js";

/** Plain data as JSON.parse and the query parser make it, never a stream or other object. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Where a value holds a string with U+0000, which PostgreSQL text cannot store. Only plain JSON
 * data is walked: a streamed body (the CSV import) is a stream object with cycles through its
 * socket, and its route reads the text itself.
 */
function stringsWithNul(value: unknown, path: string): string[] {
  if (typeof value === "string") return value.includes("\u0000") ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsWithNul(item, `${path}.${index}`));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(key.includes("\u0000") ? [path] : []),
      ...stringsWithNul(
        item,
        path === "body" || path === "query" || path === "path" ? `${path}/${key}` : `${path}.${key}`,
      ),
    ]);
  }
  return [];
}

/** Refuses a number that is not finite among the values of a query or the path. */
function notFinite(part: "query" | "path", values: unknown): void {
  if (values === null || typeof values !== "object") return;
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw invalid(`${part}/${name} is out of range`, [
        { field: `${part}/${name}`, message: "must be a finite number" },
      ]);
    }
  }
}

/** Builds the HTTP API. It never listens by itself: src/main.ts and tests decide. */
export async function buildServer(deps: ServerDeps): Promise<App> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: 1_048_576,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    // Our onResponse hook logs one line per request, with the principal.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: ajvOptions,
    schemaController: { compilersFactory: { buildValidator: strictBodyValidators() } },
    clientErrorHandler,
    // A malformed percent-encoding or an over-long path parameter is the client's mistake too.
    frameworkErrors: (error, request, reply) =>
      sendProblem(
        request,
        reply,
        problem("invalid_request", error.message, [{ field: "path", message: error.message }]),
      ),
    forceCloseConnections: "idle",
    // A slow client may hold a connection only so long: its headers, its whole request, and
    // the idle time between requests are each bounded (Node checks them every second).
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: 1000 },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // First, so that every answer gets the headers, the body guard's 415 and the docs included.
  securityHeaders(app, { publicUrl: deps.publicUrl });
  guardBodies(app);
  app.addSchema(ProblemSchema);
  app.addSchema(CertificationSchema);
  app.addSchema({ ...AuditEventSchema, $id: "AuditEvent" });

  await app.register(swagger, {
    openapi: documentBase(deps.publicUrl),
    transformObject: (document) =>
      refineDocument("openapiObject" in document ? document.openapiObject : document.swaggerObject) as object,
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  const https = deps.publicUrl.startsWith("https:");
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // No badge from validator.swagger.io: the page loads nothing from elsewhere.
    uiConfig: { deepLinking: true, validatorUrl: null },
    staticCSP: true,
    transformStaticCSP: (header) => docsContentSecurityPolicy(header, https),
  });

  const { logger } = deps;
  const logsRequests = () => logger !== false && logger.isLevelEnabled("info");

  app.decorateRequest("principal", null);
  // The hooks below run on every request: they take a callback rather than return a promise, so
  // that what they do synchronously costs no promise and no turn of the microtask queue.
  app.addHook("onRequest", function authenticateRequest(request, _reply, done) {
    const config = request.routeOptions.config as { public?: boolean } | undefined;
    if (config?.public || request.routeOptions.url === undefined || request.url.startsWith("/docs")) {
      done();
      return;
    }
    const authorization = request.headers.authorization;
    const known = deps.auth.cached(authorization);
    if (known) {
      request.principal = known;
      done();
      return;
    }
    deps.auth.authenticate(authorization).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  });

  // An empty body is an empty object, so routes whose fields are all optional need none.
  app.addHook("preValidation", function refuseNul(request, _reply, done) {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
    // The query and path come from the URL, where U+0000 can only be written as %00 (the HTTP
    // parser refuses a raw NUL): a URL without it needs no walk through them.
    const fromUrl = request.url.includes("%00");
    if (request.body === undefined && !fromUrl) {
      done();
      return;
    }
    // A streamed body (the CSV import) is read by its route, never walked here: over a real
    // socket it is the request itself, whose references lead back to it.
    const parsed = request.body instanceof Readable ? undefined : request.body;
    const nul = [
      ...(parsed === undefined ? [] : stringsWithNul(parsed, "body")),
      ...(fromUrl ? stringsWithNul(request.query, "query") : []),
      ...(fromUrl ? stringsWithNul(request.params, "path") : []),
    ];
    if (nul.length > 0) {
      done(
        invalid(
          "Text may not contain the NUL character (U+0000)",
          nul.map((field) => ({ field, message: "contains U+0000" })),
        ),
      );
      return;
    }
    done();
  });
  // Ajv coerces "1e400" in a query string to Infinity and then skips minimum and maximum.
  app.addHook("preHandler", function refuseInfinity(request, _reply, done) {
    notFinite("query", request.query);
    notFinite("path", request.params);
    done();
  });

  app.addHook("onResponse", function countAndLog(request, reply, done) {
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { route, method: request.method, status: String(reply.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
    // Built only when it is written: the line's fields cost as much as the metrics.
    if (!logsRequests()) {
      done();
      return;
    }
    const principal = request.principal;
    request.log.info(
      {
        // Fastify's req serializer keeps only method and url of this object: the route goes beside.
        req: { method: request.method, url: loggedPath(request.url) },
        route,
        res: { statusCode: reply.statusCode },
        ms: Math.round(reply.elapsedTime * 10) / 10,
        principal: principal
          ? principal.kind === "user"
            ? principal.userId
            : `${principal.kind}:${principal.name}`
          : null,
      },
      "request",
    );
    done();
  });

  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      problem("not_found", `No route ${request.method} ${request.url.split("?")[0]}`),
    ),
  );

  app.get("/openapi.json", { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  // Per-route limits only (the public verification route and page set theirs).
  await app.register(rateLimit, { global: false });
  healthRoutes(app, deps);
  directoryRoutes(app, deps);
  certificationRoutes(app, deps);
  certificationChangeRoutes(app, deps);
  suspensionRoutes(app, deps);
  credentialRoutes(app, deps);
  staffCertificationRoutes(app, deps);
  expiryWeekRoutes(app, deps);
  jobRoutes(app, deps);
  operationsRoutes(app, deps);
  // In a scope of its own, so that only the import reads CSV and multipart bodies.
  await app.register(async (scope) => importRoutes(scope as App, deps));
  verifyRoutes(app, deps);
  sharingRoutes(app, deps);
  return app;
}
