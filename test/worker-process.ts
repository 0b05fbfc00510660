/**
 * A worker process for the crash test: runs the service's background work against
 * DATABASE_URL, with notifications to WEBHOOK_URL, and prints one line per committed sweep batch
 * so that the test can kill it in the middle of a sweep.
 */
import { loadConfig } from "../src/config.js";
import { WebhookAdapter } from "../src/jobs/notifications.js";
import { createServiceWorker } from "../src/jobs/service-worker.js";
import { openDatabase } from "../src/storage/database.js";

const url = process.env.DATABASE_URL;
const webhook = process.env.WEBHOOK_URL;
if (!url || !webhook) throw new Error("DATABASE_URL and WEBHOOK_URL are required");

// The lease and heartbeat as the service reads them (CERTSVC_JOB_LEASE_SECONDS, …_HEARTBEAT_SECONDS).
const config = loadConfig(process.env);
const database = await openDatabase({ kind: "postgres", url, poolSize: 6 });
const worker = createServiceWorker({
  ctx: { db: database.db, clock: () => new Date(), warningDays: 30 },
  adapter: new WebhookAdapter(webhook, config.notifyWebhookSecret),
  sweepCron: "*/5 * * * *",
  notifyMaxAttempts: 10,
  schedules: false,
  concurrency: 4,
  pollIntervalMs: 50,
  leaseSeconds: config.jobLeaseSeconds,
  heartbeatSeconds: config.jobHeartbeatSeconds,
  sweepBatchSize: Number(process.env.SWEEP_BATCH_SIZE ?? 100),
  onSweepBatch: (index) => process.stdout.write(`sweep-batch ${index}\n`),
});
worker.start();
process.stdout.write("worker-started\n");
process.on("SIGTERM", () => {
  void worker
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
