import { sql } from "kysely";
import { certificationJsonSql, lapsedSql, liveByDatesSql } from "./certification-sql.js";
import type { Queryable } from "./database.js";
import type { IdempotencyKeyRef, StoredIdempotencyKey } from "./idempotency-keys.js";
import type { QueueName } from "./jobs.js";
import type { CertificationRow, CertificationSource, CertificationStatus } from "./schema.js";

/**
 * The statements of one issuance: one read of everything the rules need, then one write of
 * everything an issuance leaves behind. An issuance costs two round trips, plus only what a rare
 * case needs (persisting the expiry of a lapsed row, replaying a stored answer after a race).
 */

export interface IssuanceFacts {
  organization: { id: string; prefix: string; time_zone: string } | null;
  type: {
    id: string;
    organization_id: string | null;
    validity_months: number | null;
    warning_days: number | null;
  } | null;
  /** The holder's id as stored, when they are a member of the organization. */
  memberUserId: string | null;
  /** The holder has a certification of the type that is live by its dates at `now` (whatever its stored status). */
  liveOther: boolean;
  /** The holder has a certification of the type stored as live whose expiry date has come. */
  lapsed: boolean;
  /** What is stored under the idempotency key, when one was given and is taken. */
  stored: StoredIdempotencyKey | null;
}

interface FactsRow {
  organization_id: string | null;
  prefix: string | null;
  time_zone: string | null;
  type_id: string | null;
  type_organization_id: string | null;
  validity_months: number | null;
  warning_days: number | null;
  member_user_id: string | null;
  live_other: boolean;
  lapsed: boolean;
  request_hash: string | null;
  status_code: number | null;
  response: unknown;
}

/**
 * In one round trip: the organization, the type, the holder's membership, whether the holder
 * already has a live certification of the type (by the dates, so that a row stored as expired
 * whose dates say live still counts) or one stored as live whose date has passed, and what is
 * stored under the idempotency key. Takes no locks: the write re-checks what can race (the
 * partial unique index refuses a second live row, the key's primary key a second answer).
 */
export async function loadIssuanceFacts(
  db: Queryable,
  input: {
    organizationId: string;
    certificationTypeId: string;
    userId: string;
    now: Date;
    idempotency: IdempotencyKeyRef | null;
  },
): Promise<IssuanceFacts> {
  const { organizationId, certificationTypeId, userId, now, idempotency } = input;
  const keyColumns = idempotency
    ? sql`k.request_hash, k.status_code, k.response`
    : sql`null::text as request_hash, null::integer as status_code, null::jsonb as response`;
  const keyJoin = idempotency
    ? sql`left join idempotency_keys k on k.principal = ${idempotency.principal} and k.key = ${idempotency.key}`
    : sql``;
  const result = await sql<FactsRow>`
    select o.id as organization_id, o.prefix, o.time_zone,
      t.id as type_id, t.organization_id as type_organization_id, t.validity_months, t.warning_days,
      m.user_id as member_user_id,
      h.live_other, h.lapsed,
      ${keyColumns}
    from (values (1)) as one (x)
    left join organizations o on o.id = ${organizationId}
    left join certification_types t on t.id = ${certificationTypeId}
    left join memberships m on m.organization_id = o.id and m.user_id = ${userId}
    ${keyJoin}
    cross join lateral (
      select
        coalesce(bool_or(${liveByDatesSql("c", now)}), false) as live_other,
        coalesce(bool_or(${lapsedSql("c", now)}), false) as lapsed
      from certifications c
      where c.user_id = ${userId} and c.certification_type_id = ${certificationTypeId}
    ) h`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error("the issuance facts query returned no row");
  return {
    organization:
      row.organization_id !== null && row.prefix !== null && row.time_zone !== null
        ? { id: row.organization_id, prefix: row.prefix, time_zone: row.time_zone }
        : null,
    type:
      row.type_id !== null
        ? {
            id: row.type_id,
            organization_id: row.type_organization_id,
            validity_months: row.validity_months,
            warning_days: row.warning_days,
          }
        : null,
    memberUserId: row.member_user_id,
    liveOther: row.live_other,
    lapsed: row.lapsed,
    stored:
      row.request_hash !== null && row.status_code !== null
        ? { requestHash: row.request_hash, statusCode: row.status_code, response: row.response }
        : null,
  };
}

export interface IssuanceWrite {
  certification: {
    user_id: string;
    certification_type_id: string;
    organization_id: string;
    status: CertificationStatus;
    issued_at: Date;
    expires_at: Date | null;
    issued_by_user_id: string | null;
    source: CertificationSource;
    course_registration_id: string | null;
    notes: string | null;
  };
  /** The counter the number is drawn from: the organization's prefix and the year of issue. */
  counter: { prefix: string; year: number };
  audit: { actorUserId: string | null; actor: string; occurredAt: Date };
  job: { queue: QueueName; runAt: Date };
  /** Stores `view` as the answer (201) under this key; a key already taken fails the statement. */
  idempotency: IdempotencyKeyRef | null;
}

/**
 * The whole issuance in one statement: draws the next number of the counter, inserts the
 * certification with it, its audit event, the badge evaluation job and, with a key, the stored
 * answer (the certification's JSON, built by the database from the inserted row). The counter row is locked last thing before the insert, and (outside an explicit
 * transaction) only until this statement commits. Any refusal (the partial unique index
 * one_active_cert_per_user_per_type, a taken idempotency key, a trigger) undoes all of it, the
 * counter's increment included, so numbers stay gapless.
 *
 * The number is `{PREFIX}-{YEAR}-{SEQUENCE}`, the sequence zero-padded to at least 5 digits, as
 * domain/certificate-number.ts formatCertificateNumber (the check constraint
 * certificate_number_format holds it too).
 */
export async function writeIssuance(db: Queryable, write: IssuanceWrite): Promise<CertificationRow> {
  const c = write.certification;
  const numberPrefix = `${write.counter.prefix}-${write.counter.year}-`;
  const storeAnswer = write.idempotency
    ? sql`, answer as (
        insert into idempotency_keys (principal, key, request_hash, status_code, resource_id, response)
        select ${write.idempotency.principal}::text, ${write.idempotency.key}::text,
          ${write.idempotency.requestHash}::text, 201, b.id, b.view
        from body b)`
    : sql``;
  const result = await sql<CertificationRow>`
    with counter as (
      insert into certificate_counters (prefix, year, last_value)
      values (${write.counter.prefix}, ${write.counter.year}, 1)
      on conflict (prefix, year) do update set last_value = certificate_counters.last_value + 1
      returning last_value
    ), cert as (
      insert into certifications (user_id, certification_type_id, organization_id, certificate_number,
        status, issued_at, expires_at, issued_by_user_id, source, course_registration_id, notes)
      select ${c.user_id}::uuid, ${c.certification_type_id}::uuid, ${c.organization_id}::uuid,
        ${numberPrefix}::text || lpad(n.last_value::text, greatest(5, length(n.last_value::text)), '0'),
        ${c.status}::certification_status, ${c.issued_at}::timestamptz, ${c.expires_at}::timestamptz,
        ${c.issued_by_user_id}::uuid, ${c.source}::certification_source, ${c.course_registration_id}::uuid,
        ${c.notes}::text
      from counter n
      returning *
    ), body as (
      select cert.id, ${certificationJsonSql("cert")} as view
      from cert
    ), audit as (
      insert into audit_events (entity_type, entity_id, organization_id, action, actor_user_id, actor,
        reason, before, after, occurred_at)
      select 'certification', b.id, ${c.organization_id}::uuid, 'issued', ${write.audit.actorUserId}::uuid,
        ${write.audit.actor}::text, null, 'null'::jsonb, b.view, ${write.audit.occurredAt}::timestamptz
      from body b
    ), job as (
      insert into jobs (queue, payload, run_at)
      select ${write.job.queue}::text,
        jsonb_build_object('user_id', cert.user_id, 'certification_id', cert.id, 'reason', 'issued'),
        ${write.job.runAt}::timestamptz
      from cert
    )${storeAnswer}
    select * from cert`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error("the issuing statement inserted no certification");
  return row;
}
