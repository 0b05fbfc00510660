import { forbidden, notFound } from "../domain/errors.js";
import { canSeeOrganization, isStaff, type Principal } from "../domain/principal.js";
import { effectiveStatus, type Source, type Status } from "../domain/status.js";
import { effectiveStatusSql, warningDaysSql } from "../storage/certification-sql.js";
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

export interface ExportFilters {
  statuses?: readonly Status[] | undefined;
  userId?: string | undefined;
  certificationTypeId?: string | undefined;
  source?: Source | undefined;
  expiresBefore?: Date | undefined;
  expiresAfter?: Date | undefined;
}

const iso = (value: Date | null) => (value === null ? "" : value.toISOString());

/**
 * An organization's certifications as CSV (staff of the organization, global admins), oldest
 * first so that an import replays them in the order they were made. The access check runs
 * before the first chunk; the rows are then read in keyset pages, so memory stays at one page.
 */
export async function exportCertificationsCsv(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
  filters: ExportFilters = {},
  pageSize = 1000,
): Promise<AsyncIterable<string>> {
  if (!canSeeOrganization(principal, organizationId)) throw notFound("Organization");
  if (!isStaff(principal, organizationId))
    throw forbidden("Only coordinators and admins export certifications");
  if (!(await findOrganization(ctx.db, organizationId))) throw notFound("Organization");
  const now = ctx.clock();

  async function* chunks(): AsyncGenerator<string> {
    yield spreadsheetCsv([[...EXPORT_COLUMNS]]);
    let afterId: string | null = null;
    for (;;) {
      let query = ctx.db
        .selectFrom("certifications as c")
        .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
        .innerJoin("users as u", "u.id", "c.user_id")
        .selectAll("c")
        .select(["t.name as type_name", warningDaysSql("c", "t").as("type_warning_days"), "u.display_name"])
        .where("c.organization_id", "=", organizationId);
      if (filters.userId !== undefined) query = query.where("c.user_id", "=", filters.userId);
      if (filters.certificationTypeId !== undefined)
        query = query.where("c.certification_type_id", "=", filters.certificationTypeId);
      if (filters.source !== undefined) query = query.where("c.source", "=", filters.source);
      if (filters.expiresBefore !== undefined)
        query = query.where("c.expires_at", "<", filters.expiresBefore);
      if (filters.expiresAfter !== undefined) query = query.where("c.expires_at", ">", filters.expiresAfter);
      const statuses = filters.statuses;
      if (statuses !== undefined && statuses.length > 0) {
        query = query.where((eb) =>
          eb(effectiveStatusSql("c", "t", now, ctx.warningDays), "in", [...statuses]),
        );
      }
      if (afterId !== null) query = query.where("c.id", ">", afterId);
      const rows = await query.orderBy("c.id", "asc").limit(pageSize).execute();
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
      afterId = rows.at(-1)?.id ?? null;
      if (rows.length < pageSize) return;
    }
  }
  return chunks();
}
