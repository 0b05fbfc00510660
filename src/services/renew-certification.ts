import type { Principal } from "../domain/principal.js";
import { checkExpiresAfterIssued, defaultExpiry } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { findCertificationType } from "../storage/certification-types.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import type { CertificationView } from "./views.js";

/**
 * Renew (use case 10): an active, expiring or expired certification gets a new expiry, by default
 * the type's validity counted from now; the reminder is cleared so the next window warns again.
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
    let expiresAt = input.expiresAt;
    if (expiresAt === undefined) {
      const type = await findCertificationType(trx, locked.record.certification_type_id);
      expiresAt = defaultExpiry(locked.now, type?.validity_months ?? null);
    }
    checkExpiresAfterIssued(locked.record.issued_at, expiresAt);
    return applyChange(ctx, trx, principal, locked, {
      action: "renewed",
      changes: { expires_at: expiresAt, expiry_warning_sent_at: null },
    });
  });
}
