import type { Role } from "../domain/principal.js";
import type { Queryable, Tx } from "./database.js";
import type { UserRow } from "./schema.js";

export async function findUser(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Creates the user, or renames it when `displayName` is given. */
export async function upsertUser(trx: Tx, id: string, displayName: string): Promise<UserRow> {
  return trx
    .insertInto("users")
    .values({ id, display_name: displayName })
    .onConflict((oc) => oc.column("id").doUpdateSet({ display_name: displayName }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setGlobalAdmin(
  trx: Tx,
  id: string,
  isGlobalAdmin: boolean,
): Promise<UserRow | undefined> {
  return trx
    .updateTable("users")
    .set({ is_global_admin: isGlobalAdmin })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export interface UserAccess {
  isGlobalAdmin: boolean;
  roles: Map<string, Role>;
}

/** What a user may do: the global flag and the role in each organization, in one round trip. */
export async function loadUserAccess(db: Queryable, userId: string): Promise<UserAccess> {
  const rows = await db
    .selectFrom("users as u")
    .leftJoin("memberships as m", "m.user_id", "u.id")
    .select(["u.is_global_admin", "m.organization_id", "m.role"])
    .where("u.id", "=", userId)
    .execute();
  const roles = new Map<string, Role>();
  for (const row of rows) if (row.organization_id && row.role) roles.set(row.organization_id, row.role);
  return { isGlobalAdmin: rows[0]?.is_global_admin ?? false, roles };
}

export async function findMembership(db: Queryable, organizationId: string, userId: string) {
  return db
    .selectFrom("memberships")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export async function upsertMembership(trx: Tx, organizationId: string, userId: string, role: Role) {
  return trx
    .insertInto("memberships")
    .values({ organization_id: organizationId, user_id: userId, role })
    .onConflict((oc) => oc.columns(["organization_id", "user_id"]).doUpdateSet({ role }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listMembers(db: Queryable, organizationId: string) {
  return db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.user_id", "u.display_name", "m.role", "m.created_at", "m.updated_at"])
    .where("m.organization_id", "=", organizationId)
    .orderBy("u.display_name")
    .execute();
}

/** The organizations the user is a member of. */
export async function userOrganizationIds(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .select("organization_id")
    .where("user_id", "=", userId)
    .execute();
  return rows.map((row) => row.organization_id);
}
