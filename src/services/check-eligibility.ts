import { notFound } from "../domain/errors.js";
import { isGlobal, isStaff, type Principal, staffOrganizations } from "../domain/principal.js";
import { effectiveStatus, grantsAccess, type Status } from "../domain/status.js";
import { findEligibilityFacts } from "../storage/certifications.js";
import type { ServiceContext } from "./context.js";
import { canSeeUser } from "./user-access.js";
import { warningDaysOf } from "./views.js";

export interface Eligibility {
  eligible: boolean;
  certification_id: string | null;
  status: Status | null;
  expires_at: string | null;
}

/**
 * The organizations where a principal is staff, worked out once per principal: the
 * authenticator hands out the same principal object for as long as it caches the roles.
 */
const staffCache = new WeakMap<Principal, readonly string[]>();
function staffOrganizationsOf(principal: Principal): readonly string[] {
  let organizations = staffCache.get(principal);
  if (!organizations) {
    organizations = staffOrganizations(principal) ?? [];
    staffCache.set(principal, organizations);
  }
  return organizations;
}

/**
 * Access gating (use case 8): eligible only while the user's certification of the type is
 * active or expiring soon, judged by the dates at this moment. One round trip for the user, a
 * service or a global admin; staff see only certifications of their own organizations.
 */
export async function checkEligibility(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  certificationTypeId: string,
): Promise<Eligibility> {
  const unrestricted =
    principal.kind === "service" ||
    isGlobal(principal) ||
    (principal.kind === "user" && principal.userId === userId);
  const facts = await findEligibilityFacts(
    ctx.db,
    userId,
    certificationTypeId,
    unrestricted ? null : staffOrganizationsOf(principal),
  );
  if (!facts) throw notFound("Certification type");
  if (!unrestricted) {
    const allowed =
      facts.typeOrganizationId !== null
        ? isStaff(principal, facts.typeOrganizationId)
        : await canSeeUser(ctx.db, principal, userId);
    if (!allowed) throw notFound("Certification type");
  }
  const { record } = facts;
  if (!record) return { eligible: false, certification_id: null, status: null, expires_at: null };
  const status = effectiveStatus(record, warningDaysOf(record, ctx.warningDays), ctx.clock());
  return {
    eligible: grantsAccess(status),
    certification_id: record.id,
    status,
    expires_at: record.expires_at?.toISOString() ?? null,
  };
}
