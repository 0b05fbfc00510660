import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { makeScene, serviceContext, TestClock } from "../../test/factories.js";
import { startReceiver } from "../../test/webhook-receiver.js";

const DAY = 86_400_000;
const children = new Set<ChildProcess>();

function startWorkerProcess(env: Record<string, string>): {
  child: ChildProcess;
  lines: AsyncIterable<string>;
} {
  // `node --import tsx` rather than `npx tsx`: npx and the tsx CLI each start the script in a child
  // process of their own, and a SIGKILL cannot be passed on, so it would miss the worker itself.
  const child = spawn(process.execPath, ["--import", "tsx", "test/worker-process.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!child.stdout) throw new Error("no stdout");
  return { child, lines: createInterface({ input: child.stdout }) };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

// A real process on the server database; PGlite is one process's embedded database.
describe.runIf(DATABASE_KINDS.includes("postgres"))("a worker process killed mid-sweep (postgres)", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all([...children].map(exited));
    await testDb.drop();
  });

  it("killed with SIGKILL in the middle of a batch, then restarted: none lost, none doubled", async () => {
    const ctx = serviceContext(testDb.database, new TestClock(new Date()));
    const receiver = await startReceiver();
    try {
      const scene = await makeScene(ctx);
      const now = ctx.clock();
      const common = {
        organizationId: scene.organization.id,
        typeId: scene.type.id,
        prefix: scene.organization.prefix,
        issuedAt: new Date(now.getTime() - 700 * DAY),
      };
      await insertCertifications(ctx.db, {
        ...common,
        count: 1000,
        expiresAt: new Date(now.getTime() + 10 * DAY),
      });
      await insertCertifications(ctx.db, {
        ...common,
        count: 500,
        start: 1000,
        expiresAt: new Date(now.getTime() - DAY),
      });
      await insertCertifications(ctx.db, {
        ...common,
        count: 200,
        start: 1500,
        expiresAt: new Date(now.getTime() + 90 * DAY),
      });
      await ctx.db.insertInto("jobs").values({ queue: "expiry-sweep", payload: "{}" }).execute();
      const env = { DATABASE_URL: testDb.url ?? "", WEBHOOK_URL: receiver.url, SWEEP_BATCH_SIZE: "100" };

      // First run: killed as soon as its third sweep batch has committed.
      const first = startWorkerProcess(env);
      for await (const line of first.lines) {
        if (line === "sweep-batch 3") {
          first.child.kill("SIGKILL");
          break;
        }
      }
      await exited(first.child);
      const midway = await ctx.db
        .selectFrom("certifications")
        .select(sql<number>`count(*)::int`.as("n"))
        .where("organization_id", "=", scene.organization.id)
        .where("status", "=", "active")
        .executeTakeFirstOrThrow();
      expect(midway.n).toBeGreaterThan(200); // the sweep did not finish

      // Its leases run out (back-dated rather than waited for), and a new process takes over.
      await sql`update jobs set locked_until = now() - interval '1 second' where state = 'running'`.execute(
        ctx.db,
      );
      const second = startWorkerProcess(env);
      const deadline = Date.now() + 240_000;
      for (;;) {
        const open = await ctx.db
          .selectFrom("jobs")
          .select(sql<number>`count(*)::int`.as("n"))
          .where("state", "in", ["pending", "running"])
          .executeTakeFirstOrThrow();
        if (open.n === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      second.child.kill("SIGTERM");
      await exited(second.child);

      const statuses = await ctx.db
        .selectFrom("certifications")
        .select([
          "status",
          sql<number>`count(*)::int`.as("n"),
          sql<number>`count(expiry_warning_sent_at)::int`.as("warned"),
        ])
        .where("organization_id", "=", scene.organization.id)
        .groupBy("status")
        .orderBy("status")
        .execute();
      expect(statuses).toEqual([
        { status: "active", n: 200, warned: 0 },
        { status: "expiring_soon", n: 1000, warned: 1000 },
        { status: "expired", n: 500, warned: 0 },
      ]);
      const jobs = await ctx.db
        .selectFrom("jobs")
        .select(["queue", "state", sql<number>`count(*)::int`.as("n")])
        .groupBy(["queue", "state"])
        .orderBy("queue")
        .execute();
      expect(jobs).toEqual([
        { queue: "badge-evaluation", state: "done", n: 500 },
        { queue: "expiry-sweep", state: "done", n: 1 },
        { queue: "notification", state: "done", n: 1000 },
      ]);

      // Every reminder reached the receiver; one a crash interrupted may come twice, with the same key.
      const byKey = new Map<string, string>();
      for (const request of receiver.requests) {
        const body = JSON.parse(request.body) as { id: string; certification_id: string };
        expect(request.headers["idempotency-key"]).toBe(body.id);
        const known = byKey.get(body.id);
        if (known !== undefined) expect(known).toBe(body.certification_id);
        byKey.set(body.id, body.certification_id);
      }
      expect(byKey.size).toBe(1000);
      expect(new Set(byKey.values()).size).toBe(1000);
    } finally {
      await receiver.close();
    }
  }, 300_000);
});
