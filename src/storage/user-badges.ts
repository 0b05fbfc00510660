import type { Queryable } from "./database.js";

export interface BadgeFactCertification {
  id: string;
  certification_type_id: string;
  issued_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** Everything a badge rule may look at about one user: their certifications, oldest first. */
export async function loadBadgeFacts(db: Queryable, userId: string): Promise<BadgeFactCertification[]> {
  return db
    .selectFrom("certifications")
    .select(["id", "certification_type_id", "issued_at", "expires_at", "revoked_at"])
    .where("user_id", "=", userId)
    .orderBy("issued_at", "asc")
    .orderBy("id", "asc")
    .execute();
}

/** Awards a badge once: a second award of the same badge to the same user is a no-op. */
export async function awardBadge(
  db: Queryable,
  award: { userId: string; badge: string; certificationId: string | null; awardedAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto("user_badges")
    .values({
      user_id: award.userId,
      badge: award.badge,
      certification_id: award.certificationId,
      awarded_at: award.awardedAt,
    })
    .onConflict((oc) => oc.columns(["user_id", "badge"]).doNothing())
    .returning("badge")
    .executeTakeFirst();
  return inserted !== undefined;
}

export interface BadgeRow {
  badge: string;
  certification_id: string | null;
  /** The organization of the badge's certification, if it has one. */
  organization_id: string | null;
  awarded_at: Date;
}

export async function listUserBadges(db: Queryable, userId: string): Promise<BadgeRow[]> {
  return db
    .selectFrom("user_badges as b")
    .leftJoin("certifications as c", "c.id", "b.certification_id")
    .select(["b.badge", "b.certification_id", "c.organization_id", "b.awarded_at"])
    .where("b.user_id", "=", userId)
    .orderBy("b.awarded_at", "asc")
    .orderBy("b.badge", "asc")
    .execute();
}

/** The organizations a user belongs to (staff of any of them may see the user's badges). */
