import type { Db } from "../storage/database.js";
import { awardBadge, type BadgeFactCertification, loadBadgeFacts } from "../storage/user-badges.js";

/**
 * A badge rule: given a user's certifications (oldest first), the certification that earns the
 * badge, or null while it is not earned. Adding a badge is adding one function to BADGE_RULES.
 *
 * Revoked certifications earn nothing. Badges once awarded stay: gamification rewards what the
 * user did, and a later revocation or expiry is visible on the certification itself, so
 * re-evaluation after revocation or expiry only ever adds (it never crashes on, nor removes, a
 * badge whose certification is gone).
 */
export type BadgeRule = (certifications: readonly BadgeFactCertification[]) => string | null;

const counted = (certifications: readonly BadgeFactCertification[]) =>
  certifications.filter((certification) => certification.revoked_at === null);

export const BADGE_RULES: Readonly<Record<string, BadgeRule>> = {
  first_certification: (certifications) => counted(certifications)[0]?.id ?? null,
  three_certifications: (certifications) => counted(certifications)[2]?.id ?? null,
};

export interface BadgeEvaluationPayload {
  user_id: string;
  certification_id?: string;
  reason?: string;
}

export function isBadgeEvaluationPayload(
  payload: Record<string, unknown>,
): payload is Record<string, unknown> & BadgeEvaluationPayload {
  return typeof payload.user_id === "string";
}

/** Evaluates every rule for a user and awards what is newly earned; returns the badges awarded now. */
export async function evaluateBadges(
  db: Db,
  userId: string,
  now: Date,
  rules: Readonly<Record<string, BadgeRule>> = BADGE_RULES,
): Promise<string[]> {
  const facts = await loadBadgeFacts(db, userId);
  const awarded: string[] = [];
  for (const [badge, rule] of Object.entries(rules)) {
    const certificationId = rule(facts);
    if (certificationId === null) continue;
    if (await awardBadge(db, { userId, badge, certificationId, awardedAt: now })) awarded.push(badge);
  }
  return awarded;
}
