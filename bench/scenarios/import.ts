/**
 * The CSV import into organization 0 (every row a new holder), with --skip-invalid, against the
 * same rows COPYed in one transaction (server only). Both run in the host; what the import wrote
 * is removed after.
 */
import { Readable } from "node:stream";
import { systemPrincipal } from "../../src/domain/principal.js";
import { copyFrom } from "../copy.js";
import { DAY, type Host, removeWrittenSince } from "../fixtures.js";
import {
  CERTIFICATIONS_PER_USER,
  importCsv,
  importHolderId,
  organizationId,
  TYPES_PER_ORGANIZATION,
  typeId,
} from "../generate.js";
import { batchTimer, round, type Stats } from "../measure.js";
import type { ImportResult } from "../protocol.js";
import { megabytes, row } from "../report.js";
import type { Scenario } from "../runner.js";

export const importScenario: Scenario = {
  name: "import_csv",
  async measure(bench) {
    const { importRows, importMaxMs } = bench.options;
    const result = await bench.profiled("import_csv", () =>
      bench.host.call<ImportResult>("import", { rows: importRows, maxMs: importMaxMs }),
    );
    const { rows, notes } = bench.report;
    bench.record("import_csv", "service", result.service);
    if (result.raw) bench.record("import_csv", "raw", result.raw);
    rows.push(row("import_csv", result.service, undefined, result.raw ?? undefined));
    const raw = result.raw
      ? "; raw: the same users, memberships and certifications by COPY in one transaction, rolled back"
      : "; no raw COPY on PGlite";
    const errors =
      result.firstErrors.length > 0 ? `; first errors ${JSON.stringify(result.firstErrors)}` : "";
    notes.push(
      `import_csv: ${result.service.count} rows imported (file of ${importRows} rows, cut at ${importMaxMs / 1000} s) ` +
        `in ${round(result.service.seconds, 1)} s (p50/p99 are per 1 000-row batch${raw}); ` +
        `heap ${megabytes(result.memory.heapBefore)} → peak ${megabytes(result.memory.heapPeak)} MB${errors}`,
    );
  },
};

/**
 * The raw limit of the import: the same rows (their users, memberships and certifications)
 * COPYed in one transaction, with every constraint, index and trigger of the tables, then
 * rolled back. Server only: PGlite's COPY reads a file, not a stream.
 */
async function rawImport(host: Host, rows: number): Promise<Stats | null> {
  if (!host.pool) return null;
  const run = "ffffffff";
  const issued = new Date(Date.now() - 30 * DAY).toISOString();
  const expires = new Date(Date.now() + 700 * DAY).toISOString();
  const holder = (u: number) => importHolderId(run, u);
  const holders = Math.ceil(rows / CERTIFICATIONS_PER_USER);
  async function* chunked(line: (i: number) => string, count: number) {
    for (let start = 0; start < count; start += 1000) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) lines.push(line(i));
      yield `${lines.join("\n")}\n`;
    }
  }
  const client = await host.pool.connect();
  try {
    const started = performance.now();
    await client.query("begin");
    await copyFrom(
      client,
      "copy users (id, display_name) from stdin with (format csv)",
      chunked((u) => `${holder(u)},Imported Holder ${u}`, holders),
    );
    await copyFrom(
      client,
      "copy memberships (organization_id, user_id, role) from stdin with (format csv)",
      chunked((u) => `${organizationId(0)},${holder(u)},peer_mentor`, holders),
    );
    const copied = await copyFrom(
      client,
      "copy certifications (user_id, certification_type_id, organization_id, certificate_number, status, " +
        "issued_at, expires_at, source, notes) from stdin with (format csv)",
      chunked(
        (i) =>
          `${holder(Math.floor(i / CERTIFICATIONS_PER_USER))},` +
          `${typeId(0, ((i % CERTIFICATIONS_PER_USER) * 4) % TYPES_PER_ORGANIZATION)},${organizationId(0)},` +
          `RAWCOPY-2026-${String(i + 1).padStart(6, "0")},active,${issued},${expires},manual_grant,Imported in the benchmark`,
        rows,
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    return { ops_per_s: copied / seconds, p50_ms: 0, p99_ms: 0, count: copied, errors: 0, seconds };
  } finally {
    await client.query("rollback").catch(() => {});
    client.release();
  }
}

/**
 * Host: the import of a generated file, cut at `maxMs`, then the raw COPY of as many rows. The
 * import is loaded here, in the host only (it loads the metrics registry).
 */
export async function runImport(host: Host, args: { rows: number; maxMs: number }): Promise<ImportResult> {
  const { importCertificationsCsv } = await import("../../src/services/import/import-certifications.js");
  const mark = new Date(Date.now() - 1000);
  const run = (Date.now() % 0xffffffff).toString(16).padStart(8, "0");
  const timer = batchTimer();
  const result = await importCertificationsCsv(
    host.runtime.ctx,
    systemPrincipal("bench"),
    Readable.from(importCsv(args.rows, run, { deadline: performance.now() + args.maxMs })),
    { organizationId: organizationId(0), skipInvalid: true, onProgress: () => timer.batch() },
  );
  const { stats, memory } = timer.finish(result.imported, result.skipped);
  await removeWrittenSince(host, mark);
  return {
    service: stats,
    raw: await rawImport(host, result.imported),
    firstErrors: result.errors.slice(0, 3),
    memory,
  };
}
