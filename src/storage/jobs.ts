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
