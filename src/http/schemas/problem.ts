import { Type } from "@sinclair/typebox";
import { HTTP_STATUS, type Problem, type ProblemCode, problem } from "../problems.js";

export const PROBLEM_MEDIA_TYPE = "application/problem+json";

const CODES = Object.keys(HTTP_STATUS) as ProblemCode[];

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary of the problem type" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong in this case, in the request's language" }),
    code: Type.Unsafe<ProblemCode>({
      type: "string",
      enum: CODES,
      description: "Machine-readable code: the seed rule's name where a rule is broken; never translated",
    }),
    instance: Type.Optional(Type.String({ description: "The request path" })),
    request_id: Type.Optional(Type.String({ description: "Request id, also in the logs" })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "Where: body/field, query/field or path/field" }),
          message: Type.String({ description: "What is wrong with it" }),
        }),
        { description: "Field errors (invalid_request)" },
      ),
    ),
  },
  { $id: "Problem", description: "RFC 9457 problem details" },
);

export const ProblemRef = Type.Ref("Problem");

/** Where a status has several codes, the one a route means when it names none. */
const DEFAULT_CODE: Readonly<Partial<Record<number, ProblemCode>>> = { 409: "conflict" };

/** The codes a route answers with `status` when it names none: the usual one, else all of them. */
function codesOf(status: number): ProblemCode[] {
  const fallback = DEFAULT_CODE[status];
  return fallback ? [fallback] : CODES.filter((code) => HTTP_STATUS[code] === status);
}

/** A response of problems with these codes, as the route's schema (and so the document) has it. */
export interface ProblemResponse {
  description: string;
  content: {
    "application/problem+json": {
      schema: typeof ProblemRef;
      examples: Record<string, { summary: string; value: Problem }>;
    };
  };
}

const EXAMPLE_DETAIL: Partial<Record<ProblemCode, string>> = {
  invalid_request: 'body/user_id: must match format "uuid"',
  unauthenticated: "A bearer token is required",
  forbidden: "Your role may not do this",
  not_found: "Certification not found",
  rate_limited: "Too many requests; try again in a minute",
  internal_error: "Something went wrong on our side; the request id identifies it in our logs",
};

/** A problem of `code` as the service sends it, for the document's examples. */
export function problemExample(code: ProblemCode): Problem {
  const body = problem(
    code,
    EXAMPLE_DETAIL[code] ?? `${code.replaceAll("_", " ")}`,
    code === "invalid_request" ? [{ field: "body/user_id", message: 'must match format "uuid"' }] : undefined,
  );
  return {
    ...body,
    instance: "/v1/certifications/6f1c2a4e-0d3b-4c55-9a7e-2b8f0c1d9e3a",
    request_id: "0b6b8f8e-7d4e-4d2a-9b1e-3f1f6c2b9a10",
  };
}

function problemResponse(status: number, codes: ProblemCode[]): ProblemResponse {
  return {
    description: codes.length > 0 ? `Problem: ${codes.map((code) => `\`${code}\``).join(", ")}` : "Problem",
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: ProblemRef,
        examples: Object.fromEntries(
          codes.map((code) => [code, { summary: `${status} ${code}`, value: problemExample(code) }]),
        ),
      },
    },
  };
}

/**
 * Error responses a route can give, as `application/problem+json` with the codes it answers.
 * A status alone (`404`) means its usual code (not_found); a code (`"revocation_requires_reason"`)
 * brings its own status, so `problems(400, 404, "valid_status_transition")` documents 400, 404 and 409.
 */
export function problems(...answers: (number | ProblemCode)[]): Record<number, ProblemResponse> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const answer of answers) {
    const status = typeof answer === "number" ? answer : HTTP_STATUS[answer];
    const codes = byStatus.get(status) ?? [];
    if (typeof answer === "string") codes.push(answer);
    byStatus.set(status, codes);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => {
      return [status, problemResponse(status, [...new Set(codes.length > 0 ? codes : codesOf(status))])];
    }),
  );
}
