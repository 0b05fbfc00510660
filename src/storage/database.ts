import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import { allowDirectReads } from "./direct-reads.js";
import { DatabaseHealth, faultAware, guarded } from "./faults.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { DB } from "./schema.js";

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the pool or an open transaction: what a plain read or write needs. */
export type Queryable = Kysely<DB>;

export type DatabaseTarget =
  | { kind: "postgres"; url: string; poolSize?: number }
  | { kind: "pglite"; dataDir: string | null; loadDataDir?: Blob };

export interface Database {
  readonly kind: DatabaseTarget["kind"];
  readonly db: Db;
  /** The last connection or storage fault seen, until the database serves again (/readyz). */
  readonly health: DatabaseHealth;
  /** PGlite only: the whole database as a tar, to start another one from (tests). */
  dump?: () => Promise<Blob>;
  /**
   * Runs `work` on one session of its own, where `run` takes scripts of several statements
   * (migrations) and returns the rows of the last one.
   */
  session<T>(work: (run: ScriptRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type ScriptRunner = (script: string) => Promise<Record<string, unknown>[]>;

export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another certsvc process (pid ${pid}). ` +
        "PGlite allows one process at a time: stop that process first, or set DATABASE_URL to use PostgreSQL server.",
    );
    this.name = "DatabaseInUseError";
  }
}

// pg returns int8 as a string to avoid precision loss; our int8 values (counts) are small.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === "postgres"
    ? openPostgres(target.url, target.poolSize ?? 10)
    : openPGlite(target.dataDir);
}

function openPostgres(url: string, poolSize: number): Database {
  // A request waits at most 5 s for a connection, so an outage answers 503 rather than hanging.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  const health = new DatabaseHealth();
  // A client that loses its server (a restart, a stop) emits 'error', idle in the pool or checked
  // out for a query; an 'error' without a listener would end the process. The query it was
  // running fails by itself, and pg drops the broken client when it is released.
  pool.on("error", () => health.record("connection"));
  pool.on("connect", (client) => {
    client.on("error", () => health.record("connection"));
  });
  const db = new Kysely<DB>({ dialect: faultAware(new PostgresDialect({ pool }), health) });
  // As Kysely's driver does: one client per query, released (not destroyed) after an SQL error.
  allowDirectReads(db, (text, values) =>
    guarded(health, false, () =>
      pool.connect().then((client) =>
        client.query(text, values).then(
          (result) => {
            client.release();
            return result.rows;
          },
          (error: unknown) => {
            client.release();
            throw error;
          },
        ),
      ),
    ),
  );
  return {
    kind: "postgres",
    db,
    health,
    async session(work) {
      const client = await pool.connect();
      const onError = () => health.record("connection");
      client.on("error", onError);
      try {
        return await work(async (script) => {
          const result = (await client.query(script)) as pg.QueryResult | pg.QueryResult[];
          return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
        });
      } finally {
        client.off("error", onError);
        client.release();
      }
    },
    async close() {
      await db.destroy();
      // Kysely ends only a pool it has used itself; a session() alone leaves it open, and its
      // idle clients would keep the process alive.
      if (!pool.ended) await pool.end();
    },
  };
}

async function openPGlite(dataDir: string | null, loadDataDir?: Blob): Promise<Database> {
  let unlock = () => {};
  if (dataDir !== null) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(resolve(dataDir));
  }
  let pglite: PGlite;
  try {
    // A dump of an initialised database skips initdb, which costs seconds (tests use it).
    const options = loadDataDir ? { loadDataDir } : {};
    pglite = dataDir === null ? new PGlite(options) : new PGlite(join(dataDir, "pgdata"), options);
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const health = new DatabaseHealth();
  const db = new Kysely<DB>({ dialect: faultAware(new PGliteDialect(pglite), health) });
  let closed = false;
  return {
    kind: "pglite",
    db,
    health,
    dump: () => pglite.dumpDataDir("none"),
    session(work) {
      // Holding a Kysely connection keeps every other query out of this session meanwhile.
      return db.connection().execute(() =>
        work(async (script) => {
          const results = await pglite.exec(script);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
}

/**
 * PGlite gives no protection against a second process opening the same directory, and two
 * writers corrupt it. A lock file holding the owner's pid keeps the second one out; a lock left
 * by a process that no longer runs is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, "certsvc.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
        throw new DatabaseInUseError(dataDir, owner);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
