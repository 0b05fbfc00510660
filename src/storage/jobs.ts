import { sql } from "kysely";
import type { Tx } from "./database.js";

export interface NewJob {
  queue: string;
  payload: Record<string, unknown>;
  /** At most one job per queue and key, ever: a second enqueue is a no-op. */
  singletonKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** Enqueues inside the caller's transaction, so the job exists exactly when the change commits. */
export async function enqueueJob(trx: Tx, job: NewJob): Promise<void> {
  await trx
    .insertInto("jobs")
    .values({
      queue: job.queue,
      payload: JSON.stringify(job.payload),
      singleton_key: job.singletonKey ?? null,
      ...(job.runAt ? { run_at: job.runAt } : {}),
      ...(job.maxAttempts ? { max_attempts: job.maxAttempts } : {}),
    })
    .onConflict((oc) =>
      oc.columns(["queue", "singleton_key"]).where("singleton_key", "is not", null).doNothing(),
    )
    .execute();
}

/** Enqueues many jobs of one queue in one statement (a batch of imported rows); no singleton keys. */
export async function enqueueJobs(
  trx: Tx,
  queue: string,
  payloads: readonly Record<string, unknown>[],
  runAt: Date,
): Promise<void> {
  if (payloads.length === 0) return;
  await sql`
    insert into jobs (queue, payload, run_at)
    select ${queue}, payload, ${runAt}
    from unnest(${payloads.map((p) => JSON.stringify(p))}::text[]::jsonb[]) as p(payload)`.execute(trx);
}
