import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { HostClient } from "./host-client.js";
import { combine, type HttpRequest, httpLoad, type Window } from "./load.js";
import { round, type Stats } from "./measure.js";
import type { Options } from "./options.js";
import type { Fixtures, LoopKind } from "./protocol.js";
import type { Report, System } from "./report.js";

/** One measured system of a scenario: a window in, its stats out. */
export type Run = (window: Window) => Promise<Stats>;

/** What every scenario measures with (bench/scenarios/*.ts, the client half). */
export interface Bench {
  options: Options;
  fixtures: Fixtures;
  host: HostClient;
  report: Report;
  /** Prints and keeps one system's stats. */
  record(scenario: string, system: System, stats: Stats): Stats;
  /** Runs one measured piece of work, with its own CPU profile under --profile. */
  profiled<T>(name: string, work: () => Promise<T>): Promise<T>;
  /**
   * Measures the systems of one scenario in interleaved rounds (service, bare, raw, service, …),
   * each warmed up once, so that a drift in the machine's background load hits all alike.
   * `after` runs after every window (issuance: removes what it wrote).
   */
  compare(
    scenario: string,
    systems: Partial<Record<System, Run>>,
    after?: () => Promise<void>,
  ): Promise<Partial<Record<System, Stats>>>;
  /** A loop in the host process (raw SQL, or a use case called in process). */
  loop(kind: LoopKind): Run;
  /** HTTP load on a port of the host. */
  http(port: number, make: (sequence: number) => HttpRequest): Run;
  /** The coordinator's bearer token of organization `o`. */
  auth(o: number): Record<string, string>;
}

export function createBench(input: {
  options: Options;
  fixtures: Fixtures;
  host: HostClient;
  profileDir: string;
}): Bench {
  const { options, fixtures, host } = input;
  const report: Report = { measurements: [], rows: [], notes: [], explains: [] };
  const record = (scenario: string, system: System, stats: Stats) => {
    report.measurements.push({ scenario, system, stats });
    const errors = stats.errors ? `, errors ${stats.errors}` : "";
    process.stderr.write(
      `  ${scenario.padEnd(22)} ${system.padEnd(8)} ${round(stats.ops_per_s, 1)}/s ` +
        `p50 ${round(stats.p50_ms, 2)} ms p99 ${round(stats.p99_ms, 2)} ms (n=${stats.count}${errors})\n`,
    );
    return stats;
  };
  const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    if (!options.profile) return work();
    mkdirSync(input.profileDir, { recursive: true });
    await host.call<null>("profileStart", null);
    try {
      return await work();
    } finally {
      await host.call<null>("profileStop", { file: join(input.profileDir, `${name}.cpuprofile`) });
    }
  };
  const compare: Bench["compare"] = async (scenario, systems, after) => {
    const entries = Object.entries(systems) as [System, Run][];
    const windows = new Map<System, Stats[]>();
    for (let r = 0; r < options.rounds; r++) {
      for (const [system, run] of entries) {
        const stats = await profiled(`${scenario}-${system}-${r}`, () =>
          run({ warmupMs: r === 0 ? options.warmupMs : 0, durationMs: options.durationMs / options.rounds }),
        );
        windows.set(system, [...(windows.get(system) ?? []), stats]);
        if (after) await after();
      }
    }
    const out: Partial<Record<System, Stats>> = {};
    for (const [system, list] of windows) out[system] = record(scenario, system, combine(list));
    return out;
  };
  return {
    options,
    fixtures,
    host,
    report,
    record,
    profiled,
    compare,
    loop: (kind) => (window) => host.call<Stats>("loop", { kind, ...window }),
    http: (port, make) => (window) => httpLoad(port, make, window),
    auth: (o) => ({ authorization: `Bearer ${fixtures.tokens[o] ?? ""}` }),
  };
}

/** One scenario's client half: what it measures, and the rows and notes it adds to the report. */
export interface Scenario {
  /** Matched by `--only` prefixes. */
  name: string;
  measure(bench: Bench): Promise<void>;
}
