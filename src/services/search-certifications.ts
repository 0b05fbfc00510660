import { forbidden, invalid, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import type { Source, STATUSES, Status } from "../domain/status.js";
import {
  countByStatus,
  type SearchAfter,
  type SearchFilters,
  type SearchOrder,
  searchCertifications,
} from "../storage/certification-search.js";
import type { ServiceContext } from "./context.js";
import { staffView, type WithHolderName } from "./holder-names.js";
import type { CertificationView } from "./views.js";

/** The staff list's search and sort, and its counts per status. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(order: SearchOrder, last: CertificationView): string {
  return Buffer.from(
    JSON.stringify({ v: 2, o: order, id: last.id, e: order === "expires_at" ? last.expires_at : undefined }),
  ).toString("base64url");
}

function decodeCursor(cursor: string, order: SearchOrder): SearchAfter {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;
    const { id, e } = parsed;
    if (parsed.v === 2 && parsed.o === order && typeof id === "string" && UUID.test(id)) {
      if (order === "newest") return { id };
      if (e === null) return { id, expiresAt: null };
      if (typeof e === "string" && !Number.isNaN(Date.parse(e))) return { id, expiresAt: new Date(e) };
    }
  } catch {
    // fall through
  }
  throw invalid("The cursor is not one this service gave out for this sort", [
    { field: "cursor", message: "invalid cursor" },
  ]);
}

/** The list's filters and search, from the query string's names. */
export function searchFilters(
  organizationId: string,
  query: Partial<
    Record<"user_id" | "certification_type_id" | "expires_before" | "expires_after" | "q", string>
  > & {
    status?: Status[] | undefined;
    source?: Source | undefined;
  },
): SearchFilters {
  return {
    organizationId,
    statuses: query.status,
    userId: query.user_id,
    certificationTypeId: query.certification_type_id,
    source: query.source,
    expiresBefore: query.expires_before ? new Date(query.expires_before) : undefined,
    expiresAfter: query.expires_after ? new Date(query.expires_after) : undefined,
    q: query.q,
  };
}

/** Staff of the organization only: another organization's is not found, a mentor is forbidden. */
export function checkStaff(principal: Principal, organizationId: string): void {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId))
    throw forbidden("Only coordinators and admins list certifications");
}

/** A page of an organization's certifications found by holder name or number, in either order. */
export async function searchOrganizationCertifications(
  ctx: ServiceContext,
  principal: Principal,
  filters: SearchFilters,
  query: { sort: SearchOrder; cursor?: string | undefined; limit: number },
): Promise<{ items: WithHolderName<CertificationView>[]; next_cursor: string | null }> {
  checkStaff(principal, filters.organizationId);
  const now = ctx.clock();
  const after = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
  const rows = await searchCertifications(
    ctx.db,
    filters,
    query.sort,
    after,
    query.limit + 1,
    now,
    ctx.warningDays,
  );
  const items = rows.slice(0, query.limit).map((row) => staffView(row, now, ctx.warningDays));
  const last = items.at(-1);
  return {
    items,
    next_cursor: rows.length > query.limit && last ? encodeCursor(query.sort, last) : null,
  };
}

export interface StatusCounts {
  total: number;
  by_status: Record<(typeof STATUSES)[number] | "suspended", number>;
}

/** How many certifications of the organization have each effective status, with the list's other filters. */
export async function countOrganizationCertifications(
  ctx: ServiceContext,
  principal: Principal,
  filters: SearchFilters,
): Promise<StatusCounts> {
  checkStaff(principal, filters.organizationId);
  const counts = await countByStatus(ctx.db, filters, ctx.clock(), ctx.warningDays);
  const by_status = { active: 0, expiring_soon: 0, suspended: 0, expired: 0, revoked: 0 };
  for (const [status, n] of counts) if (status in by_status) by_status[status as keyof typeof by_status] = n;
  return { total: [...counts.values()].reduce((sum, n) => sum + n, 0), by_status };
}
