import { Type } from "@sinclair/typebox";
import { suspendCertification, unsuspendCertification } from "../../services/suspend-certification.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { IfMatchHeaders, ReasonBody } from "../schemas/certifications.js";
import { IdParams } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const CertificationRef = Type.Ref("Certification");

/** Use case 12a: suspend and unsuspend, each with a reason kept in the audit trail. */
export function suspensionRoutes(app: App, { ctx }: ServerDeps): void {
  const routes = [
    {
      path: "/v1/certifications/:id/suspend",
      operationId: "suspendCertification",
      summary: "Suspend",
      description:
        "Coordinators and admins of the organization, and global admins, with a non-blank reason. A suspended certification keeps its dates and its place (one live per user and type) but gives no access (eligibility false, not valid when verified) and gets no expiry reminder until the suspension is lifted. Suspending a revoked, expired or suspended one is `valid_status_transition`. Honours If-Match.",
      run: suspendCertification,
    },
    {
      path: "/v1/certifications/:id/unsuspend",
      operationId: "unsuspendCertification",
      summary: "Lift a suspension",
      description:
        "Coordinators and admins of the organization, and global admins, with a non-blank reason. The status is again what the dates give (active, expiring_soon or expired). One that is not suspended is `valid_status_transition`; a revoked one `revoked_cert_cannot_be_reactivated`. Honours If-Match.",
      run: unsuspendCertification,
    },
  ] as const;
  for (const route of routes) {
    app.post(
      route.path,
      {
        schema: {
          operationId: route.operationId,
          tags: ["certifications"],
          summary: route.summary,
          description: route.description,
          params: IdParams,
          headers: IfMatchHeaders,
          body: ReasonBody,
          response: { 200: CertificationRef, ...problems(400, 401, 403, 404, 409, 412) },
        },
      },
      async (request, reply) => {
        const result = await route.run(
          ctx,
          principalOf(request),
          request.params.id,
          { reason: request.body.reason },
          request.headers["if-match"],
        );
        return reply.header("etag", result.etag).send(result.certification);
      },
    );
  }
}
