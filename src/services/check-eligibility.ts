import { notFound } from "../domain/errors.js";
import { isGlobal, isStaff, type Principal } from "../domain/principal.js";
import { effectiveStatus, isLive, type Status } from "../domain/status.js";
import { findCertificationType } from "../storage/certification-types.js";
import { findForEligibility } from "../storage/certifications.js";
import type { ServiceContext } from "./context.js";
import { warningDaysOf } from "./views.js";

export interface Eligibility {
  eligible: boolean;
  certification_id: string | null;
  status: Status | null;
  expires_at: string | null;
}

/**
 * Access gating (use case 8): eligible only while the user's certification of the type is
 * active or expiring soon, judged by the dates at this moment.
 */
export async function checkEligibility(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  certificationTypeId: string,
): Promise<Eligibility> {
  const [type, record] = await Promise.all([
    findCertificationType(ctx.db, certificationTypeId),
    findForEligibility(ctx.db, userId, certificationTypeId),
  ]);
  if (!type || !(await mayAsk(ctx, principal, userId, type.organization_id))) {
    throw notFound("Certification type");
  }
  if (!record) return { eligible: false, certification_id: null, status: null, expires_at: null };
  const status = effectiveStatus(record, warningDaysOf(record, ctx.warningDays), ctx.clock());
  return {
    eligible: isLive(status),
    certification_id: record.id,
    status,
    expires_at: record.expires_at?.toISOString() ?? null,
  };
}

/**
 * The user, staff of the type's organization (for a global type: of one of the user's
 * organizations), global admins and services.
 */
async function mayAsk(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  typeOrganizationId: string | null,
): Promise<boolean> {
  if (principal.kind === "service" || isGlobal(principal)) return true;
  if (principal.kind !== "user") return false;
  if (principal.userId === userId) return true;
  if (typeOrganizationId !== null) return isStaff(principal, typeOrganizationId);
  const organizations = await ctx.db
    .selectFrom("memberships")
    .select("organization_id")
    .where("user_id", "=", userId)
    .execute();
  return organizations.some((row) => isStaff(principal, row.organization_id));
}
