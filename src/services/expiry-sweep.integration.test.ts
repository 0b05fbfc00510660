import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeMember, makeScene, SYSTEM, serviceContext } from "../../test/factories.js";
import type { Db } from "../storage/database.js";
import { runExpirySweep } from "./run-expiry-sweep.js";

const DAY = 86_400_000;

async function stateOf(db: Db, id: string) {
  return db
    .selectFrom("certifications")
    .select(["status", "expiry_warning_sent_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function reminders(db: Db, certificationId: string) {
  return db
    .selectFrom("jobs")
    .select("singleton_key")
    .where("queue", "=", "notification")
    .where(sql<boolean>`payload->>'certification_id' = ${certificationId}`)
    .execute();
}

async function auditActions(db: Db, certificationId: string) {
  const events = await db
    .selectFrom("audit_events")
    .select("action")
    .where("entity_id", "=", certificationId)
    .orderBy("id")
    .execute();
  return events.map((event) => event.action);
}

const quiet = { expired: 0, expiring_soon: 0, back_to_active: 0, notifications_enqueued: 0 };

// The sweep reads expiries up to now + the largest warning window, and past that only
// expiring_soon rows: these pin down both edges with exact counts, so each test has a database.
describe.each(DATABASE_KINDS)("the expiry sweep's range on %s", (kind) => {
  let testDb: TestDatabase;
  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await testDb.drop();
  });

  it("a type whose window is wider than the default is warned when it enters that window, not before", async () => {
    const ctx = serviceContext(testDb.database);
    const wide = await makeScene(ctx, { warningDays: 90 });
    const byDefault = await makeScene(ctx);
    const early = await grant(ctx, wide, { expiresAt: new Date(ctx.clock().getTime() + 100 * DAY) });
    const late = await grant(ctx, byDefault, { expiresAt: new Date(ctx.clock().getTime() + 100 * DAY) });

    ctx.testClock.advanceDays(5);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({ ...quiet, batches: 0 });
    expect(await stateOf(ctx.db, early.id)).toEqual({ status: "active", expiry_warning_sent_at: null });

    // 89 days left: inside the type's 90, outside the default 30.
    ctx.testClock.advanceDays(6);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({
      ...quiet,
      expiring_soon: 1,
      notifications_enqueued: 1,
    });
    expect(await stateOf(ctx.db, early.id)).toEqual({
      status: "expiring_soon",
      expiry_warning_sent_at: ctx.clock(),
    });
    expect(await stateOf(ctx.db, late.id)).toEqual({ status: "active", expiry_warning_sent_at: null });

    // 29 days left: the default window's turn.
    ctx.testClock.advanceDays(60);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({
      ...quiet,
      expiring_soon: 1,
      notifications_enqueued: 1,
    });
    expect(await stateOf(ctx.db, late.id)).toEqual({
      status: "expiring_soon",
      expiry_warning_sent_at: ctx.clock(),
    });
    expect(await reminders(ctx.db, early.id)).toHaveLength(1);
    expect(await reminders(ctx.db, late.id)).toHaveLength(1);
  });

  it("a type's window that shrank puts its expiring_soon rows back to active, inside the horizon and past it", async () => {
    const ctx = serviceContext(testDb.database);
    const shrinking = await makeScene(ctx, { warningDays: 400 });
    const byDefault = await makeScene(ctx);
    const other = await makeMember(ctx, shrinking.organization.id, "peer_mentor");
    const now = ctx.clock().getTime();
    const near = await grant(ctx, shrinking, { expiresAt: new Date(now + 20 * DAY) });
    const far = await grant(ctx, shrinking, { userId: other.userId, expiresAt: new Date(now + 300 * DAY) });
    const untouched = await grant(ctx, byDefault, { expiresAt: new Date(now + 20 * DAY) });
    expect([near.status, far.status, untouched.status]).toEqual([
      "expiring_soon",
      "expiring_soon",
      "expiring_soon",
    ]);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({ ...quiet, notifications_enqueued: 3 });

    // Horizon now + 30 days (the default, now the largest window): `near` (20 days) is before it,
    // outside its new 10-day window; `far` (300 days) is past it. One row a batch, so the walk
    // goes from the first range into the second.
    await ctx.db
      .updateTable("certification_types")
      .set({ warning_days: 10 })
      .where("id", "=", shrinking.type.id)
      .execute();
    const counts = await runExpirySweep(ctx, SYSTEM, { batchSize: 1 });
    expect(counts).toMatchObject({ ...quiet, back_to_active: 2, batches: 2 });
    expect((await stateOf(ctx.db, near.id)).status).toBe("active");
    expect((await stateOf(ctx.db, far.id)).status).toBe("active");
    expect((await stateOf(ctx.db, untouched.id)).status).toBe("expiring_soon");
    expect(await auditActions(ctx.db, near.id)).toEqual(["issued", "active"]);
    expect(await auditActions(ctx.db, far.id)).toEqual(["issued", "active"]);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({ ...quiet, batches: 0 });

    // Back inside the (shrunk) window later: expiring_soon again, and no second reminder for the date.
    ctx.testClock.advanceDays(11);
    expect(await runExpirySweep(ctx, SYSTEM)).toMatchObject({ ...quiet, expiring_soon: 1 });
    expect((await stateOf(ctx.db, near.id)).status).toBe("expiring_soon");
    expect(await reminders(ctx.db, near.id)).toHaveLength(1);
  });

  it("a default window that shrank puts expiring_soon rows back to active, inside the horizon and past it", async () => {
    const wideDefault = serviceContext(testDb.database, undefined, 60);
    const scene = await makeScene(wideDefault);
    const fixed = await makeScene(wideDefault, { warningDays: 20 });
    const other = await makeMember(wideDefault, scene.organization.id, "peer_mentor");
    const now = wideDefault.clock().getTime();
    const near = await grant(wideDefault, scene, { expiresAt: new Date(now + 15 * DAY) });
    const far = await grant(wideDefault, scene, {
      userId: other.userId,
      expiresAt: new Date(now + 45 * DAY),
    });
    const typed = await grant(wideDefault, fixed, { expiresAt: new Date(now + 15 * DAY) });
    expect(await runExpirySweep(wideDefault, SYSTEM)).toMatchObject({ ...quiet, notifications_enqueued: 3 });

    // The service restarted with a 10-day default: horizon now + 20 days (the typed window), `near`
    // (15 days) before it and outside its window, `far` (45 days) past it, `typed` still inside.
    const narrowDefault = serviceContext(testDb.database, wideDefault.testClock, 10);
    expect(await runExpirySweep(narrowDefault, SYSTEM)).toMatchObject({
      ...quiet,
      back_to_active: 2,
      batches: 1,
    });
    expect((await stateOf(narrowDefault.db, near.id)).status).toBe("active");
    expect((await stateOf(narrowDefault.db, far.id)).status).toBe("active");
    expect((await stateOf(narrowDefault.db, typed.id)).status).toBe("expiring_soon");
  });
});
