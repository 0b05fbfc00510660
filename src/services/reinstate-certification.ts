import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { canReinstate } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import type { CertificationView } from "./views.js";

/**
 * Reinstate (use case 12): the one way back from revoked, for global admins only, with a reason
 * kept in the audit trail together with the revocation it undoes.
 */
export async function reinstateCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { reason?: string | null | undefined },
  ifMatch?: string,
): Promise<{ certification: CertificationView; etag: string }> {
  return inTransaction(ctx, async (trx) => {
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    if (!canReinstate(principal)) {
      throw new DomainError("forbidden", "Only a global admin can reinstate a revoked certification");
    }
    const reason = input.reason?.trim() ?? "";
    if (reason === "") {
      throw new DomainError("invalid_request", "Reinstating needs a reason", [
        { field: "reason", message: "must not be blank" },
      ]);
    }
    assertTransition(locked.status, "reinstate");
    return applyChange(ctx, trx, principal, locked, {
      action: "reinstated",
      reason,
      changes: { revoked_at: null, revoked_by_user_id: null, revocation_reason: null },
    });
  });
}
