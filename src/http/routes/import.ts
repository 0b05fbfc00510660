import { Readable, Transform, type TransformCallback } from "node:stream";
import multipart from "@fastify/multipart";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { describeProblem, describeRejectedImport } from "../../domain/messages.js";
import type { ImportRowError } from "../../services/import/import-certifications.js";
import { IMPORT_COLUMNS, importCertificationsCsv } from "../../services/import/import-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { requestLanguage } from "../language.js";
import { problem, sendProblem } from "../problems.js";
import { OrgParams } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

/** The CSV import reads its body as a stream; this is its own limit, above the API's 1 MB. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

class BodyTooLarge extends Error {}

/** Passes the body through and fails once it grows past `limit` bytes. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLarge(`The CSV file is over ${megabytes(limit)}`));
      else callback(null, chunk);
    },
  });
}

const RowErrorSchema = Type.Object({
  line: Type.Integer({ description: "Line of the row in the file (the header is line 1)" }),
  code: Type.String({ description: "Problem code, as the API's (e.g. one_active_cert_per_user_per_type)" }),
  detail: Type.String({ description: "What is wrong, in the language of the request" }),
  field: Type.Optional(Type.String({ description: "The column at fault, when one is" })),
});

const HeldRowSchema = Type.Object({
  line: Type.Integer({ description: "Line of the row in the file" }),
  certificate_number: Type.Union([Type.String(), Type.Null()], {
    description: "The certification already held that the row repeats",
  }),
  same_as_line: Type.Union([Type.Integer(), Type.Null()], {
    description: "The earlier line of the same file that the row repeats",
  }),
});

const counts = {
  dry_run: Type.Boolean({ description: "True when nothing was written (dry_run=true)" }),
  rows: Type.Integer({ description: "Rows read, header excluded" }),
  imported: Type.Integer({ description: "Certifications created (in a dry run: that would be)" }),
  already_held: Type.Integer({
    description: "Rows already held (same holder, type and dates): not written again",
  }),
  skipped: Type.Integer({ description: "Bad rows" }),
  errors_truncated: Type.Boolean({ description: "More bad rows than listed" }),
  held: Type.Array(HeldRowSchema, { description: "Rows already held, at most 1000" }),
  held_truncated: Type.Boolean({ description: "More held rows than listed" }),
};

const ImportResultSchema = Type.Object(
  { ...counts, errors: Type.Array(RowErrorSchema, { description: "Bad rows, at most 1000" }) },
  {
    description: "Outcome of a CSV import",
    examples: [
      {
        dry_run: false,
        rows: 3,
        imported: 1,
        already_held: 1,
        skipped: 1,
        errors: [{ line: 4, code: "expires_at_after_issued_at", detail: "…", field: "expires_at" }],
        errors_truncated: false,
        held: [{ line: 2, certificate_number: "NHF-2019-00001", same_as_line: null }],
        held_truncated: false,
      },
    ],
  },
);

const ImportRejectedSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary of the problem type" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong in this case" }),
    code: Type.String({ description: "invalid_request" }),
    instance: Type.Optional(Type.String({ description: "The request path" })),
    request_id: Type.Optional(Type.String({ description: "Request id, also in the logs" })),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: "What is wrong: the query, the header, the file, or its rows",
      }),
    ),
    ...Type.Partial(Type.Object(counts)).properties,
    row_errors: Type.Optional(Type.Array(RowErrorSchema, { description: "Bad rows, at most 1000" })),
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

/** The two ways to send the file, for the document only (the route reads the stream itself). */
const IMPORT_BODIES = {
  content: {
    "text/csv": { schema: IMPORT_BODY },
    "multipart/form-data": {
      schema: {
        type: "object",
        required: ["file"],
        properties: { file: { type: "string", format: "binary", description: "The CSV file" } },
      },
    },
  },
};

/** Where the CSV of a request is: a text/csv body, or the first file of a multipart form. */
async function csvOf(request: FastifyRequest, limit: number): Promise<Readable | null> {
  if (request.isMultipart()) {
    const file = await request.file({ limits: { fileSize: limit, files: 1 } });
    return file ? file.file : null;
  }
  return request.body instanceof Readable ? request.body : null;
}

/** POST …/certifications/import, in a scope of its own: only here are CSV and multipart bodies read. */
export async function importRoutes(app: App, deps: ServerDeps): Promise<void> {
  const { ctx } = deps;
  const limit = deps.importBodyLimit ?? IMPORT_BODY_LIMIT;
  const tooLarge = `The CSV file is over ${megabytes(limit)}`;
  // The body of an import is parsed as it streams in, never buffered whole.
  app.addContentTypeParser("text/csv", (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 10 } });

  app.post(
    "/v1/organizations/:orgId/certifications/import",
    {
      // The body streams in through the route's own parsers, unvalidated: it is documented only.
      config: {
        contentTypes: ["text/csv", "multipart/form-data"],
        swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: IMPORT_BODIES }, url }),
      },
      schema: {
        operationId: "importCertifications",
        tags: ["operations"],
        summary: "Import certifications from CSV",
        description:
          "Coordinators, org admins and global admins. Body: `text/csv` (up to 50 MB, may be chunked), or " +
          "`multipart/form-data` with the file as its one file field (from a page). A header names the columns " +
          `${IMPORT_COLUMNS.join(", ")} (user_id and a type are required; an export's other columns are ignored). ` +
          "Every row is checked by the same rules as a manual grant. A row that repeats a certification the " +
          "organization already holds (same holder, type, issue and expiry date) is counted in `already_held` and " +
          "not written again, so re-running a file writes nothing new. Imports into one organization run one at a " +
          "time. `dry_run=true` checks every row and writes nothing (200 with the report). Without skip_invalid " +
          "nothing is imported if any row is bad: a 400 problem lists every bad row with its line and code.",
        params: OrgParams,
        querystring: Type.Object(
          {
            skip_invalid: Type.Optional(
              Type.Boolean({ default: false, description: "Import the good rows and skip the bad ones" }),
            ),
            dry_run: Type.Optional(
              Type.Boolean({ default: false, description: "Check every row and write nothing" }),
            ),
          },
          { additionalProperties: false },
        ),
        consumes: ["text/csv", "multipart/form-data"],
        response: { 200: ImportResultSchema, 400: ImportRejectedSchema, ...problems(401, 403, 404, 413) },
      },
    },
    async (request, reply) => {
      const length = Number(request.headers["content-length"] ?? "0");
      // A multipart form carries a little more than its file.
      if (length > limit + 64 * 1024)
        return sendProblem(request, reply, problem("payload_too_large", tooLarge));
      const skipInvalid = request.query.skip_invalid ?? false;
      const dryRun = request.query.dry_run ?? false;
      try {
        const source = await csvOf(request, limit);
        if (!source) {
          return sendProblem(
            request,
            reply,
            problem("invalid_request", "Send the file as text/csv or as a multipart file", [
              { field: "body", message: "no CSV file" },
            ]),
          );
        }
        const body = source.pipe(limitBytes(limit));
        source.on("error", (error) => body.destroy(error));
        const result = await importCertificationsCsv(ctx, principalOf(request), body, {
          organizationId: request.params.orgId,
          skipInvalid,
          dryRun,
        });
        const language = requestLanguage(request);
        const say = (error: ImportRowError) => ({
          ...error,
          detail: describeProblem(error.code, language, error.field),
        });
        if (result.skipped > 0 && !skipInvalid && !dryRun) {
          const { errors: english, ...rest } = result;
          const errors = english.map(say);
          const fields = errors.slice(0, 100).map((e) => ({ field: `line ${e.line}`, message: e.detail }));
          const body = problem("invalid_request", "", fields);
          return reply
            .code(400)
            .type("application/problem+json")
            .header("content-language", language)
            .header("vary", "Accept-Language")
            .send({
              ...body,
              detail: describeRejectedImport(result.skipped, result.rows, language),
              instance: request.url.split("?")[0] ?? request.url,
              request_id: String(request.id),
              ...rest,
              imported: 0,
              row_errors: errors,
            });
        }
        return reply
          .code(200)
          .header("content-language", language)
          .header("vary", "Accept-Language")
          .send({ ...result, errors: result.errors.map(say) });
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (error instanceof BodyTooLarge || status === 413) {
          return sendProblem(request, reply, problem("payload_too_large", tooLarge));
        }
        throw error;
      }
    },
  );
}
