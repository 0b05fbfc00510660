import { sql } from "kysely";
import {
  certificationJsonSql,
  isoSql,
  storedLiveSql,
  storedSuspendedSql,
  warningWindowSql,
} from "./certification-sql.js";
import type { Db } from "./database.js";
import { QUEUES } from "./jobs.js";

export const EXPIRING_SOON_NOTIFICATION = "certification.expiring_soon";

export interface SweepBatchInput {
  now: Date;
  defaultWarningDays: number;
  /**
   * From sweepHorizon, for the same `now` and default: no live row expiring after it is inside any
   * window, so past it only an `expiring_soon` row (a window that shrank) can be due.
   */
  horizon: Date;
  batchSize: number;
  /** Keyset position: only rows after this (expires_at, id) in expiry order. */
  after: { expiresAt: Date; id: string } | null;
  notifyMaxAttempts: number;
  actor: string;
}

export interface SweepBatchResult {
  /** Rows this batch locked and changed. */
  changed: number;
  expired: number;
  expiringSoon: number;
  backToActive: number;
  notificationsEnqueued: number;
  /** Where the next batch starts; null when this batch found nothing. */
  last: { expiresAt: Date; id: string } | null;
}

/**
 * `now` plus the largest warning window (a type's, a kept one, or the default if larger): the end
 * of the expiry range the sweep has to read. Same arithmetic as each row's own window in
 * sweepBatch, so every row inside its window expires at or before this.
 */
export async function sweepHorizon(db: Db, now: Date, defaultWarningDays: number): Promise<Date> {
  const result = await sql<{ horizon: Date }>`
    select ${now}::timestamptz + make_interval(hours => 24 * greatest(
        (select max(warning_days) from certification_types),
        (select max(warning_days) from certification_warning_windows),
        ${defaultWarningDays}::int)) as horizon`.execute(db);
  const horizon = result.rows[0]?.horizon;
  if (!horizon) throw new Error("the sweep horizon query returned no row");
  return new Date(horizon);
}

/**
 * One batch of the expiry sweep, as ONE statement, hence one short transaction:
 *  - picks up to `batchSize` live certifications whose persisted state is behind their dates, in
 *    expiry order after the keyset position, locking them with SKIP LOCKED (a concurrent sweep
 *    takes other rows, a user's change in flight is left for the next sweep). Two range scans,
 *    both in (expires_at, id) order, the second taking what the first leaves of the batch:
 *    live rows expiring up to the horizon (idx_certification_live_expires), then `expiring_soon`
 *    rows past it, all of them outside their window (idx_certification_expiring_soon_expires);
 *  - persists `expired`, `expiring_soon`, or `active` (a window that shrank);
 *  - for each one newly inside its window with no reminder yet, sets expiry_warning_sent_at and
 *    enqueues the notification, whose singleton key names the certification and its expiry date so
 *    that no replay can send a second one for the same date;
 *  - enqueues a badge re-evaluation for each expiry, and appends one audit event per change.
 * Either all of that commits or none of it: a crash at any point loses nothing and doubles nothing.
 * Each row's own window decides what is written, whatever the horizon: a stale horizon (a type's
 * window widened during a run) leaves that type's newly due rows to the next run, nothing worse.
 */
export async function sweepBatch(db: Db, input: SweepBatchInput): Promise<SweepBatchResult> {
  const { now, defaultWarningDays, horizon } = input;
  const afterExpires = input.after?.expiresAt ?? null;
  const afterId = input.after?.id ?? null;
  // The end of this row's own warning window.
  const windowEnd = sql`(${now}::timestamptz + ${warningWindowSql("c", "t", defaultWarningDays)})`;
  const afterPosition = sql`(${afterExpires}::timestamptz is null
    or (c.expires_at, c.id) > (${afterExpires}::timestamptz, ${afterId}::uuid))`;
  // A suspended row is only ever due for its expiry: no window, no reminder while suspended.
  const picked = sql`c.id, c.status as old_status, c.expires_at,
    case
      when c.expires_at <= ${now}::timestamptz then 'expired'
      when ${storedSuspendedSql("c")} then 'suspended'
      when c.expires_at <= ${windowEnd} then 'expiring_soon'
      else 'active'
    end::certification_status as new_status,
    (c.expires_at > ${now}::timestamptz and c.expiry_warning_sent_at is null
      and not ${storedSuspendedSql("c")} and c.expires_at <= ${windowEnd}) as notify`;
  const result = await sql<{
    changed: number;
    expired: number;
    expiring_soon: number;
    back_to_active: number;
    notifications: number;
    last_expires_at: Date | null;
    last_id: string | null;
  }>`
    with in_range as materialized (
      select ${picked}
      from certifications c
      join certification_types t on t.id = c.certification_type_id
      where ${storedLiveSql("c")} and c.expires_at is not null and c.revoked_at is null
        and c.expires_at <= ${horizon}::timestamptz
        and ${afterPosition}
        and (
          c.expires_at <= ${now}::timestamptz
          or (c.expires_at <= ${windowEnd} and not ${storedSuspendedSql("c")}
              and (c.status = 'active' or c.expiry_warning_sent_at is null))
          or (c.status = 'expiring_soon' and c.expires_at > ${windowEnd}))
      order by c.expires_at, c.id
      limit ${input.batchSize}::int
      for update of c skip locked
    ),
    past_range as materialized (
      select ${picked}
      from certifications c
      join certification_types t on t.id = c.certification_type_id
      where c.status = 'expiring_soon' and c.revoked_at is null
        and c.expires_at > ${horizon}::timestamptz
        and ${afterPosition}
        and c.expires_at > ${windowEnd}
      order by c.expires_at, c.id
      limit greatest(0, ${input.batchSize}::int - (select count(*) from in_range))
      for update of c skip locked
    ),
    due as (
      select * from in_range
      union all
      select * from past_range
    ),
    changed as (
      update certifications c set
        status = due.new_status,
        expiry_warning_sent_at = case when due.notify then ${now}::timestamptz else c.expiry_warning_sent_at end
      from due
      where c.id = due.id
      returning c.*, due.old_status, due.notify
    ),
    notifications as (
      insert into jobs (queue, payload, singleton_key, max_attempts, run_at)
      select ${QUEUES.notification}::text,
        jsonb_build_object(
          'type', ${EXPIRING_SOON_NOTIFICATION}::text,
          'occurred_at', ${now.toISOString()}::text,
          'organization_id', organization_id,
          'user_id', user_id,
          'certification_id', id,
          'certificate_number', certificate_number,
          'certification_type_id', certification_type_id,
          'expires_at', ${isoSql("expires_at")}),
        'expiring_soon:' || id || ':' || (extract(epoch from expires_at) * 1000)::bigint,
        ${input.notifyMaxAttempts}::int, ${now}::timestamptz
      from changed where notify
      on conflict (queue, singleton_key) where singleton_key is not null do nothing
      returning 1
    ),
    badges as (
      insert into jobs (queue, payload, run_at)
      select ${QUEUES.badgeEvaluation}::text,
        jsonb_build_object('user_id', user_id, 'certification_id', id, 'reason', 'expired'),
        ${now}::timestamptz
      from changed where status = 'expired'
      returning 1
    ),
    -- Not read below: PostgreSQL runs every data-modifying WITH to completion all the same.
    audit as (
      insert into audit_events
        (entity_type, entity_id, organization_id, action, actor_user_id, actor, before, after, occurred_at)
      select 'certification', id, organization_id, status::text, null, ${input.actor}::text,
        jsonb_build_object('status', old_status),
        ${certificationJsonSql("changed")},
        ${now}::timestamptz
      from changed where status <> old_status
      returning 1
    )
    select
      (select count(*) from changed)::int as changed,
      (select count(*) from changed where status = 'expired' and old_status <> 'expired')::int as expired,
      (select count(*) from changed where status = 'expiring_soon' and old_status <> 'expiring_soon')::int
        as expiring_soon,
      (select count(*) from changed where status = 'active' and old_status <> 'active')::int as back_to_active,
      (select count(*) from notifications)::int as notifications,
      (select expires_at from due order by expires_at desc, id desc limit 1) as last_expires_at,
      (select id from due order by expires_at desc, id desc limit 1) as last_id`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error("the sweep statement returned no row");
  return {
    changed: row.changed,
    expired: row.expired,
    expiringSoon: row.expiring_soon,
    backToActive: row.back_to_active,
    notificationsEnqueued: row.notifications,
    last:
      row.last_expires_at !== null && row.last_id !== null
        ? { expiresAt: new Date(row.last_expires_at), id: row.last_id }
        : null,
  };
}
