import { type Static, Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { STATUSES } from "../../domain/status.js";
import { checkEligibility } from "../../services/check-eligibility.js";
import { completeCourse } from "../../services/complete-course.js";
import { grantCertification } from "../../services/issue-certification.js";
import {
  getCertification,
  getCertificationByNumber,
  type ListQuery,
  listExpiringCertifications,
  listOrganizationCertifications,
  listUserCertifications,
} from "../../services/read-certifications.js";
import { searchFilters, searchOrganizationCertifications } from "../../services/search-certifications.js";
import type { CertificationView } from "../../services/views.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import {
  CertificationFilterProperties,
  CertificationPageSchema,
  CertificationResponse,
  CourseCompletionBody,
  ETAG_HEADER,
  GrantBody,
  IdempotencyHeaders,
  SearchProperties,
} from "../schemas/certifications.js";
import {
  IdParams,
  NullableOneOf,
  NullableString,
  OrgParams,
  type Timestamp,
  UserParams,
  Uuid,
} from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

export const CertificationRef = Type.Ref("Certification");
export const Nullable = <T extends ReturnType<typeof Timestamp>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const ListQuerySchema = Type.Object(
  {
    ...CertificationFilterProperties,
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 200, default: 50, description: "Page size, 1–200" }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 400, description: "next_cursor of the previous page" })),
    ...SearchProperties,
  },
  { additionalProperties: false },
);
type ListQuerySchema = Static<typeof ListQuerySchema>;

function listQuery(query: ListQuerySchema): ListQuery {
  return {
    statuses: query.status,
    userId: query.user_id,
    certificationTypeId: query.certification_type_id,
    source: query.source,
    expiresBefore: query.expires_before ? new Date(query.expires_before) : undefined,
    expiresAfter: query.expires_after ? new Date(query.expires_after) : undefined,
    limit: query.limit,
    cursor: query.cursor,
  };
}

export const ifMatch = (headers: { "if-match"?: string | undefined }) => headers["if-match"];

export function sendCertification(
  reply: FastifyReply,
  result: { certification: CertificationView; etag: string },
  statusCode = 200,
) {
  const response = (statusCode === 200 ? reply : reply.code(statusCode)).header("etag", result.etag);
  if (statusCode === 201) response.header("location", `/v1/certifications/${result.certification.id}`);
  return response.send(result.certification);
}

/** Idempotency-Key of an issuing request, with what identifies the request under it. */
function idempotency(key: string | undefined, route: string, body: unknown) {
  return key === undefined ? undefined : { key, fingerprint: { route, body } };
}

const LOCATION_HEADER = {
  Location: { type: "string", description: "/v1/certifications/{id} of the certification" },
} as const;

/** Certifications: issuing and reading (CONTRACT §4, 1–8); changes are in certification-changes.ts. */
export function certificationRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.post(
    "/v1/organizations/:orgId/certifications",
    {
      schema: {
        tags: ["certifications"],
        operationId: "grantCertification",
        summary: "Grant a certification manually",
        description:
          "Coordinators and admins of the organization. The service assigns the number, status and issuer. `issued_at` defaults to now and may be back-dated, never future; `expires_at` defaults to issued_at + the type's validity (null for lifetime types). Honours Idempotency-Key.",
        params: OrgParams,
        headers: IdempotencyHeaders,
        body: GrantBody,
        response: {
          201: {
            ...CertificationResponse(
              "Issued; a repeat with the same Idempotency-Key and body answers the same (201, same certification)",
            ),
            headers: { ...ETAG_HEADER, ...LOCATION_HEADER },
          },
          ...problems(
            400,
            401,
            403,
            404,
            "one_active_cert_per_user_per_type",
            "expires_at_after_issued_at",
            "course_registration_source_consistency",
            "organization_scoped_type",
            "issued_by_role_check",
            "idempotency_key_reused",
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await grantCertification(
        ctx,
        principalOf(request),
        {
          organizationId: request.params.orgId,
          userId: body.user_id.toLowerCase(),
          certificationTypeId: body.certification_type_id,
          issuedAt: body.issued_at ? new Date(body.issued_at) : undefined,
          expiresAt:
            body.expires_at === undefined
              ? undefined
              : body.expires_at === null
                ? null
                : new Date(body.expires_at),
          notes: body.notes,
        },
        idempotency(request.headers["idempotency-key"], `grant:${request.params.orgId}`, body),
      );
      return sendCertification(reply, result, result.statusCode);
    },
  );

  app.post(
    "/v1/organizations/:orgId/certifications/course-completions",
    {
      schema: {
        tags: ["certifications"],
        operationId: "issueFromCourseCompletion",
        summary: "Issue from a completed course",
        description:
          "Services (the course module), coordinators and admins. The holder is the registration's user. Repeating it for the same registration and type returns the existing certification (200), never a second one. Honours Idempotency-Key.",
        params: OrgParams,
        headers: IdempotencyHeaders,
        body: CourseCompletionBody,
        response: {
          200: CertificationResponse("Already issued for this registration and type: the existing one"),
          201: {
            ...CertificationResponse("Issued (a repeat with the same Idempotency-Key answers the same)"),
            headers: { ...ETAG_HEADER, ...LOCATION_HEADER },
          },
          ...problems(
            400,
            401,
            403,
            404,
            "one_active_cert_per_user_per_type",
            "course_registration_source_consistency",
            "organization_scoped_type",
            "idempotency_key_reused",
          ),
        },
      },
    },
    async (request, reply) => {
      const result = await completeCourse(
        ctx,
        principalOf(request),
        {
          organizationId: request.params.orgId,
          courseRegistrationId: request.body.course_registration_id,
          certificationTypeId: request.body.certification_type_id,
        },
        idempotency(request.headers["idempotency-key"], `course:${request.params.orgId}`, request.body),
      );
      return sendCertification(reply, result, result.statusCode);
    },
  );

  app.get(
    "/v1/certifications/:id",
    {
      schema: {
        tags: ["certifications"],
        operationId: "getCertification",
        summary: "Get a certification",
        description:
          "The holder, staff of its organization, global admins and services. Status is effective at read time.",
        params: IdParams,
        response: { 200: CertificationResponse("The certification"), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) =>
      sendCertification(reply, await getCertification(ctx, principalOf(request), request.params.id)),
  );

  app.get(
    "/v1/certifications/by-number/:certificate_number",
    {
      schema: {
        tags: ["certifications"],
        operationId: "getCertificationByNumber",
        summary: "Get a certification by its number",
        description: "Like GET /v1/certifications/{id}. A malformed number is 422 certificate_number_format.",
        params: Type.Object({
          certificate_number: Type.String({ maxLength: 64, description: "e.g. NHF-2025-00312" }),
        }),
        response: {
          200: CertificationResponse("The certification"),
          ...problems(400, 401, 404, "certificate_number_format"),
        },
      },
    },
    async (request, reply) =>
      sendCertification(
        reply,
        await getCertificationByNumber(ctx, principalOf(request), request.params.certificate_number),
      ),
  );

  app.get(
    "/v1/organizations/:orgId/certifications",
    {
      schema: {
        tags: ["certifications"],
        operationId: "listOrganizationCertifications",
        summary: "List an organization's certifications",
        description:
          "Coordinators and admins. Newest first, or soonest expiry first with `sort=expires_at` (lifetime ones last); filter by effective status (repeatable), holder, type, source and expiry (`expires_before`, `expires_after`); `q` finds by part of the holder's name or a whole certificate number; opaque cursor pagination that stays stable while rows are inserted.",
        params: OrgParams,
        querystring: ListQuerySchema,
        response: { 200: CertificationPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { q, sort, cursor, limit } = request.query;
      if (q !== undefined || sort === "expires_at") {
        return searchOrganizationCertifications(
          ctx,
          principalOf(request),
          searchFilters(request.params.orgId, request.query),
          {
            sort: sort ?? "newest",
            cursor,
            limit: limit ?? 50,
          },
        );
      }
      return listOrganizationCertifications(
        ctx,
        principalOf(request),
        request.params.orgId,
        listQuery(request.query),
      );
    },
  );

  app.get(
    "/v1/organizations/:orgId/certifications/expiring",
    {
      schema: {
        tags: ["certifications"],
        operationId: "listExpiringCertifications",
        summary: "Certifications expiring soon",
        description:
          "Coordinators and admins: live certifications whose expiry falls within `within_days`, soonest first.",
        params: OrgParams,
        querystring: Type.Object(
          {
            within_days: Type.Optional(
              Type.Integer({ minimum: 0, maximum: 3650, default: 30, description: "Days ahead; default 30" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(CertificationRef, { description: "Soonest first" }) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      listExpiringCertifications(
        ctx,
        principalOf(request),
        request.params.orgId,
        request.query.within_days ?? 30,
      ),
  );

  app.get(
    "/v1/users/:userId/certifications",
    {
      schema: {
        tags: ["certifications"],
        operationId: "listUserCertifications",
        summary: "A user's certifications",
        description:
          "What the caller may see: all of their own; staff see those of their organizations; global admins all.",
        params: UserParams,
        querystring: ListQuerySchema,
        response: { 200: CertificationPageSchema, ...problems(400, 401) },
      },
    },
    async (request) =>
      listUserCertifications(
        ctx,
        principalOf(request),
        request.params.userId.toLowerCase(),
        listQuery(request.query),
      ),
  );

  app.get(
    "/v1/users/:userId/eligibility",
    {
      schema: {
        tags: ["certifications"],
        operationId: "checkEligibility",
        summary: "Access gating",
        description:
          "Whether the user may use features that need a certification of the type: eligible only while active or expiring soon. The user, staff of the type's organization (for global types: of the user's organizations), global admins and services.",
        params: UserParams,
        querystring: Type.Object(
          { certification_type_id: Uuid("The type that gates the feature") },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              eligible: Type.Boolean({ description: "True while active or expiring soon" }),
              certification_id: NullableString({ description: "The certification judged" }),
              status: NullableOneOf(STATUSES, { description: "Its effective status" }),
              expires_at: NullableString({ format: "date-time", description: "Its expiry" }),
            },
            {
              description: "Whether the user may use the feature",
              examples: [
                {
                  eligible: true,
                  certification_id: "6f1c2a4e-0d3b-4c55-9a7e-2b8f0c1d9e3a",
                  status: "expiring_soon",
                  expires_at: "2026-01-15T10:00:00.000Z",
                },
              ],
            },
          ),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) =>
      checkEligibility(
        ctx,
        principalOf(request),
        request.params.userId.toLowerCase(),
        request.query.certification_type_id,
      ),
  );
}
