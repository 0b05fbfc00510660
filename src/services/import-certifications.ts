import type { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { sql } from "kysely";
import { formatCertificateNumber, yearIn } from "../domain/certificate-number.js";
import { DomainError, forbidden, notFound } from "../domain/errors.js";
import { liveAlready, planIssue } from "../domain/issue-plan.js";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isOrgAdmin,
  type Principal,
} from "../domain/principal.js";
import { checkRevocationReason } from "../domain/rules.js";
import { holdsLivePlace, type Status } from "../domain/status.js";
import { importedRows, issuances } from "../observability/metrics.js";
import { type AuditEvent, appendAuditEvents } from "../storage/audit-events.js";
import {
  addPeerMentors,
  drawSequences,
  expireRecords,
  findHeldRecords,
  findMemberIds,
  findTypesById,
  type ImportedCertification,
  insertImportedCertifications,
} from "../storage/certification-import.js";
import { listCertificationTypes } from "../storage/certification-types.js";
import type { Tx } from "../storage/database.js";
import { translateDatabaseError } from "../storage/errors.js";
import { enqueueJobs, QUEUES } from "../storage/jobs.js";
import { findOrganization } from "../storage/organizations.js";
import type { CertificationTypeRow, OrganizationRow } from "../storage/schema.js";
import type { ServiceContext } from "./context.js";
import { certificationView } from "./views.js";

/**
 * CSV import of existing (paper) certifications into one organization. Every row is checked by
 * the rules of a manual grant (issueInTransaction's domain checks, then the table's constraints
 * and triggers), a batch of rows at a time with set-based statements; a bad row is reported with
 * its line and the rows around it still get checked.
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
 *   A row imported as revoked is not live, so it does not conflict with a live one of the type.
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

/** A row that passed every check of its own and waits to be written with its batch. */
interface AcceptedRow {
  record: CsvRecord;
  row: ImportRow;
  type: CertificationTypeRow;
  issuedAt: Date;
  expiresAt: Date | null;
  /** The status by its dates alone: what it is unless it was revoked. */
  datedStatus: Status;
  /** Not a member yet: becomes a peer mentor of the organization with the row. */
  joins: boolean;
}

const pairKey = (userId: string, typeId: string) => `${userId}/${typeId}`;
const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/**
 * Checks and writes the rows of one organization's import, a batch at a time: the rules of
 * issueInTransaction (the same domain checks, then the table's constraints and triggers), with
 * the lookups, the numbers, the inserts, the audit events and the badge jobs of a whole batch each
 * done in one statement.
 */
class BatchImporter {
  /** The first `maxErrors` bad rows by line (a batch's lines all follow the batch before's). */
  rowErrors: { line: number; error: DomainError }[] = [];
  rejected = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly principal: Principal,
    private readonly organization: OrganizationRow,
    private readonly types: TypeResolver,
    private readonly maxErrors: number,
  ) {}

  /** Imports what it can of a batch and returns how many rows it wrote; bad rows go to rowErrors. */
  async importBatch(trx: Tx, records: readonly CsvRecord[]): Promise<number> {
    const now = this.ctx.clock();
    const { accepted, stale } = await this.check(trx, records, now);
    if (accepted.length === 0) return 0;
    await sql`savepoint import_batch`.execute(trx);
    try {
      await this.write(trx, accepted, stale, now);
      await sql`release savepoint import_batch`.execute(trx);
      return accepted.length;
    } catch (caught) {
      await sql`rollback to savepoint import_batch`.execute(trx);
      await sql`release savepoint import_batch`.execute(trx);
      const error = translateDatabaseError(caught);
      if (!(error instanceof DomainError)) throw error;
      const [only] = accepted;
      if (accepted.length === 1 && only) {
        this.reject(only.record, error);
        return 0;
      }
      // A constraint the checks could not see (a concurrent grant, say): find the row one by one.
      let written = 0;
      for (const { record } of accepted) written += await this.importBatch(trx, [record]);
      return written;
    }
  }

  private reject(record: CsvRecord, caught: unknown): void {
    const error = translateDatabaseError(caught);
    if (!(error instanceof DomainError)) throw error;
    this.rejected += 1;
    this.rowErrors.push({ line: record.line, error });
    if (this.rowErrors.length > 2 * this.maxErrors + 100) this.trimErrors();
  }

  trimErrors(): void {
    this.rowErrors = this.rowErrors.sort((a, b) => a.line - b.line).slice(0, this.maxErrors);
  }

  /**
   * The rows of a batch that pass every check, and the held certifications of their pairs stored
   * as live past their date (to be expired before the insert).
   */
  private async check(
    trx: Tx,
    records: readonly CsvRecord[],
    now: Date,
  ): Promise<{ accepted: AcceptedRow[]; stale: { id: string }[] }> {
    const organizationId = this.organization.id;
    const parsed: { record: CsvRecord; row: ImportRow }[] = [];
    for (const record of records) {
      try {
        parsed.push({ record, row: parseRow(record.fields, this.types) });
      } catch (error) {
        this.reject(record, error);
      }
    }
    const [otherTypes, members] = await Promise.all([
      findTypesById(trx, unique(parsed.map((p) => p.row.typeId).filter((id) => !this.types.byId(id)))),
      findMemberIds(trx, organizationId, unique(parsed.map((p) => p.row.userId))),
    ]);

    const candidates: AcceptedRow[] = [];
    const revoker = actorUserId(this.principal);
    for (const { record, row } of parsed) {
      try {
        const joins = !members.has(row.userId);
        // The grant's rules; one_active_cert_per_user_per_type is checked below, against the batch.
        const plan = planIssue(
          this.principal,
          {
            userId: row.userId,
            source: "manual_grant",
            registration: null,
            issuedAt: row.issuedAt,
            expiresAt: row.expiresAt,
          },
          {
            organization: this.organization,
            type: this.types.byId(row.typeId) ?? otherTypes.get(row.typeId) ?? null,
            holderIsMember: !joins || row.displayName !== null,
          },
          now,
          this.ctx.warningDays,
        );
        const { type, issuedAt, expiresAt, status: datedStatus } = plan;
        if (row.revokedAt !== null) {
          if (revoker === null) {
            throw new DomainError(
              "revocation_requires_reason",
              "A revoked certificate needs a user recorded as revoker: import as a coordinator or admin (certsvc import --as <user-id>)",
            );
          }
          if (
            row.revokedAt.getTime() < issuedAt.getTime() ||
            row.revokedAt.getTime() > now.getTime() + 1000
          ) {
            throw rowError("revoked_at", "must lie between issued_at and now");
          }
        }
        candidates.push({ record, row, type, issuedAt, expiresAt, datedStatus, joins });
      } catch (error) {
        this.reject(record, error);
      }
    }

    // one_active_cert_per_user_per_type: against what is held (earlier batches included) and
    // against the rows above in the file. A row imported as revoked is not live and takes no place.
    const pairs = new Map(
      candidates.map((c) => [pairKey(c.row.userId, c.type.id), { userId: c.row.userId, typeId: c.type.id }]),
    );
    const held = await findHeldRecords(trx, [...pairs.values()], now);
    const live = new Set(
      held
        .filter((h) => h.expires_at === null || h.expires_at.getTime() > now.getTime())
        .map((h) => pairKey(h.user_id, h.certification_type_id)),
    );
    const accepted: AcceptedRow[] = [];
    for (const candidate of candidates) {
      const key = pairKey(candidate.row.userId, candidate.type.id);
      if (candidate.row.revokedAt === null && holdsLivePlace(candidate.datedStatus)) {
        if (live.has(key)) {
          this.reject(candidate.record, liveAlready());
          continue;
        }
        live.add(key);
      }
      accepted.push(candidate);
    }
    const acceptedPairs = new Set(accepted.map((a) => pairKey(a.row.userId, a.type.id)));
    const stale = held.filter(
      (h) =>
        acceptedPairs.has(pairKey(h.user_id, h.certification_type_id)) &&
        holdsLivePlace(h.status) &&
        h.expires_at !== null &&
        h.expires_at.getTime() <= now.getTime(),
    );
    return { accepted, stale };
  }

  private async write(
    trx: Tx,
    accepted: readonly AcceptedRow[],
    stale: readonly { id: string }[],
    now: Date,
  ): Promise<void> {
    const { organization, principal } = this;
    const actor = actorName(principal);
    const actorId = actorUserId(principal);
    const events: AuditEvent[] = [];
    const warningDaysOf = new Map(accepted.map((a) => [a.type.id, a.type.warning_days]));

    const joining = new Map<string, string>();
    for (const a of accepted) {
      if (a.joins && a.row.displayName !== null && !joining.has(a.row.userId)) {
        joining.set(a.row.userId, a.row.displayName);
      }
    }
    const added = await addPeerMentors(
      trx,
      organization.id,
      [...joining].map(([userId, displayName]) => ({ userId, displayName })),
    );
    for (const member of added) {
      events.push({
        entityType: "membership",
        entityId: member.user_id,
        organizationId: organization.id,
        action: "added",
        actorUserId: actorId,
        actor,
        after: {
          organization_id: organization.id,
          user_id: member.user_id,
          role: "peer_mentor",
          display_name: member.display_name,
        },
        occurredAt: now,
      });
    }

    for (const expired of await expireRecords(
      trx,
      stale.map((s) => s.id),
      now,
    )) {
      events.push({
        entityType: "certification",
        entityId: expired.id,
        organizationId: expired.organization_id,
        action: "expired",
        actorUserId: null,
        actor: "system:issue",
        after: certificationView(
          { ...expired, type_warning_days: warningDaysOf.get(expired.certification_type_id) ?? null },
          now,
          this.ctx.warningDays,
        ),
        occurredAt: now,
      });
    }

    // Numbers: drawn per year in one statement each, handed out in the file's order.
    const years = accepted.map((a) => yearIn(a.issuedAt, organization.time_zone));
    const next = new Map<number, number>();
    for (const year of unique(years)) {
      const count = years.filter((y) => y === year).length;
      next.set(year, await drawSequences(trx, organization.prefix, year, count));
    }
    const values: ImportedCertification[] = accepted.map((a, index) => {
      const year = years[index] ?? 0;
      const sequence = next.get(year) ?? 0;
      next.set(year, sequence + 1);
      const revoked = a.row.revokedAt !== null;
      return {
        user_id: a.row.userId,
        certification_type_id: a.type.id,
        organization_id: organization.id,
        certificate_number: formatCertificateNumber({ prefix: organization.prefix, year, sequence }),
        status: revoked ? "revoked" : a.datedStatus,
        dated_status: a.datedStatus,
        issued_at: a.issuedAt,
        expires_at: a.expiresAt,
        issued_by_user_id: actorId,
        notes: a.row.notes,
        revoked_at: a.row.revokedAt,
        revoked_by_user_id: revoked ? actorId : null,
        revocation_reason: revoked ? a.row.revocationReason : null,
      };
    });
    // Membership and expiry events first, so they precede the certifications' own in id order.
    await appendAuditEvents(trx, events);
    // The rows with their `issued` (and, as on paper, `revoked`) events, views built in SQL.
    const inserted = await insertImportedCertifications(trx, values, {
      userId: actorId,
      name: actor,
      occurredAt: now,
    });
    const holders = new Set(inserted.map((row) => row.user_id));
    // Badges are a holder's: one evaluation per holder of the batch covers all their new rows.
    await enqueueJobs(
      trx,
      QUEUES.badgeEvaluation,
      [...holders].map((userId) => ({ user_id: userId, reason: "imported" })),
      now,
    );
  }
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
  const organization = await findOrganization(ctx.db, organizationId);
  if (!organization) throw notFound("Organization");
  const types = new TypeResolver(await listCertificationTypes(ctx.db, organizationId));
  const maxErrors = options.maxErrors ?? 1000;
  const importer = new BatchImporter(ctx, principal, organization, types, maxErrors);
  let rows = 0;
  let imported = 0;
  let pending = 0;
  const progress = () =>
    options.onProgress?.({ rows, imported: imported + pending, rejected: importer.rejected });

  const records = batches(csvRecords(input), options.batchSize ?? 1000);
  if (options.skipInvalid) {
    for await (const batch of records) {
      rows += batch.length;
      imported += await ctx.db.transaction().execute((trx) => importer.importBatch(trx, batch));
      progress();
    }
  } else {
    try {
      await ctx.db.transaction().execute(async (trx) => {
        for await (const batch of records) {
          rows += batch.length;
          pending += await importer.importBatch(trx, batch);
          progress();
        }
        if (importer.rejected > 0) throw new RollBack();
      });
      imported = pending;
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    pending = 0;
  }

  const { rejected } = importer;
  importer.trimErrors();
  const errors = importer.rowErrors.map(({ line, error }) => ({
    line,
    code: error.code,
    detail: error.message,
  }));
  importedRows.inc({ outcome: "imported" }, imported);
  importedRows.inc({ outcome: "rejected" }, rejected);
  issuances.inc({ source: "manual_grant" }, imported);
  return { rows, imported, skipped: rejected, errors, errors_truncated: rejected > maxErrors };
}
