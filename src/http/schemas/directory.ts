import { Type } from "@sinclair/typebox";
import { ROLES } from "../../domain/principal.js";
import { Nullable, OneOf, Timestamp, Uuid } from "./common.js";

/** Organizations, their members, certification types and course registrations. */

export const RoleSchema = OneOf(ROLES, { description: "Role in the organization" });

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
    key: Nullable(Type.String({ description: "Stable slug an app may gate on; null when none" })),
    retired_at: Nullable(Timestamp("When retired (no new grants); null while in use")),
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

export const MemberListItemSchema = Type.Object(
  {
    organization_id: Uuid("Organization id"),
    user_id: Uuid("User id"),
    role: RoleSchema,
    display_name: Type.String({ description: "The user's display name" }),
    member_since: Timestamp("When they joined the organization"),
    certificate_numbers: Type.Array(Type.String(), {
      description: "Their three latest certificate numbers here, newest first (tells namesakes apart)",
    }),
  },
  { description: "A member as the member list shows them" },
);

/** The query of the member list: search text, role, the cursor of the page before, page size. */
export const MemberQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Search text" })),
    role: Type.Optional(RoleSchema),
    cursor: Type.Optional(Type.String({ maxLength: 1000, description: "next_cursor of the page before" })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 200, description: "Page size" }),
  },
  { additionalProperties: false },
);

export const MemberPageSchema = Type.Object(
  {
    items: Type.Array(MemberListItemSchema),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: "The next page; null at the end",
    }),
    total: Type.Integer({ minimum: 0, description: "Members matching the search, on all pages" }),
  },
  {
    description: "A page of members",
    examples: [
      {
        items: [
          {
            organization_id: "0b7e5a52-6f0d-4f7e-9d53-3f7c4d1c2a10",
            user_id: "5f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
            role: "peer_mentor",
            display_name: "Øyvind Ås",
            member_since: "2024-09-02T08:15:00.000Z",
            certificate_numbers: ["NHF-2025-00312"],
          },
        ],
        next_cursor: null,
        total: 1,
      },
    ],
  },
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
