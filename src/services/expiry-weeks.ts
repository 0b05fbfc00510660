import { invalid } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import type { Status } from "../domain/status.js";
import type { SearchFilters } from "../storage/certification-search.js";
import { countByExpiryWeek, type ExpiryWeek } from "../storage/expiry-weeks.js";
import type { ServiceContext } from "./context.js";
import { checkStaff } from "./search-certifications.js";

/** The staff's "expiring" view: how many certifications expire in each week, over all of them. */

/** The statuses that still need a coordinator's action, counted unless the caller names others. */
export const NEEDS_ACTION: readonly Status[] = ["active", "expiring_soon", "suspended"];

export interface ExpiryWeeks {
  weeks: ExpiryWeek[];
  total: number;
}

export async function countExpiryWeeks(
  ctx: ServiceContext,
  principal: Principal,
  filters: SearchFilters,
): Promise<ExpiryWeeks> {
  checkStaff(principal, filters.organizationId);
  const { expiresAfter, expiresBefore } = filters;
  if (expiresAfter && expiresBefore && expiresAfter.getTime() >= expiresBefore.getTime()) {
    throw invalid("expires_after must be before expires_before", [
      { field: "query/expires_after", message: "must be before expires_before" },
    ]);
  }
  const statuses = filters.statuses && filters.statuses.length > 0 ? filters.statuses : NEEDS_ACTION;
  const weeks = await countByExpiryWeek(ctx.db, { ...filters, statuses }, ctx.clock(), ctx.warningDays);
  return { weeks, total: weeks.reduce((sum, week) => sum + week.count, 0) };
}
