import { type Readable, Transform, type TransformCallback } from "node:stream";
import { sql } from "kysely";
import { DomainError, forbidden, notFound } from "../../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../../domain/principal.js";
import { importedRows, issuances } from "../../observability/metrics.js";
import { lockOrganizationImports } from "../../storage/certification-import.js";
import { listCertificationTypes } from "../../storage/certification-types.js";
import type { Tx } from "../../storage/database.js";
import { translateDatabaseError } from "../../storage/errors.js";
import { findOrganization } from "../../storage/organizations.js";
import type { ServiceContext } from "../context.js";
import { batches, type CsvRecord, csvRecords, TypeResolver } from "./csv-records.js";
import { type HeldRow, type Planner, planBatch } from "./plan-batch.js";
import { writeBatch } from "./write-batch.js";

export { IMPORT_COLUMNS } from "./csv-records.js";
export type { HeldRow } from "./plan-batch.js";

/**
 * CSV import of existing (paper) certifications into one organization (csv-records.ts names the
 * columns). Every row is checked by the rules of a manual grant, a batch of rows at a time with
 * set-based statements; a bad row is reported with its line and the rows around it still get
 * checked. A row the organization already holds (the same holder, type and dates) is reported
 * as held and not written again, so running the same file twice writes nothing the second time.
 *
 * The whole file is one transaction, and imports into one organization take turns (an advisory
 * lock, across processes): a second run of a file waits for the first and then finds its rows
 * held. Without skipInvalid nothing is imported if any row is bad; with it the bad rows are
 * skipped. A dry run does all of it and rolls back. Memory stays at one batch whatever the size.
 */

export interface ImportRowError {
  line: number;
  code: string;
  /** What is wrong, in English (the HTTP route says it in the caller's language). */
  detail: string;
  /** The column at fault, when one is. */
  field?: string;
}

export interface ImportResult {
  dry_run: boolean;
  /** Rows read, header excluded. */
  rows: number;
  /** Certifications created (in a dry run: that would be). */
  imported: number;
  /** Rows that repeat a certification already held (or an earlier line): not written again. */
  already_held: number;
  /** Bad rows. */
  skipped: number;
  /** The first `maxErrors` bad rows. */
  errors: ImportRowError[];
  errors_truncated: boolean;
  /** The first `maxErrors` held rows. */
  held: HeldRow[];
  held_truncated: boolean;
}

export interface ImportProgress {
  /** Rows read so far, header excluded. */
  rows: number;
  imported: number;
  rejected: number;
  /** The line of the last row read (the header is line 1). */
  lines: number;
  /** Lines in the whole file, once it has all arrived; null until then. */
  linesTotal: number | null;
}

export interface ImportOptions {
  organizationId: string;
  skipInvalid: boolean;
  dryRun?: boolean;
  /** Rows per batch. */
  batchSize?: number;
  maxErrors?: number;
  onProgress?: (progress: ImportProgress) => void;
}

class RollBack extends Error {}

/** Passes the file through, counting its lines; `total` is known once the file has ended. */
class LineCounter extends Transform {
  #newlines = 0;
  #last = 0x0a;
  total: number | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) this.#newlines += 1;
    if (chunk.length > 0) this.#last = chunk[chunk.length - 1] ?? 0x0a;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.total = this.#newlines + (this.#last === 0x0a ? 0 : 1);
    callback();
  }
}

/** Checks and writes the batches of one import, and keeps what it has to report. */
class BatchImporter {
  /** The first `maxErrors` bad rows by line (a batch's lines all follow the batch before's). */
  rowErrors: { line: number; error: DomainError }[] = [];
  rejected = 0;
  held: HeldRow[] = [];
  heldCount = 0;
  readonly #seen = new Map<string, number>();
  readonly planner: Planner;

  constructor(
    private readonly ctx: ServiceContext,
    principal: Principal,
    organization: Planner["organization"],
    types: TypeResolver,
    private readonly maxErrors: number,
  ) {
    this.planner = {
      principal,
      organization,
      types,
      warningDays: ctx.warningDays,
      reject: (record, error) => this.reject(record, error),
    };
  }

  /** Imports what it can of a batch and returns how many rows it wrote; bad rows go to rowErrors. */
  async importBatch(trx: Tx, records: readonly CsvRecord[]): Promise<number> {
    const now = this.ctx.clock();
    const plan = await planBatch(this.planner, trx, records, now, this.#seen);
    if (plan.accepted.length === 0) {
      this.keepHeld(plan.held);
      return 0;
    }
    await sql`savepoint import_batch`.execute(trx);
    try {
      await writeBatch(trx, this.planner, plan.accepted, plan.stale, now);
      await sql`release savepoint import_batch`.execute(trx);
      this.keepHeld(plan.held);
      return plan.accepted.length;
    } catch (caught) {
      await sql`rollback to savepoint import_batch`.execute(trx);
      await sql`release savepoint import_batch`.execute(trx);
      const error = translateDatabaseError(caught);
      if (!(error instanceof DomainError)) throw error;
      for (const key of plan.keys) this.#seen.delete(key);
      const [only] = plan.accepted;
      if (plan.accepted.length === 1 && only) {
        this.keepHeld(plan.held);
        this.reject(only.record, error);
        return 0;
      }
      // A constraint the checks could not see (a concurrent grant, say): find the row one by one.
      let written = 0;
      for (const record of records) written += await this.importBatch(trx, [record]);
      return written;
    }
  }

  private keepHeld(rows: readonly HeldRow[]): void {
    this.heldCount += rows.length;
    for (const row of rows) if (this.held.length < this.maxErrors) this.held.push(row);
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
}

/** Imports a CSV stream into one organization (its coordinators and admins, global admins, the system). */
export async function importCertificationsCsv(
  ctx: ServiceContext,
  principal: Principal,
  input: Readable,
  options: ImportOptions,
): Promise<ImportResult> {
  const { organizationId } = options;
  const dryRun = options.dryRun ?? false;
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId)) {
    throw forbidden("Only a coordinator or admin of the organization imports");
  }
  const organization = await findOrganization(ctx.db, organizationId);
  if (!organization) throw notFound("Organization");
  const types = new TypeResolver(await listCertificationTypes(ctx.db, organizationId));
  const maxErrors = options.maxErrors ?? 1000;
  const importer = new BatchImporter(ctx, principal, organization, types, maxErrors);
  let rows = 0;
  let imported = 0;
  let lines = 1;
  const counter = new LineCounter();
  input.on("error", (error) => counter.destroy(error));
  const progress = () =>
    options.onProgress?.({ rows, imported, rejected: importer.rejected, lines, linesTotal: counter.total });

  try {
    await ctx.db.transaction().execute(async (trx) => {
      await lockOrganizationImports(trx, organizationId);
      for await (const batch of batches(csvRecords(input.pipe(counter)), options.batchSize ?? 1000)) {
        rows += batch.length;
        lines = batch[batch.length - 1]?.line ?? lines;
        imported += await importer.importBatch(trx, batch);
        progress();
      }
      if (!options.skipInvalid && importer.rejected > 0) imported = 0;
      if (dryRun || imported === 0) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw translateDatabaseError(error);
  }

  const { rejected } = importer;
  importer.trimErrors();
  const errors = importer.rowErrors.map(({ line, error }) => {
    const field = error.errors[0]?.field;
    return { line, code: error.code, detail: error.message, ...(field ? { field } : {}) };
  });
  if (!dryRun) {
    importedRows.inc({ outcome: "imported" }, imported);
    importedRows.inc({ outcome: "rejected" }, rejected);
    issuances.inc({ source: "manual_grant" }, imported);
  }
  return {
    dry_run: dryRun,
    rows,
    imported,
    already_held: importer.heldCount,
    skipped: rejected,
    errors,
    errors_truncated: rejected > maxErrors,
    held: importer.held,
    held_truncated: importer.heldCount > importer.held.length,
  };
}
