import { Type } from "@sinclair/typebox";
import { createCertificationType } from "../../services/create-certification-type.js";
import { createOrganization } from "../../services/create-organization.js";
import { removeMember, searchOrganizationMembers } from "../../services/members.js";
import { putMember } from "../../services/put-member.js";
import {
  listOrganizationCertificationTypes,
  listVisibleOrganizations,
  whoAmI,
} from "../../services/read-directory.js";
import { recordCourseRegistration } from "../../services/record-course-registration.js";
import { editCertificationType } from "../../services/update-certification-type.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { OrgParams, Timestamp, Uuid } from "../schemas/common.js";
import {
  CertificationTypeSchema,
  CourseRegistrationSchema,
  MemberPageSchema,
  MemberQuerySchema,
  MemberSchema,
  OrganizationSchema,
  RoleSchema,
} from "../schemas/directory.js";
import { problems } from "../schemas/problem.js";

const TypeBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: "Name of the type" }),
    validity_months: Type.Union([Type.Integer({ minimum: 1, maximum: 1200 }), Type.Null()], {
      description: "Months a certification stays valid from issue; null for lifetime certifications",
    }),
    warning_days: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3650,
        description: "Expiry warning window; default CERTSVC_WARNING_DAYS",
      }),
    ),
    key: Type.Optional(
      Type.String({
        pattern: "^[a-z0-9]+(-[a-z0-9]+)*$",
        maxLength: 64,
        description: "Stable slug an app may gate on, e.g. digital-peer-mentor (unique per organization)",
      }),
    ),
  },
  { additionalProperties: false },
);

const TypeChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "New name" })),
    validity_months: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1200 }), Type.Null()], {
        description: "Validity for issuances from now on (null: lifetime); issued ones keep their expiry",
      }),
    ),
    warning_days: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3650, description: "Expiry warning window in days" }),
    ),
    retired: Type.Optional(
      Type.Boolean({
        description: "true retires the type (no new grants; issued ones stay); false brings it back",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * The directory, kept minimal: in production a sync from the platform fills it. Read routes
 * beyond the contract's (`GET /v1/me`, organizations, members, types) serve the web pages.
 */
export function directoryRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/me",
    {
      schema: {
        tags: ["directory"],
        summary: "Who am I",
        description:
          "The caller's identity and roles, as the service resolves them from its membership table.",
        response: {
          200: Type.Object({
            kind: Type.String({ description: "user or service" }),
            user_id: Type.Union([Type.String(), Type.Null()], { description: "The user's id" }),
            display_name: Type.Union([Type.String(), Type.Null()], {
              description: "The user's display name",
            }),
            is_global_admin: Type.Boolean({ description: "Global admin" }),
            memberships: Type.Array(
              Type.Object({
                organization_id: Type.String({ description: "Organization id" }),
                organization_name: Type.String({ description: "Organization name" }),
                prefix: Type.String({ description: "Organization prefix" }),
                role: RoleSchema,
              }),
              { description: "The caller's roles" },
            ),
          }),
          ...problems(401),
        },
      },
    },
    async (request) => whoAmI(ctx, principalOf(request)),
  );

  app.get(
    "/v1/organizations",
    {
      schema: {
        tags: ["directory"],
        summary: "List organizations",
        description: "The organizations the caller belongs to; all of them for a global admin.",
        response: { 200: Type.Object({ items: Type.Array(OrganizationSchema) }), ...problems(401) },
      },
    },
    async (request) => ({ items: await listVisibleOrganizations(ctx, principalOf(request)) }),
  );

  app.post(
    "/v1/organizations",
    {
      schema: {
        tags: ["directory"],
        summary: "Create an organization",
        description: "Global admins only. The prefix starts every certificate number of the organization.",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200, description: "Name" }),
            prefix: Type.String({
              pattern: "^[A-Z][A-Z0-9]{1,9}$",
              description: "Unique certificate prefix, e.g. NHF",
            }),
            time_zone: Type.Optional(
              Type.String({ maxLength: 64, description: "IANA time zone, default Europe/Oslo" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: OrganizationSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const organization = await createOrganization(ctx, principalOf(request), {
        name: request.body.name,
        prefix: request.body.prefix,
        timeZone: request.body.time_zone,
      });
      return reply.code(201).header("location", `/v1/organizations/${organization.id}`).send(organization);
    },
  );

  app.get(
    "/v1/organizations/:orgId/members",
    {
      schema: {
        operationId: "listMembers",
        tags: ["directory"],
        summary: "List and search members",
        description:
          "Coordinators and admins. By display name, then id; `q` matches part of the name (any case, with or " +
          "without accents: `rene` finds René; æ, ø and å are letters of their own, so `ø` finds Øyvind but " +
          "`o` does not), a certificate number the member holds here, or a user id. Each member comes with when " +
          "they joined and their latest certificate numbers, so namesakes can be told apart. Pages follow " +
          "`next_cursor`: a member who was there when paging began is listed exactly once, whoever joins " +
          "meanwhile; `total` counts the matches on all pages.",
        params: OrgParams,
        querystring: MemberQuerySchema,
        response: {
          200: MemberPageSchema,
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      searchOrganizationMembers(ctx, principalOf(request), request.params.orgId, request.query),
  );

  app.delete(
    "/v1/organizations/:orgId/members/:userId",
    {
      schema: {
        operationId: "removeMember",
        tags: ["directory"],
        summary: "Remove a membership",
        description:
          "Org admins and global admins. The user is no longer a member of the organization; their " +
          "certifications stay, permanently. 204; 404 when they are not a member. Audited.",
        params: Type.Object({ orgId: Uuid("Organization id"), userId: Uuid("User id") }),
        response: { 204: Type.Null({ description: "Removed" }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const userId = request.params.userId.toLowerCase();
      await removeMember(ctx, principalOf(request), request.params.orgId, userId);
      deps.auth.forget(userId);
      return reply.code(204).send(null);
    },
  );

  app.put(
    "/v1/organizations/:orgId/members/:userId",
    {
      schema: {
        tags: ["directory"],
        operationId: "putMember",
        summary: "Add a member or set their role and name",
        description:
          "Org admins and global admins set any role; a coordinator adds peer mentors (`role: peer_mentor`) " +
          "and renames them, but may not change a coordinator's or admin's role (403). Creates the user if new " +
          "(use the platform's user id when known, else a new UUID); 201 when added, 200 when changed. Audited.",
        params: Type.Object({ orgId: Uuid("Organization id"), userId: Uuid("User id (the platform's)") }),
        body: Type.Object(
          {
            role: RoleSchema,
            display_name: Type.String({ minLength: 1, maxLength: 200, description: "The user's full name" }),
          },
          { additionalProperties: false },
        ),
        response: { 200: MemberSchema, 201: MemberSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { member, created } = await putMember(ctx, principalOf(request), {
        organizationId: request.params.orgId,
        userId: request.params.userId.toLowerCase(),
        role: request.body.role,
        displayName: request.body.display_name,
      });
      deps.auth.forget(member.user_id);
      return reply.code(created ? 201 : 200).send(member);
    },
  );

  app.get(
    "/v1/organizations/:orgId/certification-types",
    {
      schema: {
        tags: ["directory"],
        summary: "List certification types",
        description: "The organization's own types and the global ones; any member.",
        params: OrgParams,
        response: {
          200: Type.Object({ items: Type.Array(CertificationTypeSchema) }),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => ({
      items: await listOrganizationCertificationTypes(ctx, principalOf(request), request.params.orgId),
    }),
  );

  app.post(
    "/v1/organizations/:orgId/certification-types",
    {
      schema: {
        tags: ["directory"],
        summary: "Create a certification type",
        description: "Org admins (and global admins).",
        params: OrgParams,
        body: TypeBody,
        response: { 201: CertificationTypeSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const type = await createCertificationType(ctx, principalOf(request), {
        organizationId: request.params.orgId,
        name: request.body.name,
        validityMonths: request.body.validity_months,
        warningDays: request.body.warning_days,
        key: request.body.key,
      });
      return reply.code(201).send(type);
    },
  );

  app.post(
    "/v1/certification-types",
    {
      schema: {
        tags: ["directory"],
        summary: "Create a global certification type",
        description: "Global admins. A global type belongs to no organization and is usable by all.",
        body: TypeBody,
        response: { 201: CertificationTypeSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const type = await createCertificationType(ctx, principalOf(request), {
        organizationId: null,
        name: request.body.name,
        validityMonths: request.body.validity_months,
        warningDays: request.body.warning_days,
        key: request.body.key,
      });
      return reply.code(201).send(type);
    },
  );

  app.patch(
    "/v1/certification-types/:id",
    {
      schema: {
        operationId: "editCertificationType",
        tags: ["directory"],
        summary: "Edit or retire a certification type",
        description:
          "Org admins of the type's organization (global admins for a global type). Changes the name, the validity " +
          "(for issuances from now on; issued certifications keep their expiry), the warning window, or retires " +
          "the type (`retired: true`: no new grants, answered with 409 conflict; issued ones stay valid). Audited.",
        params: Type.Object({ id: Uuid("Certification type id") }),
        body: TypeChangesBody,
        response: { 200: CertificationTypeSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      editCertificationType(ctx, principalOf(request), request.params.id.toLowerCase(), {
        name: request.body.name,
        validityMonths: request.body.validity_months,
        warningDays: request.body.warning_days,
        retired: request.body.retired,
      }),
  );

  app.post(
    "/v1/organizations/:orgId/course-registrations",
    {
      schema: {
        tags: ["directory"],
        summary: "Record a course registration",
        description:
          "Coordinators, org admins and services (the course module). The user must be a member. The same user and course again updates completed_at (200).",
        params: OrgParams,
        body: Type.Object(
          {
            user_id: Uuid("The registered member"),
            course_id: Type.String({
              minLength: 1,
              maxLength: 200,
              description: "The course's id in the course module",
            }),
            completed_at: Type.Union([Timestamp("When completed"), Type.Null()], {
              description: "When the course was completed; null while not completed",
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: CourseRegistrationSchema,
          201: CourseRegistrationSchema,
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { registration, created } = await recordCourseRegistration(ctx, principalOf(request), {
        organizationId: request.params.orgId,
        userId: request.body.user_id.toLowerCase(),
        courseId: request.body.course_id,
        completedAt: request.body.completed_at === null ? null : new Date(request.body.completed_at),
      });
      return reply.code(created ? 201 : 200).send(registration);
    },
  );
}
