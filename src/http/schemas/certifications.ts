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
    holder_display_name: Type.Optional(
      NullableString({
        description:
          "The holder's display name, from the directory (not the memberships: it stays after the holder's " +
          "membership is removed). In staff answers only (the organization's list, and one certification read by " +
          "its staff); null when the directory has no name. Not covered by the ETag",
      }),
    ),
  },
  {
    $id: "Certification",
    description: "A peer mentor's certification",
    examples: [
      {
        id: "6f1c2a4e-0d3b-4c55-9a7e-2b8f0c1d9e3a",
        user_id: "3f0c6a52-9c1e-4d8e-8f53-0b3f9a7d2c11",
        certification_type_id: "b7d4e1f0-5a2c-4e9b-8c3d-1f6a0e2b9d47",
        organization_id: "0e9b3c71-2d4f-4a6e-b8c5-7f1a2d3e4b50",
        certificate_number: "NHF-2025-00312",
        status: "active",
        issued_at: "2025-03-01T10:00:00.000Z",
        expires_at: "2027-03-01T10:00:00.000Z",
        issued_by_user_id: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        source: "manual_grant",
        course_registration_id: null,
        revoked_at: null,
        revoked_by_user_id: null,
        revocation_reason: null,
        expiry_warning_sent_at: null,
        notes: null,
        created_at: "2025-03-01T10:00:00.123Z",
        updated_at: "2025-03-01T10:00:00.123Z",
        holder_display_name: "Mari Mentor",
      },
    ],
  },
);

export const ETAG_HEADER = {
  ETag: { type: "string", description: "Validator of this representation, for If-Match" },
} as const;

/** A certification in an answer: every one carries its ETag. */
export const CertificationResponse = (description: string) => ({
  ...Type.Ref("Certification"),
  description,
  headers: ETAG_HEADER,
});

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

/** The staff list's search and order (with the filters above). */
export const SearchProperties = {
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        "Part of the holder's name (any case, accents folded; æ, ø and å are letters of their own), or a whole certificate number",
    }),
  ),
  sort: Type.Optional(
    OneOf(["newest", "expires_at"] as const, {
      description: "newest (default) or expires_at: soonest expiry first, lifetime ones last",
    }),
  ),
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
    actor_display_name: Type.Optional(
      NullableString({
        description:
          "The acting user's name, from the directory (so it stays after their membership is removed); null for a " +
          "service, the system, or a user the directory does not know",
      }),
    ),
    changes: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "The field, e.g. expires_at" }),
          label: Type.String({ description: "Its label in the language of the request (Accept-Language)" }),
          before: Type.Unknown({ description: "Its value before" }),
          after: Type.Unknown({ description: "Its value after" }),
        }),
        { description: "The fields the event changed, before → after (empty for an issuance)" },
      ),
    ),
  },
  {
    description: "One entry of the audit trail",
    examples: [
      {
        id: "01936f2a-7c4e-7a10-9b2d-5e8f0a1c3d47",
        action: "revoked",
        actor: "user:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        actor_user_id: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        occurred_at: "2025-09-01T08:30:00.000Z",
        reason: "Issued to the wrong person",
        before: { status: "active", revocation_reason: null },
        after: { status: "revoked", revocation_reason: "Issued to the wrong person" },
        actor_display_name: "Kari Koordinator",
        changes: [
          { field: "status", label: "Status", before: "active", after: "revoked" },
          {
            field: "revocation_reason",
            label: "Reason for revocation",
            before: null,
            after: "Issued to the wrong person",
          },
        ],
      },
    ],
  },
);

export const GrantBody = Type.Object(
  {
    user_id: Uuid("The member who receives it"),
    certification_type_id: Uuid("The type: the organization's own or a global one"),
    issued_at: Type.Optional(Timestamp("When it was issued; default now; never in the future")),
    expires_at: Type.Optional(
      Nullable(Timestamp("When it expires; default from the type's validity; null for lifetime")),
    ),
    notes: Type.Optional(
      Type.Union([Type.String({ maxLength: 4000 }), Type.Null()], { description: "Internal notes" }),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        user_id: "3f0c6a52-9c1e-4d8e-8f53-0b3f9a7d2c11",
        certification_type_id: "b7d4e1f0-5a2c-4e9b-8c3d-1f6a0e2b9d47",
        issued_at: "2025-03-01T10:00:00Z",
      },
    ],
  },
);

export const CourseCompletionBody = Type.Object(
  {
    course_registration_id: Uuid("A completed registration of a member of this organization"),
    certification_type_id: Uuid("The type the course earns"),
  },
  {
    additionalProperties: false,
    examples: [
      {
        course_registration_id: "5c2e8a10-7b3d-4f6e-9a1c-2d8b0e4f6a73",
        certification_type_id: "b7d4e1f0-5a2c-4e9b-8c3d-1f6a0e2b9d47",
      },
    ],
  },
);

export const UpdateBody = Type.Object(
  {
    notes: Type.Optional(
      Type.Union([Type.String({ maxLength: 4000 }), Type.Null()], { description: "Internal notes" }),
    ),
    expires_at: Type.Optional(Nullable(Timestamp("New expiry; null for lifetime"))),
    status: Type.Optional(StatusSchema),
    revocation_reason: Type.Optional(
      Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
        description: "With status revoked",
      }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ expires_at: "2027-06-30T22:00:00Z", notes: "Extended after the refresher" }],
  },
);
