import { Type } from "@sinclair/typebox";
import { verifyCertificate } from "../../services/verify-certificate.js";
import type { App, ServerDeps } from "../app.js";
import { problems } from "../schemas/problem.js";

const VerificationProperties = {
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
  checked_at: Type.String({ format: "date-time", description: "When this answer was made" }),
  name_matches: Type.Optional(Type.Boolean({ description: "With ?name=: whether it is the holder's name" })),
};

export const VerificationSchema = Type.Object(VerificationProperties, {
  description: "Public verification: the minimal facts, nothing else about the holder",
  examples: [
    {
      certificate_number: "NHF-2026-00312",
      valid: true,
      status: "active",
      certification_type: { id: "0192f3a0-0000-7000-8000-000000000001", name: "Likeperson" },
      organization: { id: "0192f3a0-0000-7000-8000-000000000002", name: "NHF", prefix: "NHF" },
      holder_initials: "MM",
      issued_at: "2026-01-15T10:00:00.000Z",
      expires_at: "2028-01-15T10:00:00.000Z",
      checked_at: "2026-03-15T10:00:00.000Z",
    },
  ],
});

export const SharedCertificationSchema = Type.Object(
  {
    ...VerificationProperties,
    holder_name: Type.String({ description: "The holder's full name, which the holder chose to show" }),
  },
  { description: "A share link's certificate: the verification facts and the holder's full name" },
);

export const VerificationQuery = Type.Object(
  {
    code: Type.Optional(
      Type.String({
        maxLength: 32,
        description:
          "The verification code printed beside the number (XXXX-XXXX; case, hyphens and spaces do not matter)",
      }),
    ),
    name: Type.Optional(
      Type.String({ maxLength: 200, description: "Full name to compare with the holder's" }),
    ),
  },
  { additionalProperties: false },
);

/** Public verification, without a token, rate limited per client address. */
export function verifyRoutes(app: App, deps: ServerDeps): void {
  app.get(
    "/v1/verify/:certificate_number",
    {
      config: {
        public: true,
        // The same 404 for every number: its body may not echo the path.
        problemInstance: "/v1/verify/{certificate_number}",
        rateLimit: { max: deps.verifyRateLimit, timeWindow: "1 minute" },
      },
      schema: {
        operationId: "verifyCertificate",
        tags: ["verification"],
        summary: "Verify a certificate (public)",
        description:
          "Anyone holding a certificate number and its verification code can check whether it is valid now. Shows only the holder's initials; `?name=` checks a claimed full name (case- and space-insensitive) without revealing it. Without the code, with a wrong one, or for a number that does not exist, the answer is one and the same 404 `not_found`, so numbers cannot be enumerated. A malformed number is 422 `certificate_number_format`. Rate limited per client address (429).",
        security: [],
        params: Type.Object({
          certificate_number: Type.String({ maxLength: 64, description: "e.g. NHF-2025-00312" }),
        }),
        querystring: VerificationQuery,
        response: { 200: VerificationSchema, ...problems(400, 404, "certificate_number_format", 429) },
      },
    },
    async (request) =>
      verifyCertificate(
        deps.ctx,
        request.params.certificate_number.trim().toUpperCase(),
        request.query.code,
        request.query.name,
      ),
  );
}
