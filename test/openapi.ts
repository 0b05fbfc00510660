import { randomUUID } from "node:crypto";

/** The parts of an OpenAPI 3.1 document the generated tests read. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

export interface Operation {
  operationId?: string;
  description?: string;
  responses?: Record<string, Response>;
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

/** A path item: its operations by method, and a server of its own if it has one. */
export type PathItem = { servers?: { url: string }[] } & { [method: string]: Operation | unknown };

export interface OpenApiDocument {
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Response {
  description?: string;
  headers?: Record<string, { required?: boolean; schema?: JsonSchema }>;
  content?: Record<string, { schema?: JsonSchema }>;
}

export interface Route {
  method: string;
  path: string;
  operation: Operation;
  pathParams: string[];
  /** Reachable without a token (security: []). */
  isPublic: boolean;
}

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);

/** The path as the server routes it: under its path item's own server, if it has one. */
export function fullPath(document: OpenApiDocument, path: string): string {
  const server = document.paths[path]?.servers?.[0]?.url;
  return server === undefined ? path : `${new URL(server).pathname}${path}`;
}

/** Every route × method of the document. */
export function routesOf(document: OpenApiDocument): Route[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path: fullPath(document, path),
        operation: operation as Operation,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
        isPublic:
          Array.isArray((operation as Operation).security) && (operation as Operation).security?.length === 0,
      })),
  );
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_all, name: string) =>
    encodeURIComponent(values[name] ?? randomUUID()),
  );
}

export function bodySchemaOf(route: Route): JsonSchema | undefined {
  return route.operation.requestBody?.content?.["application/json"]?.schema;
}

export function queryParamsOf(route: Route) {
  return (route.operation.parameters ?? []).filter((parameter) => parameter.in === "query");
}

/**
 * A minimal value that satisfies `schema`: required properties only, ids taken from `ids` by
 * property name (so a body can point at real records), timestamps a day before `now`.
 */
export function sampleOf(
  schema: JsonSchema | undefined,
  document: OpenApiDocument,
  ids: Record<string, string>,
  now: Date,
  name = "",
): unknown {
  if (!schema) return undefined;
  if (schema.$ref) {
    const target = document.components?.schemas?.[schema.$ref.split("/").at(-1) ?? ""];
    return sampleOf(target, document, ids, now, name);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const concrete = alternatives.find((alternative) => alternative.type !== "null") ?? alternatives[0];
    return sampleOf(concrete, document, ids, now, name);
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const value: Record<string, unknown> = {};
      for (const property of schema.required ?? []) {
        value[property] = sampleOf(schema.properties?.[property], document, ids, now, property);
      }
      return value;
    }
    case "array":
      return [sampleOf(schema.items, document, ids, now, name)];
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      if (schema.format === "uuid") return ids[name] ?? randomUUID();
      if (schema.format === "date-time") return new Date(now.getTime() - 86_400_000).toISOString();
      if (name === "reason") return "A reason";
      if (schema.pattern) return "ZQX";
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
  }
}
