import { notFound } from "../domain/errors.js";
import { canSeeOrganization, isGlobal, type Principal, type Role } from "../domain/principal.js";
import { listCertificationTypes } from "../storage/certification-types.js";
import { findOrganization, listOrganizations } from "../storage/organizations.js";
import { findUser } from "../storage/users.js";
import type { ServiceContext } from "./context.js";
import { type CertificationTypeView, certificationTypeView } from "./create-certification-type.js";
import { type OrganizationView, organizationView } from "./create-organization.js";

/** The directory as the web pages read it: who the caller is, their organizations, members and types. */

export interface WhoAmI {
  kind: "user" | "service" | "system";
  user_id: string | null;
  display_name: string | null;
  is_global_admin: boolean;
  memberships: { organization_id: string; organization_name: string; prefix: string; role: Role }[];
}

/** The caller's identity and roles, as the membership table has them. */
export async function whoAmI(ctx: ServiceContext, principal: Principal): Promise<WhoAmI> {
  if (principal.kind !== "user") {
    return {
      kind: principal.kind,
      user_id: null,
      display_name: null,
      is_global_admin: false,
      memberships: [],
    };
  }
  const user = await findUser(ctx.db, principal.userId);
  const organizations = await listOrganizations(ctx.db, [...principal.roles.keys()]);
  return {
    kind: "user",
    user_id: principal.userId,
    display_name: user?.display_name ?? null,
    is_global_admin: principal.isGlobalAdmin,
    memberships: organizations.map((org) => ({
      organization_id: org.id,
      organization_name: org.name,
      prefix: org.prefix,
      role: principal.roles.get(org.id) ?? "peer_mentor",
    })),
  };
}

/** The organizations the caller belongs to; all of them for a global admin. */
export async function listVisibleOrganizations(
  ctx: ServiceContext,
  principal: Principal,
): Promise<OrganizationView[]> {
  const ids = isGlobal(principal) ? null : principal.kind === "user" ? [...principal.roles.keys()] : [];
  return (await listOrganizations(ctx.db, ids)).map(organizationView);
}

async function visibleOrganization(ctx: ServiceContext, principal: Principal, organizationId: string) {
  if (!canSeeOrganization(principal, organizationId) || !(await findOrganization(ctx.db, organizationId))) {
    throw notFound("Organization");
  }
}

/** The organization's own certification types and the global ones; any member. */
export async function listOrganizationCertificationTypes(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
): Promise<CertificationTypeView[]> {
  await visibleOrganization(ctx, principal, organizationId);
  const rows = await listCertificationTypes(ctx.db, organizationId);
  return rows.map((row) => certificationTypeView(row, ctx.warningDays));
}
