import { Type } from "@sinclair/typebox";
import { ERROR_CODES } from "../../domain/errors.js";

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem type" }),
    title: Type.String({ description: "Short summary of the problem type" }),
    status: Type.Integer({ description: "HTTP status" }),
    detail: Type.String({ description: "What went wrong in this case" }),
    code: Type.String({
      description: `Machine-readable code: the seed rule's name where a rule is broken. One of ${ERROR_CODES.join(", ")}, payload_too_large, unsupported_media_type, request_timeout, request_header_fields_too_large, rate_limited, internal_error`,
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

/** Error responses a route can give, for the OpenAPI document. */
export function problems(...statuses: number[]): Record<number, typeof ProblemRef> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}
