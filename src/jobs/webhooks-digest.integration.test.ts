import { sql } from "kysely";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeScene, SYSTEM, serviceContext } from "../../test/factories.js";
import { startReceiver } from "../../test/webhook-receiver.js";
import { revokeCertification } from "../services/revoke-certification.js";
import { runExpirySweep } from "../services/run-expiry-sweep.js";
import { enqueueWeeklyDigests } from "../storage/digests.js";
import { QUEUES } from "../storage/jobs.js";
import { type Notification, standardWebhookHeaders, WebhookAdapter, webhookKey } from "./notifications.js";
import { nextRun } from "./schedules.js";
import { createServiceWorker } from "./service-worker.js";

const DAY = 86_400_000;
const SECRET = "whsec_C2FtcGxlLWtleS1mb3ItdGVzdHMtb25seS0zMmJ5dGVz";

function headersOf(request: { headers: Record<string, unknown> }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}

describe("Standard Webhooks signing", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("signs exactly as the standardwebhooks package does", () => {
    const key = webhookKey(SECRET);
    expect(key?.length).toBe(33);
    const at = new Date("2026-12-02T10:00:00.750Z");
    const body = JSON.stringify({ id: "msg_1", type: "certification.expiring_soon" });
    const headers = standardWebhookHeaders("msg_1", at, body, key ?? null);
    expect(headers).toEqual({
      "webhook-id": "msg_1",
      "webhook-timestamp": "1796205600",
      "webhook-signature": new Webhook(SECRET).sign("msg_1", at, body),
    });
    expect(webhookKey("whsec_c2hvcnQ=")).toBeNull(); // 5 bytes: too short a key
    expect(webhookKey("plain-secret-of-some-length-000000000")).toBeNull();
  });

  it("the digest schedule is Monday 07:00 in Oslo, summer and winter", () => {
    expect(nextRun("0 7 * * 1", new Date("2026-12-02T12:00:00Z"), "Europe/Oslo")).toEqual(
      new Date("2026-12-07T06:00:00Z"),
    );
    expect(nextRun("0 7 * * 1", new Date("2026-06-02T12:00:00Z"), "Europe/Oslo")).toEqual(
      new Date("2026-06-08T05:00:00Z"),
    );
  });
});

describe.each(DATABASE_KINDS)("webhook deliveries and the weekly digest on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await testDb.drop();
  });

  function workerFor(ctx: ReturnType<typeof serviceContext>, url: string) {
    return createServiceWorker({
      ctx,
      adapter: new WebhookAdapter(url, SECRET),
      sweepCron: "*/5 * * * *",
      notifyMaxAttempts: 5,
      schedules: false,
    });
  }

  it("every delivery verifies with standardwebhooks' Webhook.verify; replayed later, it is refused", async () => {
    const ctx = serviceContext(testDb.database);
    const receiver = await startReceiver();
    try {
      const scene = await makeScene(ctx, { warningDays: 10 });
      const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
      await runExpirySweep(ctx, SYSTEM);
      await workerFor(ctx, receiver.url).drain();
      const request = receiver.requests.find(
        (r) => (JSON.parse(r.body) as { certification_id?: string }).certification_id === cert.id,
      );
      if (!request) throw new Error("the reminder was not delivered");
      const headers = headersOf(request);
      const webhook = new Webhook(SECRET);
      const verified = webhook.verify(request.body, headers) as Notification;
      expect(verified).toMatchObject({
        id: headers["webhook-id"],
        type: "certification.expiring_soon",
        certification_id: cert.id,
      });
      expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(() =>
        new Webhook("whsec_b3RoZXIta2V5LWZvci10ZXN0cy1vbmx5LTMyYnl0ZXM=").verify(request.body, headers),
      ).toThrow();
      expect(() => webhook.verify(request.body.replace(cert.id, scene.type.id), headers)).toThrow();

      // The same captured request, sent again ten minutes later: too old. Given a fresh
      // timestamp instead, its signature no longer matches.
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 10 * 60_000);
      expect(() => webhook.verify(request.body, headers)).toThrow(/too old/);
      const fresh = { ...headers, "webhook-timestamp": String(Math.floor(Date.now() / 1000)) };
      expect(() => webhook.verify(request.body, fresh)).toThrow(/signature/i);
      vi.useRealTimers();
    } finally {
      await receiver.close();
    }
  });

  it("the weekly digest: one per organization and week, with what enters its window in 30 days, even run twice at once", async () => {
    const ctx = serviceContext(testDb.database);
    const now = ctx.clock();
    const inDays = (days: number) => new Date(now.getTime() + days * DAY);
    const first = await makeScene(ctx);
    const second = await makeScene(ctx, { warningDays: 60 });
    const quiet = await makeScene(ctx);
    const bulk = (scene: typeof first, count: number, start: number, expiresAt: Date) =>
      insertCertifications(ctx.db, {
        organizationId: scene.organization.id,
        typeId: scene.type.id,
        prefix: scene.organization.prefix,
        count,
        start,
        issuedAt: inDays(-300),
        expiresAt,
      });
    // First (30-day window): 3 whose window opens in 10 days; 2 already inside it; 2 opening in 40 days.
    await bulk(first, 3, 0, inDays(40));
    await bulk(first, 2, 3, inDays(20));
    await bulk(first, 2, 5, inDays(70));
    // A revoked one would open in 15 days: not counted.
    const revoked = await grant(ctx, first, { expiresAt: inDays(45) });
    await revokeCertification(ctx, first.coordinator.principal, revoked.id, { reason: "Issued in error" });
    // Second (60-day window): 1 opening in 25 days. Quiet: nothing opening within 30 days.
    await bulk(second, 1, 0, inDays(85));
    await bulk(quiet, 1, 0, inDays(200));

    // Two runs of the same week at once (two workers, a repeated slot), then a third one later that week.
    const input = { now, weekOf: now, defaultWarningDays: ctx.warningDays, notifyMaxAttempts: 5 };
    const runs = await Promise.all([
      enqueueWeeklyDigests(ctx.db, input),
      enqueueWeeklyDigests(ctx.db, input),
    ]);
    expect(runs.map((run) => run.week)).toEqual(["2026-03-09", "2026-03-09"]);
    const later = await enqueueWeeklyDigests(ctx.db, { ...input, now: inDays(1), weekOf: inDays(1) });
    expect(later).toEqual({ week: "2026-03-16", enqueued: expect.any(Number) });
    const again = await enqueueWeeklyDigests(ctx.db, { ...input, weekOf: inDays(-1) });
    expect(again).toEqual({ week: "2026-03-09", enqueued: 0 });

    const ours = [first, second, quiet].map((scene) => scene.organization.id);
    const digests = await ctx.db
      .selectFrom("organization_digests")
      .select([
        "organization_id",
        sql<string>`week::text`.as("week"),
        "certification_count",
        "notification_id",
      ])
      .where("organization_id", "in", ours)
      .orderBy("week")
      .orderBy("certification_count", "desc")
      .execute();
    expect(digests.map((d) => [d.organization_id, d.week, d.certification_count])).toEqual([
      [first.organization.id, "2026-03-09", 3],
      [second.organization.id, "2026-03-09", 1],
      [first.organization.id, "2026-03-16", 3],
      [second.organization.id, "2026-03-16", 1],
    ]);

    // Delivered through the notification queue, signed, in the contract's shape.
    const receiver = await startReceiver();
    try {
      ctx.testClock.advanceDays(1);
      await workerFor(ctx, receiver.url).drain();
      const webhook = new Webhook(SECRET);
      const delivered = receiver.requests
        .map((request) => webhook.verify(request.body, headersOf(request)) as Record<string, unknown>)
        .filter(
          (body) =>
            body.type === "organization.expiring_digest" && ours.includes(String(body.organization_id)),
        );
      expect(delivered).toHaveLength(4);
      const firstDigest = delivered.find(
        (body) => body.organization_id === first.organization.id && body.id === digests[0]?.notification_id,
      );
      expect(Object.keys(firstDigest ?? {}).sort()).toEqual(
        ["certification_ids", "count", "id", "occurred_at", "organization_id", "type"].sort(),
      );
      const expected = await ctx.db
        .selectFrom("certifications")
        .select("id")
        .where("organization_id", "=", first.organization.id)
        .where("expires_at", "=", inDays(40))
        .orderBy("id")
        .execute();
      expect(firstDigest).toMatchObject({ count: 3, occurred_at: now.toISOString() });
      expect([...((firstDigest?.certification_ids ?? []) as string[])].sort()).toEqual(
        expected.map((row) => row.id),
      );
    } finally {
      await receiver.close();
    }
  });

  it("the scheduled digest job: two workers, two jobs of the same week, one digest", async () => {
    const ctx = serviceContext(testDb.database);
    ctx.testClock.set("2026-04-06T05:00:00Z"); // Monday 07:00 in Oslo
    const scene = await makeScene(ctx);
    await insertCertifications(ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: 2,
      issuedAt: new Date(ctx.clock().getTime() - 300 * DAY),
      expiresAt: new Date(ctx.clock().getTime() + 35 * DAY),
    });
    await ctx.db
      .insertInto("jobs")
      .values([
        { queue: QUEUES.weeklyDigest, payload: '{"slot":"2026-04-06T05:00:00.000Z"}', run_at: ctx.clock() },
        { queue: QUEUES.weeklyDigest, payload: '{"slot":"2026-04-08T05:00:00.000Z"}', run_at: ctx.clock() },
      ])
      .execute();
    const receiver = await startReceiver();
    try {
      const workers = [workerFor(ctx, receiver.url), workerFor(ctx, receiver.url)];
      await Promise.all(workers.map((worker) => worker.drain()));
      const mine = receiver.requests
        .map(
          (request) => JSON.parse(request.body) as { type: string; organization_id: string; count: number },
        )
        .filter(
          (body) =>
            body.type === "organization.expiring_digest" && body.organization_id === scene.organization.id,
        );
      expect(mine.map((body) => body.count)).toEqual([2]);
    } finally {
      await receiver.close();
    }
  });
});
