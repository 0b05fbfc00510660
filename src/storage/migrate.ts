import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "./database.js";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "migrations");

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 7_311_204_651;

export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort();
}

/**
 * Applies the migrations not yet applied, each in its own transaction, in file-name order.
 * A session advisory lock lets any number of processes start at once: one migrates, the others
 * wait and then find nothing left to do.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  return database.session(async (run) => {
    await run(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await run(`create table if not exists schema_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`);
      const done = new Set((await run("select name from schema_migrations")).map((row) => String(row.name)));
      const applied: string[] = [];
      for (const name of migrationFiles(dir)) {
        if (done.has(name)) continue;
        const script = readFileSync(join(dir, name), "utf8");
        // File names match /^\d{4}_[a-z0-9_]+\.sql$/, so they are safe inside a literal.
        await run(`begin;\n${script}\n;insert into schema_migrations (name) values ('${name}');\ncommit;`);
        applied.push(name);
      }
      return applied;
    } catch (error) {
      await run("rollback").catch(() => {});
      throw error;
    } finally {
      await run(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}

/** Names of migrations in the directory that the database has not applied. */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const exists = await sql<{
    present: boolean;
  }>`select to_regclass('schema_migrations') is not null as present`
    .execute(database.db)
    .then((result) => result.rows[0]?.present === true);
  if (!exists) return migrationFiles(dir);
  const done = new Set(
    (await database.db.selectFrom("schema_migrations").select("name").execute()).map((row) => row.name),
  );
  return migrationFiles(dir).filter((name) => !done.has(name));
}
