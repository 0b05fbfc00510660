import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { HttpAnswer } from "./http.js";
import { fullPath, type OpenApiDocument, type Operation, type Response } from "./openapi.js";

/**
 * Checks real answers against the OpenAPI document: the operation exists, the status is one it
 * documents, the content type is one that status documents, the body matches that media type's
 * schema (JSON types), and every header the response documents is there.
 */
export class ResponseValidator {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #templates: { method: string; pattern: RegExp; path: string; pointer: string }[] = [];
  readonly #document: OpenApiDocument;
  readonly #compiled = new Map<string, ReturnType<Ajv2020["compile"]>>();
  /** operationId × status × content type seen, to report what the run covered. */
  readonly covered = new Set<string>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
    addFormats.default(this.#ajv);
    this.#ajv.addFormat("binary", true);
    this.#ajv.addSchema(document as object, "openapi.json");
    for (const [path, item] of Object.entries(document.paths)) {
      const served = fullPath(document, path);
      const pattern = new RegExp(
        `^${served.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{[^/]+?\\\}/g, "[^/]+")}$`,
      );
      for (const method of Object.keys(item)) {
        if (method === "servers") continue;
        this.#templates.push({ method: method.toUpperCase(), pattern, path: served, pointer: path });
      }
    }
  }

  /** The documented operation a request went to (literal paths before templated ones). */
  operationFor(method: string, url: string): { operation: Operation; pointer: string } | undefined {
    const path = url.split("?")[0] ?? url;
    const matches = this.#templates
      .filter((template) => template.method === method && template.pattern.test(path))
      .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
    const found = matches[0];
    if (!found) return undefined;
    const operation = this.#document.paths[found.pointer]?.[method.toLowerCase()] as Operation;
    return { operation, pointer: found.pointer };
  }

  /** What does not match the document, as sentences; empty when the answer is as documented. */
  check(method: string, url: string, answer: HttpAnswer): string[] {
    const where = `${method} ${url.split("?")[0]} → ${answer.status}`;
    const found = this.operationFor(method, url);
    if (!found) return [`${where}: no such operation in the document`];
    const { operation, pointer } = found;
    const status = String(answer.status);
    const response: Response | undefined =
      operation.responses?.[status] ??
      operation.responses?.[`${status[0]}XX`] ??
      operation.responses?.default;
    if (!response) return [`${where}: status not documented (${Object.keys(operation.responses ?? {})})`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (header.required !== false && answer.headers[name.toLowerCase()] === undefined) {
        problems.push(`${where}: header ${name} is documented but not sent`);
      }
    }
    const contentType = (answer.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) {
      if (answer.text !== "") problems.push(`${where}: a body where none is documented`);
      return problems;
    }
    const mediaType = Object.keys(content).find((key) => key.split(";")[0]?.trim() === contentType);
    if (mediaType === undefined) {
      return [...problems, `${where}: content type ${contentType} not documented (${Object.keys(content)})`];
    }
    this.covered.add(`${operation.operationId} ${status} ${mediaType}`);
    if (!/[/+]json$/.test(contentType)) return problems;
    const pointerPart = (part: string) => part.replaceAll("~", "~0").replaceAll("/", "~1");
    const ref = `openapi.json#/paths/${pointerPart(pointer)}/${method.toLowerCase()}/responses/${status}/content/${pointerPart(mediaType)}/schema`;
    const validate = this.#compiled.get(ref) ?? this.#ajv.compile({ $ref: ref });
    this.#compiled.set(ref, validate);
    if (!validate(answer.body)) {
      problems.push(`${where}: body does not match the schema: ${this.#ajv.errorsText(validate.errors)}`);
    }
    return problems;
  }
}
