import type { ProblemCode } from "./problems.js";
import { PROBLEM_MEDIA_TYPE, problems } from "./schemas/problem.js";

/*
 * The OpenAPI document: what the routes declare, then one pass over the whole document that
 * states what every route shares, so a route added anywhere is documented the same way: errors
 * as application/problem+json with the shared schema, the answers every route can give (400,
 * 401, 413, 500), rate-limit headers, an operationId and a described tag.
 */

const TOKEN_HELP = `
Issues, tracks and verifies peer mentors' certifications.

## Signing in
Every route but the public ones (verification, status lists, health) takes
\`Authorization: Bearer <JWT>\`. The token is a JWT signed with HS256 and the service's
\`CERTSVC_JWT_SECRET\` (or by keys from \`CERTSVC_JWKS_URL\`; \`CERTSVC_JWT_ISSUER\` and
\`CERTSVC_JWT_AUDIENCE\` are checked when set), with an \`exp\`.

- **User token**: \`sub\` is the user's UUID. Roles are never read from the token but from the
  service's own memberships: \`peer_mentor\`, \`coordinator\`, \`org_admin\` per organization, and
  \`global_admin\`.
- **Service token**: \`sub\` is \`service:<name>\` (e.g. \`service:course-module\`). A service may issue
  from a completed course in any organization, register course completions and read eligibility and
  certifications; what it issues has \`issued_by_user_id = null\`.

To get one: in production the platform signs it. Locally, \`npm run certsvc -- demo\` prints sample
users with tokens, and \`npm run certsvc -- token --user <uuid>\` (or \`--user service:<name>\`)
signs one with \`CERTSVC_JWT_SECRET\`. The web page takes it as \`/app#token=<jwt>\`.

## Errors
Every error is an RFC 9457 problem (\`application/problem+json\`) with \`type\`, \`title\`, \`status\`,
\`detail\` (in the request's language: \`Accept-Language\` nb or en) and a \`code\` that never changes
with the language; \`invalid_request\` lists field errors in \`errors\`. Each operation names the codes
it can answer.
`.trim();

const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  certifications: "Issuing, reading and changing certifications, and their audit trail",
  directory: "Organizations, members, certification types and course registrations",
  verification: "Public verification of a certificate, without a token",
  badges: "Badges awarded for certifications",
  operations: "Import, export, reports, background jobs, health and metrics",
};

export function documentBase(publicUrl: string) {
  return {
    openapi: "3.1.0" as const,
    info: {
      title: "Certificate Service",
      version: "1.0.0",
      description: TOKEN_HELP,
      contact: { name: "Certificate Service maintainers", url: publicUrl },
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: publicUrl, description: "This service" }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http" as const,
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A user token (`sub` = the user's UUID) or a service token (`sub` = `service:<name>`), HS256 with CERTSVC_JWT_SECRET or from CERTSVC_JWKS_URL. See the introduction for how to get one.",
        },
      },
    },
    security: [{ bearer: [] }],
  };
}

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  examples?: Record<string, { value?: { code?: string } }>;
}
interface Response {
  description?: string;
  headers?: Record<string, Json>;
  content?: Record<string, Media>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, Response>;
}
interface Document {
  servers?: { url: string }[];
  paths?: Record<string, Record<string, Operation | unknown>>;
  tags?: { name: string; description: string }[];
  components?: { schemas?: Record<string, Json> };
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };

/**
 * Paths that share their shape with a templated sibling (`/v1/certifications/by-number/{n}` and
 * `/v1/certifications/{id}/renew` both match `/v1/certifications/by-number/renew`). The router
 * prefers the literal segment, and the ids are UUIDs, so the service is never in doubt; the
 * document says so by serving these under a server of their own, so no tool has to guess.
 */
const REBASED_PREFIXES = ["/v1/certifications/by-number"];

const RATE_LIMIT_HEADERS = {
  "x-ratelimit-limit": { description: "Requests allowed per window", schema: { type: "integer" } },
  "x-ratelimit-remaining": { description: "Requests left in this window", schema: { type: "integer" } },
  "x-ratelimit-reset": { description: "Seconds until the window resets", schema: { type: "integer" } },
};

function operationIdOf(method: string, path: string): string {
  const words = path
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "" && word !== "v1")
    .map((word) => word[0]?.toUpperCase() + word.slice(1));
  return `${method}${words.join("")}`;
}

function problemResponse(status: number, codes: ProblemCode[]): Response {
  const response = problems(...codes)[status] as unknown as Response;
  const media = response.content?.[PROBLEM_MEDIA_TYPE];
  // The route schemas' references are resolved by the plugin; this one is added after it.
  return { ...response, content: { [PROBLEM_MEDIA_TYPE]: { ...media, schema: PROBLEM_REF } } };
}

/** The shared schema, or one of its own with a problem's fields (the import's rejection). */
function isProblemSchema(schema: Json | undefined): boolean {
  if (schema?.$ref === PROBLEM_REF.$ref) return true;
  const properties = schema?.properties as Json | undefined;
  return ["type", "title", "status", "detail", "code"].every((name) => properties?.[name] !== undefined);
}

/** Errors as problems; where the examples name every code the route answers, the schema does too. */
function asProblem(response: Response): void {
  const content = response.content ?? {};
  const json = content["application/json"];
  if (json && isProblemSchema(json.schema)) {
    delete content["application/json"];
    content[PROBLEM_MEDIA_TYPE] = json;
  }
  const media = content[PROBLEM_MEDIA_TYPE];
  if (!media || media.schema?.$ref !== PROBLEM_REF.$ref) return;
  const codes = Object.values(media.examples ?? {})
    .map((example) => example.value?.code)
    .filter((code): code is string => typeof code === "string");
  if (codes.length > 0) {
    media.schema = { allOf: [PROBLEM_REF], properties: { code: { type: "string", enum: codes } } };
  }
}

function refineOperation(operation: Operation, method: string, path: string, ids: Set<string>): void {
  let id = operation.operationId ?? operationIdOf(method, path);
  while (ids.has(id)) id = `${id}_`;
  ids.add(id);
  operation.operationId = id;
  if (!operation.tags || operation.tags.length === 0) operation.tags = ["operations"];
  const responses = operation.responses ?? {};
  operation.responses = responses;
  const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
  const takesInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined;
  if (takesInput && !responses["400"]) responses["400"] = problemResponse(400, ["invalid_request"]);
  if (!isPublic && !responses["401"]) responses["401"] = problemResponse(401, ["unauthenticated"]);
  if (operation.requestBody !== undefined && !responses["413"]) {
    responses["413"] = problemResponse(413, ["payload_too_large"]);
  }
  if (!responses["500"]) responses["500"] = problemResponse(500, ["internal_error"]);
  const limited = responses["429"] !== undefined;
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400) asProblem(response);
    if (limited && (status.startsWith("2") || status === "429")) {
      response.headers = {
        ...RATE_LIMIT_HEADERS,
        ...(status === "429"
          ? { "retry-after": { description: "Seconds to wait", schema: { type: "integer" } } }
          : {}),
        ...response.headers,
      };
    }
  }
}

/** The pass over the whole document (the `transformObject` of the swagger plugin). */
export function refineDocument(input: unknown): unknown {
  const document = input as Document;
  const paths = document.paths ?? {};
  const ids = new Set<string>();
  const tags = new Set<string>();
  const refined: NonNullable<Document["paths"]> = {};
  const server = document.servers?.[0]?.url ?? "";
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      refineOperation(operation, method, path, ids);
      for (const tag of operation.tags ?? []) tags.add(tag);
    }
    const prefix = REBASED_PREFIXES.find((candidate) => path.startsWith(`${candidate}/`));
    if (prefix) {
      refined[path.slice(prefix.length)] = {
        ...item,
        servers: [{ url: `${server}${prefix}`, description: `This service, under ${prefix}` }],
      };
    } else {
      refined[path] = item;
    }
  }
  document.paths = refined;
  document.tags = [...tags].sort().map((name) => ({
    name,
    description: TAG_DESCRIPTIONS[name] ?? `Operations on ${name}`,
  }));
  return document;
}
