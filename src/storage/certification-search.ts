import { sql } from "kysely";
import type { Status } from "../domain/status.js";
import { effectiveStatusSql } from "./certification-sql.js";
import { type CertificationRecord, withTypeWindow } from "./certifications.js";
import type { Queryable } from "./database.js";
import { nameContains } from "./users.js";

/**
 * The staff list's searches: by holder name or certificate number, sorted by expiry, and counted
 * per effective status. Built per call (the plain newest-first list has its prepared queries in
 * certifications.ts).
 */

export interface SearchFilters {
  organizationId: string;
  statuses?: readonly Status[] | undefined;
  userId?: string | undefined;
  certificationTypeId?: string | undefined;
  source?: "course_completion" | "manual_grant" | undefined;
  expiresBefore?: Date | undefined;
  expiresAfter?: Date | undefined;
  /** Part of the holder's name (case and accents folded as in the member search), or a whole certificate number. */
  q?: string | undefined;
}

export type SearchOrder = "newest" | "expires_at";

/** Where the last page ended: its last row's id, and its expiry when sorted by expiry. */
export interface SearchAfter {
  id: string;
  expiresAt?: Date | null;
}

/** The certifications (c, with their type t) that the filters let through, every column of c selected. */
export function filtered(db: Queryable, f: SearchFilters, now: Date, defaultWarningDays: number) {
  let query = withTypeWindow(db).where("c.organization_id", "=", f.organizationId);
  if (f.userId) query = query.where("c.user_id", "=", f.userId);
  if (f.certificationTypeId) query = query.where("c.certification_type_id", "=", f.certificationTypeId);
  if (f.source) query = query.where("c.source", "=", f.source);
  if (f.expiresBefore) query = query.where("c.expires_at", "<", f.expiresBefore);
  if (f.expiresAfter) query = query.where("c.expires_at", ">", f.expiresAfter);
  if (f.statuses && f.statuses.length > 0) {
    query = query.where(
      sql<boolean>`(${effectiveStatusSql("c", "t", now, defaultWarningDays)}) = any(${[...f.statuses]}::text[])`,
    );
  }
  const q = f.q?.trim() ?? "";
  if (q !== "") {
    query = query.where((eb) =>
      eb.or([
        eb("c.certificate_number", "=", q.toUpperCase()),
        eb.exists(
          eb
            .selectFrom("users as u")
            .select(sql`1`.as("one"))
            .whereRef("u.id", "=", "c.user_id")
            .where(nameContains(q)),
        ),
      ]),
    );
  }
  return query;
}

/** The order of a page: the list's two, and the export's default (the order they were made). */
export type PageOrder = SearchOrder | "oldest";

/** The filtered query, ordered and cut to one page after `after` (keyset). */
function page(
  query: ReturnType<typeof filtered>,
  order: PageOrder,
  after: SearchAfter | undefined,
  limit: number,
) {
  if (order === "newest" || order === "oldest") {
    const newest = order === "newest";
    if (after) query = query.where("c.id", newest ? "<" : ">", after.id);
    return query.orderBy("c.id", newest ? "desc" : "asc").limit(limit);
  }
  if (after) {
    const { id, expiresAt } = after;
    query = query.where((eb) =>
      expiresAt === null || expiresAt === undefined
        ? eb.and([eb("c.expires_at", "is", null), eb("c.id", ">", id)])
        : eb.or([
            eb("c.expires_at", ">", expiresAt),
            eb.and([eb("c.expires_at", "=", expiresAt), eb("c.id", ">", id)]),
            eb("c.expires_at", "is", null),
          ]),
    );
  }
  return query.orderBy(sql`c.expires_at asc nulls last`).orderBy("c.id", "asc").limit(limit);
}

/** A page of the filtered certifications, newest first or soonest expiry first (lifetime last). */
export async function searchCertifications(
  db: Queryable,
  filters: SearchFilters,
  order: SearchOrder,
  after: SearchAfter | undefined,
  limit: number,
  now: Date,
  defaultWarningDays: number,
): Promise<CertificationRecord[]> {
  return page(filtered(db, filters, now, defaultWarningDays), order, after, limit).execute();
}

/** A certification as the export writes it: with its type's name and its holder's name. */
export type ExportRecord = CertificationRecord & { type_name: string; display_name: string };

/**
 * A page of the export: the same filters, search and order as the list, with the names a file
 * needs (the holder's from the directory, so a removed member's rows still name them).
 */
export async function exportPage(
  db: Queryable,
  filters: SearchFilters,
  order: PageOrder,
  after: SearchAfter | undefined,
  limit: number,
  now: Date,
  defaultWarningDays: number,
): Promise<ExportRecord[]> {
  return page(filtered(db, filters, now, defaultWarningDays), order, after, limit)
    .innerJoin("users as holder", "holder.id", "c.user_id")
    .select(["t.name as type_name", "holder.display_name"])
    .execute();
}

/** How many of the filtered certifications have each effective status (the filter's statuses aside). */
export async function countByStatus(
  db: Queryable,
  filters: SearchFilters,
  now: Date,
  defaultWarningDays: number,
): Promise<Map<string, number>> {
  const rows = await filtered(db, { ...filters, statuses: undefined }, now, defaultWarningDays)
    .clearSelect()
    .select([
      effectiveStatusSql("c", "t", now, defaultWarningDays).as("status"),
      (eb) => eb.fn.countAll<number>().as("n"),
    ])
    .groupBy(sql`1`)
    .execute();
  return new Map(rows.map((row) => [String(row.status), Number(row.n)]));
}
