import { notFound } from "../domain/errors.js";
import { isGlobal, isStaff, type Principal } from "../domain/principal.js";
import { listUserBadges } from "../storage/user-badges.js";
import { findUser } from "../storage/users.js";
import type { ServiceContext } from "./context.js";
import { canSeeUser } from "./user-access.js";

export interface BadgeView {
  badge: string;
  certification_id: string | null;
  awarded_at: string;
}

/**
 * GET /v1/users/{userId}/badges: the user, global admins, the system and services see them all;
 * staff of one of the user's organizations see those earned there; anyone else is told the user
 * does not exist.
 */
export async function listBadges(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
): Promise<{ items: BadgeView[] }> {
  const user = await findUser(ctx.db, userId);
  if (!user || !(await canSeeUser(ctx.db, principal, userId))) throw notFound("User");
  // Staff see the badges earned in their organizations (and those tied to no certification),
  // never another organization's certification id.
  const seesAll =
    isGlobal(principal) ||
    principal.kind === "service" ||
    (principal.kind === "user" && principal.userId === userId);
  const rows = (await listUserBadges(ctx.db, userId)).filter(
    (row) => seesAll || row.organization_id === null || isStaff(principal, row.organization_id),
  );
  return {
    items: rows.map((row) => ({
      badge: row.badge,
      certification_id: row.certification_id,
      awarded_at: row.awarded_at.toISOString(),
    })),
  };
}
