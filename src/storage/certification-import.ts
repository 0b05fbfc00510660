import { sql } from "kysely";
import { certificationJsonSql, lapsedSql, liveByDatesSql } from "./certification-sql.js";
import type { Queryable, Tx } from "./database.js";
import { orderedIds } from "./ordered-ids.js";
import type { CertificationRow, CertificationStatus, CertificationTypeRow } from "./schema.js";

/**
 * The set-based statements of the CSV import: each takes a whole batch of rows in one round trip
 * (arrays unnested on the server) so that a batch of a thousand rows costs a handful of
 * statements rather than a dozen per row. Arrays travel as text[] and are cast on the server,
 * which reads the same on `pg` and on PGlite.
 */

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

/** The users of `userIds` who are members of the organization (in any role). */
export async function findMemberIds(
  db: Queryable,
  organizationId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await sql<{ user_id: string }>`
    select user_id from memberships
    where organization_id = ${organizationId} and user_id = any(${[...userIds]}::text[]::uuid[])`.execute(db);
  return new Set(rows.map((row) => row.user_id));
}

/** The users of `userIds` who exist and were not created by the organization (not its to enrol). */
export async function findUsersOwnedElsewhere(
  db: Queryable,
  organizationId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    select id from users
    where id = any(${[...userIds]}::text[]::uuid[])
      and home_organization_id is distinct from ${organizationId}::uuid`.execute(db);
  return new Set(rows.map((row) => row.id));
}

/** Certification types by id, wherever they belong (the caller checks the organization). */
export async function findTypesById(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, CertificationTypeRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("certification_types")
    .selectAll()
    .where(sql<boolean>`id = any(${[...ids]}::text[]::uuid[])`)
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

export interface HeldRecord {
  id: string;
  user_id: string;
  certification_type_id: string;
  status: CertificationStatus;
  expires_at: Date | null;
}

/**
 * The unrevoked certifications of the (user, type) pairs that are live by their dates at `now`,
 * or still stored as live although their date has passed (to be expired before a new one goes in).
 */
export async function findHeldRecords(
  db: Queryable,
  pairs: readonly { userId: string; typeId: string }[],
  now: Date,
): Promise<HeldRecord[]> {
  if (pairs.length === 0) return [];
  const { rows } = await sql<HeldRecord>`
    select c.id, c.user_id, c.certification_type_id, c.status, c.expires_at
    from unnest(${pairs.map((p) => p.userId)}::text[]::uuid[],
                ${pairs.map((p) => p.typeId)}::text[]::uuid[]) as p(user_id, type_id)
    join certifications c on c.user_id = p.user_id and c.certification_type_id = p.type_id
    where ${liveByDatesSql("c", now)} or (c.revoked_at is null and ${lapsedSql("c", now)})`.execute(db);
  return rows;
}

/** A certification of a (user, type) pair, as the import compares a row with it. */
export interface PairRecord {
  user_id: string;
  certification_type_id: string;
  certificate_number: string;
  issued_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** Every certification of the organization held by the pairs, revoked and expired ones too. */
export async function findPairRecords(
  db: Queryable,
  organizationId: string,
  pairs: readonly { userId: string; typeId: string }[],
): Promise<PairRecord[]> {
  if (pairs.length === 0) return [];
  const { rows } = await sql<PairRecord>`
    select c.user_id, c.certification_type_id, c.certificate_number, c.issued_at, c.expires_at, c.revoked_at
    from unnest(${pairs.map((p) => p.userId)}::text[]::uuid[],
                ${pairs.map((p) => p.typeId)}::text[]::uuid[]) as p(user_id, type_id)
    join certifications c on c.user_id = p.user_id and c.certification_type_id = p.type_id
    where c.organization_id = ${organizationId}`.execute(db);
  return rows;
}

// First key of the import's advisory locks (the second is the organization's hash).
const IMPORT_LOCK = 120_801;

/**
 * Serialises imports into one organization until the transaction ends, across every process on
 * the database: a second run waits, then sees what the first wrote.
 */
export async function lockOrganizationImports(trx: Tx, organizationId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${IMPORT_LOCK}::int, hashtext(${organizationId}::text))`.execute(
    trx,
  );
}

/** Persists `expired` on rows stored as live whose date has passed; returns them as they are now. */
export async function expireRecords(trx: Tx, ids: readonly string[], now: Date): Promise<CertificationRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<CertificationRow>`
    update certifications set status = 'expired'
    where id = any(${[...ids]}::text[]::uuid[]) and ${lapsedSql("certifications", now)}
    returning *`.execute(trx);
  return rows;
}

/**
 * Makes each person a peer mentor of the organization, creating the user when new (an existing
 * user keeps their name; one of another organization is left alone). Returns those who became
 * members, with the name they have.
 */
export async function addPeerMentors(
  trx: Tx,
  organizationId: string,
  people: readonly { userId: string; displayName: string }[],
  /** A global admin's import may enrol existing users of other organizations too. */
  anyUser = false,
): Promise<{ user_id: string; display_name: string }[]> {
  if (people.length === 0) return [];
  const ids = people.map((p) => p.userId);
  const { rows } = await sql<{ user_id: string; display_name: string }>`
    with people as (
      select * from unnest(${ids}::text[]::uuid[], ${people.map((p) => p.displayName)}::text[])
        as p(id, display_name)
    ), created as (
      insert into users (id, display_name, home_organization_id)
      select id, display_name, ${organizationId}::uuid from people
      on conflict (id) do nothing
      returning id
    ), own as (
      -- New users, and existing ones this organization created: another organization's user is
      -- not this one's to enrol (the row then fails as a holder who is not a member).
      select id from created
      union
      select u.id from users u join people p on p.id = u.id
      where ${anyUser} or u.home_organization_id = ${organizationId}::uuid
    ), added as (
      insert into memberships (organization_id, user_id, role)
      select ${organizationId}::uuid, id, 'peer_mentor' from own
      on conflict do nothing
      returning user_id
    )
    select a.user_id, coalesce(u.display_name, p.display_name) as display_name
    from added a join people p on p.id = a.user_id left join users u on u.id = a.user_id`.execute(trx);
  return rows;
}

/**
 * Draws `count` consecutive numbers of a prefix and year and returns the first. The counter row
 * stays locked until the transaction ends, so a rolled-back import gives its numbers back.
 */
export async function drawSequences(trx: Tx, prefix: string, year: number, count: number): Promise<number> {
  const row = await trx
    .insertInto("certificate_counters")
    .values({ prefix, year, last_value: count })
    .onConflict((oc) =>
      oc
        .columns(["prefix", "year"])
        .doUpdateSet({ last_value: sql`certificate_counters.last_value + excluded.last_value` }),
    )
    .returning("last_value")
    .executeTakeFirstOrThrow();
  return row.last_value - count + 1;
}

export interface ImportedCertification {
  user_id: string;
  certification_type_id: string;
  organization_id: string;
  certificate_number: string;
  status: CertificationStatus;
  /** The status its dates give, whatever it was imported as (a revoked row's `issued` view). */
  dated_status: CertificationStatus;
  issued_at: Date;
  expires_at: Date | null;
  issued_by_user_id: string | null;
  notes: string | null;
  revoked_at: Date | null;
  revoked_by_user_id: string | null;
  revocation_reason: string | null;
}

/** Who imports, for the audit events written with the rows. */
export interface ImportActor {
  userId: string | null;
  name: string;
  occurredAt: Date;
}

/** The view of an imported row before its revocation: its dated status, no revocation. */
const issuedViewSql = (row: string) =>
  certificationJsonSql(row, {
    status: sql.ref(`${row}.dated_status`),
    revoked_at: sql`null`,
    revoked_by_user_id: sql`null`,
    revocation_reason: sql`null`,
  });

/**
 * Inserts manual grants in one statement, every constraint and trigger of the table applying,
 * with their audit events: `issued` for each, then `revoked` for one imported as revoked (its
 * `issued` view shows it as it was before, with its dated status). The views are built by the
 * database from the rows as inserted, so no JSON travels; returns the rows.
 */
export async function insertImportedCertifications(
  trx: Tx,
  rows: readonly ImportedCertification[],
  actor: ImportActor,
): Promise<{ id: string; certificate_number: string; user_id: string }[]> {
  if (rows.length === 0) return [];
  const { rows: inserted } = await sql<{ id: string; certificate_number: string; user_id: string }>`
    with r as (
      select * from unnest(
        ${rows.map((r) => r.user_id)}::text[]::uuid[],
        ${rows.map((r) => r.certification_type_id)}::text[]::uuid[],
        ${rows.map((r) => r.organization_id)}::text[]::uuid[],
        ${rows.map((r) => r.certificate_number)}::text[],
        ${rows.map((r) => r.status)}::text[]::certification_status[],
        ${rows.map((r) => r.dated_status)}::text[],
        ${rows.map((r) => iso(r.issued_at))}::text[]::timestamptz[],
        ${rows.map((r) => iso(r.expires_at))}::text[]::timestamptz[],
        ${rows.map((r) => r.issued_by_user_id)}::text[]::uuid[],
        ${rows.map((r) => r.notes)}::text[],
        ${rows.map((r) => iso(r.revoked_at))}::text[]::timestamptz[],
        ${rows.map((r) => r.revoked_by_user_id)}::text[]::uuid[],
        ${rows.map((r) => r.revocation_reason)}::text[]
      ) with ordinality as r(user_id, type_id, organization_id, certificate_number, status, dated_status,
                             issued_at, expires_at, issued_by, notes, revoked_at, revoked_by, reason, n)
    ),
    ${orderedIds("r")},
    rows as (
      select ids.ids[r.n] as id, r.*, now() as stamped, 'manual_grant'::certification_source as source
      from r cross join ids
    ),
    inserted as (
      insert into certifications (id, user_id, certification_type_id, organization_id, certificate_number,
        status, issued_at, expires_at, issued_by_user_id, source, notes, revoked_at, revoked_by_user_id,
        revocation_reason, created_at, updated_at)
      select id, user_id, type_id, organization_id, certificate_number, status, issued_at, expires_at,
        issued_by, source, notes, revoked_at, revoked_by, reason, stamped, stamped
      from rows
      returning id, certificate_number, user_id
    ),
    -- The events are built from the same values the rows were inserted with.
    events as (
      select v.*, e.k, row_number() over (order by v.n, e.k) as m
      from (select id, user_id, type_id as certification_type_id, organization_id, certificate_number,
              dated_status, issued_at, expires_at, issued_by as issued_by_user_id, source,
              null::uuid as course_registration_id, revoked_at, revoked_by as revoked_by_user_id,
              reason as revocation_reason, null::timestamptz as expiry_warning_sent_at, notes,
              stamped as created_at, stamped as updated_at, n
            from rows) v
      cross join lateral (values (1), (2)) as e(k)
      where e.k = 1 or v.revoked_at is not null
    ),
    event_ids as (
      select array_agg(id order by id) as ids from (select certsvc_uuid_v7() as id from events) g
    ),
    audit as (
      insert into audit_events (id, entity_type, entity_id, organization_id, action, actor_user_id, actor,
        reason, before, after, occurred_at)
      select event_ids.ids[e.m], 'certification', e.id, e.organization_id,
        case e.k when 1 then 'issued' else 'revoked' end,
        ${actor.userId}::uuid, ${actor.name}::text,
        case e.k when 1 then null else e.revocation_reason end,
        case e.k when 1 then null else ${issuedViewSql("e")} end,
        case e.k when 1 then ${issuedViewSql("e")} else ${certificationJsonSql("e", { status: sql`'revoked'` })} end,
        ${actor.occurredAt}::timestamptz
      from events e cross join event_ids
    )
    select id, certificate_number, user_id from inserted`.execute(trx);
  return inserted;
}
