import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { CONNECTIONS } from "./load.js";
import { round, type Stats } from "./measure.js";
import type { Options } from "./options.js";

export type System = "service" | "bare" | "raw";

/** One line of the summary table: the service and its ratios to the limits measured in the same run. */
export interface Row {
  scenario: string;
  ops_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  ratio_bare: number | null;
  ratio_raw: number | null;
}

export interface Measurement {
  scenario: string;
  system: System;
  stats: Stats;
}

/** What a run collects: every system measured, the summary rows, notes and query plans. */
export interface Report {
  measurements: Measurement[];
  rows: Row[];
  notes: string[];
  explains: string[];
}

const ratio = (a: Stats | undefined, b: Stats | undefined) =>
  a && b && b.ops_per_s > 0 ? round(a.ops_per_s / b.ops_per_s, 3) : null;

export function row(scenario: string, service: Stats | null, bare?: Stats, raw?: Stats): Row {
  return {
    scenario,
    ops_per_s: service ? round(service.ops_per_s, 1) : null,
    p50_ms: service ? round(service.p50_ms, 2) : null,
    p99_ms: service ? round(service.p99_ms, 2) : null,
    ratio_bare: service ? ratio(service, bare) : null,
    ratio_raw: service ? ratio(service, raw) : null,
  };
}

export const megabytes = (bytes: number) => round(bytes / 1_048_576, 1);

function formatTable(headers: string[], rows: (string | number | null)[][]): string {
  const text = rows.map((cells) => cells.map((cell) => (cell === null ? "—" : String(cell))));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((cells) => cells[i]?.length ?? 0)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

function tables(report: Report) {
  const summary = formatTable(
    ["scenario", "ops/s", "p50 ms", "p99 ms", "ratio bare", "ratio raw"],
    report.rows.map((r) => [r.scenario, r.ops_per_s, r.p50_ms, r.p99_ms, r.ratio_bare, r.ratio_raw]),
  );
  const detail = formatTable(
    ["scenario", "system", "ops/s", "p50 ms", "p99 ms", "n", "errors"],
    report.measurements.map((m) => [
      m.scenario,
      m.system,
      round(m.stats.ops_per_s, 1),
      round(m.stats.p50_ms, 2),
      round(m.stats.p99_ms, 2),
      m.stats.count,
      m.stats.errors,
    ]),
  );
  const notes = report.notes.map((n) => `- ${n}`).join("\n");
  return { summary, detail, notes };
}

/** The summary, every system measured and the notes, on stdout. */
export function printReport(report: Report): void {
  const { summary, detail, notes } = tables(report);
  process.stdout.write(`\n${summary}\n\n${detail}\n\n${notes}\n`);
  if (report.explains.length > 0) process.stdout.write(`\n${report.explains.join("\n\n")}\n`);
}

/** bench/results.json and bench/RESULTS.md (or their -embedded twins) of a full run. */
export function writeResults(
  dir: string,
  report: Report,
  run: {
    options: Options;
    command: string;
    started: Date;
    databaseVersion: string;
    size: number;
    users: number;
  },
): void {
  const { options } = run;
  const suffix = options.embedded ? "-embedded" : "";
  writeFileSync(join(dir, `results${suffix}.json`), `${JSON.stringify(report.rows, null, 2)}\n`);
  const { summary, detail, notes } = tables(report);
  const database = options.embedded
    ? "embedded PGlite"
    : "PostgreSQL server on 127.0.0.1, durable commits (synchronous_commit on)";
  const machine = [
    `- ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown CPU"}), ${round(totalmem() / 1024 ** 3, 1)} GiB memory, shared by client and server`,
    `- Node ${process.version}; ${run.databaseVersion}`,
    `- ${database}; pool of ${options.poolSize}; ${CONNECTIONS} connections / workers`,
    `- ${run.size} certifications over 50 organizations (20 types each), ${run.users} users; ` +
      `${options.warmupMs / 1000} s warm-up per system, then ${options.durationMs / 1000} s measured per system ` +
      `in ${options.rounds} interleaved rounds (service, bare, raw, service, …); p50/p99 are count-weighted over the rounds`,
    `- run started ${run.started.toISOString()}`,
  ];
  const markdown = [
    "# Benchmark results",
    "",
    "Command:",
    "",
    "```",
    run.command,
    "```",
    "",
    "Machine:",
    "",
    ...machine,
    "",
    "## Service against its limits",
    "",
    "ops/s: requests (or rows, for the sweep and the import) per second of the service; " +
      "ratio bare: to the bare Fastify route running the same SQL through the same driver; " +
      "ratio raw: to the SQL alone through the driver (8 async workers).",
    "",
    summary,
    "",
    "## Every system measured",
    "",
    detail,
    "",
    "## Notes",
    "",
    notes,
    ...(report.explains.length > 0 ? ["", "## Plans", "", report.explains.join("\n\n")] : []),
    "",
  ];
  writeFileSync(join(dir, `RESULTS${suffix}.md`), markdown.join("\n"));
}
