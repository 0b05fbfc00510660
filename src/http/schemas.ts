import { type SchemaOptions, type Static, type StringOptions, type TSchema, Type } from "@sinclair/typebox";
import { ERROR_CODES } from "../domain/errors.js";
import { ROLES } from "../domain/principal.js";
import { SOURCES, STATUSES } from "../domain/status.js";

/** Request and response shapes of the HTTP API. Every field carries a description for OpenAPI. */

export const Uuid = (description: string) => Type.String({ format: "uuid", description });
export const Timestamp = (description: string) => Type.String({ format: "date-time", description });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A string or null, as one list of types rather than anyOf: the response serializer writes a
 * list of types directly, where anyOf makes it run a validator on every value to pick a branch
 * (half the cost of a page of certifications).
 */
export const NullableString = (options: StringOptions) =>
  Type.Unsafe<string | null>({ ...options, type: ["string", "null"] });

/** One of a fixed set of strings, as an enum: the serializer writes it as a string (see above). */
const OneOf = <T extends string>(values: readonly T[], options: SchemaOptions) =>
  Type.Unsafe<T>({ ...options, type: "string", enum: [...values] });

/** One of a fixed set of strings, or null. */
export const NullableOneOf = <T extends string>(values: readonly T[], options: SchemaOptions) =>
  Type.Unsafe<T | null>({ ...options, type: ["string", "null"], enum: [...values, null] });

const STATUS_DESCRIPTION =
  "Effective status: revoked, else expired once expires_at has come, else expiring_soon within the warning window, else active";
export const StatusSchema = OneOf(STATUSES, { description: STATUS_DESCRIPTION });
export const SourceSchema = OneOf(SOURCES, { description: "How the certification was acquired" });
export const RoleSchema = OneOf(ROLES, { description: "Role in the organization" });

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

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary of the problem type" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong in this case" }),
    code: Type.String({
      description: `Machine-readable code: the seed rule's name where a rule is broken. One of ${ERROR_CODES.join(", ")}, payload_too_large, rate_limited, internal_error`,
    }),
    instance: Type.Optional(Type.String({ description: "The request path" })),
    request_id: Type.Optional(Type.String({ description: "Request id, also in the logs" })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "Where: body/field, query/field or path/field" }),
          message: Type.String({ description: "What is wrong with it" }),
        }),
        { description: "Field errors (invalid_request)" },
      ),
    ),
  },
  { $id: "Problem", description: "RFC 9457 problem details" },
);

export const ProblemRef = Type.Ref("Problem");

/** Error responses a route can give, for the OpenAPI document. */
export function problems(...statuses: number[]): Record<number, typeof ProblemRef> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}

/** The filters of an organization's certifications: the list, the export. */
export const CertificationFilterProperties = {
  status: Type.Optional(Type.Array(StatusSchema, { description: "Effective status; repeat for several" })),
  user_id: Type.Optional(Uuid("Only this holder's")),
  certification_type_id: Type.Optional(Uuid("Only this type")),
  source: Type.Optional(SourceSchema),
  expires_before: Type.Optional(Timestamp("Only those expiring before this instant")),
  expires_after: Type.Optional(Timestamp("Only those expiring after this instant")),
};

export const OrgParams = Type.Object({ orgId: Uuid("Organization id") });
export const IdParams = Type.Object({ id: Uuid("Certification id") });
export const UserParams = Type.Object({ userId: Uuid("User id") });

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

export const OrganizationSchema = Type.Object(
  {
    id: Uuid("Organization id"),
    name: Type.String({ description: "Name" }),
    prefix: Type.String({ description: "Certificate number prefix" }),
    time_zone: Type.String({
      description: "IANA time zone; the year of a certificate number is the year there",
    }),
    created_at: Timestamp("Creation time"),
  },
  { description: "An organization" },
);

export const CertificationTypeSchema = Type.Object(
  {
    id: Uuid("Type id"),
    organization_id: Nullable(Uuid("Owning organization; null for a global type")),
    name: Type.String({ description: "Name, e.g. Digital Peer Mentor Certificate" }),
    validity_months: Nullable(Type.Integer({ description: "Validity from issue; null for lifetime" })),
    warning_days: Type.Integer({ description: "Expiry warning window in days" }),
    created_at: Timestamp("Creation time"),
  },
  { description: "A certification type" },
);

export const MemberSchema = Type.Object(
  {
    organization_id: Uuid("Organization id"),
    user_id: Uuid("User id"),
    role: RoleSchema,
    display_name: Type.String({ description: "The user's display name" }),
  },
  { description: "A user's membership of an organization" },
);

export const CourseRegistrationSchema = Type.Object(
  {
    id: Uuid("Registration id"),
    organization_id: Uuid("Organization id"),
    user_id: Uuid("The registered user"),
    course_id: Type.String({ description: "The course's id in the course module" }),
    completed_at: Nullable(Timestamp("When the course was completed; null while not completed")),
    created_at: Timestamp("Creation time"),
  },
  { description: "A course registration" },
);

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
