import { Readable } from "node:stream";
import { Type } from "@sinclair/typebox";
import {
  certifiedMentorsReport,
  certifiedMentorsReportCsv,
  REPORT_DEFINITION,
} from "../../services/certified-mentors-report.js";
import { EXPORT_COLUMNS, exportCertificationsCsv } from "../../services/export-certifications.js";
import { searchFilters } from "../../services/search-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { CertificationFilterProperties, SearchProperties } from "../schemas/certifications.js";
import { OneOf, OrgParams } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const ExportQuery = Type.Object(
  {
    ...CertificationFilterProperties,
    q: SearchProperties.q,
    sort: Type.Optional(
      OneOf(["newest", "expires_at"] as const, {
        description:
          "The list's order: newest, or expires_at (soonest expiry first, lifetime ones last); without it, oldest first",
      }),
    ),
  },
  { additionalProperties: false },
);

const ReportSchema = Type.Object(
  {
    organization: Type.Object({
      id: Type.String({ description: "Organization id" }),
      name: Type.String({ description: "Organization name" }),
      prefix: Type.String({ description: "Certificate number prefix" }),
    }),
    year: Type.Integer({ description: "The reported year" }),
    period: Type.Object({
      from: Type.String({ description: "Start of the year in the organization's time zone (inclusive)" }),
      to: Type.String({ description: "Start of the next year (exclusive)" }),
      time_zone: Type.String({ description: "The organization's time zone" }),
    }),
    certified_mentors: Type.Integer({ description: "Distinct mentors certified at some time in the year" }),
    newly_certified: Type.Integer({ description: "Of those, first certified in the organization that year" }),
    by_type: Type.Array(
      Type.Object({
        certification_type_id: Type.String({ description: "Type id" }),
        certification_type: Type.String({ description: "Type name" }),
        certified_mentors: Type.Integer({ description: "Distinct mentors holding this type in the year" }),
        newly_certified: Type.Integer({ description: "Of those, first holding this type that year" }),
      }),
    ),
  },
  { description: `Certified mentors of one organization and year. ${REPORT_DEFINITION}` },
);

/** CSV export of an organization's certifications, and the funder report. */
export function operationsRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/organizations/:orgId/certifications/export",
    {
      schema: {
        tags: ["operations"],
        operationId: "exportCertifications",
        summary: "Export certifications as CSV",
        description:
          "Coordinators, org admins and global admins. Streams text/csv with exactly the rows the list shows for the same " +
          "filters and `q`: oldest first (the order they were made, so an import replays them so), or in the list's " +
          "order with `sort` (newest, expires_at); " +
          `columns: ${EXPORT_COLUMNS.join(", ")}. The file imports as is into another organization. ` +
          "A cell that a spreadsheet would run as a formula (first character =, +, -, @, tab or CR) is written with a leading single quote.",
        params: OrgParams,
        querystring: ExportQuery,
        response: {
          200: {
            description: "The certifications as CSV, one header line then one line per certification",
            headers: {
              "content-disposition": {
                type: "string",
                description: 'attachment; filename="certifications-{orgId}.csv"',
              },
            },
            content: {
              "text/csv": {
                schema: {
                  type: "string",
                  description: `RFC 4180 CSV with the columns ${EXPORT_COLUMNS.join(", ")}`,
                },
                example: `${EXPORT_COLUMNS.join(",")}\n`,
              },
            },
          },
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const chunks = await exportCertificationsCsv(
        ctx,
        principalOf(request),
        searchFilters(request.params.orgId, request.query),
        request.query.sort ?? "oldest",
      );
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="certifications-${request.params.orgId}.csv"`)
        .send(Readable.from(chunks));
    },
  );

  app.get(
    "/v1/organizations/:orgId/reports/certified-mentors",
    {
      schema: {
        tags: ["operations"],
        operationId: "getCertifiedMentorsReport",
        summary: "Certified mentors per year (funder report)",
        description:
          "Coordinators, org admins and global admins. JSON, or CSV with `Accept: text/csv` or `format=csv`. " +
          REPORT_DEFINITION,
        params: OrgParams,
        querystring: Type.Object(
          {
            year: Type.Integer({ minimum: 1900, maximum: 9998, description: "The year, e.g. 2025" }),
            format: Type.Optional(
              Type.Union([Type.Literal("json"), Type.Literal("csv")], { description: "Answer format" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: "The report: JSON, or CSV with format=csv or Accept: text/csv",
            content: {
              "application/json": { schema: ReportSchema },
              "text/csv": {
                schema: { type: "string", description: "One line per type, after the totals" },
              },
            },
          },
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const report = await certifiedMentorsReport(
        ctx,
        principalOf(request),
        request.params.orgId,
        request.query.year,
      );
      const accept = request.headers.accept ?? "";
      const csv =
        request.query.format === "csv" ||
        (request.query.format === undefined && /\btext\/csv\b/.test(accept));
      if (csv) {
        return reply
          .type("text/csv; charset=utf-8")
          .header(
            "content-disposition",
            `attachment; filename="certified-mentors-${report.organization.prefix}-${report.year}.csv"`,
          )
          .serializer((payload: unknown) => String(payload))
          .send(certifiedMentorsReportCsv(report) as unknown as typeof report);
      }
      return reply.send(report);
    },
  );
}
