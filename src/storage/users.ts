import { sql } from "kysely";
import type { Role } from "../domain/principal.js";
import type { Queryable, Tx } from "./database.js";
import type { UserRow } from "./schema.js";

export async function findUser(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Creates the user, or renames it when `displayName` is given. */
export async function upsertUser(trx: Tx, id: string, displayName: string): Promise<UserRow> {
  return trx
    .insertInto("users")
    .values({ id, display_name: displayName })
    .onConflict((oc) => oc.column("id").doUpdateSet({ display_name: displayName }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Creates the user as one of `homeOrganizationId`; undefined when the id was taken meanwhile. */
export async function createUser(
  trx: Tx,
  id: string,
  displayName: string,
  homeOrganizationId: string | null,
): Promise<UserRow | undefined> {
  return trx
    .insertInto("users")
    .values({ id, display_name: displayName, home_organization_id: homeOrganizationId })
    .onConflict((oc) => oc.column("id").doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function renameUser(trx: Tx, id: string, displayName: string): Promise<UserRow> {
  return trx
    .updateTable("users")
    .set({ display_name: displayName })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setGlobalAdmin(
  trx: Tx,
  id: string,
  isGlobalAdmin: boolean,
): Promise<UserRow | undefined> {
  return trx
    .updateTable("users")
    .set({ is_global_admin: isGlobalAdmin })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export interface UserAccess {
  isGlobalAdmin: boolean;
  roles: Map<string, Role>;
}

/** What a user may do: the global flag and the role in each organization, in one round trip. */
export async function loadUserAccess(db: Queryable, userId: string): Promise<UserAccess> {
  const rows = await db
    .selectFrom("users as u")
    .leftJoin("memberships as m", "m.user_id", "u.id")
    .select(["u.is_global_admin", "m.organization_id", "m.role"])
    .where("u.id", "=", userId)
    .execute();
  const roles = new Map<string, Role>();
  for (const row of rows) if (row.organization_id && row.role) roles.set(row.organization_id, row.role);
  return { isGlobalAdmin: rows[0]?.is_global_admin ?? false, roles };
}

export async function findMembership(db: Queryable, organizationId: string, userId: string) {
  return db
    .selectFrom("memberships")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export async function upsertMembership(trx: Tx, organizationId: string, userId: string, role: Role) {
  return trx
    .insertInto("memberships")
    .values({ organization_id: organizationId, user_id: userId, role })
    .onConflict((oc) => oc.columns(["organization_id", "user_id"]).doUpdateSet({ role }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The organizations the user is a member of. */
export async function userOrganizationIds(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("memberships")
    .select("organization_id")
    .where("user_id", "=", userId)
    .execute();
  return rows.map((row) => row.organization_id);
}

export interface MemberSearch {
  /** Part of the display name (any case), or a certificate number the member holds here, or a user id. */
  q?: string | undefined;
  role?: Role | undefined;
  /** Past this (display name, user id), as the last page ended. */
  after?: { displayName: string; userId: string } | undefined;
  limit: number;
}

export interface MemberRow {
  user_id: string;
  display_name: string;
  role: Role;
  created_at: Date;
  /** The member's three latest certificate numbers in the organization, newest first. */
  certificate_numbers: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Letters folded for name search, to what they match: upper case to lower, accents off, but
 * æ, ø, å (and the Sami đ, ŋ, ŧ) stay letters of their own. Stated here rather than left to
 * `lower()`, whose reach depends on the database's locale: PGlite's C locale lower-cases only
 * A–Z, so "ØYVIND" would never match "øy" there.
 */
const FOLDS: readonly [string, string][] = [
  ["ÀÁÂÃÄĀĂĄàáâãäāăą", "a"],
  ["Åå", "å"],
  ["Ææ", "æ"],
  ["ÇĆČçćč", "c"],
  ["ĎďĐđ", "ddđđ"],
  ["ÈÉÊËĒĖĘĚèéêëēėęě", "e"],
  ["Ğğ", "g"],
  ["ÌÍÎÏĪĮİìíîïīį", "i"],
  ["Łł", "ł"],
  ["ÑŃŇñńň", "n"],
  ["Ŋŋ", "ŋ"],
  ["ÒÓÔÕÖŌŐòóôõöōő", "o"],
  ["Øø", "ø"],
  ["ŘŕŔř", "r"],
  ["ŚŠŞśšş", "s"],
  ["ŤťŢţ", "t"],
  ["Ŧŧ", "ŧ"],
  ["ÙÚÛÜŪŮŰŲùúûüūůűų", "u"],
  ["ÝŸýÿ", "y"],
  ["ŹŻŽźżž", "z"],
  ["Þþ", "þ"],
  ["Ðð", "ð"],
];
const FOLD_FROM = FOLDS.map(([from]) => from).join("");
const FOLD_TO = FOLDS.map(([from, to]) => (to.length === 1 ? to.repeat(from.length) : to)).join("");
const FOLD_MAP = new Map([...FOLD_FROM].map((letter, i) => [letter, [...FOLD_TO][i] ?? letter]));

/** The search form of a name or query, as `foldedName` computes it in SQL. */
export function foldForSearch(text: string): string {
  return [...text.normalize("NFC").toLowerCase()].map((letter) => FOLD_MAP.get(letter) ?? letter).join("");
}

/** In SQL, the same folding of a column as foldForSearch: NFC, lower case, the letters above. */
const foldedName = sql`translate(lower(normalize(u.display_name, NFC)), ${FOLD_FROM}, ${FOLD_TO})`;

/** The `like` pattern of a name search: any part of the name, folded as foldForSearch folds it. */
const namePattern = (q: string) => `%${foldForSearch(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `u.display_name` (a users row aliased `u`) has the text `q` in it, case and accents folded. */
export const nameContains = (q: string) => sql<boolean>`${foldedName} like ${namePattern(q)}`;

function memberQuery(db: Queryable, organizationId: string, search: Omit<MemberSearch, "after" | "limit">) {
  const q = search.q?.trim() ?? "";
  let query = db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .where("m.organization_id", "=", organizationId);
  if (search.role) query = query.where("m.role", "=", search.role);
  if (q !== "") {
    query = query.where((eb) =>
      eb.or([
        nameContains(q),
        eb.exists(
          eb
            .selectFrom("certifications as c")
            .select(sql`1`.as("one"))
            .whereRef("c.user_id", "=", "m.user_id")
            .whereRef("c.organization_id", "=", "m.organization_id")
            .where("c.certificate_number", "=", q.toUpperCase()),
        ),
        ...(UUID.test(q) ? [eb("m.user_id", "=", q.toLowerCase())] : []),
      ]),
    );
  }
  return query;
}

/**
 * Members by name, then id; `limit + 1` rows so the caller knows whether a next page exists.
 * The cursor is the last (name, id) shown, so a page never repeats nor skips a member that was
 * there before, whoever joins or leaves meanwhile.
 */
export async function searchMembers(
  db: Queryable,
  organizationId: string,
  search: MemberSearch,
): Promise<MemberRow[]> {
  let query = memberQuery(db, organizationId, search).select([
    "m.user_id",
    "u.display_name",
    "m.role",
    "m.created_at",
    sql<string[]>`array(select c.certificate_number from certifications c
      where c.user_id = m.user_id and c.organization_id = m.organization_id
      order by c.issued_at desc, c.id desc limit 3)`.as("certificate_numbers"),
  ]);
  if (search.after) {
    const { displayName, userId } = search.after;
    query = query.where(sql<boolean>`(u.display_name, m.user_id) > (${displayName}, ${userId}::uuid)`);
  }
  return query
    .orderBy("u.display_name")
    .orderBy("m.user_id")
    .limit(search.limit + 1)
    .execute();
}

/** How many members match the search, on every page together. */
export async function countMembers(
  db: Queryable,
  organizationId: string,
  search: Omit<MemberSearch, "after" | "limit">,
): Promise<number> {
  const row = await memberQuery(db, organizationId, search)
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Ends a membership; the user and their certifications stay. Returns the membership as it was. */
export async function deleteMembership(trx: Tx, organizationId: string, userId: string) {
  return trx
    .deleteFrom("memberships")
    .where("organization_id", "=", organizationId)
    .where("user_id", "=", userId)
    .returningAll()
    .executeTakeFirst();
}

/** The organization's coordinators and org admins, by name: whom its members contact. */
export async function listOrganizationStaff(db: Queryable, organizationId: string) {
  return db
    .selectFrom("memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select(["m.user_id", "u.display_name", "m.role"])
    .where("m.organization_id", "=", organizationId)
    .where("m.role", "in", ["coordinator", "org_admin"])
    .orderBy("u.display_name")
    .orderBy("m.user_id")
    .execute();
}

/** Display names of users by id (unknown ids are left out). */
export async function displayNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("users")
    .select(["id", "display_name"])
    .where("id", "in", [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}
