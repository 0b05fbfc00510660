import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { type Config, ConfigError } from "./config.js";
import { Authenticator } from "./http/auth.js";
import { type App, buildServer, type ServerDeps } from "./http/server.js";
import type { ServiceContext } from "./services/context.js";
import { type Database, DatabaseInUseError, openDatabase } from "./storage/database.js";
import { migrate, pendingMigrations } from "./storage/migrate.js";

/** Parts that plug into a running service: background work, web pages, import/export. */
export interface Extension {
  routes?: ServerDeps["plugins"];
  /** Started after the server listens; stopped before the database closes. */
  start?: (runtime: Runtime) => Promise<{ stop: () => Promise<void> } | undefined>;
}

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
  return {
    config,
    logger,
    database,
    ctx: { db: database.db, clock: () => new Date(), warningDays: config.warningDays },
    jwtSecret: secret,
  };
}

export async function buildApp(runtime: Runtime, extensions: readonly Extension[] = []): Promise<App> {
  const { config, database } = runtime;
  const auth = new Authenticator(database.db, {
    jwtSecret: runtime.jwtSecret,
    jwksUrl: config.jwksUrl,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    cacheSeconds: config.principalCacheSeconds,
  });
  return buildServer({
    ctx: runtime.ctx,
    auth,
    logger: runtime.logger,
    publicUrl: config.publicUrl,
    verifyRateLimit: config.verifyRateLimit,
    notifyMaxAttempts: config.notifyMaxAttempts,
    readiness: async () => {
      const pending = await pendingMigrations(database);
      return pending.length === 0
        ? { ready: true, detail: "database reachable, migrations applied" }
        : { ready: false, detail: `pending migrations: ${pending.join(", ")}` };
    },
    plugins: extensions.flatMap((extension) => extension.routes ?? []),
  });
}

/**
 * Runs the service until SIGTERM or SIGINT: stops accepting, lets requests in flight finish,
 * stops background work, then closes the database.
 */
export async function serve(
  config: Config,
  logger: Logger,
  extensions: readonly Extension[],
): Promise<{ app: App; close: () => Promise<void> }> {
  const runtime = await openRuntime(config, logger);
  const app = await buildApp(runtime, extensions);
  await app.listen({ port: config.port, host: config.host });
  const started: { stop: () => Promise<void> }[] = [];
  for (const extension of extensions) {
    const handle = await extension.start?.(runtime);
    if (handle) started.push(handle);
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      for (const handle of started.reverse()) await handle.stop();
      await runtime.database.close();
    })();
    return closing;
  };
  return { app, close };
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
