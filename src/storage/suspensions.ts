import type { Queryable, Tx } from "./database.js";
import type { SuspensionRow } from "./schema.js";

/**
 * certification_suspensions: who suspended a certification, when and why, and who lifted it
 * when. At most one is open per certification (the partial unique index
 * one_open_suspension_per_certification); the trigger refuses one on a revoked or expired
 * certification, by anyone but staff, and any change but the one lifting.
 */

/** The open suspension of a certification, if any. */
export async function findOpenSuspension(
  db: Queryable,
  certificationId: string,
): Promise<SuspensionRow | undefined> {
  return db
    .selectFrom("certification_suspensions")
    .selectAll()
    .where("certification_id", "=", certificationId)
    .where("lifted_at", "is", null)
    .executeTakeFirst();
}

export async function openSuspension(
  trx: Tx,
  suspension: {
    certificationId: string;
    organizationId: string;
    at: Date;
    byUserId: string;
    reason: string;
  },
): Promise<SuspensionRow> {
  return trx
    .insertInto("certification_suspensions")
    .values({
      certification_id: suspension.certificationId,
      organization_id: suspension.organizationId,
      suspended_at: suspension.at,
      suspended_by_user_id: suspension.byUserId,
      reason: suspension.reason,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Lifts the open suspension of a certification; undefined when none is open. */
export async function liftSuspension(
  trx: Tx,
  lift: { certificationId: string; at: Date; byUserId: string; reason: string },
): Promise<SuspensionRow | undefined> {
  return trx
    .updateTable("certification_suspensions")
    .set({ lifted_at: lift.at, lifted_by_user_id: lift.byUserId, lift_reason: lift.reason })
    .where("certification_id", "=", lift.certificationId)
    .where("lifted_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Every suspension of a certification, oldest first. */
export async function listSuspensions(db: Queryable, certificationId: string): Promise<SuspensionRow[]> {
  return db
    .selectFrom("certification_suspensions")
    .selectAll()
    .where("certification_id", "=", certificationId)
    .orderBy("id", "asc")
    .execute();
}
