/**
 * `npm run bench`: the service against the bare-HTTP and raw-SQL limits, side by side in one run.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/certsvc_bench npm run bench
 *   npm run bench -- --quick            100 000 certifications, 3 s windows (a smoke run)
 *   npm run bench -- --embedded         the same scenarios on PGlite (50 000 certifications)
 *   npm run bench -- --only eligibility,sweep --profile --explain
 *
 * The database named by DATABASE_URL is created when missing and keeps its data between runs
 * (--quick uses `<name>_quick`). bench/host.ts owns the database and the servers; this process
 * only generates load, so client and servers do not share an event loop.
 */
import { fork } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import type { Dataset } from "./generate.js";
import { round, type Stats } from "./measure.js";
import type { HostRequest, HostResponse, IssueCandidate, SweepKind } from "./protocol.js";

const here = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 8;

interface Options {
  quick: boolean;
  embedded: boolean;
  only: string[] | null;
  profile: boolean;
  explain: boolean;
  size: number;
  warmupMs: number;
  durationMs: number;
  importRows: number;
  importMaxMs: number;
  rounds: number;
  poolSize: number;
}

function parseOptions(argv: readonly string[]): Options {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const quick = flag("quick");
  const embedded = flag("embedded");
  const size = Number(
    value("size") ?? (quick ? (embedded ? 20_000 : 100_000) : embedded ? 50_000 : 1_000_000),
  );
  const seconds = Number(value("duration") ?? (quick ? 3 : 10));
  return {
    quick,
    embedded,
    only: value("only")?.split(",") ?? null,
    profile: flag("profile"),
    explain: flag("explain"),
    size,
    warmupMs: Number(value("warmup") ?? (quick ? 1 : 3)) * 1000,
    durationMs: seconds * 1000,
    importRows: Number(value("import-rows") ?? (quick ? 10_000 : embedded ? 20_000 : 100_000)),
    importMaxMs: Number(value("import-max") ?? (quick ? 20 : 120)) * 1000,
    rounds: Number(value("rounds") ?? (quick ? 1 : 4)),
    poolSize: Number(process.env.CERTSVC_DB_POOL_SIZE ?? 10),
  };
}

/** Creates the benchmark database when it does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      process.stderr.write(`created database ${name}\n`);
    }
  } finally {
    await client.end();
  }
}

interface Fixtures {
  dataset: Dataset;
  databaseVersion: string;
  servicePort: number;
  barePort: number;
  tokens: string[];
  organizations: string[];
  pairs: { u: string; t: string; o: number }[];
  ids: { id: string; o: number }[];
}

/** The host process and a promise-returning call into it. */
function startHost() {
  const execArgv = ["--import", "tsx", "--expose-gc"];
  const child = fork(join(here, "host.ts"), [], {
    execArgv,
    stdio: ["inherit", "inherit", "inherit", "ipc"],
  });
  let next = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on("message", (message: HostResponse) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(`host: ${message.error}`));
  });
  child.on("exit", (code) => {
    for (const entry of waiting.values()) entry.reject(new Error(`host exited with ${code}`));
    waiting.clear();
  });
  type Call = HostRequest extends infer R
    ? R extends { cmd: infer C; args: infer A }
      ? [C, A]
      : never
    : never;
  const call = <T>(...[cmd, args]: Call): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, cmd, args } as HostRequest);
    });
  const stop = async () => {
    await call("close", null).catch(() => {});
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.disconnect();
    });
  };
  return { call, stop };
}

interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function httpLoad(
  port: number,
  make: (sequence: number) => HttpRequest,
  window: Window,
): Promise<Stats> {
  let sequence = 0;
  const run = (durationMs: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: durationMs / 1000,
      requests: [
        {
          setupRequest: (request) => {
            const next = make(sequence++);
            return {
              ...request,
              method: next.method,
              path: next.path,
              headers: next.headers,
              ...(next.body === undefined ? {} : { body: next.body }),
            };
          },
        },
      ],
    });
  if (window.warmupMs > 0) await run(window.warmupMs);
  const result = await run(window.durationMs);
  return {
    ops_per_s: result["2xx"] / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    count: result["2xx"],
    errors: result.non2xx + result.errors,
    seconds: result.duration,
  };
}

interface Window {
  warmupMs: number;
  durationMs: number;
}

/** Windows of one system pooled: throughput over all; p50 and p99 weighted by each window's count. */
function combine(list: readonly Stats[]): Stats {
  const count = list.reduce((sum, s) => sum + s.count, 0);
  const seconds = list.reduce((sum, s) => sum + s.seconds, 0);
  const weighted = (key: "p50_ms" | "p99_ms") =>
    count === 0 ? 0 : list.reduce((sum, s) => sum + s[key] * s.count, 0) / count;
  return {
    ops_per_s: seconds > 0 ? count / seconds : 0,
    p50_ms: weighted("p50_ms"),
    p99_ms: weighted("p99_ms"),
    count,
    errors: list.reduce((sum, s) => sum + s.errors, 0),
    seconds,
  };
}

interface Row {
  scenario: string;
  ops_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  ratio_bare: number | null;
  ratio_raw: number | null;
}

interface Measurement {
  scenario: string;
  system: "service" | "bare" | "raw";
  stats: Stats;
}

const ratio = (a: Stats | undefined, b: Stats | undefined) =>
  a && b && b.ops_per_s > 0 ? round(a.ops_per_s / b.ops_per_s, 3) : null;

function row(scenario: string, service: Stats | null, bare?: Stats, raw?: Stats): Row {
  return {
    scenario,
    ops_per_s: service ? round(service.ops_per_s, 1) : null,
    p50_ms: service ? round(service.p50_ms, 2) : null,
    p99_ms: service ? round(service.p99_ms, 2) : null,
    ratio_bare: service ? ratio(service, bare) : null,
    ratio_raw: service ? ratio(service, raw) : null,
  };
}

function formatTable(headers: string[], rows: (string | number | null)[][]): string {
  const text = rows.map((cells) => cells.map((cell) => (cell === null ? "—" : String(cell))));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((cells) => cells[i]?.length ?? 0)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const wants = (name: string) => options.only === null || options.only.some((only) => name.startsWith(only));
  let databaseUrl: string | null = null;
  let dataDir: string | null = null;
  if (options.embedded) {
    dataDir = join(here, ".data", `pglite-${options.size}`);
    mkdirSync(dataDir, { recursive: true });
  } else {
    const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/certsvc_bench");
    if (options.quick) url.pathname = `${url.pathname}_quick`;
    databaseUrl = url.toString();
    await ensureDatabase(databaseUrl);
  }
  const secret = randomBytes(32).toString("base64url");
  const host = startHost();
  const measurements: Measurement[] = [];
  const rows: Row[] = [];
  const notes: string[] = [];
  const explains: string[] = [];
  const started = new Date();
  const record = (scenario: string, system: Measurement["system"], stats: Stats) => {
    measurements.push({ scenario, system, stats });
    process.stderr.write(
      `  ${scenario.padEnd(22)} ${system.padEnd(8)} ${round(stats.ops_per_s, 1)}/s p50 ${round(stats.p50_ms, 2)} ms p99 ${round(stats.p99_ms, 2)} ms (n=${stats.count}${stats.errors ? `, errors ${stats.errors}` : ""})\n`,
    );
    return stats;
  };
  /** Runs one measured system, with its own CPU profile under --profile. */
  const profiled = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    if (!options.profile) return work();
    mkdirSync(join(here, "profiles"), { recursive: true });
    await host.call<null>("profileStart", null);
    try {
      return await work();
    } finally {
      await host.call<null>("profileStop", { file: join(here, "profiles", `${name}.cpuprofile`) });
    }
  };
  try {
    const fx = await host.call<Fixtures>("init", {
      databaseUrl,
      dataDir,
      size: options.size,
      poolSize: options.poolSize,
      secret,
    });
    process.stderr.write(
      `data set: ${fx.dataset.size} certifications, ${fx.dataset.users} users (${fx.dataset.reused ? "reused" : "generated"}); ${fx.databaseVersion}\n`,
    );
    const auth = (o: number) => ({ authorization: `Bearer ${fx.tokens[o] ?? ""}` });
    const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;

    type Run = (window: Window) => Promise<Stats>;
    const loop =
      (kind: string): Run =>
      (window) =>
        host.call<Stats>("loop", { kind, ...window });
    const http =
      (port: number, make: (sequence: number) => HttpRequest): Run =>
      (window) =>
        httpLoad(port, make, window);
    /**
     * Measures the systems of one scenario in interleaved rounds (service, bare, raw, service, …),
     * each warmed up once, so that a drift in the machine's background load hits all alike.
     * `after` runs after every window (issuance: removes what it wrote).
     */
    const compare = async (
      scenario: string,
      systems: Partial<Record<Measurement["system"], Run>>,
      after?: () => Promise<void>,
    ): Promise<Partial<Record<Measurement["system"], Stats>>> => {
      const entries = Object.entries(systems) as [Measurement["system"], Run][];
      const windows = new Map<Measurement["system"], Stats[]>();
      for (let r = 0; r < options.rounds; r++) {
        for (const [system, run] of entries) {
          const stats = await profiled(`${scenario}-${system}-${r}`, () =>
            run({
              warmupMs: r === 0 ? options.warmupMs : 0,
              durationMs: options.durationMs / options.rounds,
            }),
          );
          windows.set(system, [...(windows.get(system) ?? []), stats]);
          if (after) await after();
        }
      }
      const out: Partial<Record<Measurement["system"], Stats>> = {};
      for (const [system, list] of windows) out[system] = record(scenario, system, combine(list));
      return out;
    };

    if (wants("eligibility")) {
      const pairPath = (i: number) => pick(fx.pairs, i);
      const inprocess = await compare("eligibility_inprocess", {
        service: loop("eligibility_inprocess"),
        raw: loop("eligibility_raw"),
      });
      rows.push(row("eligibility_inprocess", inprocess.service ?? null, undefined, inprocess.raw));
      const over = await compare("eligibility_http", {
        service: http(fx.servicePort, (i) => {
          const p = pairPath(i);
          return {
            method: "GET",
            path: `/v1/users/${p.u}/eligibility?certification_type_id=${p.t}`,
            headers: auth(p.o),
          };
        }),
        bare: http(fx.barePort, (i) => {
          const p = pairPath(i);
          return {
            method: "GET",
            path: `/bare/eligibility?user_id=${p.u}&certification_type_id=${p.t}`,
            headers: {},
          };
        }),
        raw: loop("eligibility_raw"),
      });
      rows.push(row("eligibility_http", over.service ?? null, over.bare, over.raw));
    }

    if (wants("get_by_id")) {
      const r = await compare("get_by_id_http", {
        service: http(fx.servicePort, (i) => {
          const c = pick(fx.ids, i);
          return { method: "GET", path: `/v1/certifications/${c.id}`, headers: auth(c.o) };
        }),
        bare: http(fx.barePort, (i) => ({
          method: "GET",
          path: `/bare/certifications/${pick(fx.ids, i).id}`,
          headers: {},
        })),
        raw: loop("get_by_id_raw"),
      });
      rows.push(row("get_by_id_http", r.service ?? null, r.bare, r.raw));
    }

    if (wants("list_page")) {
      const r = await compare("list_page_http", {
        service: http(fx.servicePort, (i) => ({
          method: "GET",
          path: `/v1/organizations/${pick(fx.organizations, i)}/certifications?limit=50`,
          headers: auth(i % fx.organizations.length),
        })),
        bare: http(fx.barePort, (i) => ({
          method: "GET",
          path: `/bare/organizations/${pick(fx.organizations, i)}/certifications`,
          headers: {},
        })),
        raw: loop("list_page_raw"),
      });
      rows.push(row("list_page_http", r.service ?? null, r.bare, r.raw));
    }

    for (const hot of [false, true]) {
      const scenario = hot ? "issue_hot_http" : "issue_spread_http";
      if (!wants(scenario)) continue;
      const candidates = await host.call<IssueCandidate[]>("issuePrepare", {
        hot,
        max: hot ? 200_000 : 150_000,
      });
      process.stderr.write(`  ${scenario}: ${candidates.length} free user+type pairs\n`);
      // Every window starts from the first pair again: what the previous one issued is removed.
      let mark = new Date(Date.now() - 1000);
      const cleanup = async () => {
        await host.call<null>("cleanup", { mark: mark.toISOString() });
        mark = new Date(Date.now() - 1000);
      };
      const r = await compare(
        scenario,
        {
          service: http(fx.servicePort, (i) => {
            const c = pick(candidates, i);
            return {
              method: "POST",
              path: `/v1/organizations/${fx.organizations[c.o]}/certifications`,
              headers: { ...auth(c.o), "content-type": "application/json", "idempotency-key": randomUUID() },
              body: JSON.stringify({ user_id: c.userId, certification_type_id: c.typeId }),
            };
          }),
          bare: http(fx.barePort, (i) => {
            const c = pick(candidates, i);
            return {
              method: "POST",
              path: "/bare/certifications",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                o: c.o,
                organization_id: fx.organizations[c.o],
                user_id: c.userId,
                type_id: c.typeId,
              }),
            };
          }),
          raw: loop("issue_raw"),
        },
        cleanup,
      );
      rows.push(row(scenario, r.service ?? null, r.bare, r.raw));
    }

    for (const kind of ["daily", "backlog"] as const satisfies readonly SweepKind[]) {
      const scenario = `sweep_${kind}`;
      if (!wants(scenario)) continue;
      const result = await profiled(scenario, () =>
        host.call<{
          service: Stats;
          raw: Stats;
          counts: Record<string, number>;
          memory: { heapBefore: number; heapPeak: number; rssPeak: number };
        }>("sweep", { kind }),
      );
      record(scenario, "raw", result.raw);
      record(scenario, "service", result.service);
      rows.push(row(scenario, result.service, undefined, result.raw));
      const mb = (bytes: number) => round(bytes / 1_048_576, 1);
      notes.push(
        `${scenario}: service ${result.service.count} rows in ${round(result.service.seconds, 2)} s ` +
          `(${result.counts.batches} batches; expired ${result.counts.expired}, expiring_soon ${result.counts.expiring_soon}, ` +
          `reminders ${result.counts.notifications_enqueued}); raw UPDATE ${result.raw.count} rows in ${round(result.raw.seconds, 2)} s; ` +
          `time ratio ${round(result.service.seconds / Math.max(result.raw.seconds, 1e-9), 2)}× raw; ` +
          `heap ${mb(result.memory.heapBefore)} → peak ${mb(result.memory.heapPeak)} MB`,
      );
    }

    if (wants("import")) {
      const result = await profiled("import_csv", () =>
        host.call<{
          service: Stats;
          raw: Stats | null;
          firstErrors: unknown[];
          memory: { heapBefore: number; heapPeak: number; rssPeak: number };
        } | null>("import", { rows: options.importRows, maxMs: options.importMaxMs }),
      );
      if (result) {
        record("import_csv", "service", result.service);
        if (result.raw) record("import_csv", "raw", result.raw);
        rows.push(row("import_csv", result.service, undefined, result.raw ?? undefined));
        const mb = (bytes: number) => round(bytes / 1_048_576, 1);
        notes.push(
          `import_csv: ${result.service.count} rows imported (file of ${options.importRows} rows, cut at ${options.importMaxMs / 1000} s) in ${round(result.service.seconds, 1)} s ` +
            `(p50/p99 are per 1 000-row batch${result.raw ? "; raw: the same users, memberships and certifications by COPY in one transaction, rolled back" : "; no raw COPY on PGlite"}); heap ${mb(result.memory.heapBefore)} → peak ${mb(result.memory.heapPeak)} MB` +
            (result.firstErrors.length > 0 ? `; first errors ${JSON.stringify(result.firstErrors)}` : ""),
        );
      } else {
        rows.push(row("import_csv", null));
        notes.push("import_csv: src/services/import-certifications.ts is not there; row left null");
      }
    }

    if (options.explain) {
      for (const scenario of ["eligibility", "get_by_id", "list_page", "sweep_backlog"]) {
        const plan = await host.call<string | null>("explain", { scenario });
        if (plan) explains.push(`### ${scenario}\n\n\`\`\`\n${plan}\n\`\`\``);
      }
    }

    const summary = formatTable(
      ["scenario", "ops/s", "p50 ms", "p99 ms", "ratio bare", "ratio raw"],
      rows.map((r) => [r.scenario, r.ops_per_s, r.p50_ms, r.p99_ms, r.ratio_bare, r.ratio_raw]),
    );
    const detail = formatTable(
      ["scenario", "system", "ops/s", "p50 ms", "p99 ms", "n", "errors"],
      measurements.map((m) => [
        m.scenario,
        m.system,
        round(m.stats.ops_per_s, 1),
        round(m.stats.p50_ms, 2),
        round(m.stats.p99_ms, 2),
        m.stats.count,
        m.stats.errors,
      ]),
    );
    const command = `${options.embedded ? "" : `DATABASE_URL=${databaseUrl?.replace(/\/\/[^@]*@/, "//postgres@")} `}npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
    process.stdout.write(`\n${summary}\n\n${detail}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
    if (explains.length > 0) process.stdout.write(`\n${explains.join("\n\n")}\n`);

    if (options.only === null && !options.quick) {
      writeFileSync(
        join(here, options.embedded ? "results-embedded.json" : "results.json"),
        `${JSON.stringify(rows, null, 2)}\n`,
      );
      const cpu = cpus()[0]?.model ?? "unknown CPU";
      const machine = [
        `- ${availableParallelism()} CPUs (${cpu}), ${round(totalmem() / 1024 ** 3, 1)} GiB memory, shared by client and server`,
        `- Node ${process.version}; ${fx.databaseVersion}`,
        `- ${options.embedded ? "embedded PGlite" : "PostgreSQL server on 127.0.0.1, durable commits (synchronous_commit on)"}; pool of ${options.poolSize}; ${CONNECTIONS} connections / workers`,
        `- ${fx.dataset.size} certifications over 50 organizations (20 types each), ${fx.dataset.users} users; ${options.warmupMs / 1000} s warm-up per system, then ${options.durationMs / 1000} s measured per system in ${options.rounds} interleaved rounds (service, bare, raw, service, …); p50/p99 are count-weighted over the rounds`,
        `- run started ${started.toISOString()}`,
      ].join("\n");
      const markdown = `# Benchmark results\n\nCommand:\n\n\`\`\`\n${command}\n\`\`\`\n\nMachine:\n\n${machine}\n\n## Service against its limits\n\nops/s: requests (or rows, for the sweep and the import) per second of the service; ratio bare: to the bare Fastify route running the same SQL through the same driver; ratio raw: to the SQL alone through the driver (8 async workers).\n\n${summary}\n\n## Every system measured\n\n${detail}\n\n## Notes\n\n${notes.map((n) => `- ${n}`).join("\n")}\n${explains.length > 0 ? `\n## Plans\n\n${explains.join("\n\n")}\n` : ""}`;
      writeFileSync(join(here, options.embedded ? "RESULTS-embedded.md" : "RESULTS.md"), markdown);
    }
  } finally {
    await host.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
