import { sql } from "kysely";
import type { Queryable, Tx } from "./database.js";
import type { CertificationTypeRow } from "./schema.js";

export async function findCertificationType(
  db: Queryable,
  id: string,
): Promise<CertificationTypeRow | undefined> {
  return db.selectFrom("certification_types").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertCertificationType(
  trx: Tx,
  values: {
    organization_id: string | null;
    name: string;
    validity_months: number | null;
    warning_days: number | null;
    key?: string | null;
  },
): Promise<CertificationTypeRow> {
  return trx.insertInto("certification_types").values(values).returningAll().executeTakeFirstOrThrow();
}

/** The types usable in an organization: its own and the global ones. */
export async function listCertificationTypes(
  db: Queryable,
  organizationId: string,
): Promise<CertificationTypeRow[]> {
  return db
    .selectFrom("certification_types")
    .selectAll()
    .where((eb) => eb.or([eb("organization_id", "=", organizationId), eb("organization_id", "is", null)]))
    .orderBy("name")
    .execute();
}

/**
 * Changes a type's name, validity, warning window or retirement; returns it as it is now. A new
 * warning window applies to new issuances: every certification of the type issued before (not a
 * lifetime one) first keeps the window it had, in certification_warning_windows; one kept already
 * (from an earlier edit) stays as it is; the type is marked has_kept_windows, so that reads look
 * them up. `defaultWarningDays` is the window of a type without one.
 */
export async function updateCertificationType(
  trx: Tx,
  id: string,
  changes: Partial<Pick<CertificationTypeRow, "name" | "validity_months" | "warning_days" | "retired_at">>,
  defaultWarningDays: number,
): Promise<CertificationTypeRow> {
  if (changes.warning_days !== undefined) {
    await sql`
      with kept as (
        insert into certification_warning_windows (certification_id, warning_days)
        select c.id, coalesce(t.warning_days, ${defaultWarningDays}::int)
        from certification_types t
        join certifications c on c.certification_type_id = t.id
        where t.id = ${id} and c.expires_at is not null
          and coalesce(t.warning_days, ${defaultWarningDays}::int)
            is distinct from coalesce(${changes.warning_days}::int, ${defaultWarningDays}::int)
        on conflict (certification_id) do nothing
        returning 1
      )
      update certification_types set has_kept_windows = true
      where id = ${id} and exists (select 1 from kept)`.execute(trx);
  }
  return trx
    .updateTable("certification_types")
    .set(changes)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A renewal is issued on the type's terms of the day: the window kept from before an edit goes. */
export async function forgetKeptWarningWindow(trx: Tx, certificationId: string): Promise<void> {
  await trx
    .deleteFrom("certification_warning_windows")
    .where("certification_id", "=", certificationId)
    .execute();
}

export async function lockCertificationType(trx: Tx, id: string): Promise<CertificationTypeRow | undefined> {
  return trx
    .selectFrom("certification_types")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}
