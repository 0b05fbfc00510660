import { createHash } from "node:crypto";
import cliProgress from "cli-progress";
import type pg from "pg";
import { copyFrom, csvField } from "./copy.js";
import type { Runner } from "./sql.js";

/**
 * The benchmark data set: `size` certifications over 50 organizations with 20 types each,
 * size/5 peer mentors (one organization each) and a coordinator per organization. Ids are
 * md5-derived UUIDs of the entity's index, so every process can name any entity without asking
 * the database. Every certification is a manual grant by its organization's coordinator.
 */
export const ORGANIZATIONS = 50;
export const TYPES_PER_ORGANIZATION = 20;
/** Certifications per user: each of a different type, so at most one live per user and type. */
export const CERTIFICATIONS_PER_USER = 5;
const DAY = 86_400_000;
const WARNING_DAYS = 30;

const md5Uuid = (text: string) => {
  const hex = createHash("md5").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
export const organizationId = (o: number) => md5Uuid(`bench-org-${o}`);
export const organizationPrefix = (o: number) => `BN${String(o).padStart(2, "0")}`;
export const coordinatorId = (o: number) => md5Uuid(`bench-coord-${o}`);
export const userId = (u: number) => md5Uuid(`bench-user-${u}`);
export const typeId = (o: number, k: number) => md5Uuid(`bench-type-${o}-${k}`);
/** Users are spread round-robin: user u belongs to organization u % 50. */
export const organizationOfUser = (u: number) => u % ORGANIZATIONS;
const validityMonths = (k: number) => [12, 24, 36][k % 3] ?? 24;

export interface Dataset {
  size: number;
  users: number;
  reused: boolean;
}

/** A small deterministic PRNG (mulberry32): the same data set on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLUMNS = [
  "user_id",
  "certification_type_id",
  "organization_id",
  "certificate_number",
  "status",
  "issued_at",
  "expires_at",
  "issued_by_user_id",
  "source",
  "revoked_at",
  "revoked_by_user_id",
  "revocation_reason",
  "expiry_warning_sent_at",
] as const;
type Row = (string | null)[];

/** Certification rows in order, with the counters they use up. */
function* certificationRows(size: number, now: Date, counters: Map<string, number>): Generator<Row> {
  const random = prng(20260101);
  const yearFormat = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Oslo", year: "numeric" });
  const nowMs = now.getTime();
  for (let j = 0; j < size; j++) {
    const u = Math.floor(j / CERTIFICATIONS_PER_USER);
    const slot = j % CERTIFICATIONS_PER_USER;
    const o = organizationOfUser(u);
    const k = (Math.floor(u / ORGANIZATIONS) + 4 * slot) % TYPES_PER_ORGANIZATION;
    // Expiries from a year ago to three years ahead; issued one validity before, never in the future.
    const expires = nowMs - 365 * DAY + Math.floor(random() * 4 * 365 * DAY);
    let issued = expires - Math.round(validityMonths(k) * 30.44 * DAY);
    if (issued > nowMs - DAY) issued = nowMs - DAY - Math.floor(random() * 300 * DAY);
    const revoked = random() < 0.02;
    const revokedAt = revoked
      ? issued + Math.floor(random() * Math.min(nowMs - issued, expires - issued))
      : 0;
    const status = revoked
      ? "revoked"
      : expires <= nowMs
        ? "expired"
        : expires <= nowMs + WARNING_DAYS * DAY
          ? "expiring_soon"
          : "active";
    const prefix = organizationPrefix(o);
    const year = yearFormat.format(new Date(issued));
    const key = `${prefix}|${year}`;
    const sequence = (counters.get(key) ?? 0) + 1;
    counters.set(key, sequence);
    yield [
      userId(u),
      typeId(o, k),
      organizationId(o),
      `${prefix}-${year}-${String(sequence).padStart(5, "0")}`,
      status,
      new Date(issued).toISOString(),
      new Date(expires).toISOString(),
      coordinatorId(o),
      "manual_grant",
      revoked ? new Date(revokedAt).toISOString() : null,
      revoked ? coordinatorId(o) : null,
      revoked ? "Revoked in the benchmark data set" : null,
      // As if the sweep had already run: those in their window have had their reminder.
      status === "expiring_soon" ? now.toISOString() : null,
    ];
  }
}

async function existing(runner: Runner): Promise<{ size: number | null; certifications: number }> {
  const [meta] = await runner.query<{ present: boolean }>(
    "select to_regclass('bench_dataset') is not null as present",
  );
  const size = meta?.present
    ? ((await runner.query<{ size: number }>("select size from bench_dataset limit 1"))[0]?.size ?? null)
    : null;
  const [count] = await runner.query<{ n: number }>(
    "select count(*)::int as n from (select 1 from certifications limit 1) c",
  );
  const certifications =
    size === null
      ? (count?.n ?? 0)
      : ((await runner.query<{ n: number }>("select count(*)::int as n from certifications"))[0]?.n ?? 0);
  return { size, certifications };
}

/** Empties every table of a half-made data set (the delete and truncate guards are triggers). */
async function wipe(runner: Runner): Promise<void> {
  await runner.transaction(async (query) => {
    await query("set local session_replication_role = replica");
    await query(`truncate user_badges, jobs, idempotency_keys, audit_events, certificate_counters,
      certifications, course_registrations, certification_types, memberships, users, organizations`);
    await query("drop table if exists bench_dataset");
  });
}

/**
 * Makes sure the data set of `size` certifications is there: reused when it is, else generated.
 * On PostgreSQL server the certifications go in with COPY; on PGlite with multi-row INSERTs.
 */
export async function ensureDataset(
  runner: Runner,
  size: number,
  copyClient: (() => Promise<pg.PoolClient>) | null,
): Promise<Dataset> {
  const users = Math.floor(size / CERTIFICATIONS_PER_USER);
  const found = await existing(runner);
  if (found.size === size && found.certifications >= size) return { size, users, reused: true };
  if (found.size !== null || found.certifications > 0) await wipe(runner);

  const now = new Date();
  await runner.transaction(async (query) => {
    await query(
      `insert into organizations (id, name, prefix)
       select md5('bench-org-' || o)::uuid, 'Bench organization ' || o, 'BN' || lpad(o::text, 2, '0')
       from generate_series(0, $1::int - 1) o`,
      [ORGANIZATIONS],
    );
    await query(
      `insert into users (id, display_name)
       select md5('bench-user-' || u)::uuid, 'Bench Mentor ' || u from generate_series(0, $1::int - 1) u
       union all
       select md5('bench-coord-' || o)::uuid, 'Bench Coordinator ' || o from generate_series(0, $2::int - 1) o`,
      [users, ORGANIZATIONS],
    );
    await query(
      `insert into memberships (organization_id, user_id, role)
       select md5('bench-org-' || (u % $2::int))::uuid, md5('bench-user-' || u)::uuid, 'peer_mentor'::membership_role
       from generate_series(0, $1::int - 1) u
       union all
       select md5('bench-org-' || o)::uuid, md5('bench-coord-' || o)::uuid, 'coordinator'::membership_role
       from generate_series(0, $2::int - 1) o`,
      [users, ORGANIZATIONS],
    );
    await query(
      `insert into certification_types (id, organization_id, name, validity_months)
       select md5('bench-type-' || o || '-' || k)::uuid, md5('bench-org-' || o)::uuid,
         'Bench type ' || k, (array[12, 24, 36])[k % 3 + 1]
       from generate_series(0, $1::int - 1) o, generate_series(0, $2::int - 1) k`,
      [ORGANIZATIONS, TYPES_PER_ORGANIZATION],
    );
  });

  const counters = new Map<string, number>();
  const bar = new cliProgress.SingleBar(
    { format: "generating certifications [{bar}] {percentage}% {value}/{total} {eta}s left", etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(size, 0);
  const rows = certificationRows(size, now, counters);
  const chunkRows = 5000;
  if (copyClient) {
    const client = await copyClient();
    try {
      async function* csv(): AsyncGenerator<string> {
        let lines: string[] = [];
        for (const row of rows) {
          lines.push(row.map(csvField).join(","));
          if (lines.length === chunkRows) {
            yield `${lines.join("\n")}\n`;
            bar.increment(lines.length);
            lines = [];
          }
        }
        if (lines.length > 0) yield `${lines.join("\n")}\n`;
        bar.increment(lines.length);
      }
      await copyFrom(
        client,
        `copy certifications (${COLUMNS.join(", ")}) from stdin with (format csv)`,
        csv(),
      );
    } finally {
      client.release();
    }
  } else {
    const batch = 1000;
    let values: Row[] = [];
    const flush = async () => {
      const params = values.flat();
      const tuples = values.map(
        (_, i) => `(${COLUMNS.map((_c, c) => `$${i * COLUMNS.length + c + 1}`).join(", ")})`,
      );
      await runner.query(
        `insert into certifications (${COLUMNS.join(", ")}) values ${tuples.join(", ")}`,
        params,
      );
      bar.increment(values.length);
      values = [];
    };
    for (const row of rows) {
      values.push(row);
      if (values.length === batch) await flush();
    }
    if (values.length > 0) await flush();
  }
  bar.stop();

  for (const [key, last] of counters) {
    const [prefix, year] = key.split("|");
    await runner.query(
      `insert into certificate_counters (prefix, year, last_value) values ($1, $2, $3)
       on conflict (prefix, year) do update set last_value = greatest(certificate_counters.last_value, $3)`,
      [prefix, Number(year), last],
    );
  }
  await runner.query(
    "create table if not exists bench_dataset (size integer not null, generated_at timestamptz not null)",
  );
  await runner.query("insert into bench_dataset (size, generated_at) values ($1, $2)", [size, now]);
  // Sets hint bits and the visibility map now, not during the first measured reads.
  await runner.query("vacuum analyze");
  return { size, users, reused: false };
}

/** The holder of the `u`th imported row group of an import run: a user id unique to the run. */
export const importHolderId = (run: string, u: number) => {
  const hex = (u + 1).toString(16).padStart(12, "0");
  return `${run}-${hex.slice(0, 4)}-4000-8000-${hex}`;
};

/**
 * The benchmark's import file, in chunks of 1 000 lines: `rows` certifications of new holders
 * (five types each) into organization 0, issued a month ago. Stops early after `deadline`
 * (performance.now()), so that a slow import cannot hold a whole run.
 */
export function* importCsv(
  rows: number,
  run: string,
  options: { deadline?: number; notes?: string } = {},
): Generator<string> {
  yield "user_id,display_name,certification_type_id,issued_at,expires_at,notes\n";
  const issued = new Date(Date.now() - 30 * DAY).toISOString();
  const expires = new Date(Date.now() + 700 * DAY).toISOString();
  const notes = options.notes ?? "Imported in the benchmark";
  let lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const u = Math.floor(i / CERTIFICATIONS_PER_USER);
    const type = typeId(0, ((i % CERTIFICATIONS_PER_USER) * 4) % TYPES_PER_ORGANIZATION);
    lines.push(`${importHolderId(run, u)},Imported Holder ${u},${type},${issued},${expires},${notes}`);
    if (lines.length === 1000) {
      yield `${lines.join("\n")}\n`;
      lines = [];
      if (options.deadline !== undefined && performance.now() > options.deadline) return;
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`;
}
