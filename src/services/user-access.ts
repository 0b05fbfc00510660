import { isGlobal, isStaff, type Principal } from "../domain/principal.js";
import type { Queryable } from "../storage/database.js";
import { userOrganizationIds } from "../storage/users.js";

/**
 * tenant_isolation for what concerns one user (their certifications, badges, eligibility): the
 * user, staff of one of the user's organizations, global admins, the system and services. Anyone
 * else is told the user does not exist, the same answer as for an unknown id.
 */
export async function canSeeUser(db: Queryable, principal: Principal, userId: string): Promise<boolean> {
  if (isGlobal(principal) || principal.kind === "service") return true;
  if (principal.kind === "user" && principal.userId === userId) return true;
  const organizations = await userOrganizationIds(db, userId);
  return organizations.some((organizationId) => isStaff(principal, organizationId));
}
