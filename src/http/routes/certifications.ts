import { type Static, Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { STATUSES } from "../../domain/status.js";
import { issuances, revocations } from "../../observability/metrics.js";
import { checkEligibility } from "../../services/check-eligibility.js";
import { completeCourse } from "../../services/complete-course.js";
import { grantCertification } from "../../services/grant-certification.js";
import {
  getCertification,
  getCertificationByNumber,
  type ListQuery,
  listCertificationEvents,
  listExpiringCertifications,
  listOrganizationCertifications,
  listUserCertifications,
} from "../../services/read-certifications.js";
import { reinstateCertification } from "../../services/reinstate-certification.js";
import { renewCertification } from "../../services/renew-certification.js";
import { revokeCertification } from "../../services/revoke-certification.js";
import { updateCertification } from "../../services/update-certification.js";
import type { CertificationView } from "../../services/views.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import {
  CertificationFilterProperties,
  CertificationPageSchema,
  CertificationResponse,
  ETAG_HEADER,
  IdempotencyHeaders,
  IfMatchHeaders,
  ReasonBody,
  StatusSchema,
} from "../schemas/certifications.js";
import {
  IdParams,
  NullableOneOf,
  NullableString,
  OrgParams,
  Timestamp,
  UserParams,
  Uuid,
} from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const CertificationRef = Type.Ref("Certification");
const Nullable = <T extends ReturnType<typeof Timestamp>>(schema: T) => Type.Union([schema, Type.Null()]);

const ListQuerySchema = Type.Object(
  {
    ...CertificationFilterProperties,
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 200, default: 50, description: "Page size, 1–200" }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: "next_cursor of the previous page" })),
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

const ifMatch = (headers: { "if-match"?: string | undefined }) => headers["if-match"];

function sendCertification(
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

/** Certifications: issuing, reading, changing, and their audit trail (CONTRACT §4, 1–13). */
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
        body: Type.Object(
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
        ),
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
      if (result.statusCode === 201) issuances.inc({ source: "manual_grant" });
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
        body: Type.Object(
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
        ),
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
      if (result.statusCode === 201) issuances.inc({ source: "course_completion" });
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
          "Coordinators and admins. Newest first; filter by effective status (repeatable), holder, type, source and expiry; opaque cursor pagination that stays stable while rows are inserted.",
        params: OrgParams,
        querystring: ListQuerySchema,
        response: { 200: CertificationPageSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      listOrganizationCertifications(
        ctx,
        principalOf(request),
        request.params.orgId,
        listQuery(request.query),
      ),
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

  app.patch(
    "/v1/certifications/:id",
    {
      schema: {
        tags: ["certifications"],
        operationId: "updateCertification",
        summary: "Change notes, expiry or status",
        description:
          "Coordinators and admins; honours If-Match. Status follows from the dates, so it may only be set to `revoked` (with `revocation_reason`) or to its current value; a new `expires_at` moves the status with it.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: Type.Object(
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
        ),
        response: {
          200: CertificationResponse("The changed certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "valid_status_transition",
            "revoked_cert_cannot_be_reactivated",
            "one_active_cert_per_user_per_type",
            "expires_at_after_issued_at",
            "revocation_requires_reason",
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await updateCertification(
        ctx,
        principalOf(request),
        request.params.id,
        {
          notes: body.notes,
          expiresAt:
            body.expires_at === undefined
              ? undefined
              : body.expires_at === null
                ? null
                : new Date(body.expires_at),
          status: body.status,
          revocationReason: body.revocation_reason,
        },
        ifMatch(request.headers),
      );
      if (body.status === "revoked" && result.certification.revoked_at !== null) revocations.inc();
      return sendCertification(reply, result);
    },
  );

  app.post(
    "/v1/certifications/:id/renew",
    {
      schema: {
        tags: ["certifications"],
        operationId: "renewCertification",
        summary: "Renew",
        description:
          "Active, expiring soon or expired → the status the new date gives. `expires_at` defaults to now + the type's validity; null makes it lifetime. Clears expiry_warning_sent_at. Honours If-Match.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: Type.Optional(
          Type.Object(
            { expires_at: Type.Optional(Nullable(Timestamp("New expiry; null for lifetime"))) },
            { additionalProperties: false, examples: [{ expires_at: "2028-03-01T10:00:00Z" }] },
          ),
        ),
        response: {
          200: CertificationResponse("The renewed certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "one_active_cert_per_user_per_type",
            "valid_status_transition",
            "revoked_cert_cannot_be_reactivated",
            "expires_at_after_issued_at",
          ),
        },
      },
    },
    async (request, reply) => {
      const expires = request.body?.expires_at;
      return sendCertification(
        reply,
        await renewCertification(
          ctx,
          principalOf(request),
          request.params.id,
          { expiresAt: expires === undefined ? undefined : expires === null ? null : new Date(expires) },
          ifMatch(request.headers),
        ),
      );
    },
  );

  app.post(
    "/v1/certifications/:id/revoke",
    {
      schema: {
        tags: ["certifications"],
        operationId: "revokeCertification",
        summary: "Revoke",
        description:
          "Coordinators and admins, with a non-blank reason. Final, except reinstatement by a global admin.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            reason: Type.Optional(
              Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: "Why" }),
            ),
          },
          { additionalProperties: false, examples: [{ reason: "Issued to the wrong member" }] },
        ),
        response: {
          200: CertificationResponse("The revoked certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "revoked_cert_cannot_be_reactivated",
            "revocation_requires_reason",
          ),
        },
      },
    },
    async (request, reply) => {
      const result = await revokeCertification(
        ctx,
        principalOf(request),
        request.params.id,
        { reason: request.body.reason },
        ifMatch(request.headers),
      );
      revocations.inc();
      return sendCertification(reply, result);
    },
  );

  app.post(
    "/v1/certifications/:id/reinstate",
    {
      schema: {
        tags: ["certifications"],
        operationId: "reinstateCertification",
        summary: "Reinstate a revoked certification",
        description: "Global admins only, with a reason kept in the audit trail.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: ReasonBody,
        response: {
          200: CertificationResponse("The reinstated certification, its status from its dates"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "valid_status_transition",
            "one_active_cert_per_user_per_type",
          ),
        },
      },
    },
    async (request, reply) =>
      sendCertification(
        reply,
        await reinstateCertification(
          ctx,
          principalOf(request),
          request.params.id,
          { reason: request.body.reason },
          ifMatch(request.headers),
        ),
      ),
  );

  app.get(
    "/v1/certifications/:id/events",
    {
      schema: {
        tags: ["certifications"],
        operationId: "listCertificationEvents",
        summary: "Audit trail",
        description:
          "Every change of the certification: who, when, before and after. Coordinators and admins.",
        params: IdParams,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref("AuditEvent"), { description: "Oldest first" }) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => listCertificationEvents(ctx, principalOf(request), request.params.id),
  );
}
