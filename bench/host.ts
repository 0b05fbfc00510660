/**
 * The benchmark's server side, a child process of bench/index.ts: it owns the database (PGlite
 * allows one process), serves the real app and the bare-limit app, and runs the in-process and
 * raw-SQL loops, the sweep and the import on request. The parent only generates HTTP load, so
 * the load generator never shares an event loop with the servers it measures.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { Readable } from "node:stream";
import type pg from "pg";
import type { Logger } from "pino";
import { loadConfig } from "../src/config.js";
import { type Principal, systemPrincipal } from "../src/domain/principal.js";
import type { App } from "../src/http/app.js";
import { signToken } from "../src/http/auth.js";
import { createLogger } from "../src/logger.js";
import { appDeps, buildApp, openRuntime, type Runtime } from "../src/main.js";
import { checkEligibility } from "../src/services/check-eligibility.js";
import { loadUserPrincipal } from "../src/services/principals.js";
import { runExpirySweep } from "../src/services/run-expiry-sweep.js";
import { buildBareServer } from "./bare.js";
import { copyFrom } from "./copy.js";
import {
  CERTIFICATIONS_PER_USER,
  coordinatorId,
  type Dataset,
  ensureDataset,
  importCsv,
  importHolderId,
  ORGANIZATIONS,
  organizationId,
  organizationPrefix,
  TYPES_PER_ORGANIZATION,
  typeId,
} from "./generate.js";
import { runLoop, type Stats } from "./measure.js";
import type { HostRequest, IssueCandidate, SweepKind } from "./protocol.js";
import {
  ELIGIBILITY_SQL,
  GET_BY_ID_SQL,
  issuePlain,
  kyselyRunner,
  LIST_PAGE_SQL,
  pgRunner,
  type Runner,
} from "./sql.js";

const WORKERS = 8;
const DAY = 86_400_000;

interface Host {
  runtime: Runtime;
  runner: Runner;
  /** The pg pool of the raw loops (server only): COPY needs a client of its own. */
  pool: pg.Pool | null;
  dataset: Dataset;
  service: App;
  bare: App;
  coordinators: Principal[];
  samples: { pairs: { u: string; t: string; o: number }[]; ids: { id: string; o: number }[] };
  candidates: IssueCandidate[];
}

let host: Host | null = null;
const need = () => {
  if (!host) throw new Error("host not initialised");
  return host;
};

async function init(args: {
  databaseUrl: string | null;
  dataDir: string | null;
  size: number;
  poolSize: number;
  secret: string;
}) {
  const env: Record<string, string | undefined> = {
    CERTSVC_JWT_SECRET: args.secret,
    CERTSVC_DB_POOL_SIZE: String(args.poolSize),
    LOG_LEVEL: "warn",
    CERTSVC_WARNING_DAYS: "30",
    ...(args.databaseUrl ? { DATABASE_URL: args.databaseUrl } : { CERTSVC_DATA_DIR: args.dataDir ?? "" }),
  };
  const config = loadConfig(env);
  const logger: Logger = createLogger("warn");
  const runtime = await openRuntime(config, logger);
  const pgr = args.databaseUrl ? pgRunner(args.databaseUrl, args.poolSize) : null;
  const runner = pgr ?? kyselyRunner(runtime.database.db);
  const dataset = await ensureDataset(runner, args.size, pgr ? () => pgr.pool.connect() : null);
  const service = await buildApp(appDeps(runtime));
  await service.listen({ port: 0, host: "127.0.0.1" });
  const bare = await buildBareServer(runner);
  await bare.listen({ port: 0, host: "127.0.0.1" });
  const coordinators = await Promise.all(
    Array.from({ length: ORGANIZATIONS }, (_, o) => loadUserPrincipal(runtime.database.db, coordinatorId(o))),
  );
  const pairs = await runner.query<{ u: string; t: string; org: string }>(
    `select user_id as u, certification_type_id as t, organization_id as org from certifications
     order by md5(id::text) limit 5000`,
  );
  const ids = await runner.query<{ id: string; org: string }>(
    "select id, organization_id as org from certifications order by md5(certificate_number) limit 5000",
  );
  const orgIndex = new Map(Array.from({ length: ORGANIZATIONS }, (_, o) => [organizationId(o), o]));
  host = {
    runtime,
    runner,
    pool: pgr?.pool ?? null,
    dataset,
    service,
    bare,
    coordinators,
    samples: {
      pairs: pairs.map((p) => ({ u: p.u, t: p.t, o: orgIndex.get(p.org) ?? 0 })),
      ids: ids.map((row) => ({ id: row.id, o: orgIndex.get(row.org) ?? 0 })),
    },
    candidates: [],
  };
  const port = (app: App) => {
    const address = app.server.address();
    return typeof address === "object" && address ? address.port : 0;
  };
  const tokens = await Promise.all(
    Array.from({ length: ORGANIZATIONS }, (_, o) =>
      signToken(args.secret, coordinatorId(o), { ttlSeconds: 86_400 }),
    ),
  );
  const [version] = await runner.query<{ version: string }>("select version() as version");
  return {
    dataset,
    databaseVersion: version?.version ?? "unknown",
    servicePort: port(service),
    barePort: port(bare),
    tokens,
    organizations: Array.from({ length: ORGANIZATIONS }, (_, o) => organizationId(o)),
    pairs: host.samples.pairs,
    ids: host.samples.ids,
  };
}

function pick<T>(items: readonly T[], sequence: number): T {
  const item = items[sequence % items.length];
  if (item === undefined) throw new Error("nothing to pick from");
  return item;
}

async function loop(args: { kind: string; warmupMs: number; durationMs: number }): Promise<Stats> {
  const h = need();
  const { runner } = h;
  const options = { workers: WORKERS, warmupMs: args.warmupMs, durationMs: args.durationMs };
  switch (args.kind) {
    case "eligibility_raw":
      return runLoop((i) => {
        const pair = pick(h.samples.pairs, i);
        return runner.query(ELIGIBILITY_SQL, [pair.u, pair.t]);
      }, options);
    case "eligibility_inprocess":
      return runLoop((i) => {
        const pair = pick(h.samples.pairs, i);
        return checkEligibility(h.runtime.ctx, pick(h.coordinators, pair.o), pair.u, pair.t);
      }, options);
    case "get_by_id_raw":
      return runLoop((i) => runner.query(GET_BY_ID_SQL, [pick(h.samples.ids, i).id]), options);
    case "list_page_raw":
      return runLoop((i) => runner.query(LIST_PAGE_SQL, [organizationId(i % ORGANIZATIONS), 51]), options);
    case "issue_raw":
      return runLoop((i) => {
        const c = pick(h.candidates, i);
        return issuePlain(runner, {
          organizationId: organizationId(c.o),
          prefix: organizationPrefix(c.o),
          userId: c.userId,
          typeId: c.typeId,
          issuerId: coordinatorId(c.o),
        });
      }, options);
    default:
      throw new Error(`unknown loop ${args.kind}`);
  }
}

/**
 * Pairs of a member and a type of their organization with no live certification, so that every
 * issuance succeeds. `hot`: all in organization 0.
 */
async function issuePrepare(args: { hot: boolean; max: number }): Promise<IssueCandidate[]> {
  const h = need();
  const rows = await h.runner.query<{ u: string; t: string; org: string }>(
    `select m.user_id as u, t.id as t, m.organization_id as org
     from memberships m
     join certification_types t on t.organization_id = m.organization_id
     where m.role = 'peer_mentor' ${args.hot ? "and m.organization_id = $2" : ""}
       and not exists (select 1 from certifications c
                       where c.user_id = m.user_id and c.certification_type_id = t.id
                         and c.status in ('active', 'expiring_soon'))
     order by md5(m.user_id::text || t.id::text)
     limit $1`,
    args.hot ? [args.max, organizationId(0)] : [args.max],
  );
  const orgIndex = new Map(Array.from({ length: ORGANIZATIONS }, (_, o) => [organizationId(o), o]));
  h.candidates = rows.map((row) => ({ userId: row.u, typeId: row.t, o: orgIndex.get(row.org) ?? 0 }));
  return h.candidates;
}

/**
 * Removes what a run wrote since `mark`, so the next system issues the same pairs and the data
 * set stays the size it was generated at. The delete guards are triggers, off for this session.
 */
async function cleanup(args: { mark: string }) {
  const h = need();
  const mark = new Date(args.mark);
  await h.runner.transaction(async (query) => {
    await query("set local session_replication_role = replica");
    await query("delete from audit_events where occurred_at >= $1", [mark]);
    await query("delete from jobs where created_at >= $1", [mark]);
    await query("delete from idempotency_keys where created_at >= $1", [mark]);
    await query("delete from user_badges where awarded_at >= $1", [mark]);
    await query("delete from certifications where created_at >= $1", [mark]);
    await query("delete from memberships where created_at >= $1", [mark]);
    await query("delete from users where created_at >= $1", [mark]);
  });
}

// The due condition and new state of the sweep, at a given clock, for the raw set-based UPDATE.
const WINDOW = "make_interval(days => coalesce(t.warning_days, 30))";
const RAW_SWEEP_SQL = `update certifications c set
    status = case when c.expires_at <= $1 then 'expired'
                  when c.expires_at <= $1::timestamptz + ${WINDOW} then 'expiring_soon'
                  else 'active' end::certification_status,
    expiry_warning_sent_at = case
      when c.expires_at > $1 and c.expiry_warning_sent_at is null
           and c.expires_at <= $1::timestamptz + ${WINDOW} then $1 else c.expiry_warning_sent_at end
  from certification_types t
  where t.id = c.certification_type_id
    and c.status in ('active', 'expiring_soon') and c.expires_at is not null and c.revoked_at is null
    and (c.expires_at <= $1
      or (c.expires_at <= $1::timestamptz + ${WINDOW}
          and (c.status = 'active' or c.expiry_warning_sent_at is null))
      or (c.status = 'expiring_soon' and c.expires_at > $1::timestamptz + ${WINDOW}))`;

/**
 * Puts the persisted statuses back to what they are at the real clock (those in their window
 * with their reminder sent), undoing a sweep run at a clock moved forward.
 */
const NORMALIZE_SQL = `update certifications c set status = n.status, expiry_warning_sent_at = n.warned
  from (
    select c.id,
      case when c.expires_at <= $1 then 'expired'
           when c.expires_at <= $1::timestamptz + ${WINDOW} then 'expiring_soon'
           else 'active' end::certification_status as status,
      case when c.expires_at <= $1 then c.expiry_warning_sent_at
           when c.expires_at <= $1::timestamptz + ${WINDOW} then coalesce(c.expiry_warning_sent_at, $1)
           else null end as warned
    from certifications c join certification_types t on t.id = c.certification_type_id
    where c.revoked_at is null and c.expires_at is not null and c.expires_at > $1::timestamptz - interval '400 days'
  ) n
  where c.id = n.id
    and (c.status is distinct from n.status or c.expiry_warning_sent_at is distinct from n.warned)`;

async function normalize(now: Date, mark: Date | null) {
  const h = need();
  await h.runner.transaction(async (query) => {
    await query("set local session_replication_role = replica");
    await query(NORMALIZE_SQL, [now]);
    if (mark) {
      await query("delete from audit_events where occurred_at >= $1", [mark]);
      await query("delete from jobs where created_at >= $1", [mark]);
    }
  });
  await h.runner.query("vacuum analyze certifications");
}

function memory() {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed };
}

async function sweep(args: { kind: SweepKind }) {
  const h = need();
  const now = new Date();
  const ahead = args.kind === "daily" ? DAY : 365 * DAY;
  const clock = new Date(now.getTime() + ahead);
  const mark = new Date(now.getTime() - 1000);
  await normalize(now, null);

  // Raw: one set-based UPDATE of the same rows to the same states, nothing else.
  const rawStarted = performance.now();
  const rawRows = await h.runner.transaction(async (query) => {
    const result = await query<{ n: number }>(
      `with u as (${RAW_SWEEP_SQL} returning 1) select count(*)::int as n from u`,
      [clock],
    );
    return result[0]?.n ?? 0;
  });
  const rawMs = performance.now() - rawStarted;
  await normalize(now, mark);

  // The service: the real sweep use case at the clock moved forward.
  global.gc?.();
  const before = memory();
  let peak = before;
  const batchMs: number[] = [];
  let last = performance.now();
  const started = last;
  const counts = await runExpirySweep({ ...h.runtime.ctx, clock: () => clock }, systemPrincipal("bench"), {
    onBatch: () => {
      const t = performance.now();
      batchMs.push(t - last);
      last = t;
      const m = memory();
      if (m.heapUsed > peak.heapUsed) peak = m;
    },
  });
  const serviceMs = performance.now() - started;
  const serviceRows = counts.expired + counts.expiring_soon + counts.back_to_active;
  await normalize(now, mark);
  batchMs.sort((a, b) => a - b);
  const { percentile } = await import("./measure.js");
  return {
    service: {
      ops_per_s: serviceRows / (serviceMs / 1000),
      p50_ms: percentile(batchMs, 50),
      p99_ms: percentile(batchMs, 99),
      count: serviceRows,
      errors: 0,
      seconds: serviceMs / 1000,
    } satisfies Stats,
    raw: {
      ops_per_s: rawRows / (rawMs / 1000),
      p50_ms: rawMs,
      p99_ms: rawMs,
      count: rawRows,
      errors: 0,
      seconds: rawMs / 1000,
    } satisfies Stats,
    counts,
    memory: { heapBefore: before.heapUsed, heapPeak: peak.heapUsed, rssPeak: peak.rss },
  };
}

/**
 * The raw limit of the import: the same rows (their users, memberships and certifications)
 * COPYed in one transaction, with every constraint, index and trigger of the tables, then
 * rolled back. Server only: PGlite's COPY reads a file, not a stream.
 */
async function rawImport(rows: number): Promise<Stats | null> {
  const h = need();
  if (!h.pool) return null;
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
  const client = await h.pool.connect();
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

async function importScenario(args: { rows: number; maxMs: number }) {
  const h = need();
  let module: typeof import("../src/services/import/import-certifications.js");
  try {
    module = await import("../src/services/import/import-certifications.js");
  } catch {
    return null;
  }
  const mark = new Date(Date.now() - 1000);
  const run = (Date.now() % 0xffffffff).toString(16).padStart(8, "0");
  global.gc?.();
  const before = memory();
  let peak = before;
  const batchMs: number[] = [];
  let last = performance.now();
  const started = last;
  const result = await module.importCertificationsCsv(
    h.runtime.ctx,
    systemPrincipal("bench"),
    Readable.from(importCsv(args.rows, run, { deadline: performance.now() + args.maxMs })),
    {
      organizationId: organizationId(0),
      skipInvalid: true,
      onProgress: () => {
        const t = performance.now();
        batchMs.push(t - last);
        last = t;
        const m = memory();
        if (m.heapUsed > peak.heapUsed) peak = m;
      },
    },
  );
  const serviceMs = performance.now() - started;
  await cleanup({ mark: mark.toISOString() });
  batchMs.sort((a, b) => a - b);
  const { percentile } = await import("./measure.js");
  return {
    service: {
      ops_per_s: result.imported / (serviceMs / 1000),
      p50_ms: percentile(batchMs, 50),
      p99_ms: percentile(batchMs, 99),
      count: result.imported,
      errors: result.skipped,
      seconds: serviceMs / 1000,
    } satisfies Stats,
    raw: await rawImport(result.imported),
    firstErrors: result.errors.slice(0, 3),
    memory: { heapBefore: before.heapUsed, heapPeak: peak.heapUsed, rssPeak: peak.rss },
  };
}

async function explain(args: { scenario: string }) {
  const h = need();
  const pair = pick(h.samples.pairs, 7);
  const id = pick(h.samples.ids, 7).id;
  const statements: Record<string, [string, unknown[]]> = {
    eligibility: [ELIGIBILITY_SQL, [pair.u, pair.t]],
    get_by_id: [GET_BY_ID_SQL, [id]],
    list_page: [LIST_PAGE_SQL, [organizationId(3), 51]],
    sweep_backlog: [RAW_SWEEP_SQL, [new Date(Date.now() + 365 * DAY)]],
  };
  const statement = statements[args.scenario];
  if (!statement) return null;
  return h.runner
    .transaction(async (query) => {
      const rows = await query<Record<string, string>>(
        `explain (analyze, buffers) ${statement[0]}`,
        statement[1],
      );
      if (args.scenario.startsWith("sweep")) throw new Rollback(rows);
      return rows.map((row) => Object.values(row)[0]).join("\n");
    })
    .catch((error: unknown) => {
      if (error instanceof Rollback) return error.rows.map((row) => Object.values(row)[0]).join("\n");
      throw error;
    });
}

class Rollback extends Error {
  constructor(readonly rows: Record<string, string>[]) {
    super("rollback");
  }
}

async function close() {
  if (!host) return;
  await host.service.close();
  await host.bare.close();
  await host.runner.close();
  await host.runtime.database.close();
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
    case "profileStart":
      return profileStart();
    case "profileStop":
      return profileStop(request.args);
    case "init":
      return init(request.args);
    case "loop":
      return loop(request.args);
    case "issuePrepare":
      return issuePrepare(request.args);
    case "cleanup":
      return cleanup(request.args);
    case "sweep":
      return sweep(request.args);
    case "import":
      return importScenario(request.args);
    case "explain":
      return explain(request.args);
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
