import { isValidTimeZone, PREFIX_PATTERN } from "../domain/certificate-number.js";
import { DomainError, forbidden, invalid } from "../domain/errors.js";
import { actorName, actorUserId, isGlobal, type Principal } from "../domain/principal.js";
import { appendAuditEvent } from "../storage/audit-events.js";
import { findOrganizationByPrefix, insertOrganization } from "../storage/organizations.js";
import type { OrganizationRow } from "../storage/schema.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { makeSigningKey } from "./signing-keys.js";

export interface OrganizationView {
  id: string;
  name: string;
  prefix: string;
  time_zone: string;
  created_at: string;
}

export const organizationView = (row: OrganizationRow): OrganizationView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  time_zone: row.time_zone,
  created_at: row.created_at.toISOString(),
});

/** A new organization, by a global admin. Its prefix starts every certificate number it issues. */
export async function createOrganization(
  ctx: ServiceContext,
  principal: Principal,
  input: { name: string; prefix: string; timeZone?: string | undefined },
): Promise<OrganizationView> {
  if (!isGlobal(principal)) throw forbidden("Only a global admin can create organizations");
  const name = input.name.trim();
  const timeZone = input.timeZone ?? "Europe/Oslo";
  const errors = [
    ...(name === "" ? [{ field: "name", message: "must not be blank" }] : []),
    ...(PREFIX_PATTERN.test(input.prefix)
      ? []
      : [{ field: "prefix", message: "must match ^[A-Z][A-Z0-9]{1,9}$" }]),
    ...(isValidTimeZone(timeZone) ? [] : [{ field: "time_zone", message: "unknown IANA time zone" }]),
  ];
  if (errors.length > 0) throw invalid("The organization is not valid", errors);
  return inTransaction(ctx, async (trx) => {
    if (await findOrganizationByPrefix(trx, input.prefix)) {
      throw new DomainError("conflict", `The prefix ${input.prefix} is taken by another organization`);
    }
    const row = await insertOrganization(trx, { name, prefix: input.prefix, time_zone: timeZone });
    const view = organizationView(row);
    await makeSigningKey(ctx, trx, row.id);
    await appendAuditEvent(trx, {
      entityType: "organization",
      entityId: row.id,
      organizationId: row.id,
      action: "created",
      actorUserId: actorUserId(principal),
      actor: actorName(principal),
      after: view,
      occurredAt: ctx.clock(),
    });
    return view;
  });
}
