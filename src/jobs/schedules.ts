import { Cron } from "croner";
import type { Db } from "../storage/database.js";
import { enqueueJob } from "../storage/jobs.js";

export interface Schedule {
  /** Unique name of the schedule. */
  name: string;
  /** Cron expression, evaluated in `timezone`. */
  cron: string;
  /** IANA time zone of the cron expression; UTC unless set. */
  timezone?: string;
  /** The queue its runs go to (one of QUEUES in the service). */
  queue: string;
  payload?: Record<string, unknown>;
}

export function nextRun(cron: string, after: Date, timezone = "UTC"): Date {
  const next = new Cron(cron, { paused: true, timezone }).nextRun(after);
  if (next === null) throw new Error(`cron "${cron}" has no run after ${after.toISOString()}`);
  return next;
}

/**
 * Registers schedules. A new one starts at its next slot; a changed cron expression moves the
 * next slot to the new expression's, and an unchanged one keeps its row as it is.
 */
export async function ensureSchedules(db: Db, schedules: readonly Schedule[], now: Date): Promise<void> {
  for (const schedule of schedules) {
    const next = nextRun(schedule.cron, now, schedule.timezone);
    await db
      .insertInto("job_schedules")
      .values({ name: schedule.name, cron: schedule.cron, next_run_at: next })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ cron: schedule.cron, next_run_at: next })
          .where("job_schedules.cron", "<>", schedule.cron),
      )
      .execute();
  }
}

/**
 * Fires the schedules that are due, once across all instances: the one instance whose UPDATE
 * moves next_run_at forward enqueues the run, in the same transaction, with a singleton key
 * naming the slot. Slots missed while nothing ran are not replayed: the next run is the next
 * slot after now. Returns the names fired by this call.
 */
export async function fireDueSchedules(db: Db, schedules: readonly Schedule[], now: Date): Promise<string[]> {
  const fired: string[] = [];
  for (const schedule of schedules) {
    const next = nextRun(schedule.cron, now, schedule.timezone);
    const won = await db.transaction().execute(async (trx) => {
      // A second instance waits on this lock, then finds the slot moved and fires nothing.
      const due = await trx
        .selectFrom("job_schedules")
        .select("next_run_at")
        .where("name", "=", schedule.name)
        .where("next_run_at", "<=", now)
        .forUpdate()
        .executeTakeFirst();
      if (!due) return false;
      await trx
        .updateTable("job_schedules")
        .set({ next_run_at: next, last_run_at: now })
        .where("name", "=", schedule.name)
        .execute();
      const slot = new Date(due.next_run_at).toISOString();
      await enqueueJob(trx, {
        queue: schedule.queue,
        payload: { ...schedule.payload, schedule: schedule.name, slot },
        singletonKey: `schedule:${schedule.name}:${slot}`,
        runAt: now,
        maxAttempts: 3,
      });
      return true;
    });
    if (won) fired.push(schedule.name);
  }
  return fired;
}
