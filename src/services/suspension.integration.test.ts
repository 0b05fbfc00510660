import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeGlobalAdmin, makeScene, SYSTEM, serviceContext } from "../../test/factories.js";
import { translateDatabaseError } from "../storage/errors.js";
import { checkEligibility } from "./check-eligibility.js";
import { grantCertification } from "./issue-certification.js";
import { getCertification } from "./read-certifications.js";
import { reinstateCertification } from "./reinstate-certification.js";
import { renewCertification } from "./renew-certification.js";
import { revokeCertification } from "./revoke-certification.js";
import { runExpirySweep } from "./run-expiry-sweep.js";
import { suspendCertification, unsuspendCertification } from "./suspend-certification.js";
import { inspectCertificate } from "./verify-certificate.js";

const DAY = 86_400_000;

describe.each(DATABASE_KINDS)("suspension on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  const setup = async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { warningDays: 30 });
    const staff = scene.coordinator.principal;
    return { ctx, scene, staff };
  };

  it("a suspended certification reads suspended, gives no access, is not valid, keeps its live place, and is audited with its reason", async () => {
    const { ctx, scene, staff } = await setup();
    const cert = await grant(ctx, scene);
    const { certification } = await suspendCertification(ctx, staff, cert.id, { reason: "  On leave " });
    expect(certification.status).toBe("suspended");
    expect((await getCertification(ctx, SYSTEM, cert.id)).certification.status).toBe("suspended");
    const eligibility = await checkEligibility(ctx, SYSTEM, scene.mentor.userId, scene.type.id);
    expect(eligibility).toMatchObject({ eligible: false, status: "suspended", certification_id: cert.id });
    expect(await inspectCertificate(ctx, cert.certificate_number)).toMatchObject({
      valid: false,
      status: "suspended",
    });
    await expect(grant(ctx, scene)).rejects.toMatchObject({ code: "one_active_cert_per_user_per_type" });

    const events = await ctx.db
      .selectFrom("audit_events")
      .select(["action", "reason", "actor_user_id"])
      .where("entity_id", "=", cert.id)
      .orderBy("id")
      .execute();
    expect(events.at(-1)).toEqual({
      action: "suspended",
      reason: "On leave",
      actor_user_id: scene.coordinator.userId,
    });
    const badgeJobs = await ctx.db
      .selectFrom("jobs")
      .select(sql<string>`payload->>'reason'`.as("reason"))
      .where("queue", "=", "badge-evaluation")
      .where(sql<boolean>`payload->>'certification_id' = ${cert.id}`)
      .execute();
    expect(badgeJobs.map((j) => j.reason)).toEqual(["issued", "suspended"]);

    const { certification: lifted } = await unsuspendCertification(ctx, scene.admin.principal, cert.id, {
      reason: "Back",
    });
    expect(lifted.status).toBe("active");
    expect((await checkEligibility(ctx, SYSTEM, scene.mentor.userId, scene.type.id)).eligible).toBe(true);
    const rows = await ctx.db
      .selectFrom("certification_suspensions")
      .selectAll()
      .where("certification_id", "=", cert.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      suspended_by_user_id: scene.coordinator.userId,
      reason: "On leave",
      lifted_by_user_id: scene.admin.userId,
      lift_reason: "Back",
    });
    expect(rows[0]?.lifted_at).toEqual(ctx.clock());
  });

  it("suspending a revoked, expired or suspended one fails with valid_status_transition; unsuspending one that is not suspended too, a revoked one with revoked_cert_cannot_be_reactivated", async () => {
    const { ctx, scene, staff } = await setup();
    const revoked = await grant(ctx, scene);
    await revokeCertification(ctx, staff, revoked.id, { reason: "Wrong person" });
    await expect(suspendCertification(ctx, staff, revoked.id, { reason: "x" })).rejects.toMatchObject({
      code: "valid_status_transition",
    });
    await expect(unsuspendCertification(ctx, staff, revoked.id, { reason: "x" })).rejects.toMatchObject({
      code: "revoked_cert_cannot_be_reactivated",
    });
    const expired = await grant(ctx, scene, {
      issuedAt: new Date(ctx.clock().getTime() - 40 * DAY),
      expiresAt: new Date(ctx.clock().getTime() - DAY),
    });
    await expect(suspendCertification(ctx, staff, expired.id, { reason: "x" })).rejects.toMatchObject({
      code: "valid_status_transition",
    });
    await expect(unsuspendCertification(ctx, staff, expired.id, { reason: "x" })).rejects.toMatchObject({
      code: "valid_status_transition",
    });
    const live = await grant(ctx, scene);
    await expect(unsuspendCertification(ctx, staff, live.id, { reason: "x" })).rejects.toMatchObject({
      code: "valid_status_transition",
    });
    await expect(suspendCertification(ctx, staff, live.id, { reason: "  " })).rejects.toMatchObject({
      code: "invalid_request",
    });
    await expect(
      suspendCertification(ctx, scene.mentor.principal, live.id, { reason: "x" }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
    await suspendCertification(ctx, staff, live.id, { reason: "Under review" });
    await expect(suspendCertification(ctx, staff, live.id, { reason: "again" })).rejects.toMatchObject({
      code: "valid_status_transition",
    });
  });

  it("the database refuses what SQL can hold: a suspension of a revoked one, a second open one, a suspended status with none open", async () => {
    const { ctx, scene, staff } = await setup();
    const refusal = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (error) {
        return (translateDatabaseError(error) as { code?: string }).code;
      }
      return undefined;
    };
    const suspend = (certificationId: string, byUserId = scene.coordinator.userId) =>
      ctx.db
        .insertInto("certification_suspensions")
        .values({
          certification_id: certificationId,
          organization_id: scene.organization.id,
          suspended_at: ctx.clock(),
          suspended_by_user_id: byUserId,
          reason: "direct",
        })
        .execute();
    const revoked = await grant(ctx, scene);
    await revokeCertification(ctx, staff, revoked.id, { reason: "Wrong person" });
    expect(await refusal(suspend(revoked.id))).toBe("valid_status_transition");
    const live = await grant(ctx, scene);
    expect(await refusal(suspend(live.id, scene.mentor.userId))).toBe("forbidden");
    expect(
      await refusal(
        ctx.db.updateTable("certifications").set({ status: "suspended" }).where("id", "=", live.id).execute(),
      ),
    ).toBe("valid_status_transition");
    await suspend(live.id);
    expect(await refusal(suspend(live.id))).toBe("valid_status_transition");
    expect(
      await refusal(
        ctx.db.deleteFrom("certification_suspensions").where("certification_id", "=", live.id).execute(),
      ),
    ).not.toBeUndefined();
  });

  it("no reminder while suspended: the sweep sends none in the window, and one after the suspension is lifted", async () => {
    const { ctx, scene, staff } = await setup();
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 60 * DAY) });
    await suspendCertification(ctx, staff, cert.id, { reason: "On leave" });
    ctx.testClock.advanceDays(45);
    const reminders = () =>
      ctx.db
        .selectFrom("jobs")
        .select("id")
        .where("queue", "=", "notification")
        .where(sql<boolean>`payload->>'certification_id' = ${cert.id}`)
        .execute();
    await runExpirySweep(ctx, SYSTEM);
    expect(await reminders()).toHaveLength(0);
    expect((await getCertification(ctx, SYSTEM, cert.id)).certification.status).toBe("suspended");
    await unsuspendCertification(ctx, staff, cert.id, { reason: "Back" });
    await runExpirySweep(ctx, SYSTEM);
    expect(await reminders()).toHaveLength(1);
    expect((await getCertification(ctx, SYSTEM, cert.id)).certification.status).toBe("expiring_soon");
  });

  it("a suspended one that expires is persisted as expired, keeps its open suspension, and is suspended again when renewed; reinstating a revoked one restores its suspension", async () => {
    const { ctx, scene, staff } = await setup();
    const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 10 * DAY) });
    await suspendCertification(ctx, staff, cert.id, { reason: "Under review" });
    ctx.testClock.advanceDays(11);
    expect((await runExpirySweep(ctx, SYSTEM)).expired).toBeGreaterThanOrEqual(1);
    const stored = await ctx.db
      .selectFrom("certifications")
      .select("status")
      .where("id", "=", cert.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe("expired");
    const { certification: renewed } = await renewCertification(ctx, staff, cert.id, {});
    expect(renewed.status).toBe("suspended");
    await revokeCertification(ctx, staff, cert.id, { reason: "Misconduct" });
    const admin = await makeGlobalAdmin(ctx);
    const { certification: back } = await reinstateCertification(ctx, admin.principal, cert.id, {
      reason: "Appeal",
    });
    expect(back.status).toBe("suspended");
    const { certification: lifted } = await unsuspendCertification(ctx, staff, cert.id, {
      reason: "Cleared",
    });
    expect(lifted.status).toBe("active");
    await expect(
      grantCertification(ctx, staff, {
        organizationId: scene.organization.id,
        userId: scene.mentor.userId,
        certificationTypeId: scene.type.id,
      }),
    ).rejects.toMatchObject({ code: "one_active_cert_per_user_per_type" });
  });
});
