/**
 * Where an issuance spends its time: runs grantCertification (with an Idempotency-Key) at 8
 * concurrent callers on the benchmark database with Kysely's query log on, and prints the time
 * per statement kind, then removes what it issued.
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/certsvc_bench npx tsx bench/trace-issue.ts [count] [--hot]
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { grantCertification } from "../src/services/issue-certification.js";
import { loadUserPrincipal } from "../src/services/principals.js";
import type { DB } from "../src/storage/schema.js";
import { coordinatorId, ORGANIZATIONS, organizationId } from "./generate.js";
import { percentile } from "./measure.js";

const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/certsvc_bench";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { hot: { type: "boolean", default: false } },
});
const count = Number(positionals[0] ?? 400);
const hot = values.hot;
const pool = new pg.Pool({ connectionString: url, max: 10 });
const byStatement = new Map<string, number[]>();
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool }),
  log(event) {
    const text = event.query.sql.replace(/\s+/g, " ");
    const key =
      /^(select|insert into|update|delete from|with)\s+("?\w+"?)/i.exec(text)?.slice(1).join(" ") ??
      text.slice(0, 40);
    byStatement.set(key, [...(byStatement.get(key) ?? []), event.queryDurationMillis]);
  },
});

const mark = new Date(Date.now() - 1000);
const candidates = (
  await pool.query<{ u: string; t: string; org: string }>(
    `select m.user_id as u, t.id as t, m.organization_id as org from memberships m
     join certification_types t on t.organization_id = m.organization_id
     where m.role = 'peer_mentor' ${hot ? "and m.organization_id = $2" : ""}
       and not exists (select 1 from certifications c where c.user_id = m.user_id
         and c.certification_type_id = t.id and c.status not in ('expired', 'revoked'))
     order by md5(m.user_id::text || t.id::text) limit $1`,
    hot ? [count, organizationId(0)] : [count],
  )
).rows;
const principals = new Map<string, Awaited<ReturnType<typeof loadUserPrincipal>>>();
for (let o = 0; o < ORGANIZATIONS; o++)
  principals.set(organizationId(o), await loadUserPrincipal(db, coordinatorId(o)));
const ctx = { db, clock: () => new Date(), warningDays: 30 };
byStatement.clear();
const totals: number[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let i = next++; i < candidates.length; i = next++) {
      const c = candidates[i];
      if (!c) return;
      const t0 = performance.now();
      await grantCertification(
        ctx,
        principals.get(c.org) ?? { kind: "system", name: "bench" },
        { organizationId: c.org, userId: c.u, certificationTypeId: c.t },
        { key: randomUUID(), fingerprint: { user_id: c.u, certification_type_id: c.t } },
      );
      totals.push(performance.now() - t0);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
totals.sort((a, b) => a - b);
process.stdout.write(
  `${candidates.length} grants in ${seconds.toFixed(1)} s: ${(candidates.length / seconds).toFixed(0)}/s; p50 ${percentile(totals, 50).toFixed(1)} ms, p99 ${percentile(totals, 99).toFixed(1)} ms\n`,
);
process.stdout.write(
  "statement (as Kysely timed it, incl. waiting for a pooled connection's turn): n, mean ms, p99 ms\n",
);
for (const [key, list] of [...byStatement].sort(
  (a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0),
)) {
  list.sort((a, b) => a - b);
  const mean = list.reduce((x, y) => x + y, 0) / list.length;
  process.stdout.write(
    `  ${key.padEnd(44)} ${String(list.length).padStart(5)} ${mean.toFixed(2).padStart(8)} ${percentile(list, 99).toFixed(2).padStart(8)}\n`,
  );
}
const client = await pool.connect();
try {
  await client.query("begin");
  await client.query("set local session_replication_role = replica");
  for (const table of [
    "audit_events|occurred_at",
    "jobs|created_at",
    "idempotency_keys|created_at",
    "certifications|created_at",
  ]) {
    const [name, column] = table.split("|");
    await client.query(`delete from ${name} where ${column} >= $1`, [mark]);
  }
  await client.query("commit");
} finally {
  client.release();
}
await db.destroy();
