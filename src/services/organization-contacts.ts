import { notFound } from "../domain/errors.js";
import { canSeeOrganization, type Principal } from "../domain/principal.js";
import { listOrganizationStaff } from "../storage/users.js";
import type { ServiceContext } from "./context.js";

export interface Contact {
  user_id: string;
  display_name: string;
  role: "coordinator" | "org_admin";
}

/**
 * Whom a member turns to about their certificates: the organization's coordinators and admins,
 * by name. Any member of the organization may ask; anyone else is told it does not exist.
 */
export async function listOrganizationContacts(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
): Promise<{ items: Contact[] }> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  const members = await listOrganizationStaff(ctx.db, organizationId);
  const items: Contact[] = [];
  for (const member of members) {
    if (member.role === "coordinator" || member.role === "org_admin") {
      items.push({ user_id: member.user_id, display_name: member.display_name, role: member.role });
    }
  }
  // Coordinators first: they are the ones who handle certificates day to day.
  items.sort((a, b) => (a.role === b.role ? 0 : a.role === "coordinator" ? -1 : 1));
  return { items };
}
