import { formatCertificateNumber, yearIn } from "../domain/certificate-number.js";
import { DomainError, notFound } from "../domain/errors.js";
import { actorName, actorUserId, canSeeOrganization, type Principal } from "../domain/principal.js";
import {
  checkExpiresAfterIssued,
  checkIssuedByRole,
  checkIssuedNotInFuture,
  checkOrganizationScopedType,
  checkSourceConsistency,
  defaultExpiry,
} from "../domain/rules.js";
import { effectiveStatus, isLive, type Source } from "../domain/status.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findCertificationType } from "../storage/certification-types.js";
import {
  expireLapsed,
  findCertification,
  findLiveOther,
  insertCertification,
  nextSequence,
} from "../storage/certifications.js";
import type { Tx } from "../storage/database.js";
import { enqueueJob } from "../storage/jobs.js";
import { findOrganization } from "../storage/organizations.js";
import type { CourseRegistrationRow } from "../storage/schema.js";
import { findMembership } from "../storage/users.js";
import type { ServiceContext } from "./context.js";
import { type CertificationView, certificationView, etagOf } from "./views.js";

export const BADGE_EVALUATION_QUEUE = "badge-evaluation";

export interface IssueRequest {
  organizationId: string;
  userId: string;
  certificationTypeId: string;
  source: Source;
  registration: CourseRegistrationRow | null;
  issuedAt?: Date | undefined;
  /** undefined: the type's validity from issue; null: a lifetime certification. */
  expiresAt?: Date | null | undefined;
  notes?: string | null | undefined;
}

export interface IssuedCertification {
  certification: CertificationView;
  etag: string;
  /** 201 for a new certification, 200 for one that already existed, or the replayed answer's. */
  statusCode: number;
}

/**
 * Issues one certification inside the caller's transaction: every seed rule checked, a stale
 * live row of the same user and type expired first, a gapless number drawn, the audit event and
 * the badge evaluation written with it.
 */
export async function issueInTransaction(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  request: IssueRequest,
): Promise<IssuedCertification> {
  const now = ctx.clock();
  const organization = await findOrganization(trx, request.organizationId);
  if (!organization || !canSeeOrganization(principal, organization.id)) throw notFound("Organization");
  if (request.source === "manual_grant") checkIssuedByRole(principal, organization.id);

  const type = await findCertificationType(trx, request.certificationTypeId);
  if (!type) throw notFound("Certification type");
  checkOrganizationScopedType(type.organization_id, organization.id);

  const membership = await findMembership(trx, organization.id, request.userId);
  if (!membership) throw notFound("User in this organization");

  checkSourceConsistency(
    request.source,
    { userId: request.userId, organizationId: organization.id },
    request.registration,
  );

  const issuedAt = request.issuedAt ?? now;
  checkIssuedNotInFuture(issuedAt, now);
  const expiresAt =
    request.expiresAt === undefined ? defaultExpiry(issuedAt, type.validity_months) : request.expiresAt;
  checkExpiresAfterIssued(issuedAt, expiresAt);

  const warningDays = type.warning_days ?? ctx.warningDays;
  const status = effectiveStatus({ revoked_at: null, expires_at: expiresAt }, warningDays, now);
  await expireLapsedWithAudit(ctx, trx, request.userId, type.id, now);
  if (isLive(status) && (await findLiveOther(trx, request.userId, type.id, now, null))) {
    throw new DomainError(
      "one_active_cert_per_user_per_type",
      "The user already holds a live certification of this type; renew it instead",
    );
  }

  const year = yearIn(issuedAt, organization.time_zone);
  const sequence = await nextSequence(trx, organization.prefix, year);
  const inserted = await insertCertification(trx, {
    user_id: request.userId,
    certification_type_id: type.id,
    organization_id: organization.id,
    certificate_number: formatCertificateNumber({ prefix: organization.prefix, year, sequence }),
    status,
    issued_at: issuedAt,
    expires_at: expiresAt,
    issued_by_user_id: actorUserId(principal),
    source: request.source,
    course_registration_id: request.registration?.id ?? null,
    notes: request.notes ?? null,
  });
  const view = certificationView({ ...inserted, type_warning_days: type.warning_days }, now, ctx.warningDays);

  await appendAuditEvent(trx, {
    entityType: "certification",
    entityId: inserted.id,
    organizationId: organization.id,
    action: "issued",
    actorUserId: actorUserId(principal),
    actor: actorName(principal),
    before: null,
    after: view,
    occurredAt: now,
  });
  await enqueueJob(trx, {
    queue: BADGE_EVALUATION_QUEUE,
    payload: { user_id: request.userId, certification_id: inserted.id, reason: "issued" },
    runAt: now,
  });
  return { certification: view, etag: etagOf(view), statusCode: 201 };
}

/**
 * Persists the expiry of the user's certifications of a type that are stored as live but whose
 * date has passed, each with its audit event, so that the partial unique index lets a new live
 * one in (an issuance, or a renewal or reinstatement of another row). `exceptId` is the row the
 * caller is about to change itself and audits on its own.
 */
export async function expireLapsedWithAudit(
  ctx: ServiceContext,
  trx: Tx,
  userId: string,
  typeId: string,
  now: Date,
  exceptId: string | null = null,
): Promise<void> {
  const lapsed = await expireLapsed(trx, userId, typeId, now);
  for (const id of lapsed) {
    if (id === exceptId) continue;
    const record = await findCertification(trx, id);
    if (record) {
      await appendAuditEvent(trx, {
        entityType: "certification",
        entityId: id,
        organizationId: record.organization_id,
        action: "expired",
        actorUserId: null,
        actor: "system:issue",
        after: certificationView(record, now, ctx.warningDays),
        occurredAt: now,
      });
    }
  }
}
