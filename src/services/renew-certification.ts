import type { Principal } from "../domain/principal.js";
import { checkExpiresAfterIssued, defaultExpiry } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { findCertificationType, forgetKeptWarningWindow } from "../storage/certification-types.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import type { CertificationView } from "./views.js";

/**
 * Renew (use case 10): an active, expiring or expired certification gets a new expiry, by default
 * the type's validity counted from the later of now and the current expiry, so renewing early
 * never loses time; the reminder is cleared so the next window warns again, and the warning window
 * is the type's of the day (one kept from before an edit of the type goes).
 */
export async function renewCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { expiresAt?: Date | null | undefined },
  ifMatch?: string,
): Promise<{ certification: CertificationView; etag: string }> {
  return inTransaction(ctx, async (trx) => {
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    assertTransition(locked.status, "renew");
    const type = await findCertificationType(trx, locked.record.certification_type_id);
    let expiresAt = input.expiresAt;
    if (expiresAt === undefined) {
      const current = locked.record.expires_at;
      const from = current !== null && current.getTime() > locked.now.getTime() ? current : locked.now;
      expiresAt = defaultExpiry(from, type?.validity_months ?? null);
    }
    checkExpiresAfterIssued(locked.record.issued_at, expiresAt);
    // Renewed on the type's terms of the day: its validity above, and its warning window.
    await forgetKeptWarningWindow(trx, id);
    const renewed = { ...locked.record, type_warning_days: type?.warning_days ?? null };
    return applyChange(
      ctx,
      trx,
      principal,
      { ...locked, record: renewed },
      {
        action: "renewed",
        changes: { expires_at: expiresAt, expiry_warning_sent_at: null },
      },
    );
  });
}
