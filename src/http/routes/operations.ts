import { Readable, Transform, type TransformCallback } from "node:stream";
import { Type } from "@sinclair/typebox";
import {
  certifiedMentorsReport,
  certifiedMentorsReportCsv,
  REPORT_DEFINITION,
} from "../../services/certified-mentors-report.js";
import { EXPORT_COLUMNS, exportCertificationsCsv } from "../../services/export-certifications.js";
import { IMPORT_COLUMNS, importCertificationsCsv } from "../../services/import-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { problem, sendProblem } from "../problems.js";
import { CertificationFilterProperties } from "../schemas/certifications.js";
import { OrgParams } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

/** The CSV import reads its body as a stream; this is its own limit, above the API's 1 MB. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** Passes the body through and fails once it grows past `limit` bytes. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLarge(`The CSV body is over ${limit / 1024 / 1024} MB`));
      else callback(null, chunk);
    },
  });
}

const RowErrorSchema = Type.Object({
  line: Type.Integer({ description: "Line of the row in the file (the header is line 1)" }),
  code: Type.String({ description: "Problem code, as the API's (e.g. one_active_cert_per_user_per_type)" }),
  detail: Type.String({ description: "What is wrong" }),
});

const ImportResultSchema = Type.Object(
  {
    rows: Type.Integer({ description: "Rows read, header excluded" }),
    imported: Type.Integer({ description: "Certifications created" }),
    skipped: Type.Integer({ description: "Bad rows (skipped with skip_invalid; else nothing was imported)" }),
    errors: Type.Array(RowErrorSchema, { description: "Bad rows (skipped), at most 1000" }),
    errors_truncated: Type.Boolean({ description: "More bad rows than listed" }),
  },
  { description: "Outcome of a CSV import" },
);

const ImportRejectedSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary of the problem type" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong in this case" }),
    code: Type.String({ description: "invalid_request when rows are bad; else as any problem" }),
    instance: Type.Optional(Type.String({ description: "The request path" })),
    request_id: Type.Optional(Type.String({ description: "Request id, also in the logs" })),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: "Field errors of the query",
      }),
    ),
    rows: Type.Optional(Type.Integer({ description: "Rows read" })),
    imported: Type.Optional(Type.Integer({ description: "0: nothing was imported" })),
    skipped: Type.Optional(Type.Integer({ description: "Bad rows" })),
    row_errors: Type.Optional(Type.Array(RowErrorSchema, { description: "Bad rows, at most 1000" })),
    errors_truncated: Type.Optional(Type.Boolean({ description: "More bad rows than listed" })),
  },
  { description: "RFC 9457 problem; for bad rows, with every bad row's line and code" },
);

const IMPORT_BODY = {
  type: "string",
  description: `CSV (RFC 4180, UTF-8) with a header line; columns ${IMPORT_COLUMNS.join(", ")}`,
  examples: [
    "user_id,display_name,certification_type,issued_at,expires_at,notes\n" +
      "3f0c6a52-9c1e-4d8e-8f53-0b3f9a7d2c11,Mari Mentor,Likeperson grunnkurs,2025-03-01T10:00:00Z,,\n",
  ],
};

const ExportQuery = Type.Object(CertificationFilterProperties, { additionalProperties: false });

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

/** CSV import and export of an organization's certifications, and the funder report. */
export function operationsRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  // The body of an import is parsed as it streams in, never buffered whole.
  app.addContentTypeParser("text/csv", (_request, payload, done) => done(null, payload));

  app.post(
    "/v1/organizations/:orgId/certifications/import",
    {
      // The body streams in through the route's own parser, unvalidated: it is documented only.
      config: {
        contentTypes: ["text/csv", "multipart/form-data"],
        swaggerTransform: ({ schema, url }) => ({
          schema: { ...schema, consumes: ["text/csv"], body: IMPORT_BODY },
          url,
        }),
      },
      schema: {
        operationId: "importCertifications",
        tags: ["operations"],
        summary: "Import certifications from CSV",
        description:
          "Org admins and global admins. Body: text/csv (up to 50 MB) with a header; columns " +
          `${IMPORT_COLUMNS.join(", ")} (user_id and a type are required; an export's other columns are ignored). ` +
          "Every row is checked by the same rules as a manual grant. Without skip_invalid nothing is imported " +
          "if any row is bad, and the answer is a 400 problem listing every bad row with its line and code.",
        params: OrgParams,
        querystring: Type.Object(
          {
            skip_invalid: Type.Optional(
              Type.Boolean({ default: false, description: "Import the good rows and skip the bad ones" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ImportResultSchema,
          400: ImportRejectedSchema,
          ...problems(401, 403, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const length = Number(request.headers["content-length"] ?? "0");
      if (length > IMPORT_BODY_LIMIT) {
        return sendProblem(request, reply, problem("payload_too_large", "The CSV body is over 50 MB"));
      }
      if (!(request.body instanceof Readable)) {
        return sendProblem(request, reply, problem("invalid_request", "Send the file as text/csv"));
      }
      const body = request.body.pipe(limitBytes(IMPORT_BODY_LIMIT));
      request.body.on("error", (error) => body.destroy(error));
      try {
        const result = await importCertificationsCsv(ctx, principalOf(request), body, {
          organizationId: request.params.orgId,
          skipInvalid: request.query.skip_invalid ?? false,
        });
        if (result.skipped > 0 && !(request.query.skip_invalid ?? false)) {
          const { errors, ...counts } = result;
          return reply
            .code(400)
            .type("application/problem+json")
            .send({
              ...problem(
                "invalid_request",
                `${result.skipped} of ${result.rows} rows are not valid; nothing was imported`,
              ),
              instance: request.url.split("?")[0] ?? request.url,
              request_id: String(request.id),
              ...counts,
              imported: 0,
              row_errors: errors,
            });
        }
        return reply.code(200).send(result);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          return sendProblem(request, reply, problem("payload_too_large", error.message));
        }
        throw error;
      }
    },
  );

  app.get(
    "/v1/organizations/:orgId/certifications/export",
    {
      schema: {
        tags: ["operations"],
        operationId: "exportCertifications",
        summary: "Export certifications as CSV",
        description:
          "Coordinators, org admins and global admins. Streams text/csv, oldest first, with the list's filters; " +
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
      const query = request.query;
      const chunks = await exportCertificationsCsv(ctx, principalOf(request), request.params.orgId, {
        statuses: query.status,
        userId: query.user_id,
        certificationTypeId: query.certification_type_id,
        source: query.source,
        expiresBefore: query.expires_before ? new Date(query.expires_before) : undefined,
        expiresAfter: query.expires_after ? new Date(query.expires_after) : undefined,
      });
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
