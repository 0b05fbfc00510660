import { type Static, Type } from "@sinclair/typebox";
import { getSignedCredential, getStatusList } from "../../services/signed-credentials.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { IdParams, Uuid } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";

const VerifiableCredential = (description: string) =>
  Type.Object(
    {
      "@context": Type.Array(Type.String(), { description: "JSON-LD contexts, VC 2.0 first" }),
      id: Type.String({ description: "The credential's id" }),
      type: Type.Array(Type.String(), { description: "VerifiableCredential and its kind" }),
      proof: Type.Object(
        {},
        { additionalProperties: true, description: "eddsa-rdfc-2022 Data Integrity proof" },
      ),
    },
    { additionalProperties: true, description },
  );

type SignedCredential = Static<ReturnType<typeof VerifiableCredential>>;

/** Signed credentials (use case 16): a certification's Open Badge, and the public status lists. */
export function credentialRoutes(app: App, { ctx }: ServerDeps): void {
  app.get(
    "/v1/certifications/:id/credential",
    {
      schema: {
        operationId: "getCertificationCredential",
        tags: ["certifications"],
        summary: "Signed Open Badges 3.0 credential",
        description:
          "The certification as an Open Badges 3.0 `OpenBadgeCredential` (W3C VC Data Model 2.0, JSON-LD), signed by the organization's key with an `eddsa-rdfc-2022` Data Integrity proof; the issuer is a `did:key`. `validFrom`/`validUntil` are the dates; two `BitstringStatusListEntry` statuses (revocation, suspension) point at random indexes of the organization's status lists. The subject is a salted hash of the holder's name, nothing more. For the holder and staff of the organization. Verifiable offline, e.g. with `@digitalcredentials/verifier-core`.",
        params: IdParams,
        response: {
          200: VerifiableCredential("A signed OpenBadgeCredential"),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const credential = await getSignedCredential(ctx, principalOf(request), request.params.id);
      return reply.type("application/vc+ld+json; charset=utf-8").send(credential as SignedCredential);
    },
  );

  app.get(
    "/v1/status-lists/:listId",
    {
      config: { public: true },
      schema: {
        operationId: "getStatusList",
        tags: ["verification"],
        summary: "Status list (public)",
        description:
          "A signed `BitstringStatusListCredential` of an organization and purpose (`revocation` or `suspension`): at least 131 072 entries, GZIP and multibase base64url (`u…`) in `encodedList`. Its bits are read when it is served, so a revocation, suspension or unsuspension shows at once; `Cache-Control: max-age` is its `ttl` (30 s). No token.",
        security: [],
        params: Type.Object({ listId: Uuid("The status list") }, { additionalProperties: false }),
        response: {
          200: VerifiableCredential("A signed BitstringStatusListCredential"),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { credential, maxAgeSeconds } = await getStatusList(ctx, request.params.listId);
      return reply
        .header("cache-control", `public, max-age=${maxAgeSeconds}`)
        .type("application/vc+ld+json; charset=utf-8")
        .send(credential as SignedCredential);
    },
  );
}
