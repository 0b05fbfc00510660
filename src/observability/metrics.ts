import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * One registry per process, served at /metrics. Metrics are created here so every entry point
 * (API, worker, CLI) counts into the same names.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "certsvc_" });

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
