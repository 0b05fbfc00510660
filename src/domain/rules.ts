import { DomainError } from "./errors.js";
import { isGlobal, isStaff, type Principal } from "./principal.js";
import type { Source } from "./status.js";

/**
 * The seed's validation and business rules as named functions. Each raises the contract's code
 * for its rule; the database holds the same rules again as constraints and triggers, so a writer
 * that bypasses this module still cannot break them.
 */

/** expires_at_after_issued_at */
export function checkExpiresAfterIssued(issuedAt: Date, expiresAt: Date | null): void {
  if (expiresAt !== null && expiresAt.getTime() <= issuedAt.getTime()) {
    throw new DomainError(
      "expires_at_after_issued_at",
      `expires_at (${expiresAt.toISOString()}) must be after issued_at (${issuedAt.toISOString()})`,
    );
  }
}

/** Issue dates may be back-dated (paper certificates) but never lie in the future. */
export function checkIssuedNotInFuture(issuedAt: Date, now: Date): void {
  // A second of slack for clocks of caller and server that differ a little.
  if (issuedAt.getTime() > now.getTime() + 1000) {
    throw new DomainError("invalid_request", "issued_at cannot be in the future", [
      { field: "issued_at", message: "must not be in the future" },
    ]);
  }
}

export interface CourseRegistrationFacts {
  user_id: string;
  organization_id: string;
  completed_at: Date | null;
}

/**
 * course_registration_source_consistency: a course completion stands on a completed registration
 * of the same user and organization; a manual grant stands on none.
 */
export function checkSourceConsistency(
  source: Source,
  holder: { userId: string; organizationId: string },
  registration: CourseRegistrationFacts | null,
): void {
  if (source === "manual_grant") {
    if (registration !== null) {
      throw new DomainError(
        "course_registration_source_consistency",
        "A manual grant cannot refer to a course registration",
      );
    }
    return;
  }
  if (registration === null) {
    throw new DomainError(
      "course_registration_source_consistency",
      "A course completion needs a course registration",
    );
  }
  if (registration.user_id !== holder.userId || registration.organization_id !== holder.organizationId) {
    throw new DomainError(
      "course_registration_source_consistency",
      "The course registration belongs to another user or organization",
    );
  }
  if (registration.completed_at === null) {
    throw new DomainError(
      "course_registration_source_consistency",
      "The course registration is not completed",
    );
  }
}

/**
 * organization_scoped_type: a type of another organization cannot be issued here; global types
 * can. An unknown type id gets the same answer (undefined here), so an id says nothing about
 * another organization's types.
 */
export function checkOrganizationScopedType(
  typeOrganizationId: string | null | undefined,
  organizationId: string,
): void {
  if (
    typeOrganizationId === undefined ||
    (typeOrganizationId !== null && typeOrganizationId !== organizationId)
  ) {
    throw new DomainError(
      "organization_scoped_type",
      "The certification type is not one this organization can issue",
    );
  }
}

/**
 * issued_by_role_check for a manual grant: the issuer is a coordinator or admin of the
 * organization, or a global admin; the system grants with no issuer. A service issues only from
 * course completions, never by manual grant.
 */
export function checkIssuedByRole(principal: Principal, organizationId: string): void {
  if (principal.kind === "system") return;
  if (principal.kind === "service" || !isStaff(principal, organizationId)) {
    throw new DomainError(
      "issued_by_role_check",
      "Only a coordinator or admin of the organization, or a global admin, can issue certifications",
    );
  }
}

/** revocation_requires_reason: a revocation carries a reason that is not blank. */
export function checkRevocationReason(reason: string | null | undefined): string {
  const trimmed = reason?.trim() ?? "";
  if (trimmed === "") {
    throw new DomainError(
      "revocation_requires_reason",
      "Revoking a certification requires a non-blank reason",
      [{ field: "reason", message: "must not be blank" }],
    );
  }
  return trimmed;
}

/** A suspension and its lifting each carry a reason that is not blank (400, as for reinstate). */
export function checkSuspensionReason(
  reason: string | null | undefined,
  what: "Suspending" | "Unsuspending",
): string {
  const trimmed = reason?.trim() ?? "";
  if (trimmed === "") {
    throw new DomainError("invalid_request", `${what} a certification requires a non-blank reason`, [
      { field: "reason", message: "must not be blank" },
    ]);
  }
  return trimmed;
}

/** Only global admins reinstate a revoked certification (revoked_cert_cannot_be_reactivated). */
export function canReinstate(principal: Principal): boolean {
  return isGlobal(principal);
}

/** The default expiry: issue date plus the type's validity, or none for lifetime types. */
export function defaultExpiry(issuedAt: Date, validityMonths: number | null): Date | null {
  if (validityMonths === null) return null;
  const expiry = new Date(issuedAt.getTime());
  const day = expiry.getUTCDate();
  expiry.setUTCDate(1);
  expiry.setUTCMonth(expiry.getUTCMonth() + validityMonths);
  // 31 January plus one month is the last day of February, not 3 March.
  const lastDay = new Date(Date.UTC(expiry.getUTCFullYear(), expiry.getUTCMonth() + 1, 0)).getUTCDate();
  expiry.setUTCDate(Math.min(day, lastDay));
  return expiry;
}

/** holder_initials: first letters of the first and last words of the display name (`Mari Mentor` → `MM`). */
export function holderInitials(displayName: string): string {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  const first = words[0];
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  return [first, last]
    .filter((word): word is string => word !== undefined)
    .map((word) => (Array.from(word)[0] ?? "").toLocaleUpperCase("nb-NO"))
    .join("");
}

/** name_matches: the same name, ignoring case and spacing. */
export function namesMatch(displayName: string, claimed: string): boolean {
  const normalize = (name: string) => name.normalize("NFC").toLocaleLowerCase("nb-NO").replace(/\s+/g, "");
  return normalize(displayName) !== "" && normalize(displayName) === normalize(claimed);
}
