import type { Queryable, Tx } from "./database.js";
import type { OrganizationRow } from "./schema.js";

export async function findOrganization(db: Queryable, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findOrganizationByPrefix(
  db: Queryable,
  prefix: string,
): Promise<OrganizationRow | undefined> {
  return db.selectFrom("organizations").selectAll().where("prefix", "=", prefix).executeTakeFirst();
}

export async function insertOrganization(
  trx: Tx,
  values: { name: string; prefix: string; time_zone: string },
): Promise<OrganizationRow> {
  return trx.insertInto("organizations").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function listOrganizations(
  db: Queryable,
  ids: readonly string[] | null,
): Promise<OrganizationRow[]> {
  let query = db.selectFrom("organizations").selectAll().orderBy("name");
  if (ids !== null) {
    if (ids.length === 0) return [];
    query = query.where("id", "in", ids);
  }
  return query.execute();
}
