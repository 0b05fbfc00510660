import { parseCertificateNumber } from "../domain/certificate-number.js";
import { DomainError, forbidden, notFound } from "../domain/errors.js";
import { DEFAULT_LANGUAGE, fieldLabel, type Language } from "../domain/messages.js";
import { canSeeOrganization, isStaff, type Principal, staffOrganizations } from "../domain/principal.js";
import type { Source, Status } from "../domain/status.js";
import { listAuditEvents } from "../storage/audit-events.js";
import {
  type CertificationFilters,
  type CertificationRecord,
  findCertification,
  findCertificationByNumber,
  listCertifications,
  listExpiring,
} from "../storage/certifications.js";
import { displayNames } from "../storage/users.js";
import { canReadCertification } from "./certification-access.js";
import type { ServiceContext } from "./context.js";
import { staffView, type WithHolderName } from "./holder-names.js";
import { canSeeUser } from "./user-access.js";
import {
  type AuditEventView,
  auditEventView,
  type CertificationView,
  certificationView,
  etagOf,
} from "./views.js";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cursors are opaque to clients: the id of the last row shown, in a versioned envelope. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: 1, id: lastId })).toString("base64url");
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      v?: unknown;
      id?: unknown;
    };
    if (parsed.v === 1 && typeof parsed.id === "string" && UUID.test(parsed.id)) return parsed.id;
  } catch {
    // fall through to the error below
  }
  throw new DomainError("invalid_request", "The cursor is not one this service gave out", [
    { field: "cursor", message: "invalid cursor" },
  ]);
}

/**
 * One certification for a caller who may read it; staff get the holder's name with it. The ETag
 * is the certification's own (the name is the directory's), so it is the same for every reader.
 */
async function readable(
  ctx: ServiceContext,
  principal: Principal,
  record: CertificationRecord | undefined,
): Promise<{ certification: CertificationView | WithHolderName<CertificationView>; etag: string }> {
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  const now = ctx.clock();
  const view = certificationView(record, now, ctx.warningDays);
  const etag = etagOf(view);
  if (principal.kind !== "user" || !isStaff(principal, record.organization_id)) {
    return { certification: view, etag };
  }
  return { certification: { ...view, holder_display_name: record.holder_display_name ?? null }, etag };
}

/** Use case 3. */
export async function getCertification(ctx: ServiceContext, principal: Principal, id: string) {
  return readable(ctx, principal, await findCertification(ctx.db, id));
}

/** Use case 4: a malformed number is certificate_number_format, an unknown one not_found. */
export async function getCertificationByNumber(ctx: ServiceContext, principal: Principal, number: string) {
  parseCertificateNumber(number);
  return readable(ctx, principal, await findCertificationByNumber(ctx.db, number));
}

export interface ListQuery {
  statuses?: readonly Status[] | undefined;
  userId?: string | undefined;
  certificationTypeId?: string | undefined;
  source?: Source | undefined;
  expiresBefore?: Date | undefined;
  expiresAfter?: Date | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

async function page<V extends CertificationView>(
  ctx: ServiceContext,
  filters: Omit<CertificationFilters, "limit" | "beforeId">,
  query: ListQuery,
  viewOf: (record: CertificationRecord, now: Date, defaultWarningDays: number) => V,
): Promise<Page<V>> {
  const limit = query.limit ?? 50;
  const now = ctx.clock();
  const rows = await listCertifications(
    ctx.db,
    {
      ...filters,
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.certificationTypeId ? { certificationTypeId: query.certificationTypeId } : {}),
      ...(query.source ? { source: query.source } : {}),
      ...(query.expiresBefore ? { expiresBefore: query.expiresBefore } : {}),
      ...(query.expiresAfter ? { expiresAfter: query.expiresAfter } : {}),
      ...(query.cursor ? { beforeId: decodeCursor(query.cursor) } : {}),
      limit: limit + 1,
    },
    now,
    ctx.warningDays,
  );
  const items = rows.slice(0, limit).map((row) => viewOf(row, now, ctx.warningDays));
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** Use case 5: an organization's certifications, for its staff. */
export async function listOrganizationCertifications(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  query: ListQuery,
): Promise<Page<WithHolderName<CertificationView>>> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId))
    throw forbidden("Only coordinators and admins list certifications");
  return page(ctx, { organizationId, ...(query.userId ? { userId: query.userId } : {}) }, query, staffView);
}

/** Use case 6: live certifications of an organization whose expiry falls within `withinDays`. */
export async function listExpiringCertifications(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  withinDays: number,
  limit = 200,
): Promise<{ items: CertificationView[] }> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId))
    throw forbidden("Only coordinators and admins list certifications");
  const now = ctx.clock();
  const within = new Date(now.getTime() + withinDays * 86_400_000);
  const rows = await listExpiring(ctx.db, organizationId, now, within, limit);
  return { items: rows.map((row) => certificationView(row, now, ctx.warningDays)) };
}

/**
 * Use case 7: what the caller may see of one user's certifications: all of their own; staff, those
 * of their organizations. Callers who share no organization with the user get not_found.
 */
export async function listUserCertifications(
  ctx: ServiceContext,
  principal: Principal,
  userId: string,
  query: ListQuery,
): Promise<Page<CertificationView>> {
  if (!(await canSeeUser(ctx.db, principal, userId))) throw notFound("User");
  const own = principal.kind === "user" && principal.userId === userId;
  const organizations = own ? null : staffOrganizations(principal);
  return page(
    ctx,
    { userId, ...(organizations === null ? {} : { organizationIds: organizations }) },
    query,
    certificationView,
  );
}

/** Use case 13: the audit trail of one certification, for staff of its organization. */
export interface ReadableAuditEvent extends AuditEventView {
  /** The acting user's display name; null for services, the system, or an unknown user. */
  actor_display_name: string | null;
  /** What changed: each field with its label in `language`, before → after. */
  changes: { field: string; label: string; before: unknown; after: unknown }[];
}

export async function listCertificationEvents(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
  language: Language = DEFAULT_LANGUAGE,
): Promise<{ items: ReadableAuditEvent[] }> {
  const record = await findCertification(ctx.db, id);
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  if (!isStaff(principal, record.organization_id))
    throw forbidden("Only coordinators and admins read the audit trail");
  const rows = await listAuditEvents(ctx.db, id);
  const names = await displayNames(ctx.db, [
    ...new Set(rows.map((row) => row.actor_user_id).filter((v): v is string => v !== null)),
  ]);
  return {
    items: rows.map((row) => {
      const view = auditEventView(row);
      return {
        ...view,
        actor_display_name: row.actor_user_id === null ? null : (names.get(row.actor_user_id) ?? null),
        changes: changesOf(view.before, view.after).map((change) => ({
          ...change,
          label: fieldLabel(change.field, language),
        })),
      };
    }),
  };
}

// Bookkeeping fields that every change moves: not shown as changes.
const UNSHOWN = new Set(["updated_at", "created_at", "id", "organization_id"]);

/** The fields an event changed, with their values before and after (none for a creation). */
export function changesOf(
  before: unknown,
  after: unknown,
): { field: string; before: unknown; after: unknown }[] {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value);
  if (!isObject(before) || !isObject(after)) return [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => !UNSHOWN.has(f));
  return fields
    .filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null))
    .map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }));
}
