import { createHash } from "node:crypto";
import { DomainError } from "../domain/errors.js";
import { actorName, type Principal } from "../domain/principal.js";
import type { Tx } from "../storage/database.js";

export interface IdempotencyRequest {
  key: string;
  /** What identifies the request: route and body. Another body under the same key is refused. */
  fingerprint: unknown;
}

export interface StoredResponse<T> {
  statusCode: number;
  body: T;
}

/** Stored keys are honoured for at least this long (the cleanup job removes older ones). */
export const IDEMPOTENCY_RETENTION_HOURS = 48;

function hashOf(fingerprint: unknown): string {
  return createHash("sha256").update(JSON.stringify(fingerprint)).digest("hex");
}

/**
 * Claims the key inside the issuing transaction. The first request inserts it and goes on; a
 * concurrent one with the same key waits on the unique index until the first commits, then
 * finds the stored response and replays it. If the first rolls back, so does its claim.
 */
export async function claimIdempotencyKey<T>(
  trx: Tx,
  principal: Principal,
  request: IdempotencyRequest,
): Promise<StoredResponse<T> | null> {
  const owner = actorName(principal);
  const hash = hashOf(request.fingerprint);
  const claimed = await trx
    .insertInto("idempotency_keys")
    .values({ principal: owner, key: request.key, request_hash: hash, status_code: 0 })
    .onConflict((oc) => oc.columns(["principal", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (claimed) return null;
  const stored = await trx
    .selectFrom("idempotency_keys")
    .select(["request_hash", "status_code", "response"])
    .where("principal", "=", owner)
    .where("key", "=", request.key)
    .executeTakeFirstOrThrow();
  if (stored.request_hash !== hash) {
    throw new DomainError(
      "idempotency_key_reused",
      "This Idempotency-Key was used with a different request; use a new key for a new request",
    );
  }
  return { statusCode: stored.status_code, body: stored.response as T };
}

export async function storeIdempotentResponse(
  trx: Tx,
  principal: Principal,
  key: string,
  response: StoredResponse<{ id: string }>,
): Promise<void> {
  await trx
    .updateTable("idempotency_keys")
    .set({
      status_code: response.statusCode,
      resource_id: response.body.id,
      response: JSON.stringify(response.body),
    })
    .where("principal", "=", actorName(principal))
    .where("key", "=", key)
    .execute();
}
