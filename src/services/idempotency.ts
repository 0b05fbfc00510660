import { createHash } from "node:crypto";
import { DomainError } from "../domain/errors.js";
import { actorName, type Principal } from "../domain/principal.js";
import type { Queryable, Tx } from "../storage/database.js";
import {
  findStoredIdempotencyKey,
  type IdempotencyKeyRef,
  insertIdempotencyKey,
  type StoredIdempotencyKey,
  storeIdempotencyAnswer,
} from "../storage/idempotency-keys.js";

export interface IdempotencyRequest {
  key: string;
  /** What identifies the request: route and body. Another body under the same key is refused. */
  fingerprint: unknown;
}

export interface StoredResponse<T> {
  statusCode: number;
  body: T;
}

function hashOf(fingerprint: unknown): string {
  return createHash("sha256").update(JSON.stringify(fingerprint)).digest("hex");
}

/** The key as stored: whose it is, and the hash of the request made under it. */
export function idempotencyKeyRef(principal: Principal, request: IdempotencyRequest): IdempotencyKeyRef {
  return { principal: actorName(principal), key: request.key, requestHash: hashOf(request.fingerprint) };
}

/**
 * The first answer given under a key, for a repeat of the request; a different request under the
 * same key is refused.
 */
export function replayStored<T>(ref: IdempotencyKeyRef, stored: StoredIdempotencyKey): StoredResponse<T> {
  if (stored.requestHash !== ref.requestHash) {
    throw new DomainError(
      "idempotency_key_reused",
      "This Idempotency-Key was used with a different request; use a new key for a new request",
    );
  }
  return { statusCode: stored.statusCode, body: stored.response as T };
}

/** The stored answer under the key, if another request has committed one. */
export async function findReplay<T>(
  db: Queryable,
  ref: IdempotencyKeyRef,
): Promise<StoredResponse<T> | null> {
  const stored = await findStoredIdempotencyKey(db, ref);
  return stored ? replayStored<T>(ref, stored) : null;
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
  const ref = idempotencyKeyRef(principal, request);
  if (await insertIdempotencyKey(trx, ref)) return null;
  const stored = await findStoredIdempotencyKey(trx, ref);
  if (!stored) throw new Error("an idempotency key that conflicted is not there");
  return replayStored<T>(ref, stored);
}

export async function storeIdempotentResponse(
  trx: Tx,
  principal: Principal,
  key: string,
  response: StoredResponse<{ id: string }>,
): Promise<void> {
  await storeIdempotencyAnswer(
    trx,
    { principal: actorName(principal), key },
    { statusCode: response.statusCode, resourceId: response.body.id, body: response.body },
  );
}
