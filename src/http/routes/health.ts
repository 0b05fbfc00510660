import { Type } from "@sinclair/typebox";
import { registry } from "../../observability/metrics.js";
import type { App, ServerDeps } from "../app.js";

/** Liveness, readiness and Prometheus metrics, for operators and orchestrators. */
export function healthRoutes(app: App, deps: ServerDeps): void {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        summary: "Liveness",
        description: "The process is up and serving requests. Does not touch the database.",
        security: [],
        response: { 200: Type.Object({ status: Type.Literal("ok", { description: "Always ok" }) }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        tags: ["operations"],
        summary: "Readiness",
        description: "The database answers and every migration is applied; 503 otherwise.",
        security: [],
        response: {
          200: Type.Object({
            status: Type.String({ description: "ready" }),
            detail: Type.String({ description: "Why" }),
          }),
          503: Type.Object({
            status: Type.String({ description: "not_ready" }),
            detail: Type.String({ description: "Why" }),
          }),
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
        tags: ["operations"],
        summary: "Prometheus metrics",
        description:
          "Requests and latency by route and status, issuances, revocations, sweeps, notifications, queue depth.",
        security: [],
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
