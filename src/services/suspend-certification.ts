import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { checkSuspensionReason } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { liftSuspension, openSuspension } from "../storage/suspensions.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import type { CertificationView } from "./views.js";

type Changed = Promise<{ certification: CertificationView; etag: string }>;

function userOf(principal: Principal): string {
  if (principal.kind !== "user") throw new DomainError("forbidden", "Only a user can suspend or unsuspend");
  return principal.userId;
}

/**
 * Suspend (use case 12a): a live certification stops giving access, keeps its dates and its live
 * place, and gets no reminder until the suspension is lifted. Coordinators and admins of the
 * organization and global admins, with a reason; a revoked, expired or suspended one is
 * valid_status_transition.
 */
export async function suspendCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { reason?: string | null | undefined },
  ifMatch?: string,
): Changed {
  return inTransaction(ctx, async (trx) => {
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    const userId = userOf(principal);
    const reason = checkSuspensionReason(input.reason, "Suspending");
    assertTransition(locked.status, "suspend");
    await openSuspension(trx, {
      certificationId: id,
      organizationId: locked.record.organization_id,
      at: locked.now,
      byUserId: userId,
      reason,
    });
    return applyChange(ctx, trx, principal, locked, {
      action: "suspended",
      reason,
      changes: {},
      suspended: true,
      evaluateBadges: true,
    });
  });
}

/**
 * Unsuspend (use case 12a): lifts the open suspension, with a reason; the status is again what the
 * dates give. One with no open suspension is valid_status_transition.
 */
export async function unsuspendCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { reason?: string | null | undefined },
  ifMatch?: string,
): Changed {
  return inTransaction(ctx, async (trx) => {
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    const userId = userOf(principal);
    const reason = checkSuspensionReason(input.reason, "Unsuspending");
    assertTransition(locked.status, "unsuspend");
    if (!locked.suspended) {
      throw new DomainError("valid_status_transition", "The certification is not suspended");
    }
    const lifted = await liftSuspension(trx, {
      certificationId: id,
      at: locked.now,
      byUserId: userId,
      reason,
    });
    // A reminder dropped while suspended is owed again: the sweep sends it if still in the window.
    const sentAt = locked.record.expiry_warning_sent_at;
    const owed = lifted !== undefined && sentAt !== null && sentAt.getTime() >= lifted.suspended_at.getTime();
    return applyChange(ctx, trx, principal, locked, {
      action: "unsuspended",
      reason,
      changes: owed ? { expiry_warning_sent_at: null } : {},
      suspended: false,
    });
  });
}
