import { forbidden, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { checkRevocationReason } from "../domain/rules.js";
import { canApply } from "../domain/status.js";
import { revocations } from "../observability/metrics.js";
import { lockCertification } from "../storage/certifications.js";
import { findOpenSuspension } from "../storage/suspensions.js";
import { applyChange, type LockedCertification } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { certificationView } from "./views.js";

export interface BulkRevokeItem {
  id: string;
  certificate_number: string | null;
  /** revoked (done), would_revoke (dry run), or the problem code that stops it. */
  outcome: "revoked" | "would_revoke" | "not_found" | "valid_status_transition";
  /** It can be (or was) revoked. */
  ok: boolean;
}

export interface BulkRevokeResult {
  dry_run: boolean;
  /** True when every id can be (or was) revoked; otherwise nothing was. */
  ok: boolean;
  revoked: number;
  items: BulkRevokeItem[];
}

/**
 * Use case 12b: revokes the selected certifications of one organization with one reason, all or
 * nothing. The rows are locked in id order (two bulk revokes of overlapping selections cannot
 * deadlock), each is checked, and only when every one can be revoked are they; a dry run checks
 * and writes nothing. An id of another organization, or unknown, is not_found.
 */
export async function bulkRevoke(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  input: { ids: readonly string[]; reason: string | null | undefined; dryRun: boolean },
): Promise<BulkRevokeResult> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId) || principal.kind !== "user") {
    throw forbidden("Only coordinators and admins of the organization revoke");
  }
  const reason = checkRevocationReason(input.reason);
  const ids = [...new Set(input.ids.map((id) => id.toLowerCase()))];
  const result = await inTransaction(ctx, async (trx): Promise<BulkRevokeResult> => {
    const now = ctx.clock();
    const checked = new Map<string, { item: BulkRevokeItem; locked?: LockedCertification }>();
    for (const id of [...ids].sort()) {
      const record = await lockCertification(trx, id);
      if (!record || record.organization_id !== organizationId) {
        checked.set(id, { item: { id, certificate_number: null, outcome: "not_found", ok: false } });
        continue;
      }
      const view = certificationView(record, now, ctx.warningDays);
      const revocable = view.status !== "revoked" && canApply(view.status, "revoke");
      checked.set(id, {
        item: {
          id,
          certificate_number: record.certificate_number,
          outcome: revocable ? (input.dryRun ? "would_revoke" : "revoked") : "valid_status_transition",
          ok: revocable,
        },
        locked: {
          record,
          view,
          status: view.status,
          suspended: record.status === "suspended" || (await findOpenSuspension(trx, id)) !== undefined,
          now,
        },
      });
    }
    const items = ids.map((id) => checked.get(id)?.item).filter((item) => item !== undefined);
    const ok = items.every((item) => item.ok);
    if (!ok || input.dryRun) return { dry_run: input.dryRun, ok, revoked: 0, items };
    for (const id of [...ids].sort()) {
      const locked = checked.get(id)?.locked;
      if (!locked) continue;
      await applyChange(ctx, trx, principal, locked, {
        action: "revoked",
        reason,
        evaluateBadges: true,
        changes: { revoked_at: now, revoked_by_user_id: principal.userId, revocation_reason: reason },
      });
    }
    return { dry_run: false, ok, revoked: items.length, items };
  });
  // Counted once committed, one per certification revoked; a dry run or a refused batch revoked none.
  if (result.revoked > 0) revocations.inc(result.revoked);
  return result;
}
