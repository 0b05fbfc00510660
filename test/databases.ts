import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../src/storage/database.js";
import { MIGRATIONS_DIR, migrate, migrationFiles } from "../src/storage/migrate.js";

/** Named after the migrations it holds, so every test process finds the same template. */
export const TEMPLATE_DATABASE = `certsvc_tpl_${createHash("sha256")
  .update(
    migrationFiles()
      .map((name) => readFileSync(join(MIGRATIONS_DIR, name), "utf8"))
      .join("\n"),
  )
  .digest("hex")
  .slice(0, 16)}`;

/** The migrated PGlite database as a tar, written by test/global-setup.ts. */
export const PGLITE_TEMPLATE_FILE = join(tmpdir(), `${TEMPLATE_DATABASE}.pglite.tar`);

export type TestDatabaseKind = "pglite" | "postgres";

/** PGlite always; PostgreSQL server too when DATABASE_URL is set. */
export const DATABASE_KINDS: TestDatabaseKind[] = process.env.DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export interface TestDatabase {
  database: Database;
  kind: TestDatabaseKind;
  /** Connection string of the fresh server database (postgres only), for spawned processes. */
  url: string | null;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  return url;
}

/**
 * A fresh, migrated database: an in-memory PGlite, or a new database on the server copied
 * from the migrated template (created by test/global-setup.ts), dropped again by `drop`.
 */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  if (kind === "pglite") {
    const database = await openDatabase({
      kind: "pglite",
      dataDir: null,
      ...(existsSync(PGLITE_TEMPLATE_FILE)
        ? { loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE_FILE)]) }
        : {}),
    });
    await migrate(database);
    return { database, kind, url: null, drop: () => database.close() };
  }
  const base = serverUrl();
  const name = `certsvc_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      const exists = await admin.query("select 1 from pg_database where datname = $1", [TEMPLATE_DATABASE]);
      try {
        await admin.query(
          exists.rowCount
            ? `create database ${name} template ${TEMPLATE_DATABASE}`
            : `create database ${name}`,
        );
        break;
      } catch (error) {
        // 55006: another session is copying the template at this moment; try again shortly.
        if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(base, name);
  const database = await openDatabase({ kind: "postgres", url, poolSize: options.poolSize ?? 20 });
  await migrate(database);
  return {
    database,
    kind,
    url,
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
