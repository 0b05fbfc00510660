import { sql } from "kysely";
import { expect } from "vitest";
import type { DomainError, ErrorCode } from "../src/domain/errors.js";
import type { Db } from "../src/storage/database.js";

/** Tables a rejected operation must leave untouched, in a stable order of rows. */
export const WRITTEN_TABLES = [
  "certifications",
  "audit_events",
  "jobs",
  "certificate_counters",
  "idempotency_keys",
  "organizations",
  "users",
  "memberships",
  "certification_types",
  "course_registrations",
  "certification_suspensions",
] as const;

export type WrittenTable = (typeof WRITTEN_TABLES)[number];

const ORDER: Record<WrittenTable, string> = {
  certifications: "id",
  audit_events: "id",
  jobs: "id",
  certificate_counters: "prefix, year",
  idempotency_keys: "principal, key",
  organizations: "id",
  users: "id",
  memberships: "organization_id, user_id",
  certification_types: "id",
  course_registrations: "id",
  certification_suspensions: "id",
};

/** Every row of the written tables, serialized: two equal snapshots mean nothing was written. */
export async function snapshotTables(
  db: Db,
  tables: readonly WrittenTable[] = WRITTEN_TABLES,
): Promise<string> {
  const parts: Record<string, unknown[]> = {};
  for (const table of tables) {
    const result = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.raw(
      ORDER[table],
    )}`.execute(db);
    parts[table] = result.rows;
  }
  return JSON.stringify(parts);
}

/** Row counts of the written tables. */
export async function countRows(db: Db): Promise<Record<WrittenTable, number>> {
  const counts = {} as Record<WrittenTable, number>;
  for (const table of WRITTEN_TABLES) {
    const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    counts[table] = result.rows[0]?.n ?? -1;
  }
  return counts;
}

/** The code of the DomainError `work` fails with; fails the test if it succeeds or fails otherwise. */
export async function failureCode(work: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Error && error.name === "DomainError") return (error as DomainError).code;
    throw error;
  }
  throw new Error("expected the operation to fail, but it succeeded");
}

/**
 * Runs `work`, expects it to fail with `code`, and expects every written table (row counts and
 * contents) to be exactly as before.
 */
export async function expectRejectedWithoutWrites(
  db: Db,
  code: ErrorCode,
  work: () => Promise<unknown>,
): Promise<void> {
  const countsBefore = await countRows(db);
  const before = await snapshotTables(db);
  expect(await failureCode(work)).toBe(code);
  expect(await countRows(db)).toEqual(countsBefore);
  expect(await snapshotTables(db)).toBe(before);
}

/** A raw SQL statement the database refuses: resolves to the error's SQLSTATE and constraint. */
export async function databaseRefusal(
  work: () => Promise<unknown>,
): Promise<{ code: string; constraint?: string }> {
  try {
    await work();
  } catch (error) {
    const { code, constraint } = error as { code?: unknown; constraint?: unknown };
    if (typeof code === "string") {
      return typeof constraint === "string" ? { code, constraint } : { code };
    }
    throw error;
  }
  throw new Error("expected the database to refuse the statement, but it accepted it");
}
