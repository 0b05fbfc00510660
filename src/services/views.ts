import * as crypto from "node:crypto";
import { effectiveStatus, type Source, type Status } from "../domain/status.js";
import { CERTIFICATION_COLUMNS, type CertificationColumn } from "../storage/certification-sql.js";
import type { CertificationRecord } from "../storage/certifications.js";
import type { AuditEventRow } from "../storage/schema.js";

/** A certification as clients see it: the seed's 18 attributes, with the effective status. */
export interface CertificationView {
  id: string;
  user_id: string;
  certification_type_id: string;
  organization_id: string;
  certificate_number: string;
  status: Status;
  issued_at: string;
  expires_at: string | null;
  issued_by_user_id: string | null;
  source: Source;
  course_registration_id: string | null;
  revoked_at: string | null;
  revoked_by_user_id: string | null;
  revocation_reason: string | null;
  expiry_warning_sent_at: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

export function warningDaysOf(
  record: { type_warning_days: number | null },
  defaultWarningDays: number,
): number {
  return record.type_warning_days ?? defaultWarningDays;
}

export function certificationView(
  record: CertificationRecord,
  now: Date,
  defaultWarningDays: number,
): CertificationView {
  return {
    id: record.id,
    user_id: record.user_id,
    certification_type_id: record.certification_type_id,
    organization_id: record.organization_id,
    certificate_number: record.certificate_number,
    status: effectiveStatus(record, warningDaysOf(record, defaultWarningDays), now),
    issued_at: record.issued_at.toISOString(),
    expires_at: iso(record.expires_at),
    issued_by_user_id: record.issued_by_user_id,
    source: record.source,
    course_registration_id: record.course_registration_id,
    revoked_at: iso(record.revoked_at),
    revoked_by_user_id: record.revoked_by_user_id,
    revocation_reason: record.revocation_reason,
    expiry_warning_sent_at: iso(record.expiry_warning_sent_at),
    notes: record.notes,
    created_at: record.created_at.toISOString(),
    updated_at: record.updated_at.toISOString(),
  };
}

/** SHA-256 in base64url: one call where Node has crypto.hash (20.12 on), else a Hash object. */
const sha256: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "base64url")
    : (text) => crypto.createHash("sha256").update(text).digest("base64url");

/** A field of the view that is not a column of the row: none (else the ETag would leave it out). */
type FieldBeyondColumns = Exclude<keyof CertificationView, CertificationColumn>;

/** Every field of the view, in the row's column order: the view's fields are the row's columns. */
const VIEW_FIELDS: readonly (keyof CertificationView)[] =
  CERTIFICATION_COLUMNS satisfies FieldBeyondColumns extends never ? readonly CertificationColumn[] : never;

/**
 * A strong validator of what the client was shown: a digest of every field. It covers the
 * effective status, so a certification that drifts into its warning window gets a new ETag
 * without a write. The fields go in a fixed order (a replayed view comes back from jsonb with its
 * keys reordered), each marked null or text and ended by U+0000, which PostgreSQL text cannot
 * hold: no two views give the same input.
 */
export function etagOf(view: CertificationView): string {
  let canonical = "";
  for (const field of VIEW_FIELDS) {
    const value = view[field];
    canonical += value === null || value === undefined ? "n\u0000" : `s${value}\u0000`;
  }
  return `"${sha256(canonical).slice(0, 27)}"`;
}

export interface AuditEventView {
  id: string;
  action: string;
  actor: string;
  actor_user_id: string | null;
  occurred_at: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export function auditEventView(row: AuditEventRow): AuditEventView {
  return {
    id: row.id,
    action: row.action,
    actor: row.actor,
    actor_user_id: row.actor_user_id,
    occurred_at: row.occurred_at.toISOString(),
    reason: row.reason,
    before: row.before,
    after: row.after,
  };
}
