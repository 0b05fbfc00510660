import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import type { Logger } from "pino";
import type { Principal } from "../domain/principal.js";
import { httpDuration, httpRequests } from "../observability/metrics.js";
import type { ServiceContext } from "../services/context.js";
import type { Authenticator } from "./auth.js";
import { problem, sendProblem, toProblem } from "./problems.js";
import { certificationRoutes } from "./routes/certifications.js";
import { directoryRoutes } from "./routes/directory.js";
import { healthRoutes } from "./routes/health.js";
import { verifyRoutes } from "./routes/verify.js";
import { AuditEventSchema, CertificationSchema, ProblemSchema } from "./schemas.js";

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without a token. */
    public?: boolean;
  }
}

export interface ServerDeps {
  ctx: ServiceContext;
  auth: Authenticator;
  logger: Logger | false;
  publicUrl: string;
  verifyRateLimit: number;
  /** Answers /readyz: database reachable and migrations applied. */
  readiness: () => Promise<{ ready: boolean; detail: string }>;
  /** Routes of other parts (jobs, web pages, import/export), registered after the core API. */
  plugins?: ReadonlyArray<(app: App) => void | Promise<void>>;
}

/** The principal of an authenticated route (the onRequest hook has set it). */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw new Error("route without authentication reached its handler");
  return request.principal;
}

/** Builds the HTTP server. It never listens by itself: main and tests decide. */
export async function buildServer(deps: ServerDeps): Promise<App> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: 1_048_576,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    // Our onResponse hook logs one line per request, with the principal.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true } },
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

  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config as { public?: boolean } | undefined;
    if (config?.public || request.routeOptions.url === undefined) return;
    if (request.url.startsWith("/docs")) return;
    request.principal = await deps.auth.authenticate(request.headers.authorization);
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { route, method: request.method, status: String(reply.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
    const principal = request.principal;
    request.log.info(
      {
        req: { method: request.method, url: request.url.split("?")[0], route },
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

  healthRoutes(app, deps);
  directoryRoutes(app, deps);
  certificationRoutes(app, deps);
  await verifyRoutes(app, deps);
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
