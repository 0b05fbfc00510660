import { sql } from "kysely";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  grant,
  makeGlobalAdmin,
  makeMember,
  makeScene,
  SYSTEM,
  serviceContext,
} from "../../test/factories.js";
import { startReceiver } from "../../test/webhook-receiver.js";
import { listDeadJobs, retryDeadJob } from "../services/admin-jobs.js";
import { listBadges } from "../services/list-badges.js";
import { renewCertification } from "../services/renew-certification.js";
import { revokeCertification } from "../services/revoke-certification.js";
import { runExpirySweep } from "../services/run-expiry-sweep.js";
import type { Db } from "../storage/database.js";
import {
  type ExpiringSoonNotification,
  type Notification,
  type NotificationAdapter,
  WebhookAdapter,
} from "./notifications.js";
import { createServiceWorker } from "./service-worker.js";
import { Worker } from "./worker.js";

const DAY = 86_400_000;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Records the reminders it is given; the receiving end is the only thing faked. */
class CapturingAdapter implements NotificationAdapter {
  delivered: ExpiringSoonNotification[] = [];
  async deliver(notification: Notification): Promise<void> {
    if (notification.type === "certification.expiring_soon") this.delivered.push(notification);
  }
}

async function notificationJobs(db: Db, certificationId?: string) {
  let query = db.selectFrom("jobs").selectAll().where("queue", "=", "notification");
  if (certificationId) query = query.where(sql<boolean>`payload->>'certification_id' = ${certificationId}`);
  return query.execute();
}

describe.each(DATABASE_KINDS)("background work on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  function workerFor(ctx: ReturnType<typeof serviceContext>, adapter: NotificationAdapter, maxAttempts = 10) {
    return createServiceWorker({
      ctx,
      adapter,
      sweepCron: "*/5 * * * *",
      notifyMaxAttempts: maxAttempts,
      schedules: false,
    });
  }

  it("sweeping twice sends one notification", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 40 * DAY) });
    ctx.testClock.advanceDays(15);

    const first = await runExpirySweep(ctx, SYSTEM);
    const second = await runExpirySweep(ctx, SYSTEM);
    expect(first).toMatchObject({ expiring_soon: 1, notifications_enqueued: 1 });
    expect(second).toMatchObject({ expiring_soon: 0, notifications_enqueued: 0 });

    const adapter = new CapturingAdapter();
    await workerFor(ctx, adapter).drain();
    const mine = adapter.delivered.filter((n) => n.certification_id === cert.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      type: "certification.expiring_soon",
      certificate_number: cert.certificate_number,
      organization_id: scene.organization.id,
      user_id: scene.mentor.userId,
      certification_type_id: scene.type.id,
      expires_at: cert.expires_at,
    });
    const row = await ctx.db
      .selectFrom("certifications")
      .select(["status", "expiry_warning_sent_at"])
      .where("id", "=", cert.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("expiring_soon");
    expect(row.expiry_warning_sent_at?.toISOString()).toBe(ctx.clock().toISOString());
  });

  it("a certification issued inside its window is warned once by the next sweep", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { warningDays: 10 });
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
    expect(cert.status).toBe("expiring_soon");
    await runExpirySweep(ctx, SYSTEM);
    await runExpirySweep(ctx, SYSTEM);
    expect(await notificationJobs(ctx.db, cert.id)).toHaveLength(1);
  });

  it("the type's warning window decides, and the service default applies when it has none", async () => {
    const ctx = serviceContext(testDb.database);
    const short = await makeScene(ctx, { warningDays: 7 });
    const byDefault = await makeScene(ctx);
    const outside = await grant(ctx, short, { expiresAt: new Date(ctx.clock().getTime() + 20 * DAY) });
    const inside = await grant(ctx, byDefault, { expiresAt: new Date(ctx.clock().getTime() + 20 * DAY) });
    ctx.testClock.advanceDays(1);
    await runExpirySweep(ctx, SYSTEM);
    expect(await notificationJobs(ctx.db, outside.id)).toHaveLength(0);
    expect(await notificationJobs(ctx.db, inside.id)).toHaveLength(1);
  });

  it("expiry persists expired, enqueues a badge re-evaluation and writes the audit trail", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 60 * DAY) });
    ctx.testClock.advanceDays(61);
    const counts = await runExpirySweep(ctx, SYSTEM);
    expect(counts.expired).toBeGreaterThanOrEqual(1);
    const row = await ctx.db
      .selectFrom("certifications")
      .select(["status", "expiry_warning_sent_at"])
      .where("id", "=", cert.id)
      .executeTakeFirstOrThrow();
    // Never seen inside its window by a sweep: expired, and no reminder for a window already gone.
    expect(row).toEqual({ status: "expired", expiry_warning_sent_at: null });
    expect(await notificationJobs(ctx.db, cert.id)).toHaveLength(0);
    const badgeJobs = await ctx.db
      .selectFrom("jobs")
      .select("payload")
      .where("queue", "=", "badge-evaluation")
      .where(sql<boolean>`payload->>'certification_id' = ${cert.id}`)
      .execute();
    expect(badgeJobs.map((job) => (job.payload as { reason: string }).reason).sort()).toEqual([
      "expired",
      "issued",
    ]);
    const events = await ctx.db
      .selectFrom("audit_events")
      .select(["action", "actor", "after"])
      .where("entity_id", "=", cert.id)
      .orderBy("id")
      .execute();
    expect(events.map((event) => event.action)).toEqual(["issued", "expired"]);
    expect(events[1]?.actor).toBe("system:test");
    expect(events[1]?.after).toMatchObject({ status: "expired", expires_at: cert.expires_at, id: cert.id });
    await workerFor(ctx, new CapturingAdapter()).drain();
  });

  it("renewed: warned again in the next window", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { validityMonths: 12 });
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 40 * DAY) });
    ctx.testClock.advanceDays(20);
    await runExpirySweep(ctx, SYSTEM);
    await renewCertification(ctx, scene.coordinator.principal, cert.id, {});
    await runExpirySweep(ctx, SYSTEM);
    expect(await notificationJobs(ctx.db, cert.id)).toHaveLength(1);

    ctx.testClock.advanceDays(360);
    const counts = await runExpirySweep(ctx, SYSTEM);
    expect(counts.notifications_enqueued).toBeGreaterThanOrEqual(1);
    const jobs = await notificationJobs(ctx.db, cert.id);
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((job) => job.singleton_key)).size).toBe(2);

    const adapter = new CapturingAdapter();
    await workerFor(ctx, adapter).drain();
    // The first reminder, still pending, was for the old date: it is not sent after the renewal.
    expect(adapter.delivered.filter((n) => n.certification_id === cert.id)).toHaveLength(1);
  });

  it("a receiver that fails, then recovers: delivered, same webhook-id each attempt, valid signature", async () => {
    const ctx = serviceContext(testDb.database);
    const receiver = await startReceiver((n) => (n <= 2 ? 503 : 200));
    try {
      const scene = await makeScene(ctx, { warningDays: 10 });
      const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
      await runExpirySweep(ctx, SYSTEM);
      // Only this test's notification is pending in its queue from here on.
      await ctx.db
        .updateTable("jobs")
        .set({ state: "done" })
        .where("queue", "=", "notification")
        .where(sql<boolean>`payload->>'certification_id' <> ${cert.id}`)
        .execute();
      const worker = workerFor(ctx, new WebhookAdapter(receiver.url, SECRET));
      for (let attempt = 0; attempt < 3; attempt++) {
        await worker.drain();
        ctx.testClock.advanceDays(1 / 24);
      }
      const [job] = await notificationJobs(ctx.db, cert.id);
      expect(job).toMatchObject({ state: "done", attempts: 3 });
      expect(receiver.requests.map((r) => r.answered)).toEqual([503, 503, 200]);
      for (const request of receiver.requests) {
        expect(request.headers["webhook-id"]).toBe(job?.id);
        new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>);
        expect(JSON.parse(request.body)).toMatchObject({ id: job?.id, certification_id: cert.id });
      }
      expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it("a notification never accepted is dead after its attempts, listed for admins and retried from dead", async () => {
    const ctx = serviceContext(testDb.database);
    let accept = false;
    const receiver = await startReceiver(() => (accept ? 200 : 500));
    try {
      const scene = await makeScene(ctx, { warningDays: 10 });
      const admin = await makeGlobalAdmin(ctx);
      const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
      await runExpirySweep(ctx, SYSTEM, { notifyMaxAttempts: 3 });
      await ctx.db
        .updateTable("jobs")
        .set({ state: "done" })
        .where("queue", "=", "notification")
        .where(sql<boolean>`payload->>'certification_id' <> ${cert.id}`)
        .execute();
      const worker = workerFor(ctx, new WebhookAdapter(receiver.url, SECRET), 3);
      for (let attempt = 0; attempt < 5; attempt++) {
        await worker.drain();
        ctx.testClock.advanceDays(1 / 24);
      }
      expect(receiver.requests).toHaveLength(3);
      const [job] = await notificationJobs(ctx.db, cert.id);
      expect(job).toMatchObject({ state: "dead", attempts: 3, last_error: "webhook answered 500" });

      await expect(listDeadJobs(ctx, scene.coordinator.principal)).rejects.toMatchObject({
        code: "forbidden",
      });
      const dead = await listDeadJobs(ctx, admin.principal, { queue: "notification" });
      expect(dead.items.map((item) => item.id)).toContain(job?.id);

      accept = true;
      await retryDeadJob(ctx, admin.principal, job?.id ?? "");
      await expect(retryDeadJob(ctx, admin.principal, job?.id ?? "")).rejects.toMatchObject({
        code: "not_found",
      });
      await worker.drain();
      expect((await notificationJobs(ctx.db, cert.id))[0]).toMatchObject({ state: "done" });
      expect(receiver.requests.at(-1)).toMatchObject({ answered: 200 });
      expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set([job?.id]));
    } finally {
      await receiver.close();
    }
  });

  it("two workers and concurrent sweeps give one reminder per certification", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const now = ctx.clock();
    await insertCertifications(ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: 400,
      issuedAt: new Date(now.getTime() - 700 * DAY),
      expiresAt: new Date(now.getTime() + 10 * DAY),
    });
    await insertCertifications(ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: 100,
      start: 400,
      issuedAt: new Date(now.getTime() - 700 * DAY),
      expiresAt: new Date(now.getTime() - DAY),
    });
    const sweeps = await Promise.all([1, 2, 3, 4].map(() => runExpirySweep(ctx, SYSTEM, { batchSize: 25 })));
    const total = (key: "expired" | "expiring_soon" | "notifications_enqueued") =>
      sweeps.reduce((sum, counts) => sum + counts[key], 0);
    expect(total("expiring_soon")).toBe(400);
    expect(total("notifications_enqueued")).toBe(400);
    expect(total("expired")).toBe(100);
    if (kind === "postgres") expect(sweeps.filter((counts) => counts.batches > 0).length).toBeGreaterThan(1);

    const adapter = new CapturingAdapter();
    const workers = [workerFor(ctx, adapter), workerFor(ctx, adapter)];
    await Promise.all(workers.map((worker) => worker.drain()));
    const ours = adapter.delivered.filter((n) => n.organization_id === scene.organization.id);
    expect(ours).toHaveLength(400);
    expect(new Set(ours.map((n) => n.certification_id)).size).toBe(400);
    const statuses = await ctx.db
      .selectFrom("certifications")
      .select(["status", sql<number>`count(*)::int`.as("n")])
      .where("organization_id", "=", scene.organization.id)
      .groupBy("status")
      .orderBy("status")
      .execute();
    expect(statuses).toEqual([
      { status: "expiring_soon", n: 400 },
      { status: "expired", n: 100 },
    ]);
  });

  it("badge evaluation awards first_certification once, and re-evaluation after revocation keeps it", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const worker = workerFor(ctx, new CapturingAdapter());
    const cert = await grant(ctx, scene);
    await worker.drain();
    await revokeCertification(ctx, scene.coordinator.principal, cert.id, { reason: "Issued in error" });
    await worker.drain();
    const badges = await listBadges(ctx, scene.mentor.principal, scene.mentor.userId);
    expect(badges.items).toEqual([
      { badge: "first_certification", certification_id: cert.id, awarded_at: ctx.clock().toISOString() },
    ]);
    const failed = await ctx.db
      .selectFrom("jobs")
      .select("id")
      .where("queue", "=", "badge-evaluation")
      .where("state", "<>", "done")
      .execute();
    expect(failed).toEqual([]);
  });

  it("badges are visible to the user, staff of the user's organization and global admins only", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const other = await makeScene(ctx);
    const peer = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const admin = await makeGlobalAdmin(ctx);
    await grant(ctx, scene);
    await workerFor(ctx, new CapturingAdapter()).drain();
    for (const principal of [scene.mentor.principal, scene.coordinator.principal, admin.principal]) {
      const { items } = await listBadges(ctx, principal, scene.mentor.userId);
      expect(items.map((item) => item.badge)).toEqual(["first_certification"]);
    }
    for (const principal of [peer.principal, other.coordinator.principal]) {
      await expect(listBadges(ctx, principal, scene.mentor.userId)).rejects.toMatchObject({
        code: "not_found",
      });
    }
  });

  it("a schedule fires once across two instances", async () => {
    const ctx = serviceContext(testDb.database);
    const schedules = [{ name: `test-schedule-${kind}`, cron: "*/5 * * * *", queue: "test-scheduled" }];
    const instances = [1, 2].map(
      () =>
        new Worker({
          db: ctx.db,
          handlers: { "test-scheduled": async () => {} },
          schedules,
          clock: ctx.clock,
        }),
    );
    const { ensureSchedules } = await import("./schedules.js");
    await Promise.all(instances.map(() => ensureSchedules(ctx.db, schedules, ctx.clock())));
    expect((await Promise.all(instances.map((w) => w.tickSchedules()))).flat()).toEqual([]);

    ctx.testClock.advanceDays(5 / 1440);
    const fired = (await Promise.all(instances.map((w) => w.tickSchedules()))).flat();
    expect(fired).toEqual([schedules[0]?.name]);
    expect((await Promise.all(instances.map((w) => w.tickSchedules()))).flat()).toEqual([]);
    const runs = await ctx.db
      .selectFrom("jobs")
      .select("singleton_key")
      .where("queue", "=", "test-scheduled")
      .execute();
    expect(runs).toHaveLength(1);
    expect(await Promise.all(instances.map((w) => w.drain()))).toEqual(expect.arrayContaining([1]));
  });

  it("a worker started and stopped runs what is due and finishes what it holds", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    const worker = createServiceWorker({
      ctx,
      adapter: new CapturingAdapter(),
      sweepCron: "*/5 * * * *",
      notifyMaxAttempts: 3,
      pollIntervalMs: 20,
    });
    worker.start();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const badge = await ctx.db
        .selectFrom("user_badges")
        .select("badge")
        .where("user_id", "=", scene.mentor.userId)
        .executeTakeFirst();
      if (badge) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await worker.stop();
    const job = await ctx.db
      .selectFrom("jobs")
      .select("state")
      .where("queue", "=", "badge-evaluation")
      .where(sql<boolean>`payload->>'certification_id' = ${cert.id}`)
      .executeTakeFirstOrThrow();
    expect(job.state).toBe("done");
  });
});
