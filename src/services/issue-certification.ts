import { liveAlready, planIssue } from "../domain/issue-plan.js";
import { actorName, actorUserId, type Principal } from "../domain/principal.js";
import type { Source } from "../domain/status.js";
import { issuances } from "../observability/metrics.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { expireLapsed, findCertification } from "../storage/certifications.js";
import type { Tx } from "../storage/database.js";
import { translateDatabaseError } from "../storage/errors.js";
import { IDEMPOTENCY_KEY_CONSTRAINT, type IdempotencyKeyRef } from "../storage/idempotency-keys.js";
import {
  type IssuanceFacts,
  type IssuanceWrite,
  loadIssuanceFacts,
  writeIssuance,
} from "../storage/issuance.js";
import { QUEUES } from "../storage/jobs.js";
import type { CertificationRow, CourseRegistrationRow } from "../storage/schema.js";
import { retryingConflicts, type ServiceContext } from "./context.js";
import {
  findReplay,
  type IdempotencyRequest,
  idempotencyKeyRef,
  replayStored,
  type StoredResponse,
} from "./idempotency.js";
import { type CertificationView, certificationView, etagOf } from "./views.js";

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

/** What a coordinator or admin gives for a manual grant. */
export interface GrantInput {
  organizationId: string;
  userId: string;
  certificationTypeId: string;
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
 * the badge evaluation written with it. Two statements (one read, one write), and more only when
 * a row of the user and type is stored as live past its date.
 */
export async function issueInTransaction(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  request: IssueRequest,
): Promise<IssuedCertification> {
  const now = ctx.clock();
  const facts = await loadIssuanceFacts(trx, factsQuery(request, now, null));
  const plan = planIssuance(ctx, principal, request, facts, now, null);
  if (facts.lapsed) await expireLapsedBeforeIssue(ctx, trx, plan);
  try {
    return issuedFrom(ctx, plan, await writeIssuance(trx, plan.write));
  } catch (error) {
    throw isLiveViolation(error) ? liveAlready() : error;
  }
}

/**
 * Manual grant by a coordinator or admin (use case 1): one certification on its own, by the same
 * rules as issueInTransaction. With an idempotency key, a repeat of the same request returns the
 * first answer and creates nothing.
 *
 * Two round trips and no explicit transaction: one read of everything the rules need (and of an
 * answer stored under the key), then the write as one statement, atomic by itself, that draws the
 * number and writes the certification, its audit event, its badge job and the answer under the
 * key together, holding the counter's lock only while it commits. Nothing is locked between the
 * read and the write, as nothing was between the reads and the writes of the READ COMMITTED
 * transaction this replaces; what can race is refused by the write: a second live certification
 * by the partial unique index, a second answer under the key by its primary key (a request
 * refused so while another under its key committed replays that one's answer). A row stored as
 * live past its date needs its expiry persisted before the insert: that rare case runs the
 * expiry and the write in one transaction.
 */
export async function grantCertification(
  ctx: ServiceContext,
  principal: Principal,
  input: GrantInput,
  idempotency?: IdempotencyRequest,
): Promise<IssuedCertification> {
  const request: IssueRequest = { ...input, source: "manual_grant", registration: null };
  const key = idempotency ? idempotencyKeyRef(principal, idempotency) : null;
  const now = ctx.clock();
  try {
    const facts = await loadIssuanceFacts(ctx.db, factsQuery(request, now, key));
    if (key && facts.stored) return replayed(replayStored<CertificationView>(key, facts.stored));
    const plan = planIssuance(ctx, principal, request, facts, now, key);
    const row = await retryingConflicts(() =>
      facts.lapsed
        ? ctx.db.transaction().execute(async (trx) => {
            await expireLapsedBeforeIssue(ctx, trx, plan);
            return writeIssuance(trx, plan.write);
          })
        : writeIssuance(ctx.db, plan.write),
    );
    issuances.inc({ source: request.source });
    return issuedFrom(ctx, plan, row);
  } catch (error) {
    // Another request under the same key committed first: its answer is this one's.
    if (key && isUniqueViolation(error)) {
      const replay = await findReplay<CertificationView>(ctx.db, key);
      if (replay) return replayed(replay);
    }
    throw isLiveViolation(error) ? liveAlready() : translateDatabaseError(error);
  }
}

interface IssuancePlan {
  write: IssuanceWrite;
  typeWarningDays: number | null;
  now: Date;
}

function factsQuery(request: IssueRequest, now: Date, key: IdempotencyKeyRef | null) {
  return {
    organizationId: request.organizationId,
    certificationTypeId: request.certificationTypeId,
    userId: request.userId,
    now,
    idempotency: key,
  };
}

/** planIssue over the facts of the one read, and the write that follows from it. */
function planIssuance(
  ctx: ServiceContext,
  principal: Principal,
  request: IssueRequest,
  facts: IssuanceFacts,
  now: Date,
  key: IdempotencyKeyRef | null,
): IssuancePlan {
  const plan = planIssue(
    principal,
    request,
    {
      organization: facts.organization,
      type: facts.type,
      holderIsMember: facts.memberUserId !== null,
      liveOther: facts.liveOther,
    },
    now,
    ctx.warningDays,
  );
  const { organization, type } = plan;
  return {
    write: {
      certification: {
        user_id: facts.memberUserId ?? request.userId,
        certification_type_id: type.id,
        organization_id: organization.id,
        status: plan.status,
        issued_at: plan.issuedAt,
        expires_at: plan.expiresAt,
        issued_by_user_id: actorUserId(principal),
        source: request.source,
        course_registration_id: request.registration?.id ?? null,
        notes: request.notes ?? null,
      },
      counter: { prefix: organization.prefix, year: plan.year },
      audit: { actorUserId: actorUserId(principal), actor: actorName(principal), occurredAt: now },
      job: { queue: QUEUES.badgeEvaluation, runAt: now },
      idempotency: key,
    },
    typeWarningDays: type.warning_days,
    now,
  };
}

async function expireLapsedBeforeIssue(ctx: ServiceContext, trx: Tx, plan: IssuancePlan): Promise<void> {
  const { user_id, certification_type_id } = plan.write.certification;
  await expireLapsedWithAudit(ctx, trx, user_id, certification_type_id, plan.now);
}

function issuedFrom(ctx: ServiceContext, plan: IssuancePlan, row: CertificationRow): IssuedCertification {
  const view = certificationView(
    { ...row, type_warning_days: plan.typeWarningDays },
    plan.now,
    ctx.warningDays,
  );
  return { certification: view, etag: etagOf(view), statusCode: 201 };
}

function replayed(replay: StoredResponse<CertificationView>): IssuedCertification {
  return { certification: replay.body, etag: etagOf(replay.body), statusCode: replay.statusCode };
}

function uniqueViolationOf(error: unknown): string | null {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === "23505" && typeof constraint === "string" ? constraint : null;
}

/** The partial unique index one_active_cert_per_user_per_type refused the insert. */
function isLiveViolation(error: unknown): boolean {
  return uniqueViolationOf(error) === "one_active_cert_per_user_per_type";
}

/** A refusal that a concurrent request under the same idempotency key can cause. */
function isUniqueViolation(error: unknown): boolean {
  const constraint = uniqueViolationOf(error);
  return constraint === "one_active_cert_per_user_per_type" || constraint === IDEMPOTENCY_KEY_CONSTRAINT;
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
