import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type ErrorCode, type FieldError } from "../domain/errors.js";
import { describeProblem, type Language, MESSAGES, type Sentence } from "../domain/messages.js";
import { requestLanguage } from "./language.js";

/** The one table from problem code to HTTP status. */
export const HTTP_STATUS: Readonly<
  Record<
    | ErrorCode
    | "rate_limited"
    | "payload_too_large"
    | "unsupported_media_type"
    | "request_timeout"
    | "request_header_fields_too_large"
    | "internal_error",
    number
  >
> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  one_active_cert_per_user_per_type: 409,
  valid_status_transition: 409,
  revoked_cert_cannot_be_reactivated: 409,
  request_timeout: 408,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  expires_at_after_issued_at: 422,
  course_registration_source_consistency: 422,
  organization_scoped_type: 422,
  issued_by_role_check: 422,
  certificate_number_format: 422,
  revocation_requires_reason: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  request_header_fields_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
};

export type ProblemCode = keyof typeof HTTP_STATUS;

// Every problem code has its sentence in nb and en (src/domain/messages.ts): a code added above
// without one does not compile.
const SENTENCES: Readonly<Record<ProblemCode, Sentence>> = MESSAGES;
void SENTENCES;

const TITLES: Readonly<Record<ProblemCode, string>> = {
  invalid_request: "The request does not match the schema",
  unauthenticated: "Authentication required",
  forbidden: "Not allowed for your role",
  not_found: "Not found",
  conflict: "Conflict with existing data",
  one_active_cert_per_user_per_type: "The user already holds a live certification of this type",
  valid_status_transition: "That status change is not in the lifecycle",
  revoked_cert_cannot_be_reactivated: "A revoked certification cannot be reactivated",
  request_timeout: "The request took too long to arrive",
  gone: "The share link has expired or was withdrawn",
  precondition_failed: "The resource has changed (If-Match)",
  payload_too_large: "The request body is too large",
  unsupported_media_type: "The body's media type is not one this route takes",
  expires_at_after_issued_at: "expires_at must be after issued_at",
  course_registration_source_consistency: "Source and course registration do not agree",
  organization_scoped_type: "The certification type belongs to another organization",
  issued_by_role_check: "The issuer is not a coordinator or admin of the organization",
  certificate_number_format: "Not a certificate number",
  revocation_requires_reason: "Revocation requires a reason",
  idempotency_key_reused: "Idempotency-Key reused with a different request",
  rate_limited: "Too many requests",
  request_header_fields_too_large: "The request's headers are too large",
  internal_error: "Internal error",
  service_unavailable: "The service is unavailable for a moment",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
}

export function problem(code: ProblemCode, detail: string, errors?: readonly FieldError[]): Problem {
  return {
    type: `https://certsvc.dev/problems/${code.replaceAll("_", "-")}`,
    title: TITLES[code],
    status: HTTP_STATUS[code],
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors: [...errors] } : {}),
  };
}

/** The path, unless the route names its own instance (the path may hold a secret or a number). */
function instanceOf(request: FastifyRequest): string {
  const config = request.routeOptions.config as { problemInstance?: string } | undefined;
  return config?.problemInstance ?? request.url.split("?")[0] ?? "";
}
/** Seconds a client should wait before it tries again after a 503. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The problem's `detail` for a person in `language`: the code's sentence, and for invalid_request
 * the fields at fault (their own messages stay in `errors`).
 */
export function localizedDetail(body: Pick<Problem, "code" | "errors">, language: Language): string {
  const sentence = describeProblem(body.code, language);
  if (body.code !== "invalid_request" || !body.errors?.length) return sentence;
  const fields = [...new Set(body.errors.map((error) => error.field))];
  return `${sentence} (${fields.slice(0, 10).join(", ")}${fields.length > 10 ? ", …" : ""})`;
}

/** A problem as it is sent: its `detail` in the language of the request, with instance and request id. */
export function problemBody(request: FastifyRequest, body: Problem): Problem {
  return {
    ...body,
    detail: localizedDetail(body, requestLanguage(request)),
    instance: instanceOf(request),
    request_id: String(request.id),
  };
}

/** Sends a problem, its `detail` in the language of the request (Accept-Language). */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: Problem): FastifyReply {
  const language = requestLanguage(request);
  if (body.status === 503) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
  return reply
    .code(body.status)
    .type("application/problem+json")
    .header("content-language", language)
    .header("vary", "Accept-Language")
    .send(problemBody(request, body));
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Schema violations, with where each one is: body/…, query/…, path/…, headers/…. */
function fieldErrors(error: FastifyError): FieldError[] {
  const context = (error.validationContext ?? "body")
    .replace("querystring", "query")
    .replace("params", "path");
  const issues = (error.validation ?? []) as AjvIssue[];
  return issues.map((issue) => {
    const extra = issue.params?.additionalProperty ?? issue.params?.missingProperty;
    const path = [(issue.instancePath ?? "").replace(/^\//, "").replaceAll("/", "."), extra]
      .filter((part) => part !== undefined && part !== "")
      .join(".");
    const message =
      issue.params?.additionalProperty !== undefined ? "unknown field" : (issue.message ?? "is not valid");
    return { field: path ? `${context}/${path}` : context, message };
  });
}

/**
 * Maps anything thrown in a request to a problem. Domain errors carry their code; framework
 * errors from the client's side (schema, JSON, size, media type) are 4xx; anything else is a
 * 500 that says nothing internal, and is logged.
 */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof DomainError) {
    // invalid_request always says where: a rule in a service may not have named the field.
    const errors =
      error.code === "invalid_request" && error.errors.length === 0
        ? [{ field: "request", message: error.message }]
        : error.errors;
    return problem(error.code, error.message, errors);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError);
    return problem("invalid_request", errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors);
  }
  const status = fastifyError.statusCode;
  if (status === 413) return problem("payload_too_large", "The request body is over 1 MB");
  if (status === 429) return problem("rate_limited", "Too many requests; try again in a minute");
  if (status === 404) return problem("not_found", "No such resource");
  if (status === 415) return problem("unsupported_media_type", "Send the body as application/json");
  if (status !== undefined && status >= 400 && status < 500) {
    // Bad JSON, wrong content type, empty body with a JSON content type, …: the client's side.
    const detail =
      fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
        ? "Send the body as application/json"
        : fastifyError.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
          ? "The body is empty but the content type says JSON"
          : fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
            ? "The request body is not valid JSON"
            : "The request is not valid";
    const field =
      fastifyError.code?.startsWith("FST_ERR_CTP_") || error instanceof SyntaxError ? "body" : "request";
    return problem("invalid_request", detail, [{ field, message: detail }]);
  }
  request.log.error({ err: error }, "unhandled error");
  return problem(
    "internal_error",
    "Something went wrong on our side; the request id identifies it in our logs",
  );
}
