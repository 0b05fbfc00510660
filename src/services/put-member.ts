import { forbidden, invalid, notFound } from "../domain/errors.js";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isOrgAdmin,
  isStaff,
  type Principal,
  type Role,
} from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findOrganization } from "../storage/organizations.js";
import { findMembership, findUser, upsertMembership } from "../storage/users.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { userForMembership } from "./user-identity.js";

export interface MemberView {
  organization_id: string;
  user_id: string;
  role: Role;
  display_name: string;
}

/**
 * Sets a user's role and display name in an organization, creating the user if new. Org admins
 * and global admins set any role; a coordinator adds peer mentors and renames them, but never
 * changes the role of a coordinator or admin.
 */
export async function putMember(
  ctx: ServiceContext,
  principal: Principal,
  input: { organizationId: string; userId: string; role: Role; displayName: string },
): Promise<{ member: MemberView; created: boolean }> {
  if (!canSeeOrganization(principal, input.organizationId)) throw notFound("Organization");
  const admin = isOrgAdmin(principal, input.organizationId);
  if (!admin && !(isStaff(principal, input.organizationId) && input.role === "peer_mentor")) {
    throw forbidden("Coordinators add peer mentors; only an admin of the organization sets other roles");
  }
  const displayName = input.displayName.trim().replace(/\s+/g, " ");
  if (displayName === "")
    throw invalid("display_name must not be blank", [
      { field: "display_name", message: "must not be blank" },
    ]);
  return inTransaction(ctx, async (trx) => {
    const organization = await findOrganization(trx, input.organizationId);
    if (!organization) throw notFound("Organization");
    const before = await findMembership(trx, organization.id, input.userId);
    if (!admin && before && before.role !== "peer_mentor") {
      throw forbidden("Only an admin of the organization changes the role of a coordinator or admin");
    }
    const previous = before ? await findUser(trx, input.userId) : undefined;
    const user = await userForMembership(trx, principal, organization.id, input.userId, displayName);
    const membership = await upsertMembership(trx, organization.id, user.id, input.role);
    const member: MemberView = {
      organization_id: organization.id,
      user_id: user.id,
      role: membership.role,
      display_name: user.display_name,
    };
    await appendAuditEvent(trx, {
      entityType: "membership",
      entityId: user.id,
      organizationId: organization.id,
      action: before ? "role_set" : "added",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      before: before ? { role: before.role, display_name: previous?.display_name ?? null } : null,
      after: member,
      occurredAt: ctx.clock(),
    });
    return { member, created: !before };
  });
}
