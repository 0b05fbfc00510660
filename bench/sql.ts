import { CompiledQuery } from "kysely";
import pg from "pg";
import type { Db } from "../src/storage/database.js";

/**
 * The driver under the bare limit and the raw-SQL loops: the pg Pool on PostgreSQL server (the
 * service's own driver, a pool of the same size), or PGlite through the same Kysely instance the
 * service uses (PGlite has one connection; there is no other way in).
 */
export interface Runner {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** One transaction on one connection. */
  transaction<T>(work: (query: Runner["query"]) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function pgRunner(url: string, poolSize: number): Runner & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on("error", () => {});
  return {
    pool,
    async query<R>(text: string, params: readonly unknown[] = []) {
      return (await pool.query(text, params as unknown[])).rows as R[];
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await work(
          async <R>(text: string, params: readonly unknown[] = []) =>
            (await client.query(text, params as unknown[])).rows as R[],
        );
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export function kyselyRunner(db: Db): Runner {
  return {
    async query<R>(text: string, params: readonly unknown[] = []) {
      return (await db.executeQuery(CompiledQuery.raw(text, [...params]))).rows as R[];
    },
    async transaction(work) {
      return db
        .transaction()
        .execute((trx) =>
          work(
            async <R>(text: string, params: readonly unknown[] = []) =>
              (await trx.executeQuery(CompiledQuery.raw(text, [...params]))).rows as R[],
          ),
        );
    },
    async close() {},
  };
}

// The statements of the limits: what the service's storage layer sends, each answer in one
// statement where the service needs one (eligibility: the type and the deciding record at once).

/** A certification's warning window (src/storage/certification-sql.ts warningDaysSql), row `c`, type `t`. */
export const WARNING_DAYS_SQL = `case when t.has_kept_windows then coalesce((select w.warning_days
  from certification_warning_windows w where w.certification_id = c.id), t.warning_days)
  else t.warning_days end`;

export const ELIGIBILITY_SQL = `select t.id as type_id, t.organization_id as type_organization_id,
  ${WARNING_DAYS_SQL} as type_warning_days, c.*
from certification_types t
left join lateral (
  select * from certifications c
  where c.user_id = $1 and c.certification_type_id = t.id
  order by c.revoked_at is null desc, c.expires_at is null desc, c.expires_at desc
  limit 1) c on true
where t.id = $2`;

/** The holder's name from the directory, which staff answers carry (src/storage/certifications.ts). */
const HOLDER_NAME_SQL = "(select u.display_name from users u where u.id = c.user_id)";

export const GET_BY_ID_SQL = `select c.*, ${WARNING_DAYS_SQL} as type_warning_days,
  ${HOLDER_NAME_SQL} as holder_display_name
from certifications c inner join certification_types t on t.id = c.certification_type_id
where c.id = $1`;

export const LIST_PAGE_SQL = `select c.*, ${WARNING_DAYS_SQL} as type_warning_days,
  ${HOLDER_NAME_SQL} as holder_display_name
from certifications c inner join certification_types t on t.id = c.certification_type_id
where c.organization_id = $1
order by c.id desc limit $2`;

export interface IssueTarget {
  organizationId: string;
  prefix: string;
  userId: string;
  typeId: string;
  issuerId: string;
}

const yearFormat = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Oslo", year: "numeric" });

/**
 * The plain issuing transaction: counter upsert, certification insert, audit insert, badge job
 * insert. No checks beyond the schema's own (constraints and the insert trigger run all the same).
 */
export async function issuePlain(runner: Runner, target: IssueTarget): Promise<Record<string, unknown>> {
  const now = new Date();
  const year = Number(yearFormat.format(now));
  return runner.transaction(async (query) => {
    const [counter] = await query<{ last_value: number }>(
      `insert into certificate_counters (prefix, year, last_value) values ($1, $2, 1)
       on conflict (prefix, year) do update set last_value = certificate_counters.last_value + 1
       returning last_value`,
      [target.prefix, year],
    );
    const number = `${target.prefix}-${year}-${String(counter?.last_value ?? 0).padStart(5, "0")}`;
    const [row] = await query<Record<string, unknown> & { id: string }>(
      `insert into certifications (user_id, certification_type_id, organization_id, certificate_number,
         status, issued_at, expires_at, issued_by_user_id, source)
       values ($1, $2, $3, $4, 'active', $5, $5::timestamptz + interval '24 months', $6, 'manual_grant')
       returning *`,
      [target.userId, target.typeId, target.organizationId, number, now, target.issuerId],
    );
    if (!row) throw new Error("insert returned nothing");
    await query(
      `insert into audit_events (entity_type, entity_id, organization_id, action, actor_user_id, actor,
         after, occurred_at)
       values ('certification', $1, $2, 'issued', $3, $4, $5, $6)`,
      [row.id, target.organizationId, target.issuerId, `user:${target.issuerId}`, JSON.stringify(row), now],
    );
    await query(`insert into jobs (queue, payload) values ('badge-evaluation', $1)`, [
      JSON.stringify({ user_id: target.userId, certification_id: row.id, reason: "issued" }),
    ]);
    return row;
  });
}
