import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { invalid } from "../domain/errors.js";
import { httpDuration, httpRequests } from "../observability/metrics.js";
import type { App, ServerDeps } from "./app.js";
import { problem, sendProblem, toProblem } from "./problems.js";
import { certificationRoutes } from "./routes/certifications.js";
import { credentialRoutes } from "./routes/credentials.js";
import { directoryRoutes } from "./routes/directory.js";
import { healthRoutes } from "./routes/health.js";
import { jobRoutes } from "./routes/jobs.js";
import { operationsRoutes } from "./routes/operations.js";
import { suspensionRoutes } from "./routes/suspensions.js";
import { verifyRoutes } from "./routes/verify.js";
import { AuditEventSchema, CertificationSchema } from "./schemas/certifications.js";
import { ProblemSchema } from "./schemas/problem.js";

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:[Zz]|[+-](\d\d):(\d\d))$/;
const EARLIEST = Date.UTC(1000, 0, 2);
const LATEST = Date.UTC(9999, 11, 30);

/**
 * An RFC 3339 date-time with a time zone that names a real instant: no 30 February, no leap
 * second (JavaScript has none), and a year of four digits wherever it is read, as certificate
 * numbers need.
 */
export function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  const instant = Date.parse(value);
  return Number.isFinite(instant) && instant >= EARLIEST && instant <= LATEST;
}

/** Where a value holds a string with U+0000, which PostgreSQL text cannot store. */
function stringsWithNul(value: unknown, path: string): string[] {
  if (typeof value === "string") return value.includes("\u0000") ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsWithNul(item, `${path}.${index}`));
  if (value !== null && typeof value === "object") {
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
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: 1_048_576,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    // Our onResponse hook logs one line per request, with the principal.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true },
      // RFC 3339 as ajv-formats has it, but only instants JavaScript and PostgreSQL both take.
      onCreate: (ajv) => ajv.addFormat("date-time", { type: "string", validate: isTimestamp }),
    },
    // A malformed percent-encoding or an over-long path parameter is the client's mistake too.
    frameworkErrors: (error, request, reply) =>
      sendProblem(
        request,
        reply,
        problem("invalid_request", error.message, [{ field: "path", message: error.message }]),
      ),
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.addSchema(ProblemSchema);
  app.addSchema(CertificationSchema);
  app.addSchema({ ...AuditEventSchema, $id: "AuditEvent" });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Certificate Service",
        version: "1.0.0",
        description:
          "Issues, tracks and verifies peer mentors' certifications. Errors are RFC 9457 problems with a `code`.",
      },
      servers: [{ url: deps.publicUrl }],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { deepLinking: true } });

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
    const nul = [
      ...(request.body === undefined ? [] : stringsWithNul(request.body, "body")),
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
        req: { method: request.method, url: request.url.split("?")[0] },
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
  suspensionRoutes(app, deps);
  credentialRoutes(app, deps);
  jobRoutes(app, deps);
  operationsRoutes(app, deps);
  verifyRoutes(app, deps);
  return app;
}
