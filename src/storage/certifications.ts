import { sql } from "kysely";
import type { Status } from "../domain/status.js";
import type { Db, Queryable, Tx } from "./database.js";
import type { CertificationRow, CertificationUpdate, NewCertification } from "./schema.js";

/** A certification with the warning window of its type (null: the service default). */
export type CertificationRecord = CertificationRow & { type_warning_days: number | null };

function withTypeWindow(db: Queryable) {
  return db
    .selectFrom("certifications as c")
    .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
    .selectAll("c")
    .select("t.warning_days as type_warning_days");
}

export async function findCertification(db: Queryable, id: string): Promise<CertificationRecord | undefined> {
  return withTypeWindow(db).where("c.id", "=", id).executeTakeFirst();
}

export async function findCertificationByNumber(
  db: Queryable,
  certificateNumber: string,
): Promise<CertificationRecord | undefined> {
  return withTypeWindow(db).where("c.certificate_number", "=", certificateNumber).executeTakeFirst();
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

export async function insertCertification(trx: Tx, values: NewCertification): Promise<CertificationRow> {
  return trx.insertInto("certifications").values(values).returningAll().executeTakeFirstOrThrow();
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
    .where("status", "in", ["active", "expiring_soon"])
    .where("expires_at", "<=", now)
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
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]));
  if (exceptId !== null) query = query.where("id", "<>", exceptId);
  return query.executeTakeFirst();
}

/**
 * The next number in the gapless sequence of a prefix and year. The counter row stays locked
 * until the issuing transaction ends, so a failed issuance gives its number back.
 */
export async function nextSequence(trx: Tx, prefix: string, year: number): Promise<number> {
  const row = await trx
    .insertInto("certificate_counters")
    .values({ prefix, year, last_value: 1 })
    .onConflict((oc) =>
      oc.columns(["prefix", "year"]).doUpdateSet({ last_value: sql`certificate_counters.last_value + 1` }),
    )
    .returning("last_value")
    .executeTakeFirstOrThrow();
  return row.last_value;
}

/**
 * The effective status as SQL, the same function as domain/status.ts effectiveStatus: the
 * filters of the list must agree with what each row then shows. The window is counted in hours:
 * an interval of days is calendar days in the session's time zone, one hour short or long
 * across a change of clocks, where the domain counts days of 24 hours.
 */
export function effectiveStatusSql(now: Date, defaultWarningDays: number) {
  return sql<Status>`case
    when c.revoked_at is not null then 'revoked'
    when c.expires_at is null then 'active'
    when c.expires_at <= ${now} then 'expired'
    when c.expires_at <= ${now}::timestamptz + make_interval(hours => 24 * coalesce(t.warning_days, ${defaultWarningDays})) then 'expiring_soon'
    else 'active' end`;
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

/** Newest first, filtered by the effective status at `now`. */
export async function listCertifications(
  db: Db,
  filters: CertificationFilters,
  now: Date,
  defaultWarningDays: number,
): Promise<CertificationRecord[]> {
  let query = withTypeWindow(db);
  if (filters.organizationId !== undefined)
    query = query.where("c.organization_id", "=", filters.organizationId);
  if (filters.organizationIds !== undefined) {
    if (filters.organizationIds.length === 0) return [];
    query = query.where("c.organization_id", "in", filters.organizationIds);
  }
  if (filters.userId !== undefined) query = query.where("c.user_id", "=", filters.userId);
  if (filters.certificationTypeId !== undefined) {
    query = query.where("c.certification_type_id", "=", filters.certificationTypeId);
  }
  if (filters.source !== undefined) query = query.where("c.source", "=", filters.source);
  if (filters.expiresBefore !== undefined) query = query.where("c.expires_at", "<", filters.expiresBefore);
  if (filters.expiresAfter !== undefined) query = query.where("c.expires_at", ">", filters.expiresAfter);
  if (filters.beforeId !== undefined) query = query.where("c.id", "<", filters.beforeId);
  const statuses = filters.statuses;
  if (statuses !== undefined && statuses.length > 0) {
    query = query.where((eb) => eb(effectiveStatusSql(now, defaultWarningDays), "in", [...statuses]));
  }
  return query.orderBy("c.id", "desc").limit(filters.limit).execute();
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
    .where("c.revoked_at", "is", null)
    .where("c.expires_at", ">", now)
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
 * For access gating, in one round trip: the type (undefined when it does not exist) and the
 * user's certification of it that matters most (live first, then the latest expiry), only from
 * `organizationIds` when given.
 */
export async function findEligibilityFacts(
  db: Queryable,
  userId: string,
  typeId: string,
  organizationIds: readonly string[] | null,
): Promise<EligibilityFacts | undefined> {
  const row = await db
    .selectFrom("certification_types as t")
    .leftJoinLateral(
      (eb) => {
        let candidates = eb
          .selectFrom("certifications as c")
          .selectAll("c")
          .whereRef("c.certification_type_id", "=", "t.id")
          .where("c.user_id", "=", userId);
        if (organizationIds !== null) {
          candidates =
            organizationIds.length === 0
              ? candidates.where(sql<boolean>`false`)
              : candidates.where("c.organization_id", "in", organizationIds);
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
    .select([
      "t.organization_id as type_organization_id",
      "t.warning_days as type_warning_days",
      "c.id",
      "c.user_id",
      "c.certification_type_id",
      "c.organization_id",
      "c.certificate_number",
      "c.status",
      "c.issued_at",
      "c.expires_at",
      "c.issued_by_user_id",
      "c.source",
      "c.course_registration_id",
      "c.revoked_at",
      "c.revoked_by_user_id",
      "c.revocation_reason",
      "c.expiry_warning_sent_at",
      "c.notes",
      "c.created_at",
      "c.updated_at",
    ])
    .where("t.id", "=", typeId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { type_organization_id, ...record } = row;
  return {
    typeOrganizationId: type_organization_id,
    record: record.id === null ? null : (record as CertificationRecord),
  };
}
