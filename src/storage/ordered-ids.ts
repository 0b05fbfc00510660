import { sql } from "kysely";

/**
 * `ids(n, id)`: one new UUIDv7 per row of the CTE `rows`, handed out in ascending order by the
 * rows' ordinality `n`, so that rows written by one statement keep their order in id order (the
 * export's order, and the order of a certification's audit events) although they share a
 * millisecond, whose ids are otherwise random.
 */
export const orderedIds = (rows: string) =>
  sql.raw(
    `ids as (select id, row_number() over (order by id) as n from (select certsvc_uuid_v7() as id from ${rows}) g)`,
  );
