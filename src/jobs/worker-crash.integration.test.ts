import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { makeScene, serviceContext, TestClock } from "../../test/factories.js";
import { startReceiver } from "../../test/webhook-receiver.js";

const DAY = 86_400_000;
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const children = new Set<ChildProcess>();

const LEASE = { CERTSVC_JOB_LEASE_SECONDS: "3", CERTSVC_JOB_HEARTBEAT_SECONDS: "1" };

function track(child: ChildProcess): { child: ChildProcess; lines: AsyncIterable<string> } {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!child.stdout) throw new Error("no stdout");
  return { child, lines: createInterface({ input: child.stdout }) };
}

function startWorkerProcess(env: Record<string, string>) {
  // `node --import tsx` rather than `npx tsx`: npx and the tsx CLI each start the script in a child
  // process of their own, and a SIGKILL cannot be passed on, so it would miss the worker itself.
  return track(
    spawn(process.execPath, ["--import", "tsx", "test/worker-process.ts"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
}

/** `npm start` exactly as the README says, in a process group of its own so that all of it can be stopped. */
function startNpmStart(env: Record<string, string>) {
  return track(
    spawn("npm", ["start", "--silent"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    }),
  );
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
    for (const child of children) {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }
    await Promise.all([...children].map(exited));
    await testDb.drop();
  });

  it("killed with SIGKILL in the middle of a batch: `npm start` takes its jobs over after the lease, none lost, none doubled", async () => {
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
      const env = {
        DATABASE_URL: testDb.url ?? "",
        WEBHOOK_URL: receiver.url,
        CERTSVC_NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SWEEP_BATCH_SIZE: "100",
        ...LEASE,
      };

      // A worker process, killed as soon as its third sweep batch has committed: the sweep job and
      // the reminders it was delivering stay `running` under its lease, which no heartbeat renews.
      const first = startWorkerProcess(env);
      for await (const line of first.lines) {
        if (line === "sweep-batch 3") {
          first.child.kill("SIGKILL");
          break;
        }
      }
      await exited(first.child);
      const killedAt = Date.now();
      const midway = await ctx.db
        .selectFrom("certifications")
        .select(sql<number>`count(*)::int`.as("n"))
        .where("organization_id", "=", scene.organization.id)
        .where("status", "=", "active")
        .executeTakeFirstOrThrow();
      expect(midway.n).toBeGreaterThan(200); // the sweep did not finish

      // `npm start` on the server database: API and worker in one process. Nothing is back-dated:
      // its worker takes the dead worker's jobs over when their lease runs out, and finishes them.
      const second = startNpmStart({
        DATABASE_URL: testDb.url ?? "",
        PORT: "0",
        LOG_LEVEL: "info",
        CERTSVC_JWT_SECRET: "a-test-secret-of-at-least-32-characters",
        CERTSVC_NOTIFY_WEBHOOK_URL: receiver.url,
        CERTSVC_NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        CERTSVC_SWEEP_CRON: "0 0 1 1 *",
        ...LEASE,
      });
      let listeningAt: number | null = null;
      let workerOn = false;
      void (async () => {
        for await (const line of second.lines) {
          if (listeningAt !== null || !line.includes('"certsvc listening"')) continue;
          listeningAt = Date.now();
          workerOn = (JSON.parse(line) as { worker?: boolean }).worker === true;
        }
      })();
      const deadline = Date.now() + 240_000;
      let takenOverAt: number | null = null;
      for (;;) {
        const open = await ctx.db
          .selectFrom("jobs")
          .select([
            sql<number>`count(*) filter (where state in ('pending', 'running'))::int`.as("n"),
            sql<number>`count(*) filter (where queue = 'expiry-sweep' and attempts = 2)::int`.as("retaken"),
          ])
          .where("queue", "in", ["expiry-sweep", "notification", "badge-evaluation"])
          .executeTakeFirstOrThrow();
        if (takenOverAt === null && open.retaken === 1) takenOverAt = Date.now();
        if (open.n === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const since = (at: number | null) => (at === null ? "never" : `${at - killedAt} ms`);
      console.info(
        `SIGKILLed worker (lease ${LEASE.CERTSVC_JOB_LEASE_SECONDS} s, heartbeat ${LEASE.CERTSVC_JOB_HEARTBEAT_SECONDS} s): ` +
          `npm start listening ${since(listeningAt)} after the kill, sweep job taken over ${since(takenOverAt)}, ` +
          `every job done ${since(Date.now())}`,
      );
      expect(workerOn).toBe(true); // npm start on a server database runs the worker too
      if (second.child.pid !== undefined) process.kill(-second.child.pid, "SIGTERM");
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
        .where("queue", "in", ["expiry-sweep", "notification", "badge-evaluation"])
        .groupBy(["queue", "state"])
        .orderBy("queue")
        .execute();
      expect(jobs).toEqual([
        { queue: "badge-evaluation", state: "done", n: 500 },
        { queue: "expiry-sweep", state: "done", n: 1 },
        { queue: "notification", state: "done", n: 1000 },
      ]);

      const sweep = await ctx.db
        .selectFrom("jobs")
        .select(["attempts", "locked_by"])
        .where("queue", "=", "expiry-sweep")
        .executeTakeFirstOrThrow();
      expect(sweep).toEqual({ attempts: 2, locked_by: null });

      // Every reminder reached the receiver; one a crash interrupted may come twice, with the same key.
      const byKey = new Map<string, string>();
      const webhook = new Webhook(WEBHOOK_SECRET);
      for (const request of receiver.requests) {
        const body = JSON.parse(request.body) as { id: string; certification_id: string };
        expect(request.headers["webhook-id"]).toBe(body.id);
        webhook.verify(request.body, request.headers as Record<string, string>);
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
