import type { Principal } from "../domain/principal.js";
import type { Queryable } from "../storage/database.js";
import { findUser, loadUserAccess, setGlobalAdmin, upsertUser } from "../storage/users.js";
import { inTransaction, type ServiceContext } from "./context.js";

/** A user principal with the roles the membership table gives it now. */
export async function loadUserPrincipal(db: Queryable, userId: string): Promise<Principal> {
  const access = await loadUserAccess(db, userId);
  return { kind: "user", userId, isGlobalAdmin: access.isGlobalAdmin, roles: access.roles };
}

/** `certsvc admins add`: makes a user a global admin, creating it if new. */
export async function addGlobalAdmin(
  ctx: ServiceContext,
  userId: string,
  displayName?: string,
): Promise<{ user_id: string; display_name: string; created: boolean }> {
  return inTransaction(ctx, async (trx) => {
    const existing = await findUser(trx, userId);
    const user = existing ?? (await upsertUser(trx, userId, displayName ?? "Global admin"));
    await setGlobalAdmin(trx, user.id, true);
    return { user_id: user.id, display_name: user.display_name, created: !existing };
  });
}
