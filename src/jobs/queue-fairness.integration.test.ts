import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { TestClock } from "../../test/factories.js";
import type { Db } from "../storage/database.js";
import { claimJobs, completeJob, queueDepth } from "../storage/jobs.js";
import { Worker } from "./worker.js";

const BACKLOG = 20_000;

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A bulk backlog of first attempts, as a 20 000-row import leaves it: one statement. */
async function enqueueBacklog(db: Db, queue: string, runAt: Date): Promise<void> {
  await sql`insert into jobs (queue, payload, run_at)
    select ${queue}, jsonb_build_object('n', i), ${runAt}::timestamptz
    from generate_series(1, ${BACKLOG}::int) i`.execute(db);
}

async function countJobs(db: Db, queue: string, state: string): Promise<number> {
  const row = await db
    .selectFrom("jobs")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("queue", "=", queue)
    .where("state", "=", state as "pending")
    .executeTakeFirstOrThrow();
  return row.n;
}

describe.each(DATABASE_KINDS)("queue fairness and leases on %s", (kind) => {
  let testDb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    db = testDb.database.db;
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("a 20 000-job bulk backlog, its slots all busy, does not delay a sweep job enqueued after it", async () => {
    const clock = new TestClock();
    await enqueueBacklog(db, "bulk-a", clock.now());
    const sweepRow = await db
      .insertInto("jobs")
      .values({ queue: "sweep-a", payload: "{}", run_at: clock.now() })
      .returning("id")
      .executeTakeFirstOrThrow();

    // The bulk handler holds its slots until the sweep has run: with one FIFO the sweep would
    // wait behind all 20 000; with a lane per queue it is claimed at the next poll.
    const gate = deferred();
    const swept = deferred<string>();
    const worker = new Worker({
      db,
      clock: clock.now,
      pollIntervalMs: 10,
      handlers: {
        "bulk-a": () => gate.promise,
        "sweep-a": async (job) => swept.resolve(job.id),
      },
    });
    worker.start();
    try {
      expect(await swept.promise).toBe(sweepRow.id);
      const pending = await countJobs(db, "bulk-a", "pending");
      expect(pending).toBeGreaterThanOrEqual(BACKLOG - 4);
    } finally {
      gate.resolve();
      await worker.stop();
    }
    const sweep = await db
      .selectFrom("jobs")
      .select(["state", "attempts"])
      .where("id", "=", sweepRow.id)
      .executeTakeFirstOrThrow();
    expect(sweep).toEqual({ state: "done", attempts: 1 });
  });

  it("one claim serves every queue, and within a queue a dead worker's job, then a retry, then the backlog", async () => {
    const clock = new TestClock();
    const now = clock.now();
    await enqueueBacklog(db, "bulk-b", new Date(now.getTime() - 60_000));
    const [retry, orphan, reminder] = await db
      .insertInto("jobs")
      .values([
        // A failed attempt whose backoff is over: due now, newer than every first attempt.
        { queue: "bulk-b", payload: '{"retry":true}', attempts: 1, run_at: now },
        // Claimed by a worker that died: its lease ran out a second ago.
        {
          queue: "bulk-b",
          payload: '{"orphan":true}',
          state: "running",
          attempts: 1,
          locked_by: "dead-worker",
          locked_until: new Date(now.getTime() - 1000),
        },
        { queue: "reminders-b", payload: "{}", run_at: now },
      ])
      .returning("id")
      .execute();

    const oldest = await db
      .selectFrom("jobs")
      .select("id")
      .where("queue", "=", "bulk-b")
      .where("attempts", "=", 0)
      .orderBy("run_at")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const lanes = [
      { queue: "bulk-b", limit: 3 },
      { queue: "reminders-b", limit: 2 },
    ];
    const claimed = await claimJobs(db, lanes, "w1", 30, now);
    const ids = (queue: string) => claimed.filter((job) => job.queue === queue).map((job) => job.id);
    expect(ids("reminders-b")).toEqual([reminder?.id]);
    const bulk = ids("bulk-b");
    expect(bulk).toHaveLength(3);
    expect(bulk).toEqual(expect.arrayContaining([orphan?.id, retry?.id]));
    expect(claimed.find((job) => job.id === orphan?.id)).toMatchObject({ attempts: 2, locked_by: "w1" });
    expect(claimed.find((job) => job.id === retry?.id)).toMatchObject({ attempts: 2, locked_by: "w1" });
    // The third is the oldest first attempt; the other 19 999 stay where they are.
    const first = claimed.filter((job) => job.queue === "bulk-b" && job.attempts === 1);
    expect(first.map((job) => job.id)).toEqual([oldest.id]);
    expect(await countJobs(db, "bulk-b", "pending")).toBe(BACKLOG - 1);
    // A second worker at the same moment takes none of those.
    const second = await claimJobs(db, lanes, "w2", 30, now);
    expect(second.filter((job) => claimed.some((mine) => mine.id === job.id))).toEqual([]);
  });

  it("the heartbeat keeps a long job its worker's; once the heartbeat stops, another worker takes it after the lease", async () => {
    const clock = new TestClock();
    const row = await db
      .insertInto("jobs")
      .values({ queue: "long-c", payload: "{}", run_at: clock.now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    const started = deferred();
    const gate = deferred();
    const worker = new Worker({
      db,
      clock: clock.now,
      pollIntervalMs: 10,
      concurrency: 1,
      leaseSeconds: 30,
      // Renewed by hand below, at the test clock's moments, not by the timer.
      heartbeatSeconds: 3600,
      handlers: {
        "long-c": async () => {
          started.resolve();
          await gate.promise;
        },
      },
    });
    worker.start();
    try {
      await started.promise;
      const other = (seconds: number) => {
        clock.set(new Date(clock.now().getTime() + seconds * 1000));
        return claimJobs(db, [{ queue: "long-c", limit: 1 }], "other", 30, clock.now());
      };
      // 20 s in, a heartbeat; 40 s in, past the first lease, the job is still the worker's.
      clock.set(new Date(clock.now().getTime() + 20_000));
      await worker.renewLeases();
      expect(await other(20)).toEqual([]);
      // No heartbeat since (the worker is as good as dead): 31 s after the last one, it is taken over.
      const taken = await other(31);
      expect(taken.map((job) => [job.id, job.attempts, job.locked_by])).toEqual([[row.id, 2, "other"]]);
      await completeJob(db, row.id, "other");
    } finally {
      gate.resolve();
      await worker.stop();
    }
    // The first worker's late completion changed nothing: the job is done once, by the other.
    const job = await db
      .selectFrom("jobs")
      .select(["state", "attempts", "locked_by"])
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ state: "done", attempts: 2, locked_by: null });
  });

  it("while the worker runs a backlog of quick jobs, the event loop still turns (timers, HTTP, the heartbeat)", async () => {
    const clock = new TestClock();
    await enqueueBacklog(db, "quick-e", clock.now());
    let ran = 0;
    const worker = new Worker({
      db,
      clock: clock.now,
      pollIntervalMs: 10,
      handlers: {
        "quick-e": async () => {
          ran += 1;
        },
      },
    });
    worker.start();
    try {
      // PGlite answers in microtasks: without a turn of the event loop between claims this
      // timer would fire only once all 20 000 jobs were done.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await new Promise((resolve) => setImmediate(resolve));
      expect(ran).toBeLessThan(BACKLOG);
    } finally {
      await worker.stop();
    }
    expect(await countJobs(db, "quick-e", "pending")).toBeGreaterThan(0);
  });

  it("the queue depth counts what is not done, by queue and state", async () => {
    await db
      .insertInto("jobs")
      .values([
        { queue: "depth-d", payload: "{}" },
        { queue: "depth-d", payload: "{}" },
        { queue: "depth-d", payload: "{}", attempts: 2 },
        {
          queue: "depth-d",
          payload: "{}",
          state: "running",
          attempts: 1,
          locked_by: "w",
          locked_until: new Date(),
        },
        { queue: "depth-d", payload: "{}", state: "dead", attempts: 10 },
        { queue: "depth-d", payload: "{}", state: "done", attempts: 1 },
      ])
      .execute();
    const depth = (await queueDepth(db)).filter((row) => row.queue === "depth-d");
    expect(depth).toEqual([
      { queue: "depth-d", state: "dead", count: 1 },
      { queue: "depth-d", state: "pending", count: 3 },
      { queue: "depth-d", state: "running", count: 1 },
    ]);
  });
});
