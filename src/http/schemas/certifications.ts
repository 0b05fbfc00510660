import { type Static, Type } from "@sinclair/typebox";
import { SOURCES, STATUSES } from "../../domain/status.js";
import { Nullable, NullableString, OneOf, Timestamp, Uuid } from "./common.js";

/** A certification as the API shows it, its list page and filters, its audit trail, and the headers of changes. */

const STATUS_DESCRIPTION =
  "Effective status: revoked, else expired once expires_at has come, else suspended while a suspension is open, else expiring_soon within the warning window, else active";
export const StatusSchema = OneOf(STATUSES, { description: STATUS_DESCRIPTION });
export const SourceSchema = OneOf(SOURCES, { description: "How the certification was acquired" });
export const CertificationSchema = Type.Object(
  {
    id: Uuid("Primary key"),
    user_id: Uuid("The peer mentor who holds the certification"),
    certification_type_id: Uuid("The certification type"),
    organization_id: Uuid("The issuing organization"),
    certificate_number: Type.String({ description: "Human-readable unique number, e.g. NHF-2025-00312" }),
    status: StatusSchema,
    issued_at: Timestamp("When the certification was issued"),
    expires_at: NullableString({
      format: "date-time",
      description: "When it stops being valid; null for lifetime certifications",
    }),
    issued_by_user_id: NullableString({
      format: "uuid",
      description: "Coordinator or admin who issued it; null when issued by a service",
    }),
    source: SourceSchema,
    course_registration_id: NullableString({
      format: "uuid",
      description: "Course registration that earned it; null for manual grants",
    }),
    revoked_at: NullableString({ format: "date-time", description: "When it was revoked" }),
    revoked_by_user_id: NullableString({ format: "uuid", description: "Who revoked it" }),
    revocation_reason: NullableString({ description: "Why it was revoked" }),
    expiry_warning_sent_at: NullableString({
      format: "date-time",
      description: "When the expiry reminder was dispatched",
    }),
    notes: NullableString({ description: "Internal administrative notes" }),
    created_at: Timestamp("Row creation time"),
    updated_at: Timestamp("Row last update time"),
  },
  { $id: "Certification", description: "A peer mentor's certification" },
);

export const CertificationPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref("Certification"), { description: "Certifications, newest first" }),
    next_cursor: NullableString({ description: "Pass as `cursor` for the next page; null on the last" }),
  },
  { description: "One page of certifications" },
);

/** The filters of an organization's certifications: the list, the export. */
export const CertificationFilterProperties = {
  status: Type.Optional(Type.Array(StatusSchema, { description: "Effective status; repeat for several" })),
  user_id: Type.Optional(Uuid("Only this holder's")),
  certification_type_id: Type.Optional(Uuid("Only this type")),
  source: Type.Optional(SourceSchema),
  expires_before: Type.Optional(Timestamp("Only those expiring before this instant")),
  expires_after: Type.Optional(Timestamp("Only those expiring after this instant")),
};

export const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(
    Type.String({ description: "ETag of the representation the change is based on" }),
  ),
});
export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: "Makes a retry of this request safe: same key, same answer",
    }),
  ),
});

export const ReasonBody = Type.Object(
  { reason: Type.String({ maxLength: 2000, description: "Why; kept in the audit trail" }) },
  { additionalProperties: false },
);
export type ReasonBody = Static<typeof ReasonBody>;

export const AuditEventSchema = Type.Object(
  {
    id: Uuid("Event id"),
    action: Type.String({
      description: "What happened: issued, renewed, revoked, reinstated, expiry_changed, …",
    }),
    actor: Type.String({ description: "Who: user:<id>, service:<name> or system:<job>" }),
    actor_user_id: Nullable(Uuid("The acting user, if a user")),
    occurred_at: Timestamp("When"),
    reason: Nullable(Type.String({ description: "The reason given, if any" })),
    before: Type.Unknown({ description: "The certification before the change" }),
    after: Type.Unknown({ description: "The certification after the change" }),
  },
  { description: "One entry of the audit trail" },
);
