import { forbidden } from "../domain/errors.js";
import { actorName, isGlobal, type Principal } from "../domain/principal.js";
import { sweepDuration, sweepRuns } from "../observability/metrics.js";
import { type SweepBatchResult, sweepBatch, sweepHorizon } from "../storage/expiry-sweep.js";
import type { ServiceContext } from "./context.js";

export interface SweepCounts {
  /** Certifications whose persisted status became `expired`. */
  expired: number;
  /** Certifications whose persisted status became `expiring_soon`. */
  expiring_soon: number;
  /** `expiring_soon` rows put back to `active` because their window shrank (type or default changed). */
  back_to_active: number;
  notifications_enqueued: number;
  batches: number;
  duration_ms: number;
}

export interface SweepOptions {
  /** Rows per batch, each batch one statement and one short transaction. */
  batchSize?: number;
  notifyMaxAttempts?: number;
  /**
   * Batches run at once, each lane walking the rows in expiry order on its own connection; SKIP
   * LOCKED hands each row to one lane. PostgreSQL runs a batch on one core, so a second lane
   * uses the second. On PGlite (one connection) the lanes take turns.
   */
  lanes?: number;
  /** Called after each committed batch (progress, tests). */
  onBatch?: (batch: SweepBatchResult, index: number) => void;
}

export const DEFAULT_SWEEP_BATCH_SIZE = 2000;
export const DEFAULT_SWEEP_LANES = 2;

/**
 * The expiry sweep (contract §5): persists `expired` and `expiring_soon`, and dispatches exactly
 * one reminder per certification entering its window. Runs in batches walking the live rows in
 * expiry order, so memory is one batch's counters whatever the table's size, and no lock is held
 * longer than one batch. Two lanes of batches run at once (options.lanes). The walk reads expiries only up to the horizon (now + the largest warning
 * window, read once per run) and past it only `expiring_soon` rows, so a run's cost follows the
 * rows that can be due, not the live rows years from their window. Safe to run from any number of
 * processes at once (see sweepBatch). Global admins and the system may run it.
 */
export async function runExpirySweep(
  ctx: ServiceContext,
  principal: Principal,
  options: SweepOptions = {},
): Promise<SweepCounts> {
  if (!isGlobal(principal)) throw forbidden("Only global admins can run the expiry sweep");
  // Counted here, so a sweep is counted once whether the schedule, the CLI or the admin route ran it.
  const stopTimer = sweepDuration.startTimer();
  try {
    const counts = await sweep(ctx, principal, options);
    sweepRuns.inc({ outcome: "ok" });
    return counts;
  } catch (error) {
    sweepRuns.inc({ outcome: "failed" });
    throw error;
  } finally {
    stopTimer();
  }
}

async function sweep(ctx: ServiceContext, principal: Principal, options: SweepOptions): Promise<SweepCounts> {
  const started = performance.now();
  const now = ctx.clock();
  const batchSize = options.batchSize ?? DEFAULT_SWEEP_BATCH_SIZE;
  const horizon = await sweepHorizon(ctx.db, now, ctx.warningDays);
  const counts: SweepCounts = {
    expired: 0,
    expiring_soon: 0,
    back_to_active: 0,
    notifications_enqueued: 0,
    batches: 0,
    duration_ms: 0,
  };
  const lane = async () => {
    let after: SweepBatchResult["last"] = null;
    for (;;) {
      const batch = await sweepBatch(ctx.db, {
        now,
        defaultWarningDays: ctx.warningDays,
        horizon,
        batchSize,
        after,
        notifyMaxAttempts: options.notifyMaxAttempts ?? 10,
        actor: actorName(principal),
      });
      if (batch.last === null) return;
      counts.batches += 1;
      counts.expired += batch.expired;
      counts.expiring_soon += batch.expiringSoon;
      counts.back_to_active += batch.backToActive;
      counts.notifications_enqueued += batch.notificationsEnqueued;
      options.onBatch?.(batch, counts.batches);
      after = batch.last;
      // Fewer than asked: the rest is done, or locked by another lane or sweep that will do it.
      if (batch.changed < batchSize) return;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes ?? DEFAULT_SWEEP_LANES) }, lane));
  counts.duration_ms = Math.round(performance.now() - started);
  return counts;
}
