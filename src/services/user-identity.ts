import { forbidden, notFound } from "../domain/errors.js";
import { isGlobal, type Principal } from "../domain/principal.js";
import type { Tx } from "../storage/database.js";
import type { UserRow } from "../storage/schema.js";
import { createUser, findMembership, findUser, renameUser } from "../storage/users.js";

/**
 * The user a membership is set for, as the caller may have them. A user's name belongs to one
 * place: the organization that created them (its `home_organization_id`), or the platform
 * (global admins, the system). A new id becomes a user of this organization. An existing user of
 * another organization is not this organization's to enrol (not_found, as an unknown user
 * elsewhere would be) nor, once a member here by a global admin's hand, to rename (forbidden).
 */
export async function userForMembership(
  trx: Tx,
  principal: Principal,
  organizationId: string,
  userId: string,
  displayName: string,
): Promise<UserRow> {
  const existing =
    (await findUser(trx, userId)) ?? (await createUser(trx, userId, displayName, organizationId));
  if (!existing) return userForMembership(trx, principal, organizationId, userId, displayName);
  const owns = isGlobal(principal) || existing.home_organization_id === organizationId;
  if (owns) {
    return existing.display_name === displayName ? existing : renameUser(trx, userId, displayName);
  }
  if (!(await findMembership(trx, organizationId, userId))) throw notFound("User");
  if (existing.display_name !== displayName) {
    throw forbidden("The user's name is kept by the organization that added them; it cannot be changed here");
  }
  return existing;
}
