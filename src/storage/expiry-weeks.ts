import { sql } from "kysely";
import { filtered, type SearchFilters } from "./certification-search.js";
import type { Queryable } from "./database.js";

/** One week of expiries: its Monday in the organization's time zone, its ISO number, how many. */
export interface ExpiryWeek {
  week_start: string;
  iso_year: number;
  iso_week: number;
  count: number;
}

/**
 * How many of the filtered certifications expire in each week, Monday 00:00 to Sunday 24:00 in
 * the organization's time zone (`organizations.time_zone`), soonest week first; counted over
 * every matching row, in one statement. Lifetime certifications (no expiry) fall in no week.
 */
export async function countByExpiryWeek(
  db: Queryable,
  filters: SearchFilters,
  now: Date,
  defaultWarningDays: number,
): Promise<ExpiryWeek[]> {
  // The local week is computed once per row in a subquery, so that the outer query groups by a
  // plain column: the year and week number derived from it are then allowed beside it.
  const local = filtered(db, filters, now, defaultWarningDays)
    .innerJoin("organizations as o", "o.id", "c.organization_id")
    .where("c.expires_at", "is not", null)
    .clearSelect()
    .select(sql<Date>`date_trunc('week', c.expires_at at time zone o.time_zone)`.as("week"));
  const rows = await db
    .selectFrom(local.as("w"))
    .select([
      sql<string>`to_char(w.week, 'YYYY-MM-DD')`.as("week_start"),
      sql<number>`extract(isoyear from w.week)::int`.as("iso_year"),
      sql<number>`extract(week from w.week)::int`.as("iso_week"),
      (eb) => eb.fn.countAll<number>().as("count"),
    ])
    .groupBy("w.week")
    .orderBy("w.week")
    .execute();
  return rows.map((row) => ({
    week_start: row.week_start,
    iso_year: Number(row.iso_year),
    iso_week: Number(row.iso_week),
    count: Number(row.count),
  }));
}
