import { Type } from "@sinclair/typebox";
import { registry } from "../../observability/metrics.js";
import type { App, ServerDeps } from "../app.js";
import { problems } from "../schemas/problem.js";

/** Like every route, these refuse a query they do not know (400). */
const NoQuery = Type.Object({}, { additionalProperties: false });

/** Liveness, readiness and Prometheus metrics, for operators and orchestrators. */
export function healthRoutes(app: App, deps: ServerDeps): void {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        operationId: "getHealth",
        tags: ["operations"],
        summary: "Liveness",
        description: "The process is up and serving requests. Does not touch the database.",
        security: [],
        querystring: NoQuery,
        response: {
          200: Type.Object(
            { status: Type.Literal("ok", { description: "Always ok" }) },
            { description: "Up", examples: [{ status: "ok" }] },
          ),
          ...problems(400),
        },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        operationId: "getReadiness",
        tags: ["operations"],
        summary: "Readiness",
        description: "The database answers and every migration is applied; 503 otherwise.",
        security: [],
        querystring: NoQuery,
        response: {
          200: Type.Object(
            {
              status: Type.Literal("ready", { description: "ready" }),
              detail: Type.String({ description: "Why" }),
            },
            {
              description: "Ready to serve",
              examples: [{ status: "ready", detail: "database reachable, migrations applied" }],
            },
          ),
          ...problems(400),
          503: Type.Object(
            {
              status: Type.Literal("not_ready", { description: "not_ready" }),
              detail: Type.String({ description: "Why (never a host, user or driver message)" }),
            },
            {
              description: "Not ready: a probe's answer, not a problem",
              examples: [{ status: "not_ready", detail: "database unreachable" }],
            },
          ),
        },
      },
    },
    async (request, reply) => {
      const { ready, detail } = await deps.readiness().catch((error: unknown) => {
        // The cause goes to the log; the answer names no host, user or driver message.
        request.log.warn({ err: error }, "readiness check failed");
        return { ready: false, detail: "database unreachable" };
      });
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", detail });
    },
  );

  app.get(
    "/metrics",
    {
      config: { public: true },
      schema: {
        operationId: "getMetrics",
        tags: ["operations"],
        summary: "Prometheus metrics",
        description:
          "Requests and latency by route and status, issuances, revocations, sweeps, notifications, queue depth.",
        security: [],
        querystring: NoQuery,
        response: {
          200: {
            description: "The Prometheus text exposition format",
            content: { [registry.contentType]: { schema: { type: "string" } } },
          },
          ...problems(400),
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
