import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Status } from "../domain/status.js";
import type { CertificationRow } from "./schema.js";

/**
 * What a certification means, as SQL, in one place: which rows hold a live place, the effective
 * status, and the certification's JSON as services/views.ts certificationView shows it. Every
 * statement that needs one of these takes it from here; `certification-sql.integration.test.ts`
 * holds the JSON and the status against the TypeScript view for every status, on both databases.
 * Each fragment takes the alias of the certification row (and of its type) it reads.
 */

/** The 18 columns, each once (the compiler checks the list is complete), in the view's order. */
export const CERTIFICATION_COLUMNS = Object.keys({
  id: true,
  user_id: true,
  certification_type_id: true,
  organization_id: true,
  certificate_number: true,
  status: true,
  issued_at: true,
  expires_at: true,
  issued_by_user_id: true,
  source: true,
  course_registration_id: true,
  revoked_at: true,
  revoked_by_user_id: true,
  revocation_reason: true,
  expiry_warning_sent_at: true,
  notes: true,
  created_at: true,
  updated_at: true,
} satisfies Record<keyof CertificationRow, true>) as (keyof CertificationRow)[];

export type CertificationColumn = keyof CertificationRow;

const TIMESTAMP_COLUMNS: ReadonlySet<CertificationColumn> = new Set([
  "issued_at",
  "expires_at",
  "revoked_at",
  "expiry_warning_sent_at",
  "created_at",
  "updated_at",
]);

/** An instant as the text of Date.prototype.toISOString (UTC, milliseconds), null stays null. */
export function isoSql(expression: string): RawBuilder<string | null> {
  return sql.raw(`to_char((${expression}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}

/**
 * The stored statuses that hold a live place (active, expiring_soon, suspended): the predicate of
 * the partial unique index one_active_cert_per_user_per_type and of the sweep's live-expiry index
 * (migration 0006), written as they are so that the planner matches the indexes.
 */
export function storedLiveSql(row: string): RawBuilder<SqlBool> {
  return sql.raw(`${row}.status not in ('expired', 'revoked')`);
}

/** Stored as suspended: a suspension of it is open (the trigger certifications_check_suspension holds it). */
export function storedSuspendedSql(row: string): RawBuilder<SqlBool> {
  return sql.raw(`${row}.status = 'suspended'`);
}

/** Live by its dates at `now`, whatever is stored: not revoked and not past its expiry. */
export function liveByDatesSql(row: string, now: Date): RawBuilder<SqlBool> {
  return sql`(${sql.ref(`${row}.revoked_at`)} is null
    and (${sql.ref(`${row}.expires_at`)} is null or ${sql.ref(`${row}.expires_at`)} > ${now}::timestamptz))`;
}

/** Stored as live although its expiry date has come: to be persisted as expired before a new live one. */
export function lapsedSql(row: string, now: Date): RawBuilder<SqlBool> {
  return sql`(${storedLiveSql(row)} and ${sql.ref(`${row}.expires_at`)} <= ${now}::timestamptz)`;
}

/**
 * The certification's warning window in days, null for the service default: the window it was
 * issued under when its type's has been edited since (certification_warning_windows, migration
 * 0011: an edit applies to new issuances), else its type's. `type` is the alias of the row's type.
 * The only place the window is read; services/views.ts warningDays applies the default.
 */
export function warningDaysSql(row: string, type: string): RawBuilder<number | null> {
  const typeDays = sql.ref(`${type}.warning_days`);
  // Looked up only for a type that has kept windows: a read of any other costs no probe.
  return sql<number | null>`case when ${sql.ref(`${type}.has_kept_windows`)} then coalesce(
    (select w.warning_days from certification_warning_windows w where w.certification_id = ${sql.ref(`${row}.id`)}),
    ${typeDays}) else ${typeDays} end`;
}

/**
 * The warning window as an interval, counted in hours: an interval of days is calendar days in the
 * session's time zone, one hour short or long across a change of clocks, where the domain counts
 * days of 24 hours.
 */
export function warningWindowSql(row: string, type: string, defaultWarningDays: number): RawBuilder<unknown> {
  return sql`make_interval(hours => 24 * coalesce(${warningDaysSql(row, type)}, ${defaultWarningDays}::int))`;
}

/**
 * The effective status as SQL, the same function as domain/status.ts effectiveStatus (revoked >
 * expired > suspended > expiring_soon > active): filters must agree with what each row then shows.
 * `type` is the alias of the row's certification type (see warningDaysSql).
 */
export function effectiveStatusSql(
  row: string,
  type: string,
  now: Date,
  defaultWarningDays: number,
): RawBuilder<Status> {
  const revokedAt = sql.ref(`${row}.revoked_at`);
  const expiresAt = sql.ref(`${row}.expires_at`);
  return sql<Status>`case
    when ${revokedAt} is not null then 'revoked'
    when ${expiresAt} <= ${now}::timestamptz then 'expired'
    when ${storedSuspendedSql(row)} then 'suspended'
    when ${expiresAt} is null then 'active'
    when ${expiresAt} <= ${now}::timestamptz + ${warningWindowSql(row, type, defaultWarningDays)} then 'expiring_soon'
    else 'active' end`;
}

/**
 * The certification's JSON (jsonb) as certificationView shows it: every column of `row`, instants
 * as ISO 8601 text, the status as stored unless `overrides` gives another expression for it (or
 * for any column).
 */
export function certificationJsonSql(
  row: string,
  overrides: Partial<Record<CertificationColumn, RawBuilder<unknown>>> = {},
): RawBuilder<unknown> {
  const pairs = CERTIFICATION_COLUMNS.map((column) => {
    const value =
      overrides[column] ??
      (TIMESTAMP_COLUMNS.has(column) ? isoSql(`${row}.${column}`) : sql.ref(`${row}.${column}`));
    return sql`${sql.lit(column)}::text, ${value}`;
  });
  return sql`jsonb_build_object(${sql.join(pairs)})`;
}
