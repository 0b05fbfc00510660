/**
 * Where the CSV import spends its time: imports `rows` new holders' certifications into
 * organization 0 of the benchmark database with Kysely's query log on, prints the time per
 * statement kind against the wall time, then removes what it imported.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/certsvc_bench npx tsx bench/trace-import.ts [rows] [--strict] [--batch n]
 */
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { systemPrincipal } from "../src/domain/principal.js";
import { importCertificationsCsv } from "../src/services/import/import-certifications.js";
import type { DB } from "../src/storage/schema.js";
import { importCsv, organizationId } from "./generate.js";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/certsvc_bench";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { strict: { type: "boolean", default: false }, batch: { type: "string" } },
});
const rows = Number(positionals[0] ?? 20_000);
const strict = values.strict;
const batchSize = values.batch === undefined ? undefined : Number(values.batch);
const pool = new pg.Pool({ connectionString: url, max: 10 });
const byStatement = new Map<string, number[]>();
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool }),
  log(event) {
    const text = event.query.sql.replace(/\s+/g, " ").trim();
    const key =
      /^(select|insert into|update|delete from|with \w+ as \(.*?(?:insert into|update|select \* from unnest))\s*("?\w+"?)?/i
        .exec(text)
        ?.slice(1)
        .join(" ")
        .slice(0, 60) ?? text.slice(0, 40);
    byStatement.set(key, [...(byStatement.get(key) ?? []), event.queryDurationMillis]);
  },
});

const mark = new Date(Date.now() - 1000);
const run = (Date.now() % 0xffffffff).toString(16).padStart(8, "0");
const started = performance.now();
const result = await importCertificationsCsv(
  { db, clock: () => new Date(), warningDays: 30 },
  systemPrincipal("trace"),
  Readable.from(importCsv(rows, run, { notes: "trace" })),
  { organizationId: organizationId(0), skipInvalid: !strict, ...(batchSize ? { batchSize } : {}) },
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${result.imported} of ${result.rows} rows in ${seconds.toFixed(1)} s: ${(result.imported / seconds).toFixed(0)} rows/s (${strict ? "all or nothing" : "skip invalid"}); rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB\n`,
);
let total = 0;
for (const [key, list] of [...byStatement].sort(
  (a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0),
)) {
  const sum = list.reduce((x, y) => x + y, 0);
  total += sum;
  process.stdout.write(
    `  ${key.padEnd(62)} ${String(list.length).padStart(5)} ${(sum / 1000).toFixed(2).padStart(7)} s ${(sum / list.length).toFixed(1).padStart(7)} ms\n`,
  );
}
process.stdout.write(`  statements ${(total / 1000).toFixed(2)} s of ${seconds.toFixed(2)} s wall\n`);
const client = await pool.connect();
try {
  await client.query("begin");
  await client.query("set local session_replication_role = replica");
  for (const [name, column] of [
    ["audit_events", "occurred_at"],
    ["jobs", "created_at"],
    ["certifications", "created_at"],
  ] as const) {
    await client.query(`delete from ${name} where ${column} >= $1`, [mark]);
  }
  await client.query("delete from memberships where user_id::text like $1", [`${run}-%`]);
  await client.query("delete from users where id::text like $1", [`${run}-%`]);
  await client.query("commit");
} finally {
  client.release();
}
await db.destroy();
