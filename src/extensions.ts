import { notificationAdapterFor } from "./jobs/notifications.js";
import { createServiceWorker } from "./jobs/service-worker.js";
import type { Extension, Runtime } from "./main.js";
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

/**
 * What runs beside the core API in one process: background work and the web pages. `worker`
 * false serves the API alone (`certsvc serve` next to separate `certsvc worker` processes).
 */
export function extensions(options: { worker: boolean }): Extension[] {
  return [{ routes: [webRoutes] }, ...(options.worker ? [workerExtension()] : [])];
}
