import { randomBytes } from "node:crypto";
import { DomainError, forbidden, notFound } from "../domain/errors.js";
import { actorName, actorUserId, type Principal } from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findCertification } from "../storage/certifications.js";
import type { ShareLinkRow } from "../storage/schema.js";
import { insertShareLink, listShareLinks, openShareLink, withdrawShareLink } from "../storage/share-links.js";
import { findForVerification } from "../storage/verification-codes.js";
import { canReadCertification } from "./certification-access.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { type Verification, verificationOf } from "./verify-certificate.js";

export const SHARE_LINK_MAX_DAYS = 90;

export interface ShareLinkView {
  id: string;
  url: string;
  expires_at: string;
  views: number;
  created_at: string;
  withdrawn_at: string | null;
  /** live, expired or withdrawn, at the time of the answer. */
  state: "live" | "expired" | "withdrawn";
}

export interface SharedCertification extends Verification {
  holder_name: string;
}

export const shareLinkUrl = (publicUrl: string, token: string): string =>
  `${publicUrl.replace(/\/+$/, "")}/s/${token}`;

function view(row: ShareLinkRow, publicUrl: string, now: Date): ShareLinkView {
  return {
    id: row.id,
    url: shareLinkUrl(publicUrl, row.token),
    expires_at: row.expires_at.toISOString(),
    views: row.views,
    created_at: row.created_at.toISOString(),
    withdrawn_at: row.withdrawn_at?.toISOString() ?? null,
    state: row.withdrawn_at !== null ? "withdrawn" : row.expires_at <= now ? "expired" : "live",
  };
}

/** Only the holder shares their certificate; others who may read it are refused, anyone else not told it exists. */
async function holdersCertification(ctx: ServiceContext, principal: Principal, id: string) {
  const record = await findCertification(ctx.db, id);
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  if (principal.kind !== "user" || principal.userId !== record.user_id) {
    throw forbidden("Only the holder shares their certificate");
  }
  return record;
}

/** Use case 15: a link to the certificate for `days` days (1 to 90), with a token of 192 random bits. */
export async function createShareLink(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  input: { expiresInDays: number; publicUrl: string },
): Promise<ShareLinkView> {
  const record = await holdersCertification(ctx, principal, id);
  if (
    !Number.isInteger(input.expiresInDays) ||
    input.expiresInDays < 1 ||
    input.expiresInDays > SHARE_LINK_MAX_DAYS
  ) {
    throw new DomainError("invalid_request", "expires_in_days is a whole number from 1 to 90", [
      { field: "body/expires_in_days", message: "must be from 1 to 90" },
    ]);
  }
  const now = ctx.clock();
  const row = await inTransaction(ctx, async (trx) => {
    const inserted = await insertShareLink(trx, {
      certificationId: record.id,
      token: randomBytes(24).toString("base64url"),
      createdBy: actorUserId(principal),
      expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000),
      now,
    });
    await appendAuditEvent(trx, {
      entityType: "certification",
      entityId: record.id,
      organizationId: record.organization_id,
      action: "share_link_created",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      after: { share_link_id: inserted.id, expires_at: inserted.expires_at.toISOString() },
      occurredAt: now,
    });
    return inserted;
  });
  return view(row, input.publicUrl, now);
}

export async function listCertificationShareLinks(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  publicUrl: string,
): Promise<{ items: ShareLinkView[] }> {
  await holdersCertification(ctx, principal, id);
  const now = ctx.clock();
  return { items: (await listShareLinks(ctx.db, id)).map((row) => view(row, publicUrl, now)) };
}

/** Withdraws a link: its next request answers gone. Withdrawing it again changes nothing. */
export async function withdrawCertificationShareLink(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  linkId: string,
): Promise<void> {
  const record = await holdersCertification(ctx, principal, id);
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    const row = await withdrawShareLink(trx, id, linkId, now);
    if (!row) throw notFound("Share link");
    await appendAuditEvent(trx, {
      entityType: "certification",
      entityId: record.id,
      organizationId: record.organization_id,
      action: "share_link_withdrawn",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      after: { share_link_id: row.id },
      occurredAt: now,
    });
  });
}

export const gone = (): DomainError =>
  new DomainError("gone", "This share link has expired or was withdrawn by the certificate's holder");

/**
 * A share link opened (public): the verification facts and the holder's full name, which the
 * holder chose to show. Each opening is counted. Expired or withdrawn: gone; unknown: not found.
 */
export async function openSharedCertification(
  ctx: ServiceContext,
  token: string,
): Promise<SharedCertification> {
  const now = ctx.clock();
  const opening = /^[A-Za-z0-9_-]{22,64}$/.test(token)
    ? await openShareLink(ctx.db, token, now)
    : { kind: "unknown" as const };
  if (opening.kind === "gone") throw gone();
  if (opening.kind === "unknown") throw notFound("Share link");
  const certification = await findCertification(ctx.db, opening.certificationId);
  const record = certification ? await findForVerification(ctx.db, certification.certificate_number) : null;
  if (!record) throw notFound("Share link");
  return { ...verificationOf(ctx, record, now), holder_name: record.display_name };
}
