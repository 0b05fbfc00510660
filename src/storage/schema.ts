import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Table shapes as Kysely sees them. Column names are the SQL names (snake_case). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, never>;
type Json = ColumnType<unknown, string, string>;

export type MembershipRole = "peer_mentor" | "coordinator" | "org_admin";
export type CertificationStatus = "active" | "expiring_soon" | "suspended" | "expired" | "revoked";
export type CertificationSource = "course_completion" | "manual_grant";

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  prefix: string;
  time_zone: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface UsersTable {
  id: string;
  display_name: string;
  is_global_admin: Generated<boolean>;
  /** The organization that created the user and owns their name; null: the platform's. */
  home_organization_id: Generated<string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: MembershipRole;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CertificationTypesTable {
  id: Generated<string>;
  organization_id: string | null;
  name: string;
  validity_months: number | null;
  warning_days: number | null;
  /** Some certification of the type keeps the window it was issued under (migration 0011). */
  has_kept_windows: Generated<boolean>;
  key: Generated<string | null>;
  retired_at: Generated<Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CourseRegistrationsTable {
  id: Generated<string>;
  organization_id: string;
  user_id: string;
  course_id: string;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CertificationsTable {
  id: Generated<string>;
  user_id: string;
  certification_type_id: string;
  organization_id: string;
  certificate_number: string;
  status: CertificationStatus;
  issued_at: Timestamp;
  expires_at: Timestamp | null;
  issued_by_user_id: string | null;
  source: CertificationSource;
  course_registration_id: string | null;
  revoked_at: Timestamp | null;
  revoked_by_user_id: string | null;
  revocation_reason: string | null;
  expiry_warning_sent_at: Timestamp | null;
  notes: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CertificationSuspensionsTable {
  id: Generated<string>;
  certification_id: string;
  organization_id: string;
  suspended_at: Timestamp;
  suspended_by_user_id: string;
  reason: string;
  lifted_at: Timestamp | null;
  lifted_by_user_id: string | null;
  lift_reason: string | null;
}

export interface OrganizationSigningKeysTable {
  id: Generated<string>;
  organization_id: string;
  public_key_multibase: string;
  secret_key_encrypted: string;
  created_at: CreatedAt;
  retired_at: Timestamp | null;
}

export type StatusPurpose = "revocation" | "suspension";

export interface StatusListsTable {
  id: Generated<string>;
  organization_id: string;
  purpose: StatusPurpose;
  length: number;
  created_at: CreatedAt;
}

export interface CredentialStatusEntriesTable {
  certification_id: string;
  purpose: StatusPurpose;
  status_list_id: string;
  status_index: number;
}

export interface CertificateCountersTable {
  prefix: string;
  year: number;
  last_value: number;
}

export interface AuditEventsTable {
  id: Generated<string>;
  entity_type: string;
  entity_id: string;
  organization_id: string | null;
  action: string;
  actor_user_id: string | null;
  actor: string;
  reason: string | null;
  before: Json | null;
  after: Json | null;
  occurred_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number;
  resource_id: string | null;
  response: Json | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type JobState = "pending" | "running" | "done" | "dead";

export interface JobsTable {
  id: Generated<string>;
  queue: string;
  payload: Json;
  state: Generated<JobState>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  singleton_key: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface JobSchedulesTable {
  name: string;
  cron: string;
  next_run_at: Timestamp;
  last_run_at: Timestamp | null;
}

/** One weekly digest per organization and week (migration 0009). */
export interface OrganizationDigestsTable {
  organization_id: string;
  /** Monday of the ISO week (a `date`; written as `YYYY-MM-DD`). */
  week: ColumnType<Date, string, never>;
  notification_id: string;
  certification_count: number;
  created_at: CreatedAt;
}

export interface UserBadgesTable {
  user_id: string;
  badge: string;
  certification_id: string | null;
  awarded_at: ColumnType<Date, Date | string | undefined, never>;
}

/** One per certification, made by the database when the certification is inserted (migration 0005). */
export interface CertificationVerificationCodesTable {
  certification_id: string;
  code: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ShareLinksTable {
  id: Generated<string>;
  certification_id: string;
  token: string;
  created_by_user_id: string | null;
  expires_at: Timestamp;
  withdrawn_at: Timestamp | null;
  views: Generated<number>;
  last_viewed_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** The window a certification was issued under, once its type's has been edited (migration 0011). */
export interface CertificationWarningWindowsTable {
  certification_id: string;
  warning_days: number;
  kept_at: CreatedAt;
}

export interface SchemaMigrationsTable {
  name: string;
  applied_at: ColumnType<Date, never, never>;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  certification_types: CertificationTypesTable;
  course_registrations: CourseRegistrationsTable;
  certifications: CertificationsTable;
  certification_suspensions: CertificationSuspensionsTable;
  certification_warning_windows: CertificationWarningWindowsTable;
  organization_signing_keys: OrganizationSigningKeysTable;
  status_lists: StatusListsTable;
  credential_status_entries: CredentialStatusEntriesTable;
  certificate_counters: CertificateCountersTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  organization_digests: OrganizationDigestsTable;
  user_badges: UserBadgesTable;
  certification_verification_codes: CertificationVerificationCodesTable;
  share_links: ShareLinksTable;
  schema_migrations: SchemaMigrationsTable;
}

export type CertificationRow = Selectable<CertificationsTable>;
export type NewCertification = Insertable<CertificationsTable>;
export type CertificationUpdate = Updateable<CertificationsTable>;
export type SuspensionRow = Selectable<CertificationSuspensionsTable>;
export type SigningKeyRow = Selectable<OrganizationSigningKeysTable>;
export type StatusListRow = Selectable<StatusListsTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;
export type CertificationTypeRow = Selectable<CertificationTypesTable>;
export type CourseRegistrationRow = Selectable<CourseRegistrationsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type JobRow = Selectable<JobsTable>;
export type ShareLinkRow = Selectable<ShareLinksTable>;
