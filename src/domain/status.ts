import { DomainError } from "./errors.js";

export const STATUSES = ["active", "expiring_soon", "suspended", "expired", "revoked"] as const;
export type Status = (typeof STATUSES)[number];

export const SOURCES = ["course_completion", "manual_grant"] as const;
export type Source = (typeof SOURCES)[number];

const DAY_MS = 86_400_000;

export interface Dated {
  revoked_at: Date | null;
  expires_at: Date | null;
  /**
   * The stored status. Only `suspended` is read from it: a suspension is the one status no date
   * gives, and a certification is stored as suspended exactly while a suspension of it is open.
   */
  status?: Status | undefined;
}

/**
 * The status a record has at `now`: revoked if revoked; else expired once `expires_at` has come;
 * else suspended while a suspension is open; else expiring soon within the warning window; else
 * active. Lifetime records never expire.
 */
export function effectiveStatus(record: Dated, warningDays: number, now: Date): Status {
  if (record.revoked_at !== null) return "revoked";
  const left =
    record.expires_at === null ? Number.POSITIVE_INFINITY : record.expires_at.getTime() - now.getTime();
  if (left <= 0) return "expired";
  if (record.status === "suspended") return "suspended";
  if (left <= warningDays * DAY_MS) return "expiring_soon";
  return "active";
}

/**
 * Holds the live place of its user and type (one_active_cert_per_user_per_type): not revoked and
 * not expired. A suspended certification keeps its place.
 */
export function holdsLivePlace(status: Status): boolean {
  return status === "active" || status === "expiring_soon" || status === "suspended";
}

/** Gives access: eligibility, and `valid` in a verification. */
export function grantsAccess(status: Status): boolean {
  return status === "active" || status === "expiring_soon";
}

/** What can be done to a record, by what it is now. */
export type LifecycleAction =
  | "edit"
  | "set_expiry"
  | "renew"
  | "revoke"
  | "reinstate"
  | "suspend"
  | "unsuspend";

/**
 * The lifecycle as one table. Dates move active, expiring_soon and expired into one another
 * (set_expiry and renew); a live certification is suspended and unsuspended, keeping its dates
 * (an expired one can still have its suspension lifted); revocation is final except for
 * reinstatement by a global admin.
 */
const LIFECYCLE: Readonly<Record<Status, readonly LifecycleAction[]>> = {
  active: ["edit", "set_expiry", "renew", "revoke", "suspend"],
  expiring_soon: ["edit", "set_expiry", "renew", "revoke", "suspend"],
  suspended: ["edit", "set_expiry", "renew", "revoke", "unsuspend"],
  expired: ["edit", "set_expiry", "renew", "revoke", "unsuspend"],
  revoked: ["edit", "reinstate"],
};

export function canApply(status: Status, action: LifecycleAction): boolean {
  return LIFECYCLE[status].includes(action);
}

/**
 * valid_status_transition and revoked_cert_cannot_be_reactivated: raises the seed rule's code
 * when `action` is not in the lifecycle for `status`.
 */
export function assertTransition(status: Status, action: LifecycleAction): void {
  if (canApply(status, action)) return;
  // Suspending a revoked one is named with the others that cannot be suspended (contract 12a).
  if (status === "revoked" && action !== "suspend") {
    throw new DomainError(
      "revoked_cert_cannot_be_reactivated",
      "A revoked certification cannot change status; only a global admin can reinstate it",
    );
  }
  throw new DomainError(
    "valid_status_transition",
    `Cannot ${action.replace("_", " ")} a certification that is ${status}`,
  );
}

/**
 * PATCH may name a status, but status follows from the dates: the only values it may set are
 * `revoked` (a revocation) and the value the record already has (no change).
 */
export function requestedStatusChange(current: Status, requested: Status): "none" | "revoke" {
  if (requested === current) return "none";
  if (current === "revoked") {
    throw new DomainError(
      "revoked_cert_cannot_be_reactivated",
      "A revoked certification cannot change status; only a global admin can reinstate it",
    );
  }
  if (requested === "revoked") return "revoke";
  throw new DomainError(
    "valid_status_transition",
    `Status cannot be set from ${current} to ${requested}: it follows from the dates; change expires_at or renew instead`,
  );
}
