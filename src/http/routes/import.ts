import { Readable, Transform, type TransformCallback } from "node:stream";
import multipart from "@fastify/multipart";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { describeProblem, describeRejectedImport, type Language } from "../../domain/messages.js";
import {
  IMPORT_COLUMNS,
  type ImportResult,
  type ImportRowError,
  importCertificationsCsv,
} from "../../services/import/import-certifications.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { requestLanguage } from "../language.js";
import { problem, problemBody, sendProblem, toProblem } from "../problems.js";
import { OrgParams } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";
import { NDJSON, ProgressLines, wantsProgress } from "./import-progress.js";

/** The CSV import reads its body as a stream; this is its own limit, above the API's 1 MB. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

class BodyTooLarge extends Error {}

/** The body grew past the limit: ours, or the multipart reader's. */
const isTooLarge = (error: unknown) =>
  error instanceof BodyTooLarge || (error as { statusCode?: number } | null)?.statusCode === 413;

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

const PROGRESS_EXAMPLE = [
  { type: "progress", lines_done: 1001, rows_done: 1000, lines_total: null },
  { type: "progress", lines_done: 2001, rows_done: 2000, lines_total: 2501 },
  { type: "progress", lines_done: 2501, rows_done: 2500, lines_total: 2501 },
  { type: "result", ...(ImportResultSchema.examples as object[])[0], rows: 2500, imported: 2498 },
]
  .map((line) => JSON.stringify(line))
  .join("\n");

/** The 200 answer, for the document only: the report, or (Accept: application/x-ndjson) progress lines. */
const IMPORT_ANSWER = {
  description:
    "The report; with `Accept: application/x-ndjson` one progress line per batch, then the report as the last line",
  content: {
    "application/json": { schema: ImportResultSchema },
    [NDJSON]: {
      schema: {
        type: "string",
        description:
          'Newline-delimited JSON. `{"type":"progress","lines_done":N,"rows_done":M,"lines_total":T|null}` after ' +
          "each batch of rows checked (or written); `lines_total` is null until the whole file has arrived. The last " +
          'line is `{"type":"result", …the JSON report}`, or `{"type":"problem","problem":{…}}` with the problem the ' +
          "JSON answer would have been (e.g. 400 invalid_request with row_errors): then nothing was written.",
      },
      example: `${PROGRESS_EXAMPLE}\n`,
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

type ImportAnswer =
  | { status: 200; body: Static<typeof ImportResultSchema> }
  | { status: 400; body: Static<typeof ImportRejectedSchema> };

/** The JSON answer to a finished import: 200 with the report, or 400 when bad rows stop it. */
function importAnswer(
  request: FastifyRequest,
  result: ImportResult,
  options: { language: Language; skipInvalid: boolean; dryRun: boolean },
): ImportAnswer {
  const { language } = options;
  const say = (error: ImportRowError) => ({
    ...error,
    detail: describeProblem(error.code, language, error.field),
  });
  if (result.skipped > 0 && !options.skipInvalid && !options.dryRun) {
    const { errors: english, ...rest } = result;
    const errors = english.map(say);
    const fields = errors.slice(0, 100).map((e) => ({ field: `line ${e.line}`, message: e.detail }));
    const body = problem("invalid_request", "", fields);
    return {
      status: 400,
      body: {
        ...body,
        detail: describeRejectedImport(result.skipped, result.rows, language),
        instance: request.url.split("?")[0] ?? request.url,
        request_id: String(request.id),
        ...rest,
        imported: 0,
        row_errors: errors,
      },
    };
  }
  return { status: 200, body: { ...result, errors: result.errors.map(say) } };
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
        swaggerTransform: ({ schema, url }) => ({
          schema: {
            ...schema,
            body: IMPORT_BODIES,
            response: { ...(schema.response as object), 200: IMPORT_ANSWER },
          },
          url,
        }),
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
          "nothing is imported if any row is bad: a 400 problem lists every bad row with its line and code. " +
          "With `Accept: application/x-ndjson` (import and dry run) the answer streams as it goes: 200 " +
          "`application/x-ndjson`, one progress line per batch of 1000 rows, and as the last line the same report " +
          '(`{"type":"result",…}`) or the same problem (`{"type":"problem","problem":{…}}`) as the JSON answer, ' +
          "with the same all-or-nothing outcome. What is refused before the first batch (token, role, media type, " +
          "size, the header line) is still a plain problem with its status.",
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
      const language = requestLanguage(request);
      const lines = wantsProgress(request) ? new ProgressLines() : null;
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
        const work = importCertificationsCsv(ctx, principalOf(request), body, {
          organizationId: request.params.orgId,
          skipInvalid,
          dryRun,
          ...(lines ? { onProgress: lines.report } : {}),
        });
        if (lines && (await lines.startsBefore(work))) {
          // From the first batch on the status is sent: how the import ends is the last line.
          work
            .then(
              (result) => {
                const answer = importAnswer(request, result, { language, skipInvalid, dryRun });
                lines.end(
                  answer.status === 200
                    ? { type: "result", ...answer.body }
                    : { type: "problem", problem: answer.body },
                );
              },
              (error: unknown) => {
                const failure = isTooLarge(error)
                  ? problem("payload_too_large", tooLarge)
                  : toProblem(error, request);
                lines.end({ type: "problem", problem: problemBody(request, failure) });
              },
            )
            .catch((error: unknown) => {
              request.log.error({ err: error }, "import progress answer failed");
              lines.stream.destroy();
            });
          return (
            reply
              .code(200)
              .type(`${NDJSON}; charset=utf-8`)
              .header("content-language", language)
              .header("vary", "Accept, Accept-Language")
              .header("x-accel-buffering", "no")
              // The 200 schema is the JSON report's; a stream is sent as it is, never serialized.
              .send(lines.stream as unknown as ImportResult)
          );
        }
        const answer = importAnswer(request, await work, { language, skipInvalid, dryRun });
        if (answer.status === 400) {
          return reply
            .code(400)
            .type("application/problem+json")
            .header("content-language", language)
            .header("vary", "Accept-Language")
            .send(answer.body);
        }
        return reply
          .code(200)
          .header("content-language", language)
          .header("vary", "Accept-Language")
          .send(answer.body);
      } catch (error) {
        if (isTooLarge(error)) {
          return sendProblem(request, reply, problem("payload_too_large", tooLarge));
        }
        throw error;
      }
    },
  );
}
