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
import { countMembers, deleteMembership, findUser, searchMembers } from "../storage/users.js";
import { inTransaction, type ServiceContext } from "./context.js";

/** The member list of the staff pages (search, pages) and removing a membership. */

export interface MemberListItem {
  organization_id: string;
  user_id: string;
  role: Role;
  display_name: string;
  /** When they joined the organization: with the numbers below, tells namesakes apart. */
  member_since: string;
  /** Their three latest certificate numbers here, newest first. */
  certificate_numbers: string[];
}

export interface MemberPage {
  items: MemberListItem[];
  next_cursor: string | null;
  /** How many members match, on all pages together. */
  total: number;
}

const encodeCursor = (displayName: string, userId: string) =>
  Buffer.from(JSON.stringify([displayName, userId])).toString("base64url");

function decodeCursor(cursor: string): { displayName: string; userId: string } {
  try {
    const [displayName, userId] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof displayName === "string" && typeof userId === "string") return { displayName, userId };
  } catch {}
  throw invalid("cursor is not one this API gave", [
    { field: "query/cursor", message: "not a valid cursor" },
  ]);
}

async function visibleOrganization(ctx: ServiceContext, principal: Principal, organizationId: string) {
  const organization = canSeeOrganization(principal, organizationId)
    ? await findOrganization(ctx.db, organizationId)
    : undefined;
  if (!organization) throw notFound("Organization");
  return organization;
}

/**
 * Members by name (coordinators and admins): search by part of the name (any case, accents
 * aside; æ, ø and å are letters of their own), a certificate number or an id, a page at a time.
 */
export async function searchOrganizationMembers(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  query: { q?: string | undefined; role?: Role | undefined; cursor?: string | undefined; limit: number },
): Promise<MemberPage> {
  await visibleOrganization(ctx, principal, organizationId);
  if (!isStaff(principal, organizationId)) throw forbidden("Only coordinators and admins list members");
  const filter = { q: query.q, role: query.role };
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const [rows, total] = await Promise.all([
    searchMembers(ctx.db, organizationId, { ...filter, after, limit: query.limit }),
    countMembers(ctx.db, organizationId, filter),
  ]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      organization_id: organizationId,
      user_id: row.user_id,
      role: row.role,
      display_name: row.display_name,
      member_since: row.created_at.toISOString(),
      certificate_numbers: row.certificate_numbers,
    })),
    next_cursor: rows.length > query.limit && last ? encodeCursor(last.display_name, last.user_id) : null,
    total,
  };
}

/**
 * Ends a membership (org admins, global admins). The user and every certification they hold
 * stay, permanently; they simply are no longer a member of the organization.
 */
export async function removeMember(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  userId: string,
): Promise<void> {
  await visibleOrganization(ctx, principal, organizationId);
  if (!isOrgAdmin(principal, organizationId))
    throw forbidden("Only an admin of the organization removes members");
  await inTransaction(ctx, async (trx) => {
    const removed = await deleteMembership(trx, organizationId, userId);
    if (!removed) throw notFound("Member");
    const user = await findUser(trx, userId);
    await appendAuditEvent(trx, {
      entityType: "membership",
      entityId: userId,
      organizationId,
      action: "removed",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      before: {
        organization_id: organizationId,
        user_id: userId,
        role: removed.role,
        display_name: user?.display_name ?? null,
      },
      after: null,
      occurredAt: ctx.clock(),
    });
  });
}
