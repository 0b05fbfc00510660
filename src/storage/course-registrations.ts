import type { Tx } from "./database.js";
import type { CourseRegistrationRow } from "./schema.js";

/** Records a registration; the same user, organization and course again updates its completion. */
export async function upsertCourseRegistration(
  trx: Tx,
  values: { organization_id: string; user_id: string; course_id: string; completed_at: Date | null },
): Promise<{ row: CourseRegistrationRow; created: boolean }> {
  const row = await trx
    .insertInto("course_registrations")
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(["organization_id", "user_id", "course_id"])
        .doUpdateSet({ completed_at: values.completed_at }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, created: row.created_at.getTime() === row.updated_at.getTime() };
}

/** Reads and locks a registration: course completions of it then happen one at a time. */
export async function lockCourseRegistration(
  trx: Tx,
  id: string,
): Promise<CourseRegistrationRow | undefined> {
  return trx
    .selectFrom("course_registrations")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}
