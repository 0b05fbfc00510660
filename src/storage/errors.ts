import { DomainError, type ErrorCode } from "../domain/errors.js";

interface PostgresError {
  code: string;
  constraint?: string | undefined;
}

function isPostgresError(error: unknown): error is PostgresError {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}

/**
 * Constraint and index names that are seed rules. When a write slips past the domain's checks
 * (a race, or a writer that bypassed the service) the database still refuses it, and the
 * refusal reaches the caller as the same code.
 */
const RULE_CONSTRAINTS: Readonly<Record<string, ErrorCode>> = {
  one_active_cert_per_user_per_type: "one_active_cert_per_user_per_type",
  expires_at_after_issued_at: "expires_at_after_issued_at",
  course_registration_source_consistency: "course_registration_source_consistency",
  organization_scoped_type: "organization_scoped_type",
  issued_by_role_check: "issued_by_role_check",
  certificate_number_format: "certificate_number_format",
  revocation_requires_reason: "revocation_requires_reason",
  valid_status_transition: "valid_status_transition",
  one_open_suspension_per_certification: "valid_status_transition",
  suspension_requires_reason: "invalid_request",
  suspension_lift_complete: "invalid_request",
  suspension_by_staff: "forbidden",
  organization_prefix_unique: "conflict",
  certification_type_name_unique: "conflict",
  course_registration_unique: "conflict",
  certification_type_key_unique: "conflict",
  certification_type_retired: "conflict",
};

/** Turns a database refusal that a caller can cause into a DomainError; anything else passes. */
export function translateDatabaseError(error: unknown): unknown {
  if (!isPostgresError(error)) return error;
  const rule = error.constraint ? RULE_CONSTRAINTS[error.constraint] : undefined;
  if (rule) return new DomainError(rule, `Refused by rule ${error.constraint}`);
  switch (error.code) {
    case "23505":
      return new DomainError("conflict", "A record with the same unique value already exists");
    case "23503":
      return new DomainError("not_found", "A referenced record does not exist");
    case "22P02":
    case "22007":
    case "22008":
      return new DomainError("invalid_request", "A value is not valid for its field");
    default:
      return error;
  }
}

/** Serialization failures and deadlocks: the transaction can simply run again. */
export function isRetryable(error: unknown): boolean {
  return isPostgresError(error) && (error.code === "40001" || error.code === "40P01");
}
