import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { type Config, ConfigError } from "./config.js";
import type { App, ServerDeps } from "./http/app.js";
import { Authenticator } from "./http/auth.js";
import { buildServer } from "./http/server.js";
import { notificationAdapterFor } from "./jobs/notifications.js";
import { createServiceWorker } from "./jobs/service-worker.js";
import type { Worker } from "./jobs/worker.js";
import { registerQueueDepthGauge } from "./observability/metrics.js";
import type { ServiceContext } from "./services/context.js";
import { type Database, DatabaseInUseError, openDatabase } from "./storage/database.js";
import { migrate, pendingMigrations } from "./storage/migrate.js";
import { webRoutes } from "./web/routes.js";

/*
 * The composition root: the CLI, the tests and the bench build the service from these functions
 * and nothing else wires the parts together.
 */

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  ctx: ServiceContext;
  jwtSecret: string | null;
}

/**
 * The development secret: with no CERTSVC_JWT_SECRET, one is generated into the data directory
 * on first start and reused after, so tokens stay valid across restarts.
 */
export function resolveJwtSecret(config: Config): {
  secret: string | null;
  generated: boolean;
  path: string;
} {
  const path = join(config.dataDir, "jwt-secret");
  if (config.jwtSecret) return { secret: config.jwtSecret, generated: false, path };
  if (config.jwksUrl) return { secret: null, generated: false, path };
  if (existsSync(path)) return { secret: readFileSync(path, "utf8").trim(), generated: false, path };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { secret, generated: true, path };
}

/**
 * The key that encrypts the organizations' signing keys: CERTSVC_KEY_ENCRYPTION_KEY, or (on the
 * embedded default) one generated into the data directory on first start, as the JWT secret is.
 */
export function resolveKeyEncryptionKey(config: Config): { key: Buffer; generated: boolean; path: string } {
  const path = join(config.dataDir, "credential-key");
  if (config.keyEncryptionKey) return { key: config.keyEncryptionKey, generated: false, path };
  if (existsSync(path))
    return { key: Buffer.from(readFileSync(path, "utf8").trim(), "base64"), generated: false, path };
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, generated: true, path };
}

/** Opens the database chosen by the configuration and brings its schema up to date. */
export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const database = await openDatabase(config.database);
  try {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
  } catch (error) {
    await database.close();
    throw error;
  }
  const { secret, generated, path } = resolveJwtSecret(config);
  if (generated) logger.warn({ path }, "no CERTSVC_JWT_SECRET set: generated a development secret");
  const kek = resolveKeyEncryptionKey(config);
  if (kek.generated) {
    logger.warn(
      { path: kek.path },
      "no CERTSVC_KEY_ENCRYPTION_KEY set: generated one into the data directory",
    );
  }
  return {
    config,
    logger,
    database,
    ctx: {
      db: database.db,
      clock: () => new Date(),
      warningDays: config.warningDays,
      credentials: { keyEncryptionKey: kek.key, publicUrl: config.publicUrl },
    },
    jwtSecret: secret,
  };
}

/**
 * Answers /readyz: the database is reachable, can store data (no write has failed for lack of
 * space or an I/O error since the last one that worked) and every migration is applied.
 */
export function readinessOf(database: Database): ServerDeps["readiness"] {
  return async () => {
    const pending = await pendingMigrations(database);
    // A read works on a full disk: a write that failed since the last one that worked says more.
    const fault = database.health.fault;
    if (fault?.kind === "storage") {
      return { ready: false, detail: `database cannot store data since ${fault.since.toISOString()}` };
    }
    return pending.length === 0
      ? { ready: true, detail: "database reachable, migrations applied" }
      : { ready: false, detail: `pending migrations: ${pending.join(", ")}` };
  };
}

/** The HTTP API and, unless `pages` is false, the web pages, on one server that does not listen. */
export async function buildApp(deps: ServerDeps, options: { pages?: boolean } = {}): Promise<App> {
  const app = await buildServer(deps);
  if (options.pages ?? true) webRoutes(app, deps);
  return app;
}

/** The app as the configuration describes it. */
export function appDeps(runtime: Runtime): ServerDeps {
  const { config, database } = runtime;
  return {
    ctx: runtime.ctx,
    auth: new Authenticator(database.db, {
      jwtSecret: runtime.jwtSecret,
      jwksUrl: config.jwksUrl,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      cacheSeconds: config.principalCacheSeconds,
      maxUserLifetimeSeconds: config.jwtMaxLifetimeSeconds,
      maxServiceLifetimeSeconds: config.serviceJwtMaxLifetimeSeconds,
    }),
    logger: runtime.logger,
    publicUrl: config.publicUrl,
    platformUrl: config.platformUrl,
    verifyRateLimit: config.verifyRateLimit,
    notifyMaxAttempts: config.notifyMaxAttempts,
    readiness: readinessOf(database),
    timeouts: {
      headersMs: config.headersTimeoutSeconds * 1000,
      requestMs: config.requestTimeoutSeconds * 1000,
      keepAliveMs: config.keepAliveTimeoutSeconds * 1000,
    },
  };
}

/** Background work in this process (the queues and the schedules), started. */
export function startWorker(runtime: Runtime): Worker {
  const { config, logger, ctx } = runtime;
  const worker = createServiceWorker({
    ctx,
    adapter: notificationAdapterFor(config, logger.child({ component: "notifications" })),
    sweepCron: config.sweepCron,
    digestCron: config.digestCron,
    notifyMaxAttempts: config.notifyMaxAttempts,
    leaseSeconds: config.jobLeaseSeconds,
    heartbeatSeconds: config.jobHeartbeatSeconds,
    logger: logger.child({ component: "worker" }),
  });
  worker.start();
  logger.info({ worker_id: worker.id, sweep_cron: config.sweepCron }, "worker started");
  return worker;
}

/**
 * Serves the API and pages (and, with `worker`, the background work) until `close`: it stops
 * accepting, lets requests in flight finish, stops background work, then closes the database.
 */
export async function serve(
  config: Config,
  logger: Logger,
  options: { worker: boolean },
): Promise<{ app: App; runtime: Runtime; close: () => Promise<void> }> {
  const runtime = await openRuntime(config, logger);
  const app = await buildApp(appDeps(runtime));
  await app.listen({ port: config.port, host: config.host });
  registerQueueDepthGauge(runtime.database.db);
  const worker = options.worker ? startWorker(runtime) : null;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await worker?.stop();
      await runtime.database.close();
    })();
    return closing;
  };
  return { app, runtime, close };
}

/** Closes cleanly on SIGTERM and SIGINT; a second signal forces the exit. */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "shutting down");
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

/** Prints a configuration or lock problem as one clear line and exits non-zero. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`certsvc: configuration error: ${error.message}\n`);
    process.exit(78);
  }
  if (error instanceof DatabaseInUseError) {
    process.stderr.write(`certsvc: ${error.message}\n`);
    process.exit(75);
  }
  process.stderr.write(`certsvc: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
