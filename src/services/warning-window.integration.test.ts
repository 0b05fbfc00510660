import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeMember, makeScene, SYSTEM, serviceContext } from "../../test/factories.js";
import { checkEligibility } from "./check-eligibility.js";
import { getCertification, listOrganizationCertifications } from "./read-certifications.js";
import { renewCertification } from "./renew-certification.js";
import { runExpirySweep } from "./run-expiry-sweep.js";
import { countOrganizationCertifications, searchFilters } from "./search-certifications.js";
import { editCertificationType } from "./update-certification-type.js";

const DAY = 86_400_000;

/**
 * CONTRACT §4: a type's warning days are edited "for new issuances". A certification issued before
 * the edit keeps the window it was issued under, in every read, in the list's status filter, the
 * counts, eligibility and the sweep (whose reminders follow the window); a renewal takes the
 * type's window of the day.
 */
describe.each(DATABASE_KINDS)("a type's warning window edited on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  async function sceneWithTwoMentors(warningDays: number) {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx, { validityMonths: 12, warningDays });
    const second = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const inDays = (days: number) => new Date(ctx.clock().getTime() + days * DAY);
    return { ctx, scene, second, inDays };
  }

  const statusOf = async (ctx: ReturnType<typeof serviceContext>, id: string) =>
    (await getCertification(ctx, SYSTEM, id)).certification.status;

  it("a narrower window applies to new issuances only: one issued before stays expiring soon everywhere", async () => {
    const { ctx, scene, second, inDays } = await sceneWithTwoMentors(30);
    const before = await grant(ctx, scene, { expiresAt: inDays(20) });
    expect(before.status).toBe("expiring_soon");

    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { warningDays: 10 });
    const after = await grant(ctx, scene, { userId: second.userId, expiresAt: inDays(20) });

    expect(after.status).toBe("active");
    expect(await statusOf(ctx, before.id)).toBe("expiring_soon");
    const soon = await listOrganizationCertifications(ctx, SYSTEM, scene.organization.id, {
      statuses: ["expiring_soon"],
    });
    expect(soon.items.map((c) => c.id)).toEqual([before.id]);
    const counts = await countOrganizationCertifications(
      ctx,
      scene.coordinator.principal,
      searchFilters(scene.organization.id, {}),
    );
    expect(counts.by_status).toMatchObject({ expiring_soon: 1, active: 1 });
    const eligibility = await checkEligibility(ctx, SYSTEM, scene.mentor.userId, scene.type.id);
    expect(eligibility).toMatchObject({ eligible: true, status: "expiring_soon" });

    // Stored as expiring_soon at the grant already: the sweep sends its reminder, and only its.
    const swept = await runExpirySweep(ctx, SYSTEM);
    expect(swept).toMatchObject({ notifications_enqueued: 1, back_to_active: 0 });
    const stored = await ctx.db
      .selectFrom("certifications")
      .select(["id", "status", "expiry_warning_sent_at"])
      .where("organization_id", "=", scene.organization.id)
      .orderBy("created_at")
      .execute();
    expect(stored.map((c) => [c.id, c.status, c.expiry_warning_sent_at !== null])).toEqual([
      [before.id, "expiring_soon", true],
      [after.id, "active", false],
    ]);
  });

  it("a wider window too: the one issued before is not warned early, the sweep reads as far as a kept window reaches", async () => {
    const { ctx, scene, second, inDays } = await sceneWithTwoMentors(90);
    // Issued under 90 days, expiring in 80: inside its window, and far past the new largest one.
    const wide = await grant(ctx, scene, { expiresAt: inDays(80) });
    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { warningDays: 5 });
    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { warningDays: 40 });
    const later = await grant(ctx, scene, { userId: second.userId, expiresAt: inDays(35) });

    expect(await statusOf(ctx, wide.id)).toBe("expiring_soon");
    expect(later.status).toBe("expiring_soon");
    // Past the largest type window (40) and the default (30): read only if the horizon counts kept ones.
    const swept = await runExpirySweep(ctx, SYSTEM);
    expect(swept).toMatchObject({ notifications_enqueued: 2, back_to_active: 0 });
    expect(await statusOf(ctx, wide.id)).toBe("expiring_soon");
    const kept = await ctx.db
      .selectFrom("certification_warning_windows")
      .select(["certification_id", "warning_days"])
      .execute();
    // The second edit keeps what the first kept; the later one has no kept window.
    expect(kept.filter((k) => [wide.id, later.id].includes(k.certification_id))).toEqual([
      { certification_id: wide.id, warning_days: 90 },
    ]);
  });

  it("a renewal takes the type's window of the day", async () => {
    const { ctx, scene, inDays } = await sceneWithTwoMentors(30);
    const cert = await grant(ctx, scene, { expiresAt: inDays(20) });
    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { warningDays: 10 });
    expect(await statusOf(ctx, cert.id)).toBe("expiring_soon");

    const { certification: renewed } = await renewCertification(ctx, scene.coordinator.principal, cert.id, {
      expiresAt: inDays(25),
    });

    expect(renewed.status).toBe("active");
    expect(await statusOf(ctx, cert.id)).toBe("active");
    ctx.testClock.advanceDays(16);
    expect(await statusOf(ctx, cert.id)).toBe("expiring_soon");
  });

  it("an edit that leaves the window as it was keeps nothing", async () => {
    const { ctx, scene, inDays } = await sceneWithTwoMentors(30);
    const cert = await grant(ctx, scene, { expiresAt: inDays(20) });
    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { warningDays: 30 });
    await editCertificationType(ctx, scene.admin.principal, scene.type.id, { name: "Renamed" });
    const kept = await ctx.db
      .selectFrom("certification_warning_windows")
      .select("certification_id")
      .where("certification_id", "=", cert.id)
      .execute();
    expect(kept).toEqual([]);
  });
});
