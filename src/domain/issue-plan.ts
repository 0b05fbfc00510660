import { formatCertificateNumber, yearIn } from "./certificate-number.js";
import { DomainError, notFound } from "./errors.js";
import { canSeeOrganization, type Principal } from "./principal.js";
import {
  type CourseRegistrationFacts,
  checkExpiresAfterIssued,
  checkIssuedByRole,
  checkIssuedNotInFuture,
  checkOrganizationScopedType,
  checkSourceConsistency,
  defaultExpiry,
} from "./rules.js";
import { effectiveStatus, holdsLivePlace, type Source, type Status } from "./status.js";

export interface IssueOrganization {
  id: string;
  prefix: string;
  time_zone: string;
}

export interface IssueType {
  id: string;
  organization_id: string | null;
  validity_months: number | null;
  warning_days: number | null;
}

/** What the rules of an issuance read, however the caller found it (one query, or a batch's). */
export interface IssueFacts<T extends IssueType = IssueType> {
  organization: IssueOrganization | null;
  type: T | null;
  /** The holder is a member of the organization, or becomes one with this issuance (an import row). */
  holderIsMember: boolean;
  /**
   * The holder has a certification of the type that is live by its dates. Undefined: the caller
   * checks that rule itself (the import, against a whole batch).
   */
  liveOther?: boolean | undefined;
}

export interface IssueRequestFacts {
  userId: string;
  source: Source;
  registration: (CourseRegistrationFacts & { id: string }) | null;
  issuedAt?: Date | undefined;
  /** undefined: the type's validity from issue; null: a lifetime certification. */
  expiresAt?: Date | null | undefined;
}

export interface IssuePlan<T extends IssueType = IssueType> {
  organization: IssueOrganization;
  type: T;
  issuedAt: Date;
  expiresAt: Date | null;
  /** The status the dates give at `now`: what is stored with the new row. */
  status: Status;
  /** The year of the number: the year of issued_at in the organization's time zone. */
  year: number;
}

/** The refusal of a second live certification of a type, as issuing and importing word it. */
export function liveAlready(): DomainError {
  return new DomainError(
    "one_active_cert_per_user_per_type",
    "The user already holds a live certification of this type; renew it instead",
  );
}

/**
 * Every seed rule an issuance can break before it writes, in the order callers see them, and
 * what the new certification is: its dates, its status and the year of its number. Pure: the
 * grant, the course completion and each row of an import call it with what they read.
 */
export function planIssue<T extends IssueType>(
  principal: Principal,
  request: IssueRequestFacts,
  facts: IssueFacts<T>,
  now: Date,
  defaultWarningDays: number,
): IssuePlan<T> {
  const { organization, type } = facts;
  if (!organization || !canSeeOrganization(principal, organization.id)) throw notFound("Organization");
  if (request.source === "manual_grant") checkIssuedByRole(principal, organization.id);

  checkOrganizationScopedType(type?.organization_id, organization.id);
  if (!type) throw notFound("Certification type");

  if (!facts.holderIsMember) throw notFound("User in this organization");

  checkSourceConsistency(
    request.source,
    { userId: request.userId, organizationId: organization.id },
    request.registration,
  );

  const issuedAt = request.issuedAt ?? now;
  checkIssuedNotInFuture(issuedAt, now);
  const expiresAt =
    request.expiresAt === undefined ? defaultExpiry(issuedAt, type.validity_months) : request.expiresAt;
  checkExpiresAfterIssued(issuedAt, expiresAt);

  const warningDays = type.warning_days ?? defaultWarningDays;
  const status = effectiveStatus({ revoked_at: null, expires_at: expiresAt }, warningDays, now);
  // The partial unique index refuses a second row stored as live; this also refuses one next to a
  // row stored as expired whose dates say it is live (rows stored as live past their date do not
  // count: their expiry is persisted before the insert).
  if (facts.liveOther === true && holdsLivePlace(status)) throw liveAlready();

  const year = yearIn(issuedAt, organization.time_zone);
  // The number is drawn when written; a prefix or year that no number can have is refused here.
  formatCertificateNumber({ prefix: organization.prefix, year, sequence: 1 });
  return { organization, type, issuedAt, expiresAt, status, year };
}
