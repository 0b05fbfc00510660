import { parseCertificateNumber } from "../domain/certificate-number.js";
import { notFound } from "../domain/errors.js";
import { holderInitials, namesMatch } from "../domain/rules.js";
import { effectiveStatus, grantsAccess, type Status } from "../domain/status.js";
import type { ServiceContext } from "./context.js";

export interface Verification {
  certificate_number: string;
  valid: boolean;
  status: Status;
  certification_type: { id: string; name: string };
  organization: { id: string; name: string; prefix: string };
  holder_initials: string;
  issued_at: string;
  expires_at: string | null;
  name_matches?: boolean;
}

/**
 * Public verification (use case 14), for anyone holding a number: whether it is valid now, and
 * only the minimal facts. The holder is shown by initials; a claimed name can be checked
 * without being revealed.
 */
export async function verifyCertificate(
  ctx: ServiceContext,
  certificateNumber: string,
  claimedName?: string,
): Promise<Verification> {
  parseCertificateNumber(certificateNumber);
  const row = await ctx.db
    .selectFrom("certifications as c")
    .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
    .innerJoin("organizations as o", "o.id", "c.organization_id")
    .innerJoin("users as u", "u.id", "c.user_id")
    .select([
      "c.certificate_number",
      "c.revoked_at",
      "c.status",
      "c.issued_at",
      "c.expires_at",
      "t.id as type_id",
      "t.name as type_name",
      "t.warning_days",
      "o.id as organization_id",
      "o.name as organization_name",
      "o.prefix",
      "u.display_name",
    ])
    .where("c.certificate_number", "=", certificateNumber)
    .executeTakeFirst();
  if (!row) throw notFound("Certificate");
  const status = effectiveStatus(row, row.warning_days ?? ctx.warningDays, ctx.clock());
  return {
    certificate_number: row.certificate_number,
    valid: grantsAccess(status),
    status,
    certification_type: { id: row.type_id, name: row.type_name },
    organization: { id: row.organization_id, name: row.organization_name, prefix: row.prefix },
    holder_initials: holderInitials(row.display_name),
    issued_at: row.issued_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    ...(claimedName !== undefined ? { name_matches: namesMatch(row.display_name, claimedName) } : {}),
  };
}
