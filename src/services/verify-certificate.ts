import { parseCertificateNumber } from "../domain/certificate-number.js";
import { DomainError, notFound } from "../domain/errors.js";
import { holderInitials, namesMatch } from "../domain/rules.js";
import { effectiveStatus, grantsAccess, type Status } from "../domain/status.js";
import { verificationCodeMatches } from "../domain/verification-code.js";
import { findForVerification, type VerificationRecord } from "../storage/verification-codes.js";
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
  checked_at: string;
  name_matches?: boolean;
}

/** The one answer for a missing code, a wrong code and a number that does not exist. */
export const NOT_VERIFIED_MESSAGE = "No certificate with this number and verification code";

/** The verification facts of a record at `now`. */
export function verificationOf(
  ctx: ServiceContext,
  record: VerificationRecord,
  now: Date,
  claimedName?: string,
): Verification {
  const status = effectiveStatus(record, record.warning_days ?? ctx.warningDays, now);
  return {
    certificate_number: record.certificate_number,
    valid: grantsAccess(status),
    status,
    certification_type: { id: record.type_id, name: record.type_name },
    organization: { id: record.organization_id, name: record.organization_name, prefix: record.prefix },
    holder_initials: holderInitials(record.display_name),
    issued_at: record.issued_at.toISOString(),
    expires_at: record.expires_at?.toISOString() ?? null,
    checked_at: now.toISOString(),
    ...(claimedName !== undefined ? { name_matches: namesMatch(record.display_name, claimedName) } : {}),
  };
}

/**
 * Public verification (use case 14), for anyone holding the number and its verification code:
 * whether it is valid now, and only the minimal facts. The holder is shown by initials; a
 * claimed name can be checked without being revealed.
 *
 * Without the code, with a wrong one, or for a number that does not exist, the answer is the
 * same not_found, reached by the same work: the lookup always runs (one row either way) and the
 * codes are always compared, in constant time, so neither the answer nor its time tells whether
 * the number exists.
 */
export async function verifyCertificate(
  ctx: ServiceContext,
  certificateNumber: string,
  code: string | undefined,
  claimedName?: string,
): Promise<Verification> {
  parseCertificateNumber(certificateNumber);
  const record = await findForVerification(ctx.db, certificateNumber);
  const matches = verificationCodeMatches(record?.code ?? null, code);
  if (!record || !matches) throw new DomainError("not_found", NOT_VERIFIED_MESSAGE);
  return verificationOf(ctx, record, ctx.clock(), claimedName);
}

/**
 * The operator's look-up (`certsvc verify`), by number alone: whoever runs the command can read
 * the database anyway.
 */
export async function inspectCertificate(
  ctx: ServiceContext,
  certificateNumber: string,
  claimedName?: string,
): Promise<Verification> {
  parseCertificateNumber(certificateNumber);
  const record = await findForVerification(ctx.db, certificateNumber);
  if (!record) throw notFound("Certificate");
  return verificationOf(ctx, record, ctx.clock(), claimedName);
}
