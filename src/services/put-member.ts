import { forbidden, invalid, notFound } from "../domain/errors.js";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isOrgAdmin,
  type Principal,
  type Role,
} from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findOrganization } from "../storage/organizations.js";
import { findMembership, upsertMembership, upsertUser } from "../storage/users.js";
import { inTransaction, type ServiceContext } from "./context.js";

export interface MemberView {
  organization_id: string;
  user_id: string;
  role: Role;
  display_name: string;
}

/** Sets a user's role in an organization, creating the user if new (org admins, global admins). */
export async function putMember(
  ctx: ServiceContext,
  principal: Principal,
  input: { organizationId: string; userId: string; role: Role; displayName: string },
): Promise<{ member: MemberView; created: boolean }> {
  if (!canSeeOrganization(principal, input.organizationId)) throw notFound("Organization");
  if (!isOrgAdmin(principal, input.organizationId))
    throw forbidden("Only an admin of the organization manages members");
  const displayName = input.displayName.trim().replace(/\s+/g, " ");
  if (displayName === "")
    throw invalid("display_name must not be blank", [
      { field: "display_name", message: "must not be blank" },
    ]);
  return inTransaction(ctx, async (trx) => {
    const organization = await findOrganization(trx, input.organizationId);
    if (!organization) throw notFound("Organization");
    const before = await findMembership(trx, organization.id, input.userId);
    const user = await upsertUser(trx, input.userId, displayName);
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
      before: before ? { role: before.role } : null,
      after: member,
      occurredAt: ctx.clock(),
    });
    return { member, created: !before };
  });
}
