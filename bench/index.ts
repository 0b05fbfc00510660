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
 * only generates load, so client and servers do not share an event loop. Each scenario is a file
 * under bench/scenarios/, run in the order below.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startHost } from "./host-client.js";
import { type Options, parseOptions, USAGE } from "./options.js";
import type { ExplainedScenario, Fixtures } from "./protocol.js";
import { printReport, writeResults } from "./report.js";
import { createBench, type Scenario } from "./runner.js";
import { eligibility } from "./scenarios/eligibility.js";
import { getById } from "./scenarios/get-by-id.js";
import { importScenario } from "./scenarios/import.js";
import { issueHot, issueSpread } from "./scenarios/issue.js";
import { listPage } from "./scenarios/list-page.js";
import { sweepBacklog, sweepDaily } from "./scenarios/sweep.js";

const here = dirname(fileURLToPath(import.meta.url));

const SCENARIOS: readonly Scenario[] = [
  eligibility,
  getById,
  listPage,
  issueSpread,
  issueHot,
  sweepDaily,
  sweepBacklog,
  importScenario,
];

const EXPLAINED: readonly ExplainedScenario[] = ["eligibility", "get_by_id", "list_page", "sweep_backlog"];

/** Creates the benchmark database when it does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
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

/** Where the data lives: the server database (created when missing) or PGlite's directory. */
async function databaseOf(options: Options): Promise<{ databaseUrl: string | null; dataDir: string | null }> {
  if (options.embedded) {
    const dataDir = join(here, ".data", `pglite-${options.size}`);
    mkdirSync(dataDir, { recursive: true });
    return { databaseUrl: null, dataDir };
  }
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/certsvc_bench");
  if (options.quick) url.pathname = `${url.pathname}_quick`;
  await ensureDatabase(url.toString());
  return { databaseUrl: url.toString(), dataDir: null };
}

async function main(argv: readonly string[]): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(argv, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const wants = (name: string) => options.only === null || options.only.some((only) => name.startsWith(only));
  const { databaseUrl, dataDir } = await databaseOf(options);
  const host = startHost();
  const started = new Date();
  try {
    const fixtures = await host.call<Fixtures>("init", {
      databaseUrl,
      dataDir,
      size: options.size,
      poolSize: options.poolSize,
      secret: randomBytes(32).toString("base64url"),
    });
    const { dataset } = fixtures;
    process.stderr.write(
      `data set: ${dataset.size} certifications, ${dataset.users} users ` +
        `(${dataset.reused ? "reused" : "generated"}); ${fixtures.databaseVersion}\n`,
    );
    const bench = createBench({ options, fixtures, host, profileDir: join(here, "profiles") });
    for (const scenario of SCENARIOS) {
      if (wants(scenario.name)) await scenario.measure(bench);
    }
    if (options.explain) {
      for (const scenario of EXPLAINED) {
        const plan = await host.call<string>("explain", { scenario });
        bench.report.explains.push(`### ${scenario}\n\n\`\`\`\n${plan}\n\`\`\``);
      }
    }
    printReport(bench.report);
    if (options.only === null && !options.quick) {
      const shownUrl = databaseUrl ? `DATABASE_URL=${databaseUrl.replace(/\/\/[^@]*@/, "//postgres@")} ` : "";
      const args = argv.length > 0 ? ` -- ${argv.join(" ")}` : "";
      writeResults(here, bench.report, {
        options,
        command: `${shownUrl}npm run bench${args}`,
        started,
        databaseVersion: fixtures.databaseVersion,
        size: dataset.size,
        users: dataset.users,
      });
    }
  } finally {
    await host.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
