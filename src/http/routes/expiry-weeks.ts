import { Type } from "@sinclair/typebox";
import { countExpiryWeeks } from "../../services/expiry-weeks.js";
import { searchFilters } from "../../services/search-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { CertificationFilterProperties, StatusSchema } from "../schemas/certifications.js";
import { OrgParams, Timestamp } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const { certification_type_id, expires_after } = CertificationFilterProperties;

const ExpiryWeeksSchema = Type.Object(
  {
    weeks: Type.Array(
      Type.Object({
        week_start: Type.String({
          format: "date",
          description: "The week's Monday, in the organization's time zone",
        }),
        iso_year: Type.Integer({ description: "ISO 8601 week-numbering year of the week" }),
        iso_week: Type.Integer({ minimum: 1, maximum: 53, description: "ISO 8601 week number" }),
        count: Type.Integer({ minimum: 1, description: "Certifications expiring in the week" }),
      }),
      { description: "Every week with at least one expiry, soonest first" },
    ),
    total: Type.Integer({ description: "Certifications matching the filters: the sum of the weeks' counts" }),
  },
  {
    description: "Expiries per week",
    examples: [
      {
        weeks: [
          { week_start: "2026-03-16", iso_year: 2026, iso_week: 12, count: 4 },
          { week_start: "2026-03-30", iso_year: 2026, iso_week: 14, count: 1 },
        ],
        total: 5,
      },
    ],
  },
);

/** The staff's "expiring" view: a count per week of expiry, over every matching certification. */
export function expiryWeekRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/organizations/:orgId/certifications/expiry-weeks",
    {
      schema: {
        operationId: "countCertificationExpiriesPerWeek",
        tags: ["certifications"],
        summary: "Count expiries per week",
        description:
          "Coordinators and admins. How many of the organization's certifications expire before `expires_before` " +
          "(and after `expires_after`), per week: Monday 00:00 to Sunday 24:00 in the organization's time zone. " +
          "Counted over every matching certification, not a page. Without `status`, only those that still need " +
          "action are counted (active, expiring_soon and suspended; not revoked or expired). Lifetime " +
          "certifications expire in no week.",
        params: OrgParams,
        querystring: Type.Object(
          {
            expires_before: Timestamp("Only those expiring before this instant"),
            expires_after,
            status: Type.Optional(
              Type.Array(StatusSchema, {
                description:
                  "Effective status; repeat for several. Default: active, expiring_soon and suspended",
              }),
            ),
            certification_type_id,
          },
          { additionalProperties: false },
        ),
        response: { 200: ExpiryWeeksSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) =>
      countExpiryWeeks(ctx, principalOf(request), searchFilters(request.params.orgId, request.query)),
  );
}
