import { forbidden, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { effectiveStatus } from "../domain/status.js";
import {
  exportPage,
  type PageOrder,
  type SearchAfter,
  type SearchFilters,
} from "../storage/certification-search.js";
import { findOrganization } from "../storage/organizations.js";
import type { ServiceContext } from "./context.js";
import { spreadsheetCsv } from "./spreadsheet-csv.js";

/**
 * The columns of an export: the seed's 18 attributes (status as the effective status) plus the
 * holder's display name and the type's name, which make the file readable and let
 * `import` resolve the type by name in another organization. Import reads the same names.
 */
export const EXPORT_COLUMNS = [
  "certificate_number",
  "user_id",
  "display_name",
  "certification_type_id",
  "certification_type",
  "status",
  "issued_at",
  "expires_at",
  "source",
  "issued_by_user_id",
  "course_registration_id",
  "revoked_at",
  "revoked_by_user_id",
  "revocation_reason",
  "expiry_warning_sent_at",
  "notes",
  "id",
  "organization_id",
  "created_at",
  "updated_at",
] as const;

/** The orders an export can take: `oldest` (the default, replays on import), `newest`, `expires_at`. */
export type ExportOrder = PageOrder;
export const EXPORT_ORDERS = ["oldest", "newest", "expires_at"] as const satisfies readonly ExportOrder[];

const iso = (value: Date | null) => (value === null ? "" : value.toISOString());

/**
 * An organization's certifications as CSV (staff of the organization, global admins), with the
 * staff list's filters and search (`filters`, the same query as the list's). Oldest first by
 * default, so that an import replays them in the order they were made; `newest` or
 * `expires_at` give the list's order. The access check runs before the first chunk; the rows are
 * then read in keyset pages, so memory stays at one page.
 */
export async function exportCertificationsCsv(
  ctx: ServiceContext,
  principal: Principal,
  filters: SearchFilters,
  order: PageOrder = "oldest",
  pageSize = 1000,
): Promise<AsyncIterable<string>> {
  const { organizationId } = filters;
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId))
    throw forbidden("Only coordinators and admins export certifications");
  if (!(await findOrganization(ctx.db, organizationId))) throw notFound("Organization");
  const now = ctx.clock();

  async function* chunks(): AsyncGenerator<string> {
    yield spreadsheetCsv([[...EXPORT_COLUMNS]]);
    let after: SearchAfter | undefined;
    for (;;) {
      const rows = await exportPage(ctx.db, filters, order, after, pageSize, now, ctx.warningDays);
      if (rows.length === 0) return;
      yield spreadsheetCsv(
        rows.map((row) => [
          row.certificate_number,
          row.user_id,
          row.display_name,
          row.certification_type_id,
          row.type_name,
          effectiveStatus(row, row.type_warning_days ?? ctx.warningDays, now),
          iso(row.issued_at),
          iso(row.expires_at),
          row.source,
          row.issued_by_user_id ?? "",
          row.course_registration_id ?? "",
          iso(row.revoked_at),
          row.revoked_by_user_id ?? "",
          row.revocation_reason ?? "",
          iso(row.expiry_warning_sent_at),
          row.notes ?? "",
          row.id,
          row.organization_id,
          iso(row.created_at),
          iso(row.updated_at),
        ]),
      );
      const last = rows.at(-1);
      if (rows.length < pageSize || last === undefined) return;
      after = { id: last.id, expiresAt: last.expires_at };
    }
  }
  return chunks();
}
