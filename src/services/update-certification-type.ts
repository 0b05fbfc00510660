import { forbidden, invalid, notFound } from "../domain/errors.js";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isGlobal,
  isOrgAdmin,
  type Principal,
} from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { lockCertificationType, updateCertificationType } from "../storage/certification-types.js";
import type { CertificationTypeRow } from "../storage/schema.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { type CertificationTypeView, certificationTypeView } from "./create-certification-type.js";

export interface TypeChanges {
  name?: string | undefined;
  validityMonths?: number | null | undefined;
  warningDays?: number | undefined;
  retired?: boolean | undefined;
}

/**
 * Edits a certification type (its organization's admins; a global type, global admins): the
 * name, the validity (used for issuances from now on: certifications already issued keep their
 * expiry), the warning window, or retirement (no new grants; what was issued stays valid).
 */
export async function editCertificationType(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  changes: TypeChanges,
): Promise<CertificationTypeView> {
  const name = changes.name?.trim();
  if (name === "") throw invalid("name must not be blank", [{ field: "name", message: "must not be blank" }]);
  return inTransaction(ctx, async (trx) => {
    const type = await lockCertificationType(trx, id);
    const orgId = type?.organization_id ?? null;
    if (!type || (orgId !== null && !canSeeOrganization(principal, orgId)))
      throw notFound("Certification type");
    if (orgId === null ? !isGlobal(principal) : !isOrgAdmin(principal, orgId)) {
      throw forbidden(
        orgId === null
          ? "Only a global admin edits global types"
          : "Only an admin of the organization edits types",
      );
    }
    const now = ctx.clock();
    const update: Partial<
      Pick<CertificationTypeRow, "name" | "validity_months" | "warning_days" | "retired_at">
    > = {
      ...(name !== undefined ? { name } : {}),
      ...(changes.validityMonths !== undefined ? { validity_months: changes.validityMonths } : {}),
      ...(changes.warningDays !== undefined ? { warning_days: changes.warningDays } : {}),
      ...(changes.retired !== undefined
        ? { retired_at: changes.retired ? (type.retired_at ?? now) : null }
        : {}),
    };
    const before = certificationTypeView(type, ctx.warningDays);
    if (Object.keys(update).length === 0) return before;
    const after = certificationTypeView(
      await updateCertificationType(trx, id, update, ctx.warningDays),
      ctx.warningDays,
    );
    await appendAuditEvent(trx, {
      entityType: "certification_type",
      entityId: id,
      organizationId: orgId,
      action:
        changes.retired === true && type.retired_at === null
          ? "retired"
          : changes.retired === false && type.retired_at !== null
            ? "unretired"
            : "updated",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      before,
      after,
      occurredAt: now,
    });
    return after;
  });
}
