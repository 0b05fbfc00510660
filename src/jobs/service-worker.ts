import type { Logger } from "pino";
import { pino } from "pino";
import { systemPrincipal } from "../domain/principal.js";
import { notifications } from "../observability/metrics.js";
import type { ServiceContext } from "../services/context.js";
import { runExpirySweep } from "../services/run-expiry-sweep.js";
import { DIGEST_TIME_ZONE, enqueueWeeklyDigests } from "../storage/digests.js";
import { deleteIdempotencyKeysBefore } from "../storage/idempotency-keys.js";
import { QUEUES } from "../storage/jobs.js";
import { evaluateBadges, isBadgeEvaluationPayload } from "./badges.js";
import { deliverNotificationJob, type NotificationAdapter } from "./notifications.js";
import type { Schedule } from "./schedules.js";
import { type JobHandler, Worker } from "./worker.js";

/** Stored Idempotency-Key answers are kept this long, then cleaned up. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3_600_000;

export interface ServiceWorkerOptions {
  ctx: ServiceContext;
  adapter: NotificationAdapter;
  /** CERTSVC_SWEEP_CRON. */
  sweepCron: string;
  /** CERTSVC_DIGEST_CRON (Europe/Oslo); Monday 07:00 unless set. */
  digestCron?: string;
  /** CERTSVC_NOTIFY_MAX_ATTEMPTS: delivery attempts before a notification is dead. */
  notifyMaxAttempts: number;
  logger?: Logger;
  concurrency?: number;
  pollIntervalMs?: number;
  leaseSeconds?: number;
  heartbeatSeconds?: number;
  workerId?: string;
  sweepBatchSize?: number;
  /** Called after each committed sweep batch (progress logs, tests). */
  onSweepBatch?: (index: number) => void;
  /** false: run jobs only, fire no schedules (tests). */
  schedules?: boolean;
}

/** The service's background work: the queues, their handlers and the two schedules. */
export function createServiceWorker(options: ServiceWorkerOptions): Worker {
  const { ctx, adapter } = options;
  const logger = options.logger ?? pino({ level: "silent" });
  const system = systemPrincipal("worker");
  const handlers: Record<string, JobHandler> = {
    [QUEUES.badgeEvaluation]: async (job) => {
      if (!isBadgeEvaluationPayload(job.payload)) throw new Error("badge-evaluation job without user_id");
      const awarded = await evaluateBadges(ctx.db, job.payload.user_id, ctx.clock());
      if (awarded.length > 0) logger.info({ user_id: job.payload.user_id, awarded }, "badges awarded");
    },
    [QUEUES.notification]: async (job) => {
      try {
        await deliverNotificationJob(ctx.db, adapter, job, logger);
        notifications.inc({ outcome: "delivered" });
      } catch (error) {
        notifications.inc({ outcome: job.attempts >= job.max_attempts ? "dead" : "failed" });
        throw error;
      }
    },
    [QUEUES.expirySweep]: async () => {
      const counts = await runExpirySweep(ctx, system, {
        notifyMaxAttempts: options.notifyMaxAttempts,
        ...(options.sweepBatchSize !== undefined ? { batchSize: options.sweepBatchSize } : {}),
        onBatch: (batch, index) => {
          logger.debug({ index, changed: batch.changed }, "sweep batch committed");
          options.onSweepBatch?.(index);
        },
      });
      logger.info({ counts }, "expiry sweep done");
    },
    [QUEUES.weeklyDigest]: async (job) => {
      // The week is the slot's (a run retried or late still counts for the week it was due in).
      const slot = typeof job.payload.slot === "string" ? new Date(job.payload.slot) : ctx.clock();
      const result = await enqueueWeeklyDigests(ctx.db, {
        now: ctx.clock(),
        weekOf: slot,
        defaultWarningDays: ctx.warningDays,
        notifyMaxAttempts: options.notifyMaxAttempts,
      });
      logger.info(result, "weekly digests enqueued");
    },
    [QUEUES.idempotencyCleanup]: async () => {
      const before = new Date(ctx.clock().getTime() - IDEMPOTENCY_RETENTION_MS);
      const deleted = await deleteIdempotencyKeysBefore(ctx.db, before);
      logger.info({ deleted }, "idempotency keys cleaned up");
    },
  };
  const schedules: Schedule[] =
    options.schedules === false
      ? []
      : [
          { name: QUEUES.expirySweep, queue: QUEUES.expirySweep, cron: options.sweepCron },
          { name: QUEUES.idempotencyCleanup, queue: QUEUES.idempotencyCleanup, cron: "17 * * * *" },
          {
            name: QUEUES.weeklyDigest,
            queue: QUEUES.weeklyDigest,
            cron: options.digestCron ?? "0 7 * * 1",
            timezone: DIGEST_TIME_ZONE,
          },
        ];
  return new Worker({
    db: ctx.db,
    handlers,
    schedules,
    // One sweep and one clean-up at a time per worker: each is a long set-based run of its own.
    queueConcurrency: { [QUEUES.expirySweep]: 1, [QUEUES.idempotencyCleanup]: 1, [QUEUES.weeklyDigest]: 1 },
    clock: ctx.clock,
    logger,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    ...(options.heartbeatSeconds !== undefined ? { heartbeatSeconds: options.heartbeatSeconds } : {}),
    ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
  });
}
