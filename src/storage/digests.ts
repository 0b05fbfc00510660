import { sql } from "kysely";
import { warningWindowSql } from "./certification-sql.js";
import type { Db } from "./database.js";
import { QUEUES } from "./jobs.js";

export const EXPIRING_DIGEST_NOTIFICATION = "organization.expiring_digest";

/** The digest's time zone: its schedule's, and the one its weeks are counted in. */
export const DIGEST_TIME_ZONE = "Europe/Oslo";

/** How far ahead the digest looks: certifications whose warning window opens within it. */
export const DIGEST_HORIZON_DAYS = 30;

export interface DigestRunInput {
  now: Date;
  /** Any moment of the week the digest is for (the schedule's slot); the week is counted in DIGEST_TIME_ZONE. */
  weekOf: Date;
  defaultWarningDays: number;
  notifyMaxAttempts: number;
}

export interface DigestRunResult {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  /** Digests enqueued by this run; organizations that had theirs this week already are not counted. */
  enqueued: number;
}

/**
 * The coordinators' weekly digest, as ONE statement: for each organization with live
 * certifications whose warning window opens in the coming DIGEST_HORIZON_DAYS, it claims the
 * (organization, week) row of organization_digests and enqueues the notification whose id it
 * records there. The primary key makes it exactly once per organization and week: a run at the
 * same time as another waits on the other's row and then inserts nothing, a later run of the same
 * week finds the row, and a crash commits neither the row nor the job.
 */
export async function enqueueWeeklyDigests(db: Db, input: DigestRunInput): Promise<DigestRunResult> {
  const { now } = input;
  const windowOpens = sql`(c.expires_at - ${warningWindowSql("c", "t", input.defaultWarningDays)})`;
  const result = await sql<{ week: string; enqueued: number }>`
    with week as (
      select date_trunc('week', ${input.weekOf}::timestamptz at time zone ${DIGEST_TIME_ZONE}::text)::date as monday
    ),
    due as (
      select c.organization_id, count(*)::int as n,
        jsonb_agg(c.id order by c.expires_at, c.id) as certification_ids
      from certifications c
      join certification_types t on t.id = c.certification_type_id
      where c.status in ('active', 'expiring_soon') and c.revoked_at is null and c.expires_at is not null
        and ${windowOpens} > ${now}::timestamptz
        and ${windowOpens} <= ${now}::timestamptz + make_interval(days => ${DIGEST_HORIZON_DAYS}::int)
      group by c.organization_id
    ),
    claimed as (
      insert into organization_digests (organization_id, week, notification_id, certification_count)
      select due.organization_id, week.monday, certsvc_uuid_v7(), due.n from due, week
      on conflict (organization_id, week) do nothing
      returning organization_id, notification_id
    ),
    enqueued as (
      insert into jobs (id, queue, payload, max_attempts, run_at)
      select claimed.notification_id, ${QUEUES.notification}::text,
        jsonb_build_object(
          'type', ${EXPIRING_DIGEST_NOTIFICATION}::text,
          'occurred_at', ${now.toISOString()}::text,
          'organization_id', due.organization_id,
          'count', due.n,
          'certification_ids', due.certification_ids),
        ${input.notifyMaxAttempts}::int, ${now}::timestamptz
      from claimed join due using (organization_id)
      returning 1
    )
    select (select monday::text from week) as week, (select count(*) from enqueued)::int as enqueued`.execute(
    db,
  );
  const row = result.rows[0];
  if (!row) throw new Error("the digest statement returned no row");
  return { week: row.week, enqueued: row.enqueued };
}
