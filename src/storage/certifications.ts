import { type Kysely, sql } from "kysely";
import type { Status } from "../domain/status.js";
import { effectiveStatusSql, lapsedSql, liveByDatesSql, warningDaysSql } from "./certification-sql.js";
import type { Db, Queryable, Tx } from "./database.js";
import { preparedByShape, prepareQuery } from "./prepared.js";
import type { CertificationRow, CertificationUpdate, DB } from "./schema.js";

/**
 * A certification with its warning window (null: the service default, see warningDaysSql) and,
 * where it was read by withTypeWindow, its holder's name from the directory (for staff answers).
 */
export type CertificationRecord = CertificationRow & {
  type_warning_days: number | null;
  holder_display_name?: string | null;
};

export function withTypeWindow(db: Queryable) {
  return db
    .selectFrom("certifications as c")
    .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
    .selectAll("c")
    .select(warningDaysSql("c", "t").as("type_warning_days"))
    .select(
      sql<string | null>`(select u.display_name from users u where u.id = c.user_id)`.as(
        "holder_display_name",
      ),
    );
}

const byId = prepareQuery((db, p: { id: string }) => withTypeWindow(db).where("c.id", "=", p.id));

const first = <T>(rows: T[]): T | undefined => rows[0];

export function findCertification(db: Queryable, id: string): Promise<CertificationRecord | undefined> {
  return byId(db, { id }).then(first);
}

const byNumber = prepareQuery((db, p: { number: string }) =>
  withTypeWindow(db).where("c.certificate_number", "=", p.number),
);

export function findCertificationByNumber(
  db: Queryable,
  certificateNumber: string,
): Promise<CertificationRecord | undefined> {
  return byNumber(db, { number: certificateNumber }).then(first);
}

/** Reads and locks a certification for the rest of the transaction. */
export async function lockCertification(trx: Tx, id: string): Promise<CertificationRecord | undefined> {
  return withTypeWindow(trx).where("c.id", "=", id).forUpdate("c").executeTakeFirst();
}

/** The certification a course registration already earned of a type, if any. */
export async function findCertificationForRegistration(
  db: Queryable,
  registrationId: string,
  typeId: string,
): Promise<CertificationRecord | undefined> {
  return withTypeWindow(db)
    .where("c.course_registration_id", "=", registrationId)
    .where("c.certification_type_id", "=", typeId)
    .executeTakeFirst();
}

export async function updateCertification(
  trx: Tx,
  id: string,
  changes: CertificationUpdate,
): Promise<CertificationRow> {
  return trx
    .updateTable("certifications")
    .set(changes)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Persists the expiry of the user's live certifications of a type whose date has passed, so
 * that the partial unique index (one live per user and type) lets a new one in.
 */
export async function expireLapsed(trx: Tx, userId: string, typeId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .updateTable("certifications")
    .set({ status: "expired" })
    .where("user_id", "=", userId)
    .where("certification_type_id", "=", typeId)
    .where(lapsedSql("certifications", now))
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

/** The user's live certification of a type other than `exceptId`, if any (by the dates at `now`). */
export async function findLiveOther(
  db: Queryable,
  userId: string,
  typeId: string,
  now: Date,
  exceptId: string | null,
): Promise<{ id: string } | undefined> {
  let query = db
    .selectFrom("certifications")
    .select("id")
    .where("user_id", "=", userId)
    .where("certification_type_id", "=", typeId)
    .where(liveByDatesSql("certifications", now));
  if (exceptId !== null) query = query.where("id", "<>", exceptId);
  return query.executeTakeFirst();
}

export interface CertificationFilters {
  organizationId?: string;
  userId?: string;
  organizationIds?: readonly string[];
  statuses?: readonly Status[];
  certificationTypeId?: string;
  source?: "course_completion" | "manual_grant";
  expiresBefore?: Date;
  expiresAfter?: Date;
  /** Keyset: only ids before this one (ids are time-ordered UUIDs). */
  beforeId?: string;
  limit: number;
}

/** The filters of the list, each a clause when given. */
const LIST_FILTERS = [
  "organizationId",
  "organizationIds",
  "userId",
  "certificationTypeId",
  "source",
  "expiresBefore",
  "expiresAfter",
  "beforeId",
  "statuses",
] as const satisfies readonly (keyof CertificationFilters)[];

type ListParams = Required<CertificationFilters> & { now: Date; defaultWarningDays: number };

/** The list's query for one combination of filters (its shape), compiled once. */
const listByShape = preparedByShape((db, p: ListParams, shape) => {
  const has = new Set(shape.split(","));
  let query = withTypeWindow(db);
  if (has.has("organizationId")) query = query.where("c.organization_id", "=", p.organizationId);
  if (has.has("organizationIds")) {
    query = query.where(sql<boolean>`c.organization_id = any(${p.organizationIds}::uuid[])`);
  }
  if (has.has("userId")) query = query.where("c.user_id", "=", p.userId);
  if (has.has("certificationTypeId")) {
    query = query.where("c.certification_type_id", "=", p.certificationTypeId);
  }
  if (has.has("source")) query = query.where("c.source", "=", p.source);
  if (has.has("expiresBefore")) query = query.where("c.expires_at", "<", p.expiresBefore);
  if (has.has("expiresAfter")) query = query.where("c.expires_at", ">", p.expiresAfter);
  if (has.has("beforeId")) query = query.where("c.id", "<", p.beforeId);
  if (has.has("statuses")) {
    query = query.where(
      sql<boolean>`(${effectiveStatusSql("c", "t", p.now, p.defaultWarningDays)}) = any(${p.statuses}::text[])`,
    );
  }
  return query.orderBy("c.id", "desc").limit(p.limit);
});

/** Newest first, filtered by the effective status at `now`. */
export async function listCertifications(
  db: Db,
  filters: CertificationFilters,
  now: Date,
  defaultWarningDays: number,
): Promise<CertificationRecord[]> {
  if (filters.organizationIds !== undefined && filters.organizationIds.length === 0) return [];
  let shape = "";
  for (const name of LIST_FILTERS) {
    const value = filters[name];
    if (value === undefined || (name === "statuses" && (value as readonly Status[]).length === 0)) continue;
    shape = shape === "" ? name : `${shape},${name}`;
  }
  return listByShape(db, shape, { ...(filters as ListParams), now, defaultWarningDays });
}

/** Certifications of an organization whose dates put them in or near expiry within `days`. */
export async function listExpiring(
  db: Db,
  organizationId: string,
  now: Date,
  within: Date,
  limit: number,
): Promise<CertificationRecord[]> {
  return withTypeWindow(db)
    .where("c.organization_id", "=", organizationId)
    .where(liveByDatesSql("c", now))
    .where("c.expires_at", "<=", within)
    .orderBy("c.expires_at", "asc")
    .orderBy("c.id", "asc")
    .limit(limit)
    .execute();
}

export interface EligibilityFacts {
  typeOrganizationId: string | null;
  record: CertificationRecord | null;
}

/**
 * For access gating: the type (undefined when it does not exist) and the user's certification
 * of it that matters most (live first, then the latest expiry), only from `organizationIds` when
 * given. One round trip, the plain statement whatever the caller may see: the deciding record is
 * almost always one the caller may see (a type of an organization has certifications of that
 * organization only), and only when it is not is the choice made again among the allowed ones.
 */
export async function findEligibilityFacts(
  db: Queryable,
  userId: string,
  typeId: string,
  organizationIds: readonly string[] | null,
): Promise<EligibilityFacts | undefined> {
  let row = (await eligibilityAnywhere(db, { userId, typeId }))[0];
  if (!row) return undefined;
  if (
    organizationIds !== null &&
    row.organization_id !== null &&
    !organizationIds.includes(row.organization_id)
  ) {
    row = (await eligibilityWithin(db, { userId, typeId, organizationIds }))[0];
    if (!row) return undefined;
  }
  // The row is the record as it is (one more field, type_organization_id): no copy of it.
  return {
    typeOrganizationId: row.type_organization_id,
    record: row.id === null ? null : (row as CertificationRecord),
  };
}

interface EligibilityParams {
  userId: string;
  typeId: string;
  /** Only certifications of these organizations; all when absent. */
  organizationIds?: readonly string[];
}

/**
 * The type and the user's deciding certification of it, from any organization or only some.
 * `c.*` rather than a column list: the same statement as the bare limit's, cheaper to plan.
 */
function eligibilityQuery(db: Kysely<DB>, p: EligibilityParams, restricted: boolean) {
  // p holds placeholders here (prepareQuery): read, never spread or tested.
  return db
    .selectFrom("certification_types as t")
    .leftJoinLateral(
      (eb) => {
        let candidates = eb
          .selectFrom("certifications as c")
          .selectAll("c")
          .whereRef("c.certification_type_id", "=", "t.id")
          .where("c.user_id", "=", p.userId);
        if (restricted) {
          candidates = candidates.where(sql<boolean>`c.organization_id = any(${p.organizationIds}::uuid[])`);
        }
        return candidates
          .orderBy(sql`c.revoked_at is null`, "desc")
          .orderBy(sql`c.expires_at is null`, "desc")
          .orderBy("c.expires_at", "desc")
          .limit(1)
          .as("c");
      },
      (join) => join.onTrue(),
    )
    .select(["t.organization_id as type_organization_id", warningDaysSql("c", "t").as("type_warning_days")])
    .selectAll("c")
    .where("t.id", "=", p.typeId);
}

const eligibilityAnywhere = prepareQuery((db, p: EligibilityParams) => eligibilityQuery(db, p, false));
const eligibilityWithin = prepareQuery((db, p: Required<EligibilityParams>) => eligibilityQuery(db, p, true));
