import { forbidden, invalid, notFound } from "../domain/errors.js";
import { actorName, actorUserId, canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { upsertCourseRegistration } from "../storage/course-registrations.js";
import type { CourseRegistrationRow } from "../storage/schema.js";
import { findMembership } from "../storage/users.js";
import { inTransaction, type ServiceContext } from "./context.js";

export interface CourseRegistrationView {
  id: string;
  organization_id: string;
  user_id: string;
  course_id: string;
  completed_at: string | null;
  created_at: string;
}

const view = (row: CourseRegistrationRow): CourseRegistrationView => ({
  id: row.id,
  organization_id: row.organization_id,
  user_id: row.user_id,
  course_id: row.course_id,
  completed_at: row.completed_at?.toISOString() ?? null,
  created_at: row.created_at.toISOString(),
});

/**
 * Records a member's course registration and its completion (coordinators, org admins, the
 * course module as a service). The same user, organization and course again updates it.
 */
export async function recordCourseRegistration(
  ctx: ServiceContext,
  principal: Principal,
  input: { organizationId: string; userId: string; courseId: string; completedAt: Date | null },
): Promise<{ registration: CourseRegistrationView; created: boolean }> {
  if (!canSeeOrganization(principal, input.organizationId)) throw notFound("Organization");
  if (principal.kind !== "service" && !isStaff(principal, input.organizationId)) {
    throw forbidden("Only coordinators, admins and services record course registrations");
  }
  const now = ctx.clock();
  if (input.completedAt && input.completedAt.getTime() > now.getTime() + 1000) {
    throw invalid("completed_at cannot be in the future", [
      { field: "completed_at", message: "must not be in the future" },
    ]);
  }
  const courseId = input.courseId.trim();
  if (courseId === "")
    throw invalid("course_id must not be blank", [{ field: "course_id", message: "must not be blank" }]);
  return inTransaction(ctx, async (trx) => {
    if (!(await findMembership(trx, input.organizationId, input.userId)))
      throw notFound("User in this organization");
    const { row, created } = await upsertCourseRegistration(trx, {
      organization_id: input.organizationId,
      user_id: input.userId,
      course_id: courseId,
      completed_at: input.completedAt,
    });
    await appendAuditEvent(trx, {
      entityType: "course_registration",
      entityId: row.id,
      organizationId: row.organization_id,
      action: created ? "registered" : "updated",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      after: view(row),
      occurredAt: now,
    });
    return { registration: view(row), created };
  });
}
