import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeRegistration, makeScene, SYSTEM, serviceContext } from "../../test/factories.js";
import { expectRejectedWithoutWrites, snapshotTables } from "../../test/snapshots.js";
import { type Db, openDatabase } from "../storage/database.js";
import { checkEligibility } from "./check-eligibility.js";
import { completeCourse } from "./complete-course.js";
import {
  getCertification,
  listCertificationEvents,
  listOrganizationCertifications,
} from "./read-certifications.js";
import { reinstateCertification } from "./reinstate-certification.js";
import { renewCertification } from "./renew-certification.js";
import { revokeCertification } from "./revoke-certification.js";
import { updateCertification } from "./update-certification.js";

const DAY = 86_400_000;
const SERVICE = { kind: "service", name: "course-module" } as const;

async function persistedStatus(db: Db, id: string) {
  const row = await db
    .selectFrom("certifications")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe.each(DATABASE_KINDS)("the lifecycle of a certification on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("a grant without expires_at expires after the type's validity; a lifetime type never expires", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { validityMonths: 24 });
    const cert = await grant(ctx, scene);
    expect(cert.issued_at).toBe("2026-03-15T10:00:00.000Z");
    expect(cert.expires_at).toBe("2028-03-15T10:00:00.000Z");
    const lifetime = await makeScene(ctx, { validityMonths: null });
    const forever = await grant(ctx, lifetime);
    expect(forever.expires_at).toBeNull();
    ctx.testClock.advanceDays(365 * 50);
    expect((await getCertification(ctx, SYSTEM, forever.id)).certification.status).toBe("active");
  });

  it("issuing with issued_at in the future fails with invalid_request and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await expectRejectedWithoutWrites(ctx.db, "invalid_request", () =>
      grant(ctx, scene, { issuedAt: new Date(ctx.clock().getTime() + DAY) }),
    );
  });

  it("a successful issuance writes its audit event and a badge-evaluation job in the same transaction", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    const events = await listCertificationEvents(ctx, scene.admin.principal, cert.id);
    expect(events.items).toMatchObject([
      { action: "issued", actor: `user:${scene.coordinator.userId}`, before: null, after: { id: cert.id } },
    ]);
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select(["queue", "payload"])
      .where(sql<boolean>`payload->>'certification_id' = ${cert.id}`)
      .execute();
    expect(jobs).toEqual([
      {
        queue: "badge-evaluation",
        payload: { user_id: scene.mentor.userId, certification_id: cert.id, reason: "issued" },
      },
    ]);
  });

  it("reads show the effective status from the dates even while the stored status is still active", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 40 * DAY) });
    expect(cert.status).toBe("active");
    ctx.testClock.advanceDays(15);
    expect((await getCertification(ctx, scene.mentor.principal, cert.id)).certification.status).toBe(
      "expiring_soon",
    );
    const listed = await listOrganizationCertifications(
      ctx,
      scene.coordinator.principal,
      scene.organization.id,
      {
        statuses: ["expiring_soon"],
      },
    );
    expect(listed.items.map((c) => c.id)).toEqual([cert.id]);
    ctx.testClock.advanceDays(30);
    expect((await getCertification(ctx, scene.mentor.principal, cert.id)).certification.status).toBe(
      "expired",
    );
    expect(
      await checkEligibility(ctx, scene.mentor.principal, scene.mentor.userId, scene.type.id),
    ).toMatchObject({
      eligible: false,
      certification_id: cert.id,
      status: "expired",
    });
    expect(await persistedStatus(ctx.db, cert.id)).toBe("active");
  });

  it("issuing again after the old certification has passed its expiry (stored as active) succeeds, and expires the old row in the same transaction", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const old = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 10 * DAY) });
    ctx.testClock.advanceDays(11);
    expect(await persistedStatus(ctx.db, old.id)).toBe("expiring_soon");
    const renewed = await grant(ctx, scene);
    expect(renewed.status).toBe("active");
    expect(await persistedStatus(ctx.db, old.id)).toBe("expired");
    const events = await listCertificationEvents(ctx, scene.coordinator.principal, old.id);
    expect(events.items.map((e) => [e.action, e.actor])).toEqual([
      ["issued", `user:${scene.coordinator.userId}`],
      ["expired", "system:issue"],
    ]);
  });

  it("issuing again after the old row was back-dated past its expiry by SQL succeeds and expires the old row", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const old = await grant(ctx, scene);
    const now = ctx.clock().getTime();
    await sql`update certifications
              set issued_at = ${new Date(now - 900 * DAY)}, expires_at = ${new Date(now - DAY)}
              where id = ${old.id}`.execute(ctx.db);
    expect(await persistedStatus(ctx.db, old.id)).toBe("active");
    const fresh = await grant(ctx, scene);
    expect(fresh.id).not.toBe(old.id);
    expect(await persistedStatus(ctx.db, old.id)).toBe("expired");
  });

  it("course completion twice for the same registration and type returns the first certification and writes nothing more", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const registration = await makeRegistration(ctx, scene.organization.id, scene.mentor.userId);
    const input = {
      organizationId: scene.organization.id,
      courseRegistrationId: registration.id,
      certificationTypeId: scene.type.id,
    };
    const first = await completeCourse(ctx, SERVICE, input);
    expect(first.statusCode).toBe(201);
    expect(first.certification.issued_by_user_id).toBeNull();
    const before = await snapshotTables(ctx.db);
    const second = await completeCourse(ctx, scene.coordinator.principal, input);
    expect(second.statusCode).toBe(200);
    expect(second.certification.id).toBe(first.certification.id);
    expect(await snapshotTables(ctx.db)).toBe(before);
  });

  it("renewing an expired certification makes it live again from the new date and clears the reminder", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { validityMonths: 12 });
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 10 * DAY) });
    await sql`update certifications set expiry_warning_sent_at = ${ctx.clock()} where id = ${cert.id}`.execute(
      ctx.db,
    );
    ctx.testClock.advanceDays(20);
    const { certification } = await renewCertification(ctx, scene.coordinator.principal, cert.id, {});
    expect(certification.status).toBe("active");
    expect(certification.expiry_warning_sent_at).toBeNull();
    expect(certification.expires_at).toBe("2027-04-04T10:00:00.000Z");
    expect(await persistedStatus(ctx.db, cert.id)).toBe("active");
  });

  it("renewing an expired certification while another live one of the type exists fails with one_active_cert_per_user_per_type and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const old = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 10 * DAY) });
    ctx.testClock.advanceDays(11);
    await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () =>
      renewCertification(ctx, scene.coordinator.principal, old.id, {}),
    );
  });

  it("renewing an expired certification succeeds when the other one of the type has passed its expiry but is still stored as active", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    // A paper certificate registered late: issued and expired in the past.
    const paper = await grant(ctx, scene, {
      issuedAt: new Date(ctx.clock().getTime() - 400 * DAY),
      expiresAt: new Date(ctx.clock().getTime() - 35 * DAY),
    });
    expect(paper.status).toBe("expired");
    const current = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
    ctx.testClock.advanceDays(6);
    expect(await persistedStatus(ctx.db, current.id)).toBe("expiring_soon");
    const { certification } = await renewCertification(ctx, scene.coordinator.principal, paper.id, {});
    expect(certification.status).toBe("active");
    expect(await persistedStatus(ctx.db, current.id)).toBe("expired");
  });

  it("reinstating succeeds when the other one of the type has passed its expiry but is still stored as active", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const revoked = await grant(ctx, scene);
    await revokeCertification(ctx, scene.admin.principal, revoked.id, { reason: "mistaken identity" });
    const replacement = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 5 * DAY) });
    ctx.testClock.advanceDays(6);
    const { certification } = await reinstateCertification(ctx, SYSTEM, revoked.id, {
      reason: "it was right",
    });
    expect(certification.status).toBe("active");
    expect(await persistedStatus(ctx.db, replacement.id)).toBe("expired");
  });

  it("reinstating while another live certification of the type exists fails with one_active_cert_per_user_per_type and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const revoked = await grant(ctx, scene);
    await revokeCertification(ctx, scene.admin.principal, revoked.id, { reason: "mistaken identity" });
    await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () =>
      reinstateCertification(ctx, SYSTEM, revoked.id, { reason: "it was right" }),
    );
  });

  it("a new expires_at moves the effective and stored status with it", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene, { issuedAt: new Date(ctx.clock().getTime() - 30 * DAY) });
    const soon = await updateCertification(ctx, scene.coordinator.principal, cert.id, {
      expiresAt: new Date(ctx.clock().getTime() + 3 * DAY),
    });
    expect(soon.certification.status).toBe("expiring_soon");
    expect(await persistedStatus(ctx.db, cert.id)).toBe("expiring_soon");
    const gone = await updateCertification(ctx, scene.coordinator.principal, cert.id, {
      expiresAt: new Date(ctx.clock().getTime() - DAY),
    });
    expect(gone.certification.status).toBe("expired");
    expect(await persistedStatus(ctx.db, cert.id)).toBe("expired");
  });

  it("patching the status to the value it already has writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    const before = await snapshotTables(ctx.db);
    const result = await updateCertification(ctx, scene.coordinator.principal, cert.id, { status: "active" });
    expect(result.certification).toEqual(cert);
    expect(await snapshotTables(ctx.db)).toBe(before);
  });

  it("patching the status to revoked with a reason revokes it, like revoke", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    const { certification } = await updateCertification(ctx, scene.admin.principal, cert.id, {
      status: "revoked",
      revocationReason: "forged signature",
    });
    expect(certification).toMatchObject({
      status: "revoked",
      revocation_reason: "forged signature",
      revoked_by_user_id: scene.admin.userId,
      revoked_at: ctx.clock().toISOString(),
    });
  });

  it("revoking twice fails and writes nothing; a stale If-Match fails with precondition_failed", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    const first = await getCertification(ctx, scene.coordinator.principal, cert.id);
    await updateCertification(ctx, scene.coordinator.principal, cert.id, { notes: "one" }, first.etag);
    await expectRejectedWithoutWrites(ctx.db, "precondition_failed", () =>
      updateCertification(ctx, scene.coordinator.principal, cert.id, { notes: "two" }, first.etag),
    );
    await revokeCertification(ctx, scene.coordinator.principal, cert.id, { reason: "duplicate" });
    await expectRejectedWithoutWrites(ctx.db, "valid_status_transition", () =>
      revokeCertification(ctx, scene.coordinator.principal, cert.id, { reason: "again" }),
    );
  });

  it("the audit trail records every change with who, why, before and after", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await updateCertification(ctx, scene.coordinator.principal, cert.id, { notes: "ceremony in May" });
    await revokeCertification(ctx, scene.admin.principal, cert.id, { reason: "  wrong person " });
    await reinstateCertification(ctx, SYSTEM, cert.id, { reason: "right person after all" });
    const { items } = await listCertificationEvents(ctx, scene.admin.principal, cert.id);
    expect(items.map((e) => [e.action, e.actor, e.reason])).toEqual([
      ["issued", `user:${scene.coordinator.userId}`, null],
      ["notes_changed", `user:${scene.coordinator.userId}`, null],
      ["revoked", `user:${scene.admin.userId}`, "wrong person"],
      ["reinstated", "system:test", "right person after all"],
    ]);
    expect(items[2]).toMatchObject({ before: { status: "active" }, after: { status: "revoked" } });
    expect(items[3]).toMatchObject({
      before: { status: "revoked" },
      after: { status: "active", revoked_at: null },
    });
  });

  it("the warning window of the type decides expiring_soon (a 90-day type is expiring 60 days out)", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { warningDays: 90 });
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 60 * DAY) });
    expect(cert.status).toBe("expiring_soon");
    const listed = await listOrganizationCertifications(
      ctx,
      scene.coordinator.principal,
      scene.organization.id,
      {
        statuses: ["expiring_soon"],
      },
    );
    expect(listed.items.map((c) => c.id)).toEqual([cert.id]);
  });
});

// The server's session time zone is the operator's choice; PGlite always runs in UTC.
describe.skipIf(!process.env.DATABASE_URL)(
  "status filters on a server whose time zone has daylight saving",
  () => {
    let testDb: TestDatabase;
    let oslo: Awaited<ReturnType<typeof openDatabase>> | undefined;
    beforeAll(async () => {
      testDb = await createTestDatabase("postgres");
      const name = new URL(testDb.url ?? "").pathname.slice(1);
      await sql`alter database ${sql.id(name)} set timezone to 'Europe/Oslo'`.execute(testDb.database.db);
      oslo = await openDatabase({ kind: "postgres", url: testDb.url ?? "" });
    });
    afterAll(async () => {
      await oslo?.close();
      await testDb.drop();
    });

    it("listing by status agrees with the status shown across the spring change of clocks (30 days is 30 × 24 hours)", async () => {
      if (!oslo) throw new Error("no database");
      const ctx = serviceContext(oslo);
      const zone = await sql<{ tz: string }>`select current_setting('TimeZone') as tz`.execute(ctx.db);
      expect(zone.rows[0]?.tz).toBe("Europe/Oslo");
      const scene = await makeScene(ctx);
      // 29 days 23.5 hours away, across 29 March when Oslo loses an hour.
      const cert = await grant(ctx, scene, { expiresAt: new Date("2026-04-14T09:30:00.000Z") });
      expect(cert.status).toBe("expiring_soon");
      const listed = await listOrganizationCertifications(
        ctx,
        scene.coordinator.principal,
        scene.organization.id,
        {
          statuses: ["expiring_soon"],
        },
      );
      expect(listed.items.map((c) => c.id)).toEqual([cert.id]);
    });
  },
);
