import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { checkRevocationReason } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { revocations } from "../observability/metrics.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import type { CertificationView } from "./views.js";

/** Revoke (use case 11): final, with a reason, by a coordinator or admin of the organization. */
export async function revokeCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { reason?: string | null | undefined },
  ifMatch?: string,
): Promise<{ certification: CertificationView; etag: string }> {
  const answer = await inTransaction(ctx, async (trx) => {
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    const reason = checkRevocationReason(input.reason);
    if (locked.status === "revoked") {
      throw new DomainError("valid_status_transition", "The certification is already revoked");
    }
    assertTransition(locked.status, "revoke");
    if (principal.kind !== "user")
      throw new DomainError("forbidden", "Only a user can revoke a certification");
    return applyChange(ctx, trx, principal, locked, {
      action: "revoked",
      reason,
      evaluateBadges: true,
      changes: { revoked_at: locked.now, revoked_by_user_id: principal.userId, revocation_reason: reason },
    });
  });
  revocations.inc();
  return answer;
}
