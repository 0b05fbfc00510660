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
import { insertCertificationType } from "../storage/certification-types.js";
import { findOrganization } from "../storage/organizations.js";
import type { CertificationTypeRow } from "../storage/schema.js";
import { inTransaction, type ServiceContext } from "./context.js";

export interface CertificationTypeView {
  id: string;
  organization_id: string | null;
  name: string;
  validity_months: number | null;
  warning_days: number;
  /** Stable slug an app may gate on (e.g. digital-peer-mentor); null when none was given. */
  key: string | null;
  /** When it was retired (no new grants); null while in use. */
  retired_at: string | null;
  created_at: string;
}

export const certificationTypeView = (
  row: CertificationTypeRow,
  defaultWarningDays: number,
): CertificationTypeView => ({
  id: row.id,
  organization_id: row.organization_id,
  name: row.name,
  validity_months: row.validity_months,
  warning_days: row.warning_days ?? defaultWarningDays,
  key: row.key,
  retired_at: row.retired_at === null ? null : row.retired_at.toISOString(),
  created_at: row.created_at.toISOString(),
});

/**
 * A certification type of one organization (its org admins), or a global type usable by every
 * organization (`organizationId` null; global admins).
 */
export async function createCertificationType(
  ctx: ServiceContext,
  principal: Principal,
  input: {
    organizationId: string | null;
    name: string;
    validityMonths: number | null;
    warningDays?: number | undefined;
    key?: string | undefined;
  },
): Promise<CertificationTypeView> {
  const { organizationId } = input;
  if (organizationId === null) {
    if (!isGlobal(principal)) throw forbidden("Only a global admin can create global certification types");
  } else {
    if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
    if (!isOrgAdmin(principal, organizationId))
      throw forbidden("Only an admin of the organization creates types");
  }
  const name = input.name.trim();
  if (name === "") throw invalid("name must not be blank", [{ field: "name", message: "must not be blank" }]);
  return inTransaction(ctx, async (trx) => {
    if (organizationId !== null && !(await findOrganization(trx, organizationId)))
      throw notFound("Organization");
    const row = await insertCertificationType(trx, {
      organization_id: organizationId,
      name,
      validity_months: input.validityMonths,
      warning_days: input.warningDays ?? null,
      key: input.key ?? null,
    });
    const view = certificationTypeView(row, ctx.warningDays);
    await appendAuditEvent(trx, {
      entityType: "certification_type",
      entityId: row.id,
      organizationId,
      action: "created",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      after: view,
      occurredAt: ctx.clock(),
    });
    return view;
  });
}
