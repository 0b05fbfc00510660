import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  makeGlobalAdmin,
  makeMember,
  makeScene,
  makeType,
  SYSTEM,
  serviceContext,
} from "../../test/factories.js";
import { DomainError } from "../domain/errors.js";
import { checkEligibility } from "./check-eligibility.js";
import type { ServiceContext } from "./context.js";
import { grantCertification } from "./issue-certification.js";
import { loadUserPrincipal } from "./principals.js";
import { putMember } from "./put-member.js";

/**
 * Staff see only their own organizations' certifications when they ask about a global type: the
 * deciding record is chosen among those, even when a better one exists elsewhere.
 */
describe.each(DATABASE_KINDS)("eligibility across organizations on %s", (kind) => {
  let database: TestDatabase;
  let ctx: ServiceContext;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ctx = serviceContext(database.database);
  });
  afterAll(async () => database.drop());

  const DAY = 86_400_000;

  /** Organizations A and B, a global type, and a holder who is a member of both. */
  async function world() {
    const a = await makeScene(ctx);
    const b = await makeScene(ctx);
    const global = await makeType(ctx, null);
    const holder = await makeMember(ctx, a.organization.id, "peer_mentor");
    await putMember(ctx, SYSTEM, {
      organizationId: b.organization.id,
      userId: holder.userId,
      role: "peer_mentor",
      displayName: "Mari Both",
    });
    return { a, b, global, holder: { ...holder, principal: await loadUserPrincipal(ctx.db, holder.userId) } };
  }

  const grantIn = async (
    scene: Awaited<ReturnType<typeof makeScene>>,
    userId: string,
    typeId: string,
    dates: { issuedAt?: Date; expiresAt?: Date | null } = {},
  ) =>
    (
      await grantCertification(ctx, scene.coordinator.principal, {
        organizationId: scene.organization.id,
        userId,
        certificationTypeId: typeId,
        ...dates,
      })
    ).certification;

  it("judges staff by their own organization's record, the others by the best one anywhere", async () => {
    const { a, b, global, holder } = await world();
    const now = ctx.clock().getTime();
    const lapsed = await grantIn(a, holder.userId, global.id, {
      issuedAt: new Date(now - 800 * DAY),
      expiresAt: new Date(now - 70 * DAY),
    });
    const live = await grantIn(b, holder.userId, global.id);

    const staffOfA = await checkEligibility(ctx, a.coordinator.principal, holder.userId, global.id);
    expect(staffOfA).toMatchObject({ eligible: false, certification_id: lapsed.id, status: "expired" });

    const admin = await makeGlobalAdmin(ctx);
    for (const principal of [b.coordinator.principal, holder.principal, admin.principal]) {
      expect(await checkEligibility(ctx, principal, holder.userId, global.id)).toMatchObject({
        eligible: true,
        certification_id: live.id,
        status: "active",
      });
    }
  });

  it("tells staff of an organization without a record of the holder that there is none", async () => {
    const { a, b, global, holder } = await world();
    await grantIn(b, holder.userId, global.id);
    expect(await checkEligibility(ctx, a.coordinator.principal, holder.userId, global.id)).toEqual({
      eligible: false,
      certification_id: null,
      status: null,
      expires_at: null,
    });
  });

  it("keeps an organization's own type from staff of another organization", async () => {
    const { a, b, holder } = await world();
    await grantIn(a, holder.userId, a.type.id);
    await expect(checkEligibility(ctx, b.coordinator.principal, holder.userId, a.type.id)).rejects.toSatisfy(
      (error: unknown) => error instanceof DomainError && error.code === "not_found",
    );
    expect(await checkEligibility(ctx, a.coordinator.principal, holder.userId, a.type.id)).toMatchObject({
      eligible: true,
    });
  });
});
