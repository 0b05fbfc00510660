import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../storage/database.js";
import { queueDepth } from "../storage/jobs.js";

/**
 * One registry per process, served at /metrics. Metrics are created here so every entry point
 * (API, worker, CLI) counts into the same names.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "certsvc_" });
// prom-client adds the sum of these gauges as `…_total`, a name Prometheus keeps for counters
// (`promtool check metrics` refuses it); the same numbers stay, by type, without the suffix.
for (const name of ["active_handles", "active_requests", "active_resources"]) {
  registry.removeSingleMetric(`certsvc_nodejs_${name}_total`);
}

export const httpRequests = new Counter({
  name: "certsvc_http_requests_total",
  help: "HTTP requests by route, method and status",
  labelNames: ["route", "method", "status"] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: "certsvc_http_request_duration_seconds",
  help: "HTTP request latency by route, method and status",
  labelNames: ["route", "method", "status"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const issuances = new Counter({
  name: "certsvc_certifications_issued_total",
  help: "Certifications issued, by source",
  labelNames: ["source"] as const,
  registers: [registry],
});

export const revocations = new Counter({
  name: "certsvc_certifications_revoked_total",
  help: "Certifications revoked",
  registers: [registry],
});

export const sweepRuns = new Counter({
  name: "certsvc_expiry_sweep_runs_total",
  help: "Expiry sweeps run, by outcome (ok, failed)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const sweepDuration = new Histogram({
  name: "certsvc_expiry_sweep_duration_seconds",
  help: "Duration of expiry sweeps",
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const notifications = new Counter({
  name: "certsvc_notifications_total",
  help: "Notification delivery attempts by outcome: delivered, failed (will be retried), dead (gave up)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const importedRows = new Counter({
  name: "certsvc_import_rows_total",
  help: "CSV import rows by outcome (imported, rejected)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

/** Queue depth is read from the jobs table at scrape time; one gauge per registry. */
let queueDepthRegistered = false;

/**
 * Registers `certsvc_job_queue_depth{queue,state}`: jobs not done, counted at each scrape.
 * Call once per process that serves /metrics, with the database it should count.
 */
export function registerQueueDepthGauge(db: Db): void {
  if (queueDepthRegistered) return;
  queueDepthRegistered = true;
  new Gauge({
    name: "certsvc_job_queue_depth",
    help: "Jobs in the queue by queue and state (pending, running, dead); done jobs are not counted",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      const rows = await queueDepth(db);
      this.reset();
      for (const row of rows) this.set({ queue: row.queue, state: row.state }, Number(row.count));
    },
  });
}
