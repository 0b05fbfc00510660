import { forbidden, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { issuances } from "../observability/metrics.js";
import { findCertificationForRegistration } from "../storage/certifications.js";
import { lockCourseRegistration } from "../storage/course-registrations.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { claimIdempotencyKey, type IdempotencyRequest, storeIdempotentResponse } from "./idempotency.js";
import { type IssuedCertification, issueInTransaction } from "./issue-certification.js";
import { type CertificationView, certificationView, etagOf } from "./views.js";

export interface CourseCompletionInput {
  organizationId: string;
  courseRegistrationId: string;
  certificationTypeId: string;
}

/**
 * Issues the certification a completed course earns (use case 2). The registration row is
 * locked first, so repeats for the same registration and type, even at once, find the one
 * certification already issued and return it instead of a second.
 */
export async function completeCourse(
  ctx: ServiceContext,
  principal: Principal,
  input: CourseCompletionInput,
  idempotency?: IdempotencyRequest,
): Promise<IssuedCertification> {
  if (!canSeeOrganization(principal, input.organizationId)) throw notFound("Organization");
  if (principal.kind !== "service" && !isStaff(principal, input.organizationId)) {
    throw forbidden("Only coordinators, admins and services record course completions");
  }
  // Set by the run that commits (a deadlock retry runs the callback again).
  let issued = false;
  const answer = await inTransaction(ctx, async (trx) => {
    issued = false;
    if (idempotency) {
      const replay = await claimIdempotencyKey<CertificationView>(trx, principal, idempotency);
      if (replay)
        return { certification: replay.body, etag: etagOf(replay.body), statusCode: replay.statusCode };
    }
    const registration = await lockCourseRegistration(trx, input.courseRegistrationId);
    if (!registration || registration.organization_id !== input.organizationId) {
      throw notFound("Course registration");
    }
    const existing = await findCertificationForRegistration(trx, registration.id, input.certificationTypeId);
    let result: IssuedCertification;
    if (existing) {
      const view = certificationView(existing, ctx.clock(), ctx.warningDays);
      result = { certification: view, etag: etagOf(view), statusCode: 200 };
    } else {
      result = await issueInTransaction(ctx, trx, principal, {
        organizationId: input.organizationId,
        userId: registration.user_id,
        certificationTypeId: input.certificationTypeId,
        source: "course_completion",
        registration,
      });
      issued = true;
    }
    if (idempotency) {
      await storeIdempotentResponse(trx, principal, idempotency.key, {
        statusCode: result.statusCode,
        body: result.certification,
      });
    }
    return result;
  });
  if (issued) issuances.inc({ source: "course_completion" });
  return answer;
}
