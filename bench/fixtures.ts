/**
 * The host's state (bench/host.ts): the runtime on the benchmark database, the service and the
 * bare-limit servers listening, and the samples requests are made from.
 */
import type pg from "pg";
import { loadConfig } from "../src/config.js";
import type { Principal } from "../src/domain/principal.js";
import type { App } from "../src/http/app.js";
import { signToken } from "../src/http/auth.js";
import { createLogger } from "../src/logger.js";
import { appDeps, buildApp, openRuntime, type Runtime } from "../src/main.js";
import { loadUserPrincipal } from "../src/services/principals.js";
import { buildBareServer } from "./bare.js";
import { coordinatorId, type Dataset, ensureDataset, ORGANIZATIONS, organizationId } from "./generate.js";
import type { Fixtures, IssueCandidate } from "./protocol.js";
import { kyselyRunner, pgRunner, type Runner } from "./sql.js";

/** Async workers of the in-process loops. */
export const WORKERS = 8;
export const DAY = 86_400_000;

export interface Host {
  runtime: Runtime;
  runner: Runner;
  /** The pg pool of the raw loops (server only): COPY needs a client of its own. */
  pool: pg.Pool | null;
  dataset: Dataset;
  service: App;
  bare: App;
  coordinators: Principal[];
  samples: { pairs: { u: string; t: string; o: number }[]; ids: { id: string; o: number }[] };
  /** Pairs free to issue to, from the last issuePrepare. */
  candidates: IssueCandidate[];
}

export interface InitArgs {
  databaseUrl: string | null;
  dataDir: string | null;
  size: number;
  poolSize: number;
  secret: string;
}

const orgIndex = new Map(Array.from({ length: ORGANIZATIONS }, (_, o) => [organizationId(o), o]));

/** The organization's index in the data set. */
export const indexOf = (organization: string) => orgIndex.get(organization) ?? 0;

function portOf(app: App): number {
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** Opens the database (generating the data set when missing) and starts both servers. */
export async function openHost(args: InitArgs): Promise<{ host: Host; fixtures: Fixtures }> {
  const config = loadConfig({
    CERTSVC_JWT_SECRET: args.secret,
    CERTSVC_DB_POOL_SIZE: String(args.poolSize),
    LOG_LEVEL: "warn",
    CERTSVC_WARNING_DAYS: "30",
    ...(args.databaseUrl ? { DATABASE_URL: args.databaseUrl } : { CERTSVC_DATA_DIR: args.dataDir ?? "" }),
  });
  const runtime = await openRuntime(config, createLogger("warn"));
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
  const host: Host = {
    runtime,
    runner,
    pool: pgr?.pool ?? null,
    dataset,
    service,
    bare,
    coordinators,
    samples: {
      pairs: pairs.map((p) => ({ u: p.u, t: p.t, o: indexOf(p.org) })),
      ids: ids.map((row) => ({ id: row.id, o: indexOf(row.org) })),
    },
    candidates: [],
  };
  const tokens = await Promise.all(
    Array.from({ length: ORGANIZATIONS }, (_, o) =>
      signToken(args.secret, coordinatorId(o), { ttlSeconds: 86_400 }),
    ),
  );
  const [version] = await runner.query<{ version: string }>("select version() as version");
  const fixtures: Fixtures = {
    dataset,
    databaseVersion: version?.version ?? "unknown",
    servicePort: portOf(service),
    barePort: portOf(bare),
    tokens,
    organizations: Array.from({ length: ORGANIZATIONS }, (_, o) => organizationId(o)),
    pairs: host.samples.pairs,
    ids: host.samples.ids,
  };
  return { host, fixtures };
}

export async function closeHost(host: Host): Promise<void> {
  await host.service.close();
  await host.bare.close();
  await host.runner.close();
  await host.runtime.database.close();
}

/**
 * Removes what a run wrote since `mark`, so the next system issues the same pairs and the data
 * set stays the size it was generated at. The delete guards are triggers, off for this session.
 */
export async function removeWrittenSince(host: Host, mark: Date): Promise<void> {
  await host.runner.transaction(async (query) => {
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

/** One operation of a host loop, made from its sequence number. */
export type HostLoop = (host: Host) => (sequence: number) => Promise<unknown>;

/** The statement whose plan `--explain` prints, with its parameters. */
export type Explained = (host: Host) => [string, unknown[]];
