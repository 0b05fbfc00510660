import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeMember, makeScene, serviceContext } from "../../test/factories.js";
import { expectRejectedWithoutWrites, snapshotTables } from "../../test/snapshots.js";
import { DomainError } from "../domain/errors.js";
import type { Db } from "../storage/database.js";
import { grantCertification } from "./issue-certification.js";
import { getCertification } from "./read-certifications.js";

const DAY = 86_400_000;

type Scene = Awaited<ReturnType<typeof makeScene>>;

function grantRequest(scene: Scene, userId = scene.mentor.userId) {
  return { organizationId: scene.organization.id, userId, certificationTypeId: scene.type.id };
}

function keyed(key: string, body: unknown) {
  return { key, fingerprint: { route: "grant", body } };
}

async function storedAnswer(db: Db, key: string) {
  return db
    .selectFrom("idempotency_keys")
    .select(["status_code", "resource_id", "response"])
    .where("key", "=", key)
    .executeTakeFirst();
}

async function issuedEvents(db: Db, certificationId: string) {
  return db
    .selectFrom("audit_events")
    .select(["action", "actor", "actor_user_id", "organization_id", "before", "after"])
    .where("entity_id", "=", certificationId)
    .orderBy("id")
    .execute();
}

describe.each(DATABASE_KINDS)("an issuance in one read and one write, on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("the audit event's after, the stored answer and a later read are the view the grant answered, field for field", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const key = randomUUID();
    const issued = await grantCertification(
      ctx,
      scene.coordinator.principal,
      { ...grantRequest(scene), notes: "paper certificate" },
      keyed(key, { n: 1 }),
    );
    expect(issued.statusCode).toBe(201);
    const view = issued.certification;
    expect(view.notes).toBe("paper certificate");
    expect(await issuedEvents(ctx.db, view.id)).toEqual([
      {
        action: "issued",
        actor: `user:${scene.coordinator.userId}`,
        actor_user_id: scene.coordinator.userId,
        organization_id: scene.organization.id,
        before: null,
        after: view,
      },
    ]);
    expect(await storedAnswer(ctx.db, key)).toEqual({
      status_code: 201,
      resource_id: view.id,
      response: view,
    });
    const read = await getCertification(ctx, scene.coordinator.principal, view.id);
    expect(read.certification).toEqual({ ...view, holder_display_name: "Mari Mentor" });
    expect(read.etag).toBe(issued.etag);
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select(["queue", "payload"])
      .where(sql<boolean>`payload->>'certification_id' = ${view.id}`)
      .execute();
    expect(jobs).toEqual([
      {
        queue: "badge-evaluation",
        payload: { user_id: scene.mentor.userId, certification_id: view.id, reason: "issued" },
      },
    ]);
  });

  it("a repeat under the key answers the first answer and writes nothing; another request under it is refused with idempotency_key_reused", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const key = randomUUID();
    const first = await grantCertification(
      ctx,
      scene.coordinator.principal,
      grantRequest(scene),
      keyed(key, 1),
    );
    const before = await snapshotTables(ctx.db);
    const again = await grantCertification(
      ctx,
      scene.coordinator.principal,
      grantRequest(scene),
      keyed(key, 1),
    );
    expect(again).toEqual(first);
    expect(await snapshotTables(ctx.db)).toBe(before);
    const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
    await expectRejectedWithoutWrites(ctx.db, "idempotency_key_reused", () =>
      grantCertification(ctx, scene.coordinator.principal, grantRequest(scene, other.userId), keyed(key, 2)),
    );
  });

  it("a refused grant leaves its key unused: the same key then works for a request that passes", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const key = randomUUID();
    await expectRejectedWithoutWrites(ctx.db, "expires_at_after_issued_at", () =>
      grantCertification(
        ctx,
        scene.coordinator.principal,
        { ...grantRequest(scene), expiresAt: new Date("2020-01-01T00:00:00Z") },
        keyed(key, 1),
      ),
    );
    await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () =>
      grantCertification(ctx, scene.coordinator.principal, grantRequest(scene), keyed(key, 1)),
    );
    const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const issued = await grantCertification(
      ctx,
      scene.coordinator.principal,
      grantRequest(scene, other.userId),
      keyed(key, 1),
    );
    expect(issued.statusCode).toBe(201);
    expect((await storedAnswer(ctx.db, key))?.resource_id).toBe(issued.certification.id);
  });

  it("a row stored as expired whose dates say live still refuses a second live grant, and nothing is written", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await sql`update certifications set status = 'expired' where id = ${cert.id}`.execute(ctx.db);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () =>
      grantCertification(ctx, scene.coordinator.principal, grantRequest(scene), keyed(randomUUID(), 1)),
    );
    // An already expired certification next to it is no second live one.
    const past = await grantCertification(ctx, scene.coordinator.principal, {
      ...grantRequest(scene),
      issuedAt: new Date(ctx.clock().getTime() - 800 * DAY),
      expiresAt: new Date(ctx.clock().getTime() - 100 * DAY),
    });
    expect(past.certification.status).toBe("expired");
  });

  it("a row stored as live past its date is expired in the grant's own transaction, with a key too", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const old = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
    ctx.testClock.advanceDays(6);
    const key = randomUUID();
    const fresh = await grantCertification(
      ctx,
      scene.coordinator.principal,
      grantRequest(scene),
      keyed(key, 1),
    );
    expect(fresh.certification.status).toBe("active");
    const stored = await ctx.db
      .selectFrom("certifications")
      .select("status")
      .where("id", "=", old.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe("expired");
    expect((await issuedEvents(ctx.db, old.id)).map((e) => [e.action, e.actor])).toEqual([
      ["issued", `user:${scene.coordinator.userId}`],
      ["expired", "system:issue"],
    ]);
    expect((await storedAnswer(ctx.db, key))?.response).toEqual(fresh.certification);
  });

  it("the sequence grows past 99999 with as many digits as it needs", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await grant(ctx, scene);
    await sql`update certificate_counters set last_value = 99999 where prefix = ${scene.organization.prefix}`.execute(
      ctx.db,
    );
    const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const cert = await grant(ctx, scene, { userId: other.userId });
    expect(cert.certificate_number).toBe(`${scene.organization.prefix}-2026-100000`);
  });
});

// PGlite has a single connection, so nothing can race there.
describe.skipIf(!process.env.DATABASE_URL)(
  "concurrent requests under one idempotency key on postgres",
  () => {
    let testDb: TestDatabase;
    beforeAll(async () => {
      testDb = await createTestDatabase("postgres", { poolSize: 30 });
    });
    afterAll(async () => {
      await testDb?.drop();
    });

    async function outcomes(calls: (() => Promise<{ certification: { id: string } }>)[]) {
      return Promise.all(
        calls.map(async (call) => {
          try {
            return (await call()).certification.id;
          } catch (error) {
            if (error instanceof DomainError) return error.code;
            throw error;
          }
        }),
      );
    }

    it("the same request 20 times at once issues one certification, and every answer is it", async () => {
      const ctx = serviceContext(testDb.database);
      for (let round = 0; round < 5; round++) {
        const scene = await makeScene(ctx);
        const key = randomUUID();
        const answers = await outcomes(
          Array.from(
            { length: 20 },
            () => () =>
              grantCertification(ctx, scene.coordinator.principal, grantRequest(scene), keyed(key, 1)),
          ),
        );
        const rows = await ctx.db
          .selectFrom("certifications")
          .select(["id", "certificate_number"])
          .where("organization_id", "=", scene.organization.id)
          .execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]?.certificate_number).toBe(`${scene.organization.prefix}-2026-00001`);
        expect(new Set(answers)).toEqual(new Set([rows[0]?.id]));
      }
    }, 120_000);

    it("different requests under one key at once: one is issued, the others are refused with idempotency_key_reused", async () => {
      const ctx = serviceContext(testDb.database);
      const scene = await makeScene(ctx);
      const members = await Promise.all(
        Array.from({ length: 10 }, () => makeMember(ctx, scene.organization.id, "peer_mentor")),
      );
      const key = randomUUID();
      const answers = await outcomes(
        members.map(
          (member, i) => () =>
            grantCertification(
              ctx,
              scene.coordinator.principal,
              grantRequest(scene, member.userId),
              keyed(key, i),
            ),
        ),
      );
      const rows = await ctx.db
        .selectFrom("certifications")
        .select(["id", "certificate_number"])
        .where("organization_id", "=", scene.organization.id)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.certificate_number).toBe(`${scene.organization.prefix}-2026-00001`);
      expect(answers.filter((a) => a === rows[0]?.id)).toHaveLength(1);
      expect(answers.filter((a) => a === "idempotency_key_reused")).toHaveLength(9);
    }, 120_000);
  },
);
