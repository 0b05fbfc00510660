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

/** Changes a type's name, validity, warning window or retirement; returns it as it is now. */
export async function updateCertificationType(
  trx: Tx,
  id: string,
  changes: Partial<Pick<CertificationTypeRow, "name" | "validity_months" | "warning_days" | "retired_at">>,
): Promise<CertificationTypeRow> {
  return trx
    .updateTable("certification_types")
    .set(changes)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function lockCertificationType(trx: Tx, id: string): Promise<CertificationTypeRow | undefined> {
  return trx
    .selectFrom("certification_types")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}
