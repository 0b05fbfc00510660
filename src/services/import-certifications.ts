import type { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { sql } from "kysely";
import { DomainError, forbidden, notFound } from "../domain/errors.js";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isOrgAdmin,
  type Principal,
} from "../domain/principal.js";
import { checkRevocationReason } from "../domain/rules.js";
import { assertTransition } from "../domain/status.js";
import { importedRows, issuances } from "../observability/metrics.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { listCertificationTypes } from "../storage/certification-types.js";
import { findCertification, updateCertification } from "../storage/certifications.js";
import type { Tx } from "../storage/database.js";
import { translateDatabaseError } from "../storage/errors.js";
import { findOrganization } from "../storage/organizations.js";
import type { CertificationTypeRow } from "../storage/schema.js";
import { findMembership, findUser, upsertMembership, upsertUser } from "../storage/users.js";
import type { ServiceContext } from "./context.js";
import { issueInTransaction } from "./issue-certification.js";
import { certificationView } from "./views.js";

/**
 * CSV import of existing (paper) certifications into one organization. Every row goes through
 * issueInTransaction, the same rules as a manual grant, inside a savepoint of its own so that a
 * bad row is reported and the rows around it still get checked.
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
 * - `notes`, and `revoked_at` with `revocation_reason` for a certificate that was revoked
 *   (the importing user is recorded as revoker, so the CLI needs `--as <user-id>` for those).
 * Every imported row is a `manual_grant` with a new certificate number; `certificate_number`,
 * `status`, `source` and the other exported columns are not read.
 *
 * Without skipInvalid the whole file is one transaction: nothing is imported if any row is bad,
 * and every bad row is still reported. With skipInvalid, each batch of rows commits on its own and
 * bad rows are skipped. Memory stays at one batch whatever the file's size.
 */

export interface ImportRowError {
  line: number;
  code: string;
  detail: string;
}

export interface ImportResult {
  /** Rows read, header excluded. */
  rows: number;
  imported: number;
  skipped: number;
  /** The first `maxErrors` bad rows. */
  errors: ImportRowError[];
  errors_truncated: boolean;
}

export interface ImportProgress {
  rows: number;
  imported: number;
  rejected: number;
}

export interface ImportOptions {
  organizationId: string;
  skipInvalid: boolean;
  /** Rows per batch (and per transaction with skipInvalid). */
  batchSize?: number;
  maxErrors?: number;
  onProgress?: (progress: ImportProgress) => void;
}

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

interface CsvRecord {
  line: number;
  fields: Record<string, string>;
}

interface ImportRow {
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

const rowError = (field: string, message: string) =>
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

/** Types usable in the organization, by id and by lower-case name (its own before global ones). */
class TypeResolver {
  readonly #byId = new Map<string, CertificationTypeRow>();
  readonly #byName = new Map<string, CertificationTypeRow>();

  constructor(types: readonly CertificationTypeRow[]) {
    for (const type of types) this.#byId.set(type.id, type);
    for (const type of types.filter((t) => t.organization_id === null))
      this.#byName.set(key(type.name), type);
    for (const type of types.filter((t) => t.organization_id !== null))
      this.#byName.set(key(type.name), type);
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

const key = (name: string) => name.trim().toLocaleLowerCase("nb-NO");

function parseRow(fields: Record<string, string>, types: TypeResolver): ImportRow {
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

/** A holder named in the file who is not a member yet becomes a peer mentor of the organization. */
async function ensureMember(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  organizationId: string,
  row: ImportRow,
) {
  if (row.displayName === null || (await findMembership(trx, organizationId, row.userId))) return;
  const user = (await findUser(trx, row.userId)) ?? (await upsertUser(trx, row.userId, row.displayName));
  await upsertMembership(trx, organizationId, user.id, "peer_mentor");
  await appendAuditEvent(trx, {
    entityType: "membership",
    entityId: user.id,
    organizationId,
    action: "added",
    actorUserId: actorUserId(principal),
    actor: actorName(principal),
    after: {
      organization_id: organizationId,
      user_id: user.id,
      role: "peer_mentor",
      display_name: user.display_name,
    },
    occurredAt: ctx.clock(),
  });
}

/** A certificate revoked on paper: revoked at its date, by the importing user, with its reason. */
async function revokeImported(
  ctx: ServiceContext,
  trx: Tx,
  principal: Principal,
  certificationId: string,
  revokedAt: Date,
  reason: string,
) {
  const revokedBy = actorUserId(principal);
  if (revokedBy === null) {
    throw new DomainError(
      "revocation_requires_reason",
      "A revoked certificate needs a user recorded as revoker: import as a coordinator or admin (certsvc import --as <user-id>)",
    );
  }
  const record = await findCertification(trx, certificationId);
  if (!record) throw notFound("Certification");
  const now = ctx.clock();
  if (revokedAt.getTime() < record.issued_at.getTime() || revokedAt.getTime() > now.getTime() + 1000) {
    throw rowError("revoked_at", "must lie between issued_at and now");
  }
  const before = certificationView(record, now, ctx.warningDays);
  assertTransition(before.status, "revoke");
  const updated = await updateCertification(trx, certificationId, {
    status: "revoked",
    revoked_at: revokedAt,
    revoked_by_user_id: revokedBy,
    revocation_reason: reason,
  });
  await appendAuditEvent(trx, {
    entityType: "certification",
    entityId: certificationId,
    organizationId: record.organization_id,
    action: "revoked",
    actorUserId: revokedBy,
    actor: actorName(principal),
    reason,
    before,
    after: certificationView(
      { ...updated, type_warning_days: record.type_warning_days },
      now,
      ctx.warningDays,
    ),
    occurredAt: now,
  });
}

class RollBack extends Error {}

async function* csvRecords(input: Readable): AsyncGenerator<CsvRecord> {
  let headerProblem: string | null = null;
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
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
      if (headerProblem !== null) throw new DomainError("invalid_request", headerProblem);
      yield { line: info.lines, fields: record };
    }
    if (headerProblem !== null) throw new DomainError("invalid_request", headerProblem);
  } catch (error) {
    if (error instanceof CsvError) {
      throw new DomainError("invalid_request", `The file is not valid CSV: ${error.message}`);
    }
    throw error;
  }
}

async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
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

/** Imports a CSV stream into one organization (org admins, global admins, the system). */
export async function importCertificationsCsv(
  ctx: ServiceContext,
  principal: Principal,
  input: Readable,
  options: ImportOptions,
): Promise<ImportResult> {
  const { organizationId } = options;
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isOrgAdmin(principal, organizationId)) throw forbidden("Only an admin of the organization imports");
  if (!(await findOrganization(ctx.db, organizationId))) throw notFound("Organization");
  const types = new TypeResolver(await listCertificationTypes(ctx.db, organizationId));
  const maxErrors = options.maxErrors ?? 1000;
  const result: ImportResult = { rows: 0, imported: 0, skipped: 0, errors: [], errors_truncated: false };
  let rejected = 0;
  let pendingImported = 0;

  const importRecord = async (trx: Tx, record: CsvRecord) => {
    result.rows += 1;
    await sql`savepoint import_row`.execute(trx);
    try {
      const row = parseRow(record.fields, types);
      await ensureMember(ctx, trx, principal, organizationId, row);
      const issued = await issueInTransaction(ctx, trx, principal, {
        organizationId,
        userId: row.userId,
        certificationTypeId: row.typeId,
        source: "manual_grant",
        registration: null,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        notes: row.notes,
      });
      if (row.revokedAt !== null && row.revocationReason !== null) {
        await revokeImported(
          ctx,
          trx,
          principal,
          issued.certification.id,
          row.revokedAt,
          row.revocationReason,
        );
      }
      await sql`release savepoint import_row`.execute(trx);
      pendingImported += 1;
    } catch (caught) {
      await sql`rollback to savepoint import_row`.execute(trx);
      await sql`release savepoint import_row`.execute(trx);
      const error = translateDatabaseError(caught);
      if (!(error instanceof DomainError)) throw error;
      rejected += 1;
      if (result.errors.length < maxErrors) {
        result.errors.push({ line: record.line, code: error.code, detail: error.message });
      } else {
        result.errors_truncated = true;
      }
    }
  };
  const progress = () =>
    options.onProgress?.({ rows: result.rows, imported: result.imported + pendingImported, rejected });
  const commit = () => {
    result.imported += pendingImported;
    pendingImported = 0;
  };

  const records = batches(csvRecords(input), options.batchSize ?? 500);
  if (options.skipInvalid) {
    for await (const batch of records) {
      await ctx.db.transaction().execute(async (trx) => {
        for (const record of batch) await importRecord(trx, record);
      });
      commit();
      progress();
    }
  } else {
    try {
      await ctx.db.transaction().execute(async (trx) => {
        for await (const batch of records) {
          for (const record of batch) await importRecord(trx, record);
          progress();
        }
        if (rejected > 0) throw new RollBack();
      });
      commit();
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
      pendingImported = 0;
    }
  }
  result.skipped = rejected;
  importedRows.inc({ outcome: "imported" }, result.imported);
  importedRows.inc({ outcome: "rejected" }, rejected);
  issuances.inc({ source: "manual_grant" }, result.imported);
  return result;
}
