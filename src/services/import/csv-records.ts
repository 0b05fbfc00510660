import type { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { DomainError } from "../../domain/errors.js";
import { checkRevocationReason } from "../../domain/rules.js";
import type { CertificationTypeRow } from "../../storage/schema.js";
import { restoreFormula } from "../spreadsheet-csv.js";

/**
 * Reading an import file: the CSV records with their line numbers, in batches, and each
 * record's fields as a row to check. Nothing here touches the database.
 *
 * Columns (header names, case-insensitive; other columns, such as the rest of an export, are ignored):
 * - `user_id` (required): the holder's UUID.
 * - `display_name`: when the holder is not a member of the organization yet, a display name makes
 *   them one, as `peer_mentor` (created as a user if new). Without it such a row fails with not_found.
 * - `certification_type_id` and/or `certification_type`: the type by id, or by id or name. A type
 *   id that is not usable here falls back to the name when one is given (an export of another
 *   organization carries both), else it fails with organization_scoped_type or not_found.
 * - `issued_at`: ISO 8601 date or instant, back-dated as far as needed; blank means now.
 * - `expires_at`: blank means the type's validity from issued_at; `never` means a lifetime one.
 * - `notes`, and `revoked_at` with `revocation_reason` for a certificate that was revoked.
 */
export const IMPORT_COLUMNS = [
  "user_id",
  "display_name",
  "certification_type_id",
  "certification_type",
  "issued_at",
  "expires_at",
  "notes",
  "revoked_at",
  "revocation_reason",
] as const;

export interface CsvRecord {
  /** Line of the record in the file (the header is line 1). */
  line: number;
  fields: Record<string, string>;
}

export interface ImportRow {
  userId: string;
  displayName: string | null;
  typeId: string;
  issuedAt: Date | undefined;
  expiresAt: Date | null | undefined;
  notes: string | null;
  revokedAt: Date | null;
  revocationReason: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const rowError = (field: string, message: string): DomainError =>
  new DomainError("invalid_request", `${field}: ${message}`, [{ field, message }]);

function instant(fields: Record<string, string>, field: string): Date | undefined {
  const raw = fields[field]?.trim() ?? "";
  if (raw === "") return undefined;
  const value = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(value.getTime())) {
    throw rowError(field, `not an ISO 8601 date or instant: "${raw}"`);
  }
  return value;
}

const key = (name: string) => name.trim().toLocaleLowerCase("nb-NO");

/** Types usable in the organization, by id and by lower-case name (its own before global ones). */
export class TypeResolver {
  readonly #byId = new Map<string, CertificationTypeRow>();
  readonly #byName = new Map<string, CertificationTypeRow>();

  constructor(types: readonly CertificationTypeRow[]) {
    for (const type of types) this.#byId.set(type.id, type);
    for (const type of types.filter((t) => t.organization_id === null))
      this.#byName.set(key(type.name), type);
    for (const type of types.filter((t) => t.organization_id !== null))
      this.#byName.set(key(type.name), type);
  }

  byId(id: string): CertificationTypeRow | undefined {
    return this.#byId.get(id);
  }

  resolve(fields: Record<string, string>): string {
    const id = fields.certification_type_id?.trim() ?? "";
    const given = fields.certification_type?.trim() ?? "";
    if (id !== "" && !UUID.test(id)) throw rowError("certification_type_id", "not a UUID");
    if (id !== "" && this.#byId.has(id.toLowerCase())) return id.toLowerCase();
    if (given !== "") {
      if (UUID.test(given)) return given.toLowerCase();
      const named = this.#byName.get(key(given));
      if (named) return named.id;
      if (id === "") throw new DomainError("not_found", `No certification type named "${given}" here`);
    }
    if (id !== "") return id.toLowerCase();
    throw rowError("certification_type", "required (a type id or name)");
  }
}

/** The fields of one record as a row, or the reason it is not one. */
export function parseRow(fields: Record<string, string>, types: TypeResolver): ImportRow {
  const userId = fields.user_id?.trim() ?? "";
  if (!UUID.test(userId)) throw rowError("user_id", userId === "" ? "required" : "not a UUID");
  const expiresRaw = fields.expires_at?.trim().toLowerCase() ?? "";
  const revokedAt = instant(fields, "revoked_at") ?? null;
  const reason = fields.revocation_reason?.trim() ?? "";
  if (revokedAt === null && reason !== "") throw rowError("revoked_at", "required with a revocation_reason");
  return {
    userId: userId.toLowerCase(),
    displayName: fields.display_name?.trim() || null,
    typeId: types.resolve(fields),
    issuedAt: instant(fields, "issued_at"),
    expiresAt: expiresRaw === "never" ? null : instant(fields, "expires_at"),
    notes: fields.notes?.trim() || null,
    revokedAt,
    revocationReason: revokedAt === null ? null : checkRevocationReason(reason),
  };
}

/** The records of a CSV stream, parsed as they arrive; a bad header or bad CSV is invalid_request. */
export async function* csvRecords(input: Readable): AsyncGenerator<CsvRecord> {
  let headerProblem: string | null = null;
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // A cell an export neutralised ('=…) is read as it was before.
      cast: (value: string, context: { header: boolean }) => (context.header ? value : restoreFormula(value)),
      columns: (header: string[]) => {
        const names = header.map((name) => name.trim().toLowerCase());
        const missing = [
          ...(names.includes("user_id") ? [] : ["user_id"]),
          ...(names.includes("certification_type") || names.includes("certification_type_id")
            ? []
            : ["certification_type or certification_type_id"]),
        ];
        if (missing.length > 0) headerProblem = `The header lacks ${missing.join(" and ")}`;
        return names;
      },
    }),
  );
  input.on("error", (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (headerProblem !== null) throw headerError(headerProblem);
      yield { line: info.lines, fields: record };
    }
    if (headerProblem !== null) throw headerError(headerProblem);
  } catch (error) {
    if (error instanceof CsvError) {
      throw new DomainError("invalid_request", `The file is not valid CSV: ${error.message}`, [
        { field: "file", message: error.message },
      ]);
    }
    throw error;
  }
}

const headerError = (message: string) =>
  new DomainError("invalid_request", message, [{ field: "header", message }]);

/** Groups items in arrays of `size` (the last may be shorter). */
export async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
