import { Type } from "@sinclair/typebox";
import { verifyCertificate } from "../../services/verify-certificate.js";
import type { App, ServerDeps } from "../app.js";
import { problems } from "../schemas/problem.js";

export const VerificationSchema = Type.Object(
  {
    certificate_number: Type.String({ description: "The number verified" }),
    valid: Type.Boolean({ description: "True while active or expiring soon" }),
    status: Type.String({ description: "active, expiring_soon, suspended, expired or revoked" }),
    certification_type: Type.Object(
      { id: Type.String({ description: "Type id" }), name: Type.String({ description: "Type name" }) },
      { description: "What the certificate certifies" },
    ),
    organization: Type.Object(
      {
        id: Type.String({ description: "Organization id" }),
        name: Type.String({ description: "Organization name" }),
        prefix: Type.String({ description: "Organization prefix" }),
      },
      { description: "Who issued it" },
    ),
    holder_initials: Type.String({ description: "First letters of the holder's first and last names" }),
    issued_at: Type.String({ format: "date-time", description: "When issued" }),
    expires_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "When it expires; null for lifetime",
    }),
    name_matches: Type.Optional(
      Type.Boolean({ description: "With ?name=: whether it is the holder's name" }),
    ),
  },
  { description: "Public verification: the minimal facts, nothing else about the holder" },
);

/** Public verification, without a token, rate limited per client address. */
export function verifyRoutes(app: App, deps: ServerDeps): void {
  app.get(
    "/v1/verify/:certificate_number",
    {
      config: { public: true, rateLimit: { max: deps.verifyRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["verification"],
        summary: "Verify a certificate (public)",
        description:
          "Anyone holding a certificate number can check whether it is valid now. Shows only the holder's initials; `?name=` checks a claimed full name (case- and space-insensitive) without revealing it.",
        security: [],
        params: Type.Object({
          certificate_number: Type.String({ maxLength: 64, description: "e.g. NHF-2025-00312" }),
        }),
        querystring: Type.Object(
          {
            name: Type.Optional(
              Type.String({ maxLength: 200, description: "Full name to compare with the holder's" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: VerificationSchema, ...problems(400, 404, 422, 429) },
      },
    },
    async (request) =>
      verifyCertificate(deps.ctx, request.params.certificate_number.trim().toUpperCase(), request.query.name),
  );
}
