import { notificationAdapterFor } from "./jobs/notifications.js";
import { createServiceWorker } from "./jobs/service-worker.js";
import type { Extension, Runtime } from "./main.js";
import { registerQueueDepthGauge } from "./observability/metrics.js";
import { startupHints } from "./services/seed-demo.js";
import { webRoutes } from "./web/routes.js";

/** Background work in this process: the queues and the schedules (sweep, cleanups). */
export function workerExtension(): Extension {
  return {
    async start(runtime: Runtime) {
      const { config, logger, ctx } = runtime;
      const worker = createServiceWorker({
        ctx,
        adapter: notificationAdapterFor(config, logger.child({ component: "notifications" })),
        sweepCron: config.sweepCron,
        notifyMaxAttempts: config.notifyMaxAttempts,
        logger: logger.child({ component: "worker" }),
      });
      worker.start();
      logger.info({ sweep_cron: config.sweepCron }, "worker started");
      return { stop: () => worker.stop() };
    },
  };
}

/** Queue depth in /metrics, and a hint to run `demo` when the database is empty. */
export function operationsExtension(): Extension {
  return {
    async start(runtime: Runtime) {
      registerQueueDepthGauge(runtime.database.db);
      const embedded = runtime.config.database.kind === "pglite";
      for (const hint of await startupHints(runtime.database.db, embedded)) runtime.logger.info(hint);
      return undefined;
    },
  };
}

/**
 * What runs beside the core API in one process: background work and the web pages. `worker`
 * false serves the API alone (`certsvc serve` next to separate `certsvc worker` processes).
 */
export function extensions(options: { worker: boolean }): Extension[] {
  return [{ routes: [webRoutes] }, operationsExtension(), ...(options.worker ? [workerExtension()] : [])];
}
