import { Type } from "@sinclair/typebox";
import { listCertificationEvents } from "../../services/read-certifications.js";
import { reinstateCertification } from "../../services/reinstate-certification.js";
import { renewCertification } from "../../services/renew-certification.js";
import { revokeCertification } from "../../services/revoke-certification.js";
import { updateCertification } from "../../services/update-certification.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { requestLanguage } from "../language.js";
import { CertificationResponse, IfMatchHeaders, ReasonBody, UpdateBody } from "../schemas/certifications.js";
import { IdParams, Timestamp } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";
import { ifMatch, Nullable, sendCertification } from "./certifications.js";

/** Changing a certification, and its audit trail (CONTRACT §4, 9–13). */
export function certificationChangeRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.patch(
    "/v1/certifications/:id",
    {
      schema: {
        tags: ["certifications"],
        operationId: "updateCertification",
        summary: "Change notes, expiry or status",
        description:
          "Coordinators and admins; honours If-Match. Status follows from the dates, so it may only be set to `revoked` (with `revocation_reason`) or to its current value; a new `expires_at` moves the status with it.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: UpdateBody,
        response: {
          200: CertificationResponse("The changed certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "valid_status_transition",
            "revoked_cert_cannot_be_reactivated",
            "one_active_cert_per_user_per_type",
            "expires_at_after_issued_at",
            "revocation_requires_reason",
          ),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await updateCertification(
        ctx,
        principalOf(request),
        request.params.id,
        {
          notes: body.notes,
          expiresAt:
            body.expires_at === undefined
              ? undefined
              : body.expires_at === null
                ? null
                : new Date(body.expires_at),
          status: body.status,
          revocationReason: body.revocation_reason,
        },
        ifMatch(request.headers),
      );
      return sendCertification(reply, result);
    },
  );

  app.post(
    "/v1/certifications/:id/renew",
    {
      schema: {
        tags: ["certifications"],
        operationId: "renewCertification",
        summary: "Renew",
        description:
          "Active, expiring soon or expired → the status the new date gives. `expires_at` defaults to now + the type's validity; null makes it lifetime. Clears expiry_warning_sent_at. Honours If-Match.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: Type.Optional(
          Type.Object(
            { expires_at: Type.Optional(Nullable(Timestamp("New expiry; null for lifetime"))) },
            { additionalProperties: false, examples: [{ expires_at: "2028-03-01T10:00:00Z" }] },
          ),
        ),
        response: {
          200: CertificationResponse("The renewed certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "one_active_cert_per_user_per_type",
            "valid_status_transition",
            "revoked_cert_cannot_be_reactivated",
            "expires_at_after_issued_at",
          ),
        },
      },
    },
    async (request, reply) => {
      const expires = request.body?.expires_at;
      return sendCertification(
        reply,
        await renewCertification(
          ctx,
          principalOf(request),
          request.params.id,
          { expiresAt: expires === undefined ? undefined : expires === null ? null : new Date(expires) },
          ifMatch(request.headers),
        ),
      );
    },
  );

  app.post(
    "/v1/certifications/:id/revoke",
    {
      schema: {
        tags: ["certifications"],
        operationId: "revokeCertification",
        summary: "Revoke",
        description:
          "Coordinators and admins, with a non-blank reason. Final, except reinstatement by a global admin.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: Type.Object(
          {
            reason: Type.Optional(
              Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: "Why" }),
            ),
          },
          { additionalProperties: false, examples: [{ reason: "Issued to the wrong member" }] },
        ),
        response: {
          200: CertificationResponse("The revoked certification"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "revoked_cert_cannot_be_reactivated",
            "revocation_requires_reason",
          ),
        },
      },
    },
    async (request, reply) => {
      const result = await revokeCertification(
        ctx,
        principalOf(request),
        request.params.id,
        { reason: request.body.reason },
        ifMatch(request.headers),
      );
      return sendCertification(reply, result);
    },
  );

  app.post(
    "/v1/certifications/:id/reinstate",
    {
      schema: {
        tags: ["certifications"],
        operationId: "reinstateCertification",
        summary: "Reinstate a revoked certification",
        description: "Global admins only, with a reason kept in the audit trail.",
        params: IdParams,
        headers: IfMatchHeaders,
        body: ReasonBody,
        response: {
          200: CertificationResponse("The reinstated certification, its status from its dates"),
          ...problems(
            400,
            401,
            403,
            404,
            412,
            "valid_status_transition",
            "one_active_cert_per_user_per_type",
          ),
        },
      },
    },
    async (request, reply) =>
      sendCertification(
        reply,
        await reinstateCertification(
          ctx,
          principalOf(request),
          request.params.id,
          { reason: request.body.reason },
          ifMatch(request.headers),
        ),
      ),
  );

  app.get(
    "/v1/certifications/:id/events",
    {
      schema: {
        tags: ["certifications"],
        operationId: "listCertificationEvents",
        summary: "Audit trail",
        description:
          "Every change of the certification: who (with the acting user's name), when, before and after, and " +
          "the fields changed with their labels in the language of the request. Coordinators and admins.",
        params: IdParams,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref("AuditEvent"), { description: "Oldest first" }) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const language = requestLanguage(request);
      reply.header("content-language", language).header("vary", "Accept-Language");
      return listCertificationEvents(ctx, principalOf(request), request.params.id, language);
    },
  );
}
