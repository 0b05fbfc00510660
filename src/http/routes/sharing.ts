import { Type } from "@sinclair/typebox";
import QRCode from "qrcode";
import { listOrganizationContacts } from "../../services/organization-contacts.js";
import {
  createShareLink,
  listCertificationShareLinks,
  openSharedCertification,
  SHARE_LINK_MAX_DAYS,
  withdrawCertificationShareLink,
} from "../../services/share-links.js";
import {
  getVerificationCode,
  getVerificationLink,
  replaceCertificationCode,
} from "../../services/verification-code.js";
import { type App, principalOf, type ServerDeps } from "../app.js";
import { IdParams, OrgParams, Uuid } from "../schemas/common.js";
import { problems } from "../schemas/problem.js";
import { SharedCertificationSchema } from "./verify.js";

const VerificationCodeSchema = Type.Object(
  {
    verification_code: Type.String({
      pattern: "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$",
      description: "8 characters of Crockford base32 (40 random bits), shown as XXXX-XXXX",
    }),
  },
  { description: "The certification's verification code", examples: [{ verification_code: "7QX4-M2KD" }] },
);

const ShareLinkSchema = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "Link id (for withdrawing it)" }),
    url: Type.String({ description: "The link to hand out: CERTSVC_PUBLIC_URL/s/{token}" }),
    expires_at: Type.String({ format: "date-time", description: "When the link stops working" }),
    views: Type.Integer({ minimum: 0, description: "How many times the link was opened" }),
    created_at: Type.String({ format: "date-time", description: "When the link was made" }),
    withdrawn_at: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "When the holder withdrew it; null while not withdrawn",
    }),
    state: Type.Union([Type.Literal("live"), Type.Literal("expired"), Type.Literal("withdrawn")], {
      description: "Whether the link works now",
    }),
  },
  { description: "A share link of a certificate" },
);

const ShareParams = Type.Object({ id: Uuid("Certification id"), linkId: Uuid("Share link id") });
const TokenParams = Type.Object({
  token: Type.String({ maxLength: 128, description: "The share link's token" }),
});

/** Verification codes, share links (CONTRACT §4, 14 and 15) and the shared view. */
export function sharingRoutes(app: App, deps: ServerDeps): void {
  const { ctx } = deps;

  app.get(
    "/v1/certifications/:id/verification-code",
    {
      schema: {
        operationId: "getVerificationCode",
        tags: ["verification"],
        summary: "Read a certification's verification code",
        description:
          "The holder, staff of its organization and global admins. The code goes with the number on the PDF and in its QR code; public verification needs both.",
        params: IdParams,
        response: { 200: VerificationCodeSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "private, no-store");
      return getVerificationCode(ctx, principalOf(request), request.params.id);
    },
  );

  app.post(
    "/v1/certifications/:id/verification-code",
    {
      schema: {
        operationId: "replaceVerificationCode",
        tags: ["verification"],
        summary: "Replace a certification's verification code",
        description:
          "The holder, staff of its organization and global admins. Draws a new code: the old one, and every printout and QR code made with it, stops verifying at once. Recorded in the audit trail (without the codes).",
        params: IdParams,
        response: { 200: VerificationCodeSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "private, no-store");
      return replaceCertificationCode(ctx, principalOf(request), request.params.id);
    },
  );

  app.get(
    "/v1/certifications/:id/verification-qr.svg",
    {
      schema: {
        operationId: "getVerificationQr",
        tags: ["verification"],
        summary: "The verification QR code, as SVG",
        description:
          "The holder, staff of its organization and global admins. The QR code of the public verification page with the code (`CERTSVC_PUBLIC_URL/verify/{number}?code=…`), as the PDF prints it, for showing on a screen.",
        params: IdParams,
        response: {
          200: {
            description: "The QR code",
            content: { "image/svg+xml": { schema: { type: "string" } } },
          },
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const url = await getVerificationLink(ctx, principalOf(request), request.params.id, deps.publicUrl);
      const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
      return reply
        .type("image/svg+xml; charset=utf-8")
        .header("cache-control", "private, no-store")
        .send(svg);
    },
  );

  app.get(
    "/v1/organizations/:orgId/contacts",
    {
      schema: {
        operationId: "listOrganizationContacts",
        tags: ["directory"],
        summary: "Whom to contact in an organization",
        description:
          "Any member of the organization (and global admins): its coordinators and admins by name, coordinators first, for a member's questions about their certificates.",
        params: OrgParams,
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object({
                  user_id: Type.String({ format: "uuid", description: "User id" }),
                  display_name: Type.String({ description: "Name" }),
                  role: Type.Union([Type.Literal("coordinator"), Type.Literal("org_admin")], {
                    description: "Their role in the organization",
                  }),
                }),
                { description: "Coordinators first, then admins" },
              ),
            },
            { description: "The organization's contacts" },
          ),
          ...problems(400, 401, 404),
        },
      },
    },
    async (request) => listOrganizationContacts(ctx, principalOf(request), request.params.orgId),
  );

  app.post(
    "/v1/certifications/:id/share-links",
    {
      schema: {
        operationId: "createShareLink",
        tags: ["sharing"],
        summary: "Make a share link",
        description: `The holder only. A link (CERTSVC_PUBLIC_URL/s/{token}, 192 random bits) that shows the certificate with the holder's full name to whoever opens it, for 1 to ${SHARE_LINK_MAX_DAYS} days or until withdrawn.`,
        params: IdParams,
        body: Type.Object(
          {
            expires_in_days: Type.Integer({
              minimum: 1,
              maximum: SHARE_LINK_MAX_DAYS,
              description: "How many days the link works",
            }),
          },
          { additionalProperties: false, examples: [{ expires_in_days: 30 }] },
        ),
        response: { 201: ShareLinkSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const link = await createShareLink(ctx, principalOf(request), request.params.id, {
        expiresInDays: request.body.expires_in_days,
        publicUrl: deps.publicUrl,
      });
      return reply.code(201).header("cache-control", "private, no-store").send(link);
    },
  );

  app.get(
    "/v1/certifications/:id/share-links",
    {
      schema: {
        operationId: "listShareLinks",
        tags: ["sharing"],
        summary: "List a certificate's share links",
        description:
          "The holder only. Every link made, newest first, with its expiry, view count and state (live, expired, withdrawn).",
        params: IdParams,
        response: {
          200: Type.Object(
            { items: Type.Array(ShareLinkSchema, { description: "The links, newest first" }) },
            { description: "The certificate's share links" },
          ),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "private, no-store");
      return listCertificationShareLinks(ctx, principalOf(request), request.params.id, deps.publicUrl);
    },
  );

  app.delete(
    "/v1/certifications/:id/share-links/:linkId",
    {
      schema: {
        operationId: "withdrawShareLink",
        tags: ["sharing"],
        summary: "Withdraw a share link",
        description:
          "The holder only. The link answers 410 `gone` from the next request on. Withdrawing it again changes nothing.",
        params: ShareParams,
        response: {
          204: Type.Null({ description: "Withdrawn" }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      await withdrawCertificationShareLink(
        ctx,
        principalOf(request),
        request.params.id,
        request.params.linkId,
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/shared/:token",
    {
      config: {
        public: true,
        // The token is a secret: never echoed in a problem.
        problemInstance: "/v1/shared/{token}",
        rateLimit: { max: deps.verifyRateLimit, timeWindow: "1 minute" },
      },
      schema: {
        operationId: "openShareLink",
        tags: ["sharing"],
        summary: "Open a share link (public)",
        description:
          "No token needed: the link's token is the key. The verification facts and the holder's full name; each request counts as a view. An expired or withdrawn link answers 410 `gone`, an unknown one 404. Rate limited per client address (429).",
        security: [],
        params: TokenParams,
        response: { 200: SharedCertificationSchema, ...problems(400, 404, 410, 429) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer");
      return openSharedCertification(ctx, request.params.token);
    },
  );
}
