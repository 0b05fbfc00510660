import { sql } from "kysely";
import type { Status } from "../domain/status.js";
import { warningDaysSql } from "./certification-sql.js";
import type { Queryable, Tx } from "./database.js";

/** The stored code of a certification (8 characters, without the hyphen). */
export async function findVerificationCode(db: Queryable, certificationId: string): Promise<string | null> {
  const row = await db
    .selectFrom("certification_verification_codes")
    .select("code")
    .where("certification_id", "=", certificationId)
    .executeTakeFirst();
  return row?.code ?? null;
}

/** Draws a new code for a certification (the old one stops verifying at once). */
export async function replaceVerificationCode(trx: Tx, certificationId: string): Promise<string> {
  const row = await trx
    .updateTable("certification_verification_codes")
    .set({ code: sql<string>`certsvc_verification_code()` })
    .where("certification_id", "=", certificationId)
    .returning("code")
    .executeTakeFirst();
  if (row) return row.code;
  // Only a row written by hand, around the trigger, has none: give it one now.
  const inserted = await trx
    .insertInto("certification_verification_codes")
    .values({ certification_id: certificationId })
    .returning("code")
    .executeTakeFirstOrThrow();
  return inserted.code;
}

/** What public verification shows of a certification, with its stored code. */
export interface VerificationRecord {
  certificate_number: string;
  revoked_at: Date | null;
  /** The stored status: effectiveStatus reads `suspended` from it. */
  status: Status;
  issued_at: Date;
  expires_at: Date | null;
  type_id: string;
  type_name: string;
  warning_days: number | null;
  organization_id: string;
  organization_name: string;
  prefix: string;
  display_name: string;
  code: string | null;
}

interface VerificationRow extends Omit<VerificationRecord, "certificate_number"> {
  certificate_number: string | null;
}

/**
 * One row for any number, whether it exists or not (its columns null when not), read by the same
 * statement and the same plan either way, so the database's part of an answer takes the same
 * time for an unknown number as for a known one.
 */
export async function findForVerification(
  db: Queryable,
  certificateNumber: string,
): Promise<VerificationRecord | null> {
  const result = await sql<VerificationRow>`
    select c.certificate_number, c.revoked_at, c.status, c.issued_at, c.expires_at,
      t.id as type_id, t.name as type_name, ${warningDaysSql("c", "t")} as warning_days,
      o.id as organization_id, o.name as organization_name, o.prefix,
      u.display_name, v.code
    from (values (1)) as one (x)
    left join certifications c on c.certificate_number = ${certificateNumber}
    left join certification_types t on t.id = c.certification_type_id
    left join organizations o on o.id = c.organization_id
    left join users u on u.id = c.user_id
    left join certification_verification_codes v on v.certification_id = c.id`.execute(db);
  const row = result.rows[0];
  if (!row || row.certificate_number === null) return null;
  return { ...row, certificate_number: row.certificate_number };
}
