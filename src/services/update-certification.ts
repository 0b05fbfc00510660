import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { checkExpiresAfterIssued, checkRevocationReason } from "../domain/rules.js";
import { assertTransition, requestedStatusChange, type Status } from "../domain/status.js";
import { revocations } from "../observability/metrics.js";
import type { CertificationUpdate } from "../storage/schema.js";
import { applyChange, lockForChange } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { type CertificationView, etagOf } from "./views.js";

export interface UpdateInput {
  notes?: string | null | undefined;
  expiresAt?: Date | null | undefined;
  status?: Status | undefined;
  revocationReason?: string | null | undefined;
}

/**
 * PATCH (use case 9): notes, the expiry date, or a status. Status follows from the dates, so it
 * may only be set to `revoked` (with a reason) or to the value it already has.
 */
export async function updateCertification(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: UpdateInput,
  ifMatch?: string,
): Promise<{ certification: CertificationView; etag: string }> {
  // Set by the run that commits (a deadlock retry runs the callback again).
  let revoked = false;
  const answer = await inTransaction(ctx, async (trx) => {
    revoked = false;
    const locked = await lockForChange(ctx, trx, principal, id, ifMatch);
    const { record, status, now } = locked;
    const changes: CertificationUpdate = {};
    const actions: string[] = [];
    let reason: string | null = null;

    const revoke = input.status !== undefined && requestedStatusChange(status, input.status) === "revoke";
    if (input.expiresAt !== undefined && input.expiresAt?.getTime() !== record.expires_at?.getTime()) {
      assertTransition(status, "set_expiry");
      checkExpiresAfterIssued(record.issued_at, input.expiresAt);
      changes.expires_at = input.expiresAt;
      // A later expiry outside the window earns a fresh reminder when its window comes.
      const movedOut =
        input.expiresAt === null || input.expiresAt.getTime() > (record.expires_at?.getTime() ?? 0);
      if (movedOut) changes.expiry_warning_sent_at = null;
      actions.push("expiry_changed");
    }
    if (revoke) {
      if (principal.kind !== "user")
        throw new DomainError("forbidden", "Only a user can revoke a certification");
      reason = checkRevocationReason(input.revocationReason);
      changes.revoked_at = now;
      changes.revoked_by_user_id = principal.userId;
      changes.revocation_reason = reason;
      actions.push("revoked");
    } else if (input.revocationReason !== undefined && input.revocationReason !== null) {
      throw new DomainError("invalid_request", "revocation_reason goes with status: revoked", [
        { field: "revocation_reason", message: "only allowed together with status revoked" },
      ]);
    }
    if (input.notes !== undefined && input.notes !== record.notes) {
      assertTransition(status, "edit");
      changes.notes = input.notes;
      actions.push("notes_changed");
    }
    if (actions.length === 0) return { certification: locked.view, etag: etagOf(locked.view) };
    revoked = revoke;
    return applyChange(ctx, trx, principal, locked, {
      action: actions.join("+"),
      changes,
      reason,
      evaluateBadges: revoke,
    });
  });
  if (revoked) revocations.inc();
  return answer;
}
