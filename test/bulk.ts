import { sql } from "kysely";
import type { Db } from "../src/storage/database.js";

/**
 * Inserts `count` certifications of one type straight in SQL, each for a user of its own, all
 * expiring at `expiresAt` and persisted as `active`: the state a sweep finds after time passed.
 * Numbers run `${prefix}-${year}-{start+1…}`.
 */
export async function insertCertifications(
  db: Db,
  input: {
    organizationId: string;
    typeId: string;
    prefix: string;
    count: number;
    issuedAt: Date;
    expiresAt: Date;
    start?: number;
  },
): Promise<void> {
  const start = input.start ?? 0;
  await sql`
    with users_made as (
      insert into users (id, display_name)
      select gen_random_uuid(), 'Bulk Mentor ' || i from generate_series(${start + 1}::int, ${start + input.count}::int) i
      returning id
    ), numbered as (
      select id, ${start}::int + row_number() over () as n from users_made
    ), members as (
      insert into memberships (organization_id, user_id, role)
      select ${input.organizationId}::uuid, id, 'peer_mentor' from numbered
    )
    insert into certifications
      (user_id, certification_type_id, organization_id, certificate_number, status, issued_at, expires_at, source)
    select id, ${input.typeId}::uuid, ${input.organizationId}::uuid,
      ${input.prefix}::text || '-2026-' || lpad(n::text, 6, '0'), 'active', ${input.issuedAt}::timestamptz,
      ${input.expiresAt}::timestamptz, 'manual_grant'
    from numbered`.execute(db);
}
