import { type Command, InvalidArgumentError } from "commander";
import { systemPrincipal } from "../domain/principal.js";
import { createLogger } from "../logger.js";
import { closeOnSignals, openRuntime, serve, startWorker } from "../main.js";
import { runExpirySweep } from "../services/run-expiry-sweep.js";
import { openDatabase } from "../storage/database.js";
import { migrate } from "../storage/migrate.js";
import { cliConfig, exitOnError, output, withRuntime } from "./context.js";
import { startupHints } from "./demo.js";

const port = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError("expected a port, 0 to 65535");
  return Number(value);
};

export function registerServiceCommands(program: Command): void {
  program
    .command("serve")
    .description(
      "Run the HTTP API (and web pages). On PostgreSQL server it serves the API only, next to any number of " +
        "`certsvc worker` processes, unless --with-worker. On the embedded database (PGlite, no DATABASE_URL) " +
        "the one process that may open it also runs the worker.",
    )
    .option("--with-worker", "run the background worker in this process too", false)
    .option("--port <port>", "listen on this port (default PORT or 3000)", port)
    .option("--host <host>", "listen on this address (default HOST or 127.0.0.1)")
    .action(async (options: { withWorker: boolean; port?: number; host?: string }) => {
      try {
        const config = cliConfig({
          ...(options.port !== undefined ? { port: options.port } : {}),
          ...(options.host !== undefined ? { host: options.host } : {}),
        });
        const logger = createLogger(config.logLevel);
        const worker = options.withWorker || config.database.kind === "pglite";
        const { app, runtime, close } = await serve(config, logger, { worker });
        closeOnSignals(close, logger);
        for (const hint of await startupHints(runtime.database.db, config.database.kind === "pglite")) {
          logger.info(hint);
        }
        const address = app.server.address();
        const listening = typeof address === "object" && address ? address.port : config.port;
        logger.info({ url: `http://${config.host}:${listening}`, worker }, "certsvc listening");
      } catch (error) {
        exitOnError(error);
      }
    });

  program
    .command("worker")
    .description(
      "Run background work only: expiry sweeps on CERTSVC_SWEEP_CRON, notification delivery, badge evaluation. " +
        "Any number may run against PostgreSQL server; on the embedded database it holds the database alone.",
    )
    .action(async () => {
      try {
        const config = cliConfig();
        const logger = createLogger(config.logLevel);
        const runtime = await openRuntime(config, logger);
        const worker = startWorker(runtime);
        closeOnSignals(async () => {
          await worker.stop();
          await runtime.database.close();
        }, logger);
      } catch (error) {
        exitOnError(error);
      }
    });

  program
    .command("migrate")
    .description("Apply the database migrations not yet applied (serve and worker also do it at start)")
    .option("--json", "print JSON", false)
    .action(async (options: { json: boolean }) => {
      try {
        const config = cliConfig();
        const database = await openDatabase(config.database);
        try {
          const applied = await migrate(database);
          output(options.json, { applied }, () =>
            applied.length === 0 ? "Database is up to date." : `Applied ${applied.join(", ")}.`,
          );
        } finally {
          await database.close();
        }
      } catch (error) {
        exitOnError(error);
      }
    });

  program
    .command("sweep")
    .description(
      "Run one expiry sweep now: persist expired and expiring_soon, and queue one reminder per certification " +
        "entering its warning window (a worker delivers them)",
    )
    .option("--json", "print JSON", false)
    .action(async (options: { json: boolean }) => {
      try {
        const config = cliConfig();
        await withRuntime(config, async (runtime) => {
          const counts = await runExpirySweep(runtime.ctx, systemPrincipal("cli"), {
            notifyMaxAttempts: config.notifyMaxAttempts,
          });
          output(options.json, counts, () =>
            [
              `Expiry sweep done in ${counts.duration_ms} ms:`,
              `  expired:                ${counts.expired}`,
              `  expiring soon:          ${counts.expiring_soon}`,
              `  back to active:         ${counts.back_to_active}`,
              `  reminders queued:       ${counts.notifications_enqueued}`,
            ].join("\n"),
          );
        });
      } catch (error) {
        exitOnError(error);
      }
    });
}
