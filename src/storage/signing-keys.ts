import type { Queryable } from "./database.js";
import type { SigningKeyRow } from "./schema.js";

/**
 * organization_signing_keys: one active Ed25519 key per organization (the partial unique index
 * one_active_signing_key_per_organization), older ones retired by rotation and kept, since
 * credentials signed with them still name them.
 */

export async function findActiveSigningKey(
  db: Queryable,
  organizationId: string,
): Promise<SigningKeyRow | undefined> {
  return db
    .selectFrom("organization_signing_keys")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("retired_at", "is", null)
    .executeTakeFirst();
}

/**
 * Stores a new active key for the organization, retiring the active one when `retire` is set;
 * without it, a concurrent insert that won keeps its key and this returns undefined.
 */
export async function storeSigningKey(
  db: Queryable,
  key: { organizationId: string; publicKeyMultibase: string; secretKeyEncrypted: string; now: Date },
  retire: boolean,
): Promise<SigningKeyRow | undefined> {
  if (retire) {
    await db
      .updateTable("organization_signing_keys")
      .set({ retired_at: key.now })
      .where("organization_id", "=", key.organizationId)
      .where("retired_at", "is", null)
      .execute();
  }
  return db
    .insertInto("organization_signing_keys")
    .values({
      organization_id: key.organizationId,
      public_key_multibase: key.publicKeyMultibase,
      secret_key_encrypted: key.secretKeyEncrypted,
    })
    .onConflict((oc) => oc.column("organization_id").where("retired_at", "is", null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Organizations with no active key (made before keys existed). */
export async function organizationsWithoutKey(db: Queryable): Promise<{ id: string; prefix: string }[]> {
  return db
    .selectFrom("organizations as o")
    .select(["o.id", "o.prefix"])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("organization_signing_keys as k")
            .select("k.id")
            .whereRef("k.organization_id", "=", "o.id")
            .where("k.retired_at", "is", null),
        ),
      ),
    )
    .orderBy("o.id")
    .execute();
}
