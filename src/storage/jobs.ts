import { sql } from "kysely";
import type { Db, Queryable, Tx } from "./database.js";
import type { JobRow } from "./schema.js";

/*
 * The jobs table, all of it: enqueueing (inside the caller's transaction), claiming under a lease,
 * the heartbeat, completion and retries, and the dead letters. The lease and retry rules are
 * stated in the SQL here and nowhere else.
 */

/** Every queue the service uses; the one place a queue is named. */
export const QUEUES = {
  /** Awards badges for one user; enqueued with every issuance and every expiry. */
  badgeEvaluation: "badge-evaluation",
  /** One course-notification delivery (a reminder or a digest). */
  notification: "notification",
  /** One expiry sweep run (scheduled, or `POST /v1/admin/jobs/expiry-sweep`). */
  expirySweep: "expiry-sweep",
  /** Deletes stored Idempotency-Key answers past their retention. */
  idempotencyCleanup: "idempotency-cleanup",
  /** One run of the coordinators' weekly digest: enqueues one notification per organization. */
  weeklyDigest: "weekly-digest",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

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
  queue: QueueName,
  payloads: readonly Record<string, unknown>[],
  runAt: Date,
): Promise<void> {
  if (payloads.length === 0) return;
  await sql`
    insert into jobs (queue, payload, run_at)
    select ${queue}, payload, ${runAt}
    from unnest(${payloads.map((p) => JSON.stringify(p))}::text[]::jsonb[]) as p(payload)`.execute(trx);
}

/** A job as a worker holds it: claimed, under a lease, with its attempt already counted. */
export type ClaimedJob = JobRow & { payload: Record<string, unknown> };

/** How many jobs of one queue a claim may take: the worker's free slots for that queue. */
export interface ClaimLane {
  queue: string;
  limit: number;
}

/**
 * Claims jobs for each lane, every queue on its own, so no queue's backlog can hold another
 * queue's jobs back. Within a queue, in this order: running jobs whose lease ran out (their
 * worker died, so they are the oldest work there is), due retries, then due first attempts, so
 * a retry never waits behind a backlog of first attempts. Each step is a range scan of its own
 * partial index (migration 0009) under SKIP LOCKED, so any number of workers claim at once
 * without waiting on one another or taking the same job; each claim counts an attempt and
 * takes a lease of `leaseSeconds` that the worker's heartbeat renews.
 */
export async function claimJobs(
  db: Db,
  lanes: readonly ClaimLane[],
  workerId: string,
  leaseSeconds: number,
  now: Date,
): Promise<ClaimedJob[]> {
  const open = lanes.filter((lane) => lane.limit > 0);
  if (open.length === 0) return [];
  const queues = sql.val(open.map((lane) => lane.queue));
  const limits = sql.val(open.map((lane) => lane.limit));
  // A job whose lease ran out on its last attempt killed its worker every time: dead, not retried.
  await sql`
    update jobs set state = 'dead', locked_until = null, locked_by = null,
      last_error = coalesce(last_error, 'lease expired on the last attempt (worker lost)')
    where state = 'running' and locked_until < ${now} and attempts >= max_attempts
      and queue = any(${queues}::text[])`.execute(db);
  const taken = (step: string) => sql.raw(`(select count(*) from ${step} where ${step}.queue = lanes.queue)`);
  const result = await sql<ClaimedJob>`
    with lanes as materialized (
      select lane.queue, lane.lim from unnest(${queues}::text[], ${limits}::int[]) as lane(queue, lim)
    ),
    leased as materialized (
      select j.id, lanes.queue from lanes cross join lateral (
        select id from jobs
        where jobs.queue = lanes.queue and state = 'running' and locked_until < ${now}
          and attempts < max_attempts
        order by locked_until
        limit lanes.lim
        for update skip locked) j
    ),
    retries as materialized (
      select j.id, lanes.queue from lanes cross join lateral (
        select id from jobs
        where jobs.queue = lanes.queue and state = 'pending' and attempts > 0 and run_at <= ${now}
        order by run_at, id
        limit lanes.lim - ${taken("leased")}
        for update skip locked) j
    ),
    firsts as materialized (
      select j.id, lanes.queue from lanes cross join lateral (
        select id from jobs
        where jobs.queue = lanes.queue and state = 'pending' and attempts = 0 and run_at <= ${now}
        order by run_at, id
        limit lanes.lim - ${taken("leased")} - ${taken("retries")}
        for update skip locked) j
    )
    update jobs set state = 'running', attempts = jobs.attempts + 1,
      locked_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds}),
      locked_by = ${workerId}
    where jobs.id = any(array(
      select id from leased union all select id from retries union all select id from firsts))
    returning jobs.*`.execute(db);
  return result.rows;
}

/**
 * The heartbeat: renews the lease of every job this worker holds, in one statement, and returns
 * the ids it still holds (a job missing from the answer was taken over after its lease ran out,
 * so its worker must not count on finishing it).
 */
export async function renewLeases(
  db: Db,
  ids: readonly string[],
  workerId: string,
  leaseSeconds: number,
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ id: string }>`
    update jobs set locked_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds})
    where id = any(${sql.val([...ids])}::uuid[]) and locked_by = ${workerId} and state = 'running'
    returning id`.execute(db);
  return result.rows.map((row) => row.id);
}

export async function completeJob(db: Db, id: string, workerId: string): Promise<void> {
  await db
    .updateTable("jobs")
    .set({ state: "done", locked_until: null, locked_by: null, last_error: null })
    .where("id", "=", id)
    .where("locked_by", "=", workerId)
    .where("state", "=", "running")
    .execute();
}

/**
 * Records a failed attempt. Retries back off exponentially — 2^attempts seconds, at most an hour,
 * with ±25 % jitter so that jobs failing together do not retry together — and the job is dead
 * once it has had max_attempts.
 */
export async function failJob(
  db: Db,
  id: string,
  workerId: string,
  error: string,
  now: Date,
): Promise<"retry" | "dead" | "lost"> {
  const row = await sql<{ state: string }>`
    update jobs set
      state = case when attempts >= max_attempts then 'dead' else 'pending' end,
      run_at = case when attempts >= max_attempts then run_at
        else ${now}::timestamptz
          + make_interval(secs => least(power(2, attempts), 3600) * (0.75 + random() * 0.5)) end,
      last_error = ${error.slice(0, 4000)},
      locked_until = null, locked_by = null
    where id = ${id} and locked_by = ${workerId} and state = 'running'
    returning state`
    .execute(db)
    .then((result) => result.rows[0]);
  if (!row) return "lost";
  return row.state === "dead" ? "dead" : "retry";
}

export interface DeadJob {
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Dead jobs, newest first; `beforeId` pages on (ids are time-ordered). */
export async function listDeadJobs(
  db: Queryable,
  filters: { queue?: string; beforeId?: string; limit: number },
): Promise<DeadJob[]> {
  let query = db
    .selectFrom("jobs")
    .select(["id", "queue", "payload", "attempts", "max_attempts", "last_error", "created_at", "updated_at"])
    .where("state", "=", "dead");
  if (filters.queue !== undefined) query = query.where("queue", "=", filters.queue);
  if (filters.beforeId !== undefined) query = query.where("id", "<", filters.beforeId);
  return query.orderBy("id", "desc").limit(filters.limit).execute();
}

/** Puts a dead job back to pending with a fresh set of attempts; false when it is not dead. */
export async function retryDeadJob(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ state: "pending", attempts: 0, run_at: now, locked_until: null, locked_by: null })
    .where("id", "=", id)
    .where("state", "=", "dead")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Jobs not done, by queue and state: what the queue-depth gauge shows. Each count reads one of
 * the partial indexes (the done jobs, most of the table, are never read).
 */
export async function queueDepth(
  db: Queryable,
): Promise<{ queue: string; state: "pending" | "running" | "dead"; count: number }[]> {
  const result = await sql<{ queue: string; state: "pending" | "running" | "dead"; count: number }>`
    select queue, state, sum(n)::int as count from (
      select queue, 'pending' as state, count(*) as n from jobs
        where state = 'pending' and attempts = 0 group by queue
      union all
      select queue, 'pending', count(*) from jobs where state = 'pending' and attempts > 0 group by queue
      union all
      select queue, 'running', count(*) from jobs where state = 'running' group by queue
      union all
      select queue, 'dead', count(*) from jobs where state = 'dead' group by queue
    ) depth
    group by queue, state
    order by queue, state`.execute(db);
  return result.rows;
}
