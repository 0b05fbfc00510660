import type { Queryable } from "../storage/database.js";
import { displayNames } from "../storage/users.js";

/** A certification in a staff answer: with its holder's name. */
export type WithHolderName<T> = T & { holder_display_name: string | null };

/**
 * Staff answers name each holder from the directory (`users`), not from the memberships: a
 * member's removal keeps their certifications (CONTRACT §3), and so their name stays readable.
 * One look-up for the whole page (`where id in (…)`), never one per row.
 */
export async function withHolderNames<T extends { user_id: string }>(
  db: Queryable,
  items: readonly T[],
): Promise<WithHolderName<T>[]> {
  const names = await displayNames(db, [...new Set(items.map((item) => item.user_id))]);
  return items.map((item) => ({ ...item, holder_display_name: names.get(item.user_id) ?? null }));
}
