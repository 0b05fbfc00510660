import type { Queryable, Tx } from "./database.js";

/**
 * The idempotency_keys table: the first answer given under a caller's Idempotency-Key. The
 * issuing statement (issuance.ts) reads and writes it in the same statement as the certification;
 * these are the other statements on it.
 */

/** An idempotency key as stored: per principal, with the hash of the request made under it. */
export interface IdempotencyKeyRef {
  principal: string;
  key: string;
  requestHash: string;
}

export interface StoredIdempotencyKey {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

/** The constraint that refuses a second answer under one idempotency key. */
export const IDEMPOTENCY_KEY_CONSTRAINT = "idempotency_keys_pkey";

/** What is stored under an idempotency key, if anything (committed by another request). */
export async function findStoredIdempotencyKey(
  db: Queryable,
  ref: Omit<IdempotencyKeyRef, "requestHash">,
): Promise<StoredIdempotencyKey | null> {
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["request_hash", "status_code", "response"])
    .where("principal", "=", ref.principal)
    .where("key", "=", ref.key)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, response: row.response } : null;
}

/**
 * Inserts the key with no answer yet; false when it is taken. A concurrent insert of the same key
 * waits on the primary key until the first commits (then false) or rolls back (then true).
 */
export async function insertIdempotencyKey(trx: Tx, ref: IdempotencyKeyRef): Promise<boolean> {
  const claimed = await trx
    .insertInto("idempotency_keys")
    .values({ principal: ref.principal, key: ref.key, request_hash: ref.requestHash, status_code: 0 })
    .onConflict((oc) => oc.columns(["principal", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Stores the answer under a key this transaction inserted. */
export async function storeIdempotencyAnswer(
  trx: Tx,
  ref: Omit<IdempotencyKeyRef, "requestHash">,
  answer: { statusCode: number; resourceId: string; body: unknown },
): Promise<void> {
  await trx
    .updateTable("idempotency_keys")
    .set({
      status_code: answer.statusCode,
      resource_id: answer.resourceId,
      response: JSON.stringify(answer.body),
    })
    .where("principal", "=", ref.principal)
    .where("key", "=", ref.key)
    .execute();
}

/** Deletes the keys stored before `before`; returns how many. */
export async function deleteIdempotencyKeysBefore(db: Queryable, before: Date): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("created_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
