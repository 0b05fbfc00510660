/**
 * The benchmark's server side, a child process of bench/index.ts: it owns the database (PGlite
 * allows one process), serves the real app and the bare-limit app, and runs the in-process and
 * raw-SQL loops, the sweep and the import on request (each scenario's host half is in its file
 * under bench/scenarios/). The parent only generates HTTP load, so the load generator never
 * shares an event loop with the servers it measures.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { closeHost, type Explained, type Host, type HostLoop, openHost, WORKERS } from "./fixtures.js";
import { runLoop, type Stats } from "./measure.js";
import type { ExplainedScenario, HostRequest, LoopKind } from "./protocol.js";
import { eligibilityLoops, explainEligibility } from "./scenarios/eligibility.js";
import { explainGetById, getByIdLoops } from "./scenarios/get-by-id.js";
import { runImport } from "./scenarios/import.js";
import { cleanupIssue, issueLoops, prepareIssue } from "./scenarios/issue.js";
import { explainListPage, listPageLoops } from "./scenarios/list-page.js";
import { explainSweepBacklog, runSweep } from "./scenarios/sweep.js";

const LOOPS: Record<LoopKind, HostLoop> = {
  ...eligibilityLoops,
  ...getByIdLoops,
  ...listPageLoops,
  ...issueLoops,
};

const EXPLAINED: Record<ExplainedScenario, Explained> = {
  eligibility: explainEligibility,
  get_by_id: explainGetById,
  list_page: explainListPage,
  sweep_backlog: explainSweepBacklog,
};

let host: Host | null = null;
const need = () => {
  if (!host) throw new Error("host not initialised");
  return host;
};

function loop(args: { kind: LoopKind; warmupMs: number; durationMs: number }): Promise<Stats> {
  return runLoop(LOOPS[args.kind](need()), {
    workers: WORKERS,
    warmupMs: args.warmupMs,
    durationMs: args.durationMs,
  });
}

class Rollback extends Error {
  constructor(readonly rows: Record<string, string>[]) {
    super("rollback");
  }
}

/** EXPLAIN ANALYZE of a scenario's raw statement; a write's is rolled back. */
async function explain(args: { scenario: ExplainedScenario }): Promise<string> {
  const h = need();
  const [statement, parameters] = EXPLAINED[args.scenario](h);
  const text = (rows: Record<string, string>[]) => rows.map((row) => Object.values(row)[0]).join("\n");
  return h.runner
    .transaction(async (query) => {
      const rows = await query<Record<string, string>>(`explain (analyze, buffers) ${statement}`, parameters);
      if (args.scenario.startsWith("sweep")) throw new Rollback(rows);
      return text(rows);
    })
    .catch((error: unknown) => {
      if (error instanceof Rollback) return text(error.rows);
      throw error;
    });
}

async function close() {
  if (!host) return;
  await closeHost(host);
  host = null;
}

/** --profile: one .cpuprofile per measured window, so each system's time is seen apart. */
let profiler: Session | null = null;
async function profileStart() {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 200 });
  await profiler.post("Profiler.start");
}
async function profileStop(args: { file: string }) {
  if (!profiler) return;
  const { profile } = await profiler.post("Profiler.stop");
  writeFileSync(args.file, JSON.stringify(profile));
  profiler.disconnect();
  profiler = null;
}

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.cmd) {
    case "init": {
      const opened = await openHost(request.args);
      host = opened.host;
      return opened.fixtures;
    }
    case "loop":
      return loop(request.args);
    case "issuePrepare":
      return prepareIssue(need(), request.args);
    case "cleanup":
      return cleanupIssue(need(), request.args);
    case "sweep":
      return runSweep(need(), request.args);
    case "import":
      return runImport(need(), request.args);
    case "explain":
      return explain(request.args);
    case "profileStart":
      return profileStart();
    case "profileStop":
      return profileStop(request.args);
    case "close":
      await close();
      return null;
  }
}

process.on("message", (request: HostRequest) => {
  handle(request).then(
    (result) => process.send?.({ id: request.id, ok: true, result }),
    (error: unknown) =>
      process.send?.({ id: request.id, ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
process.on("disconnect", () => {
  void close().finally(() => process.exit(0));
});
