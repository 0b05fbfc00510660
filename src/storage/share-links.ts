import { sql } from "kysely";
import type { Queryable } from "./database.js";
import type { ShareLinkRow } from "./schema.js";

export async function insertShareLink(
  db: Queryable,
  link: { certificationId: string; token: string; createdBy: string | null; expiresAt: Date; now: Date },
): Promise<ShareLinkRow> {
  return db
    .insertInto("share_links")
    .values({
      certification_id: link.certificationId,
      token: link.token,
      created_by_user_id: link.createdBy,
      expires_at: link.expiresAt,
      created_at: link.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A certification's links, newest first. */
export async function listShareLinks(db: Queryable, certificationId: string): Promise<ShareLinkRow[]> {
  return db
    .selectFrom("share_links")
    .selectAll()
    .where("certification_id", "=", certificationId)
    .orderBy("id", "desc")
    .execute();
}

/** Withdraws a link of the certification now; the row is kept, with when. */
export async function withdrawShareLink(
  db: Queryable,
  certificationId: string,
  linkId: string,
  now: Date,
): Promise<ShareLinkRow | undefined> {
  return db
    .updateTable("share_links")
    .set({ withdrawn_at: sql<Date>`coalesce(withdrawn_at, ${now})` })
    .where("certification_id", "=", certificationId)
    .where("id", "=", linkId)
    .returningAll()
    .executeTakeFirst();
}

export type ShareLinkOpening =
  | { kind: "open"; certificationId: string }
  | { kind: "gone" }
  | { kind: "unknown" };

/**
 * Opens a link: counts the view and answers its certification when the link is live at `now`.
 * The count is one UPDATE, so views at the same moment are all counted.
 */
export async function openShareLink(db: Queryable, token: string, now: Date): Promise<ShareLinkOpening> {
  const opened = await db
    .updateTable("share_links")
    .set({ views: sql<number>`views + 1`, last_viewed_at: now })
    .where("token", "=", token)
    .where("withdrawn_at", "is", null)
    .where("expires_at", ">", now)
    .returning("certification_id")
    .executeTakeFirst();
  if (opened) return { kind: "open", certificationId: opened.certification_id };
  const known = await db.selectFrom("share_links").select("id").where("token", "=", token).executeTakeFirst();
  return known ? { kind: "gone" } : { kind: "unknown" };
}
