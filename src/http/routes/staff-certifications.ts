import { Type } from "@sinclair/typebox";
import { bulkRevoke } from "../../services/bulk-revoke.js";
import { countOrganizationCertifications, searchFilters } from "../../services/search-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { requestLanguage } from "../language.js";
import { localizedDetail, problem } from "../problems.js";
import { CertificationFilterProperties, SearchProperties } from "../schemas/certifications.js";
import { OrgParams, Uuid } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const { status: _status, ...CountFilters } = CertificationFilterProperties;

const CountsSchema = Type.Object(
  {
    total: Type.Integer({ description: "Certifications matching the filters" }),
    by_status: Type.Object(
      {
        active: Type.Integer({ description: "Active" }),
        expiring_soon: Type.Integer({ description: "Within their warning window" }),
        suspended: Type.Integer({ description: "Suspended" }),
        expired: Type.Integer({ description: "Expired" }),
        revoked: Type.Integer({ description: "Revoked" }),
      },
      { description: "How many have each effective status now" },
    ),
  },
  {
    description: "Counts per effective status",
    examples: [
      { total: 12, by_status: { active: 7, expiring_soon: 2, suspended: 0, expired: 2, revoked: 1 } },
    ],
  },
);

const BulkItemSchema = Type.Object({
  id: Uuid("Certification id"),
  certificate_number: Type.Union([Type.String(), Type.Null()], {
    description: "Its number; null when not found",
  }),
  outcome: Type.String({
    description: "revoked, would_revoke (dry run), not_found or valid_status_transition (already revoked, …)",
  }),
  ok: Type.Boolean({ description: "It can be (or was) revoked" }),
});

const BulkResultSchema = Type.Object(
  {
    dry_run: Type.Boolean({ description: "True when nothing was written" }),
    ok: Type.Boolean({ description: "Every id can be (or was) revoked" }),
    revoked: Type.Integer({ description: "How many were revoked (0 in a dry run)" }),
    items: Type.Array(BulkItemSchema, { description: "One per distinct id, in the order given" }),
  },
  { description: "What bulk revoke did, or would do" },
);

const BulkRefusedSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong, in the language of the request" }),
    code: Type.String({ description: "The first refused id's code: not_found or valid_status_transition" }),
    instance: Type.Optional(Type.String({ description: "The request path" })),
    request_id: Type.Optional(Type.String({ description: "Request id" })),
    items: Type.Optional(
      Type.Array(BulkItemSchema, {
        description: "Each id's outcome when some ids cannot be revoked; nothing was revoked",
      }),
    ),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: "Field errors, if any",
      }),
    ),
  },
  {
    description:
      "RFC 9457 problem: some ids cannot be revoked, so none was (with `items`); or the organization is not found (without)",
  },
);

/** The staff list's counts, and bulk revoke. */
export function staffCertificationRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/organizations/:orgId/certifications/counts",
    {
      schema: {
        operationId: "countCertifications",
        tags: ["certifications"],
        summary: "Count certifications per status",
        description:
          "Coordinators and admins. How many of the organization's certifications have each effective status now, " +
          "with the list's other filters and `q` (for the counts at the top of the list).",
        params: OrgParams,
        querystring: Type.Object({ ...CountFilters, q: SearchProperties.q }, { additionalProperties: false }),
        response: { 200: CountsSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      countOrganizationCertifications(
        ctx,
        principalOf(request),
        searchFilters(request.params.orgId, request.query),
      ),
  );

  app.post(
    "/v1/organizations/:orgId/certifications/bulk-revoke",
    {
      schema: {
        operationId: "bulkRevokeCertifications",
        tags: ["certifications"],
        summary: "Revoke many certifications with one reason",
        description:
          "Coordinators and admins of the organization. All or nothing: when any id cannot be revoked (not_found: " +
          "unknown or of another organization; valid_status_transition: already revoked) none is, and the answer is " +
          "a problem with that code and every id's outcome. `dry_run: true` answers what would happen and changes " +
          "nothing. Each revocation is audited as a single one is.",
        params: OrgParams,
        body: Type.Object(
          {
            certification_ids: Type.Array(Uuid("A certification of the organization"), {
              minItems: 1,
              maxItems: 1000,
              description: "The selected certifications (at most 1000)",
            }),
            reason: Type.String({
              maxLength: 2000,
              description: "Why; the same for all, kept in each audit event",
            }),
            dry_run: Type.Optional(
              Type.Boolean({ default: false, description: "Check only; change nothing" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: BulkResultSchema,
          404: BulkRefusedSchema,
          409: BulkRefusedSchema,
          ...problems(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await bulkRevoke(ctx, principalOf(request), request.params.orgId, {
        ids: request.body.certification_ids,
        reason: request.body.reason,
        dryRun: request.body.dry_run ?? false,
      });
      if (result.ok || result.dry_run) return reply.code(200).send(result);
      const refused = result.items.find(
        (item) => item.outcome === "not_found" || item.outcome === "valid_status_transition",
      );
      const code = refused?.outcome === "not_found" ? "not_found" : "valid_status_transition";
      const body = problem(code, "");
      const language = requestLanguage(request);
      return reply
        .code(code === "not_found" ? 404 : 409)
        .type("application/problem+json")
        .header("content-language", language)
        .header("vary", "Accept-Language")
        .send({
          ...body,
          detail: localizedDetail(body, language),
          instance: request.url.split("?")[0] ?? request.url,
          request_id: String(request.id),
          items: result.items,
        });
    },
  );
}
