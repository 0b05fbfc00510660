import { sql } from "kysely";
import { forbidden, invalid, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { findOrganization } from "../storage/organizations.js";
import type { ServiceContext } from "./context.js";
import { spreadsheetCsv } from "./spreadsheet-csv.js";

/**
 * The funder report: how many peer mentors of an organization were certified during a year.
 *
 * The year runs from 1 January 00:00 to the next 1 January 00:00 in the organization's time zone.
 * A certification of the organization counts as held during the year when
 *   issued_at < end of year
 *   AND (expires_at IS NULL OR expires_at > start of year)
 *   AND (revoked_at IS NULL OR revoked_at > start of year),
 * i.e. it was valid at some instant of the year. `certified_mentors` counts distinct holders of
 * such a certification (whatever their role now); `newly_certified` counts those of them whose
 * first certification in the organization (of that type, in a per-type line) was issued during
 * the year.
 */
export interface CertifiedMentorsReport {
  organization: { id: string; name: string; prefix: string };
  year: number;
  period: { from: string; to: string; time_zone: string };
  certified_mentors: number;
  newly_certified: number;
  by_type: {
    certification_type_id: string;
    certification_type: string;
    certified_mentors: number;
    newly_certified: number;
  }[];
}

export const REPORT_DEFINITION =
  "certified: held a certification of the organization valid at some time in the year " +
  "(issued_at < end AND (expires_at IS NULL OR expires_at > start) AND (revoked_at IS NULL OR revoked_at > start)); " +
  "newly certified: of those, first certification in the organization issued during the year";

export async function certifiedMentorsReport(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  year: number,
): Promise<CertifiedMentorsReport> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId)) throw forbidden("Only coordinators and admins read reports");
  if (!Number.isInteger(year) || year < 1900 || year > 9998) {
    throw invalid("year must be a year from 1900 to 9998", [{ field: "year", message: "from 1900 to 9998" }]);
  }
  const organization = await findOrganization(ctx.db, organizationId);
  if (!organization) throw notFound("Organization");

  const bounds = await sql<{ start: Date; end: Date }>`
    select make_timestamptz(${year}::int, 1, 1, 0, 0, 0, ${organization.time_zone}::text) as start,
           make_timestamptz(${year + 1}::int, 1, 1, 0, 0, 0, ${organization.time_zone}::text) as "end"`
    .execute(ctx.db)
    .then((result) => result.rows[0]);
  if (!bounds) throw new Error("no year bounds");
  const start = new Date(bounds.start);
  const end = new Date(bounds.end);

  const held = sql`
    select c.user_id, c.certification_type_id from certifications c
    where c.organization_id = ${organizationId}
      and c.issued_at < ${end}
      and (c.expires_at is null or c.expires_at > ${start})
      and (c.revoked_at is null or c.revoked_at > ${start})`;

  const totals = await sql<{ certified: number; newly: number }>`
    with held as (${held}),
    first_any as (
      select user_id, min(issued_at) as first from certifications
      where organization_id = ${organizationId} group by user_id)
    select count(distinct h.user_id)::int as certified,
           count(distinct h.user_id) filter (where f.first >= ${start} and f.first < ${end})::int as newly
    from held h join first_any f on f.user_id = h.user_id`
    .execute(ctx.db)
    .then((result) => result.rows[0] ?? { certified: 0, newly: 0 });

  const byType = await sql<{ id: string; name: string; certified: number; newly: number }>`
    with held as (${held}),
    first_of_type as (
      select user_id, certification_type_id, min(issued_at) as first from certifications
      where organization_id = ${organizationId} group by user_id, certification_type_id)
    select t.id, t.name,
           count(distinct h.user_id)::int as certified,
           count(distinct h.user_id) filter (where f.first >= ${start} and f.first < ${end})::int as newly
    from held h
    join certification_types t on t.id = h.certification_type_id
    join first_of_type f on f.user_id = h.user_id and f.certification_type_id = h.certification_type_id
    group by t.id, t.name
    order by t.name`.execute(ctx.db);

  return {
    organization: { id: organization.id, name: organization.name, prefix: organization.prefix },
    year,
    period: { from: start.toISOString(), to: end.toISOString(), time_zone: organization.time_zone },
    certified_mentors: Number(totals.certified),
    newly_certified: Number(totals.newly),
    by_type: byType.rows.map((row) => ({
      certification_type_id: row.id,
      certification_type: row.name,
      certified_mentors: Number(row.certified),
      newly_certified: Number(row.newly),
    })),
  };
}

/** The report as CSV: one line per type, then the organization's total (distinct mentors). */
export function certifiedMentorsReportCsv(report: CertifiedMentorsReport): string {
  return spreadsheetCsv([
    [
      "organization",
      "year",
      "certification_type_id",
      "certification_type",
      "certified_mentors",
      "newly_certified",
    ],
    ...report.by_type.map((line) => [
      report.organization.prefix,
      report.year,
      line.certification_type_id,
      line.certification_type,
      line.certified_mentors,
      line.newly_certified,
    ]),
    [
      report.organization.prefix,
      report.year,
      "",
      "all types",
      report.certified_mentors,
      report.newly_certified,
    ],
  ]);
}
