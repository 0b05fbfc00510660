import { DomainError, forbidden, notFound } from "../domain/errors.js";
import { actorName, actorUserId, isStaff, type Principal } from "../domain/principal.js";
import { effectiveStatus, grantsAccess, holdsLivePlace, type Status } from "../domain/status.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import {
  type CertificationRecord,
  findLiveOther,
  lockCertification,
  updateCertification,
} from "../storage/certifications.js";
import type { Tx } from "../storage/database.js";
import { enqueueJob, QUEUES } from "../storage/jobs.js";
import type { CertificationUpdate } from "../storage/schema.js";
import { findOpenSuspension } from "../storage/suspensions.js";
import type { ServiceContext } from "./context.js";
import { expireLapsedWithAudit } from "./issue-certification.js";
import { type CertificationView, certificationView, etagOf, warningDaysOf } from "./views.js";

/**
 * tenant_isolation for one record: the holder, staff of its organization, global admins, the
 * system and services may read it. Anyone else is told it does not exist.
 */
export function canReadCertification(
  principal: Principal,
  record: { user_id: string; organization_id: string },
) {
  if (principal.kind !== "user") return true;
  return principal.userId === record.user_id || isStaff(principal, record.organization_id);
}

export interface LockedCertification {
  record: CertificationRecord;
  view: CertificationView;
  status: Status;
  /** A suspension of it is open (its status then reads suspended unless revoked or expired). */
  suspended: boolean;
  now: Date;
}

/**
 * Locks a certification for a change by staff: not found when the caller cannot see it,
 * forbidden when it can but may not change it, precondition_failed when `ifMatch` is stale.
 */
export async function lockForChange(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  id: string,
  ifMatch: string | undefined,
): Promise<LockedCertification> {
  const record = await lockCertification(trx, id);
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  if (!isStaff(principal, record.organization_id) || principal.kind === "service") {
    throw forbidden("Only coordinators and admins of the organization can change a certification");
  }
  const now = ctx.clock();
  const view = certificationView(record, now, ctx.warningDays);
  if (ifMatch !== undefined && !matchesEtag(ifMatch, etagOf(view))) {
    throw new DomainError(
      "precondition_failed",
      "The certification has changed since it was read (If-Match)",
    );
  }
  const suspended = record.status === "suspended" || (await findOpenSuspension(trx, id)) !== undefined;
  return { record, view, status: view.status, suspended, now };
}

function matchesEtag(ifMatch: string, etag: string): boolean {
  return ifMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

export interface Change {
  action: string;
  changes: CertificationUpdate;
  reason?: string | null;
  /** Whether a suspension is open after the change; unchanged when absent. */
  suspended?: boolean;
  /** Re-evaluate the holder's badges even if access did not change (revoke, suspend). */
  evaluateBadges?: boolean;
}

/**
 * Writes a change and its audit event. The persisted status follows the new dates; a change that
 * makes the record live again is refused while another live one of the type exists.
 */
export async function applyChange(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  locked: LockedCertification,
  change: Change,
): Promise<{ certification: CertificationView; etag: string }> {
  const { record, now } = locked;
  const suspended = change.suspended ?? locked.suspended;
  const next = { ...record, ...change.changes } as CertificationRecord;
  const status = effectiveStatus(
    { ...next, status: suspended ? "suspended" : undefined },
    warningDaysOf(record, ctx.warningDays),
    now,
  );
  if (holdsLivePlace(status) && !holdsLivePlace(locked.status)) {
    if (await findLiveOther(trx, record.user_id, record.certification_type_id, now, record.id)) {
      throw new DomainError(
        "one_active_cert_per_user_per_type",
        "The user holds another live certification of this type",
      );
    }
    // Another row may still be stored as live after its date has passed; the partial unique
    // index would refuse this one next to it.
    await expireLapsedWithAudit(ctx, trx, record.user_id, record.certification_type_id, now, record.id);
  }
  const updated = await updateCertification(trx, record.id, { ...change.changes, status });
  const view = certificationView(
    { ...updated, type_warning_days: record.type_warning_days },
    now,
    ctx.warningDays,
  );
  await appendAuditEvent(trx, {
    entityType: "certification",
    entityId: record.id,
    organizationId: record.organization_id,
    action: change.action,
    actorUserId: actorUserId(principal),
    actor: actorName(principal),
    reason: change.reason ?? null,
    before: locked.view,
    after: view,
    occurredAt: now,
  });
  // Badges follow access: re-evaluated when a change gives it or takes it away.
  if (change.evaluateBadges === true || grantsAccess(locked.status) !== grantsAccess(status)) {
    await enqueueJob(trx, {
      queue: QUEUES.badgeEvaluation,
      payload: { user_id: record.user_id, certification_id: record.id, reason: change.action },
      runAt: now,
    });
  }
  return { certification: view, etag: etagOf(view) };
}
