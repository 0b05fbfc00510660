import { sql } from "kysely";

/**
 * `ids(ids)`: an array of one new UUIDv7 per row of the CTE `rows`, ascending, to be picked by
 * the rows' ordinality (`ids.ids[n]` with `cross join ids`), so that rows written by one
 * statement keep their order in id order (the export's order, and the order of a
 * certification's audit events) although they share a millisecond, whose ids are otherwise
 * random. An array rather than a join: a join of such CTEs is planned on a guess of 10 rows per
 * unnest, as nested loops.
 */
export const orderedIds = (rows: string) =>
  sql.raw(
    `ids as (select array_agg(id order by id) as ids from (select certsvc_uuid_v7() as id from ${rows}) g)`,
  );
