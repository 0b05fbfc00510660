/** The contract's problem codes. The domain raises them; only the HTTP layer knows their status. */
export const ERROR_CODES = [
  "invalid_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "one_active_cert_per_user_per_type",
  "valid_status_transition",
  "revoked_cert_cannot_be_reactivated",
  "precondition_failed",
  "expires_at_after_issued_at",
  "course_registration_source_consistency",
  "organization_scoped_type",
  "issued_by_role_check",
  "certificate_number_format",
  "revocation_requires_reason",
  "idempotency_key_reused",
  "conflict",
  "gone",
  "service_unavailable",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string): DomainError => new DomainError("not_found", `${what} not found`);
export const forbidden = (message: string): DomainError => new DomainError("forbidden", message);
export const invalid = (message: string, errors: readonly FieldError[] = []): DomainError =>
  new DomainError("invalid_request", message, errors);
