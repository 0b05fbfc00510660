import { sql } from "kysely";
import type { Queryable } from "./database.js";
import type { StatusListRow, StatusPurpose } from "./schema.js";

/**
 * Bitstring Status Lists: per organization and purpose, each certification at a random index of
 * a list (credential_status_entries), no two at the same index of one list. A list's bits are
 * not stored: they are read from the certifications at the moment the list is served, so a
 * revocation, suspension or unsuspension shows in the next list served, on any database.
 */

export const STATUS_LIST_LENGTH = 131_072;
/** A list takes new entries until half full, so a random free index is found at once. */
const LIST_CAPACITY = STATUS_LIST_LENGTH / 2;

export interface StatusEntry {
  purpose: StatusPurpose;
  status_list_id: string;
  status_index: number;
}

export async function findStatusList(db: Queryable, id: string): Promise<StatusListRow | undefined> {
  return db.selectFrom("status_lists").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findStatusEntries(db: Queryable, certificationId: string): Promise<StatusEntry[]> {
  return db
    .selectFrom("credential_status_entries")
    .select(["purpose", "status_list_id", "status_index"])
    .where("certification_id", "=", certificationId)
    .execute();
}

/** The organization's list of a purpose that has room, made when there is none. */
async function openList(
  db: Queryable,
  organizationId: string,
  purpose: StatusPurpose,
): Promise<StatusListRow> {
  const { rows } = await sql<StatusListRow>`
    select l.* from status_lists l
    where l.organization_id = ${organizationId} and l.purpose = ${purpose}
      and (select count(*) from credential_status_entries e where e.status_list_id = l.id) < ${LIST_CAPACITY}
    order by l.id desc limit 1`.execute(db);
  const open = rows[0];
  if (open) return open;
  return db
    .insertInto("status_lists")
    .values({ organization_id: organizationId, purpose, length: STATUS_LIST_LENGTH })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Gives each certification of `certificationIds` (all of one organization) that has none an
 * entry of `purpose` at a random free index of the organization's list, in one statement for
 * the whole set: candidates are drawn at random, those taken are dropped, and the rest are
 * handed out in a shuffled order. A draw that collides (with itself or a concurrent one) leaves
 * that certification for the next round.
 */
export async function assignStatusEntries(
  db: Queryable,
  organizationId: string,
  purpose: StatusPurpose,
  certificationIds: readonly string[],
): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const list = await openList(db, organizationId, purpose);
    const { rows } = await sql<{ missing: number; assigned: number }>`
      with wanted as (
        select c.id, row_number() over (order by random()) as k
        from unnest(${[...certificationIds]}::text[]::uuid[]) as c(id)
        where not exists (select 1 from credential_status_entries e
                          where e.certification_id = c.id and e.purpose = ${purpose})
        limit ${LIST_CAPACITY}
      ), drawn as (
        select distinct floor(random() * ${list.length}::int)::int as idx
        from generate_series(1, (select count(*) from wanted)::int * 2 + 8)
      ), free as (
        select d.idx, row_number() over (order by random()) as k
        from drawn d
        where not exists (select 1 from credential_status_entries e
                          where e.status_list_id = ${list.id} and e.status_index = d.idx)
      ), inserted as (
        insert into credential_status_entries (certification_id, purpose, status_list_id, status_index)
        select w.id, ${purpose}, ${list.id}::uuid, f.idx from wanted w join free f using (k)
        on conflict do nothing
        returning 1
      )
      select (select count(*) from wanted)::int as missing, (select count(*) from inserted)::int as assigned`.execute(
      db,
    );
    const row = rows[0];
    if (!row || row.missing === row.assigned) return;
  }
  throw new Error("could not find free status list indexes");
}

/** The indexes of a list whose bit is set now: revoked ones, or ones with an open suspension. */
export async function setIndexes(db: Queryable, list: StatusListRow): Promise<number[]> {
  const condition =
    list.purpose === "revocation"
      ? sql`c.revoked_at is not null`
      : sql`exists (select 1 from certification_suspensions s
                    where s.certification_id = c.id and s.lifted_at is null)`;
  const { rows } = await sql<{ status_index: number }>`
    select e.status_index from credential_status_entries e
    join certifications c on c.id = e.certification_id
    where e.status_list_id = ${list.id} and ${condition}
    order by e.status_index`.execute(db);
  return rows.map((row) => row.status_index);
}

/** What a credential of a certification says beyond the record: its type, organization and holder. */
export async function findCredentialFacts(
  db: Queryable,
  certificationId: string,
): Promise<{ type_name: string; organization_name: string; display_name: string } | undefined> {
  return db
    .selectFrom("certifications as c")
    .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
    .innerJoin("organizations as o", "o.id", "c.organization_id")
    .innerJoin("users as u", "u.id", "c.user_id")
    .select(["t.name as type_name", "o.name as organization_name", "u.display_name"])
    .where("c.id", "=", certificationId)
    .executeTakeFirst();
}
