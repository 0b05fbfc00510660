import { forbidden, notFound } from "../domain/errors.js";
import { actorName, actorUserId, type Principal } from "../domain/principal.js";
import { formatVerificationCode } from "../domain/verification-code.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findCertification } from "../storage/certifications.js";
import type { Queryable } from "../storage/database.js";
import { findVerificationCode, replaceVerificationCode } from "../storage/verification-codes.js";
import { canReadCertification } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";

/**
 * The holder and staff of the organization (global admins too) read and replace the code. Others
 * who may read the certification (services) may not; anyone else is told it does not exist.
 */
async function certificationForCode(db: Queryable, principal: Principal, id: string) {
  const record = await findCertification(db, id);
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  if (principal.kind === "service") {
    throw forbidden("Only the holder and staff of the organization read the verification code");
  }
  return record;
}

/** `GET /v1/certifications/{id}/verification-code`. */
export async function getVerificationCode(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<{ verification_code: string }> {
  await certificationForCode(ctx.db, principal, id);
  const code = await findVerificationCode(ctx.db, id);
  if (code === null) throw notFound("Verification code");
  return { verification_code: formatVerificationCode(code) };
}

/**
 * A new code for the certification: the old one, and every printout or QR code made with it,
 * stops verifying at once. Audited without either code.
 */
export async function replaceCertificationCode(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<{ verification_code: string }> {
  return inTransaction(ctx, async (trx) => {
    const record = await certificationForCode(trx, principal, id);
    const code = await replaceVerificationCode(trx, id);
    await appendAuditEvent(trx, {
      entityType: "certification",
      entityId: id,
      organizationId: record.organization_id,
      action: "verification_code_replaced",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      occurredAt: ctx.clock(),
    });
    return { verification_code: formatVerificationCode(code) };
  });
}

/** The public page a printout's QR code opens: the number with its code. */
export function verificationUrl(publicUrl: string, certificateNumber: string, code?: string): string {
  const base = `${publicUrl.replace(/\/+$/, "")}/verify/${encodeURIComponent(certificateNumber)}`;
  return code === undefined ? base : `${base}?code=${encodeURIComponent(code)}`;
}

/** The verification page's address with the code, for the holder's copy-link and on-screen QR code. */
export async function getVerificationLink(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  publicUrl: string,
): Promise<string> {
  const record = await certificationForCode(ctx.db, principal, id);
  const code = await findVerificationCode(ctx.db, id);
  if (code === null) throw notFound("Verification code");
  return verificationUrl(publicUrl, record.certificate_number, formatVerificationCode(code));
}
