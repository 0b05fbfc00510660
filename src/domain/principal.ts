export const ROLES = ["peer_mentor", "coordinator", "org_admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who acts. Users carry the roles the service's own membership table gives them (never the
 * token's claims); services act across organizations for course completions and eligibility;
 * the system is the service itself (CLI, scheduled jobs) and may do anything.
 */
export type Principal =
  | { kind: "user"; userId: string; isGlobalAdmin: boolean; roles: ReadonlyMap<string, Role> }
  | { kind: "service"; name: string }
  | { kind: "system"; name: string };

export const systemPrincipal = (name: string): Principal => ({ kind: "system", name });

/** How the principal is named in the audit trail. */
export function actorName(principal: Principal): string {
  switch (principal.kind) {
    case "user":
      return `user:${principal.userId}`;
    case "service":
      return `service:${principal.name}`;
    case "system":
      return `system:${principal.name}`;
  }
}

export function actorUserId(principal: Principal): string | null {
  return principal.kind === "user" ? principal.userId : null;
}

/** Global admins and the system itself cross organizations. */
export function isGlobal(principal: Principal): boolean {
  return principal.kind === "system" || (principal.kind === "user" && principal.isGlobalAdmin);
}

export function roleIn(principal: Principal, organizationId: string): Role | undefined {
  return principal.kind === "user" ? principal.roles.get(organizationId) : undefined;
}

/** May see that the organization exists at all (tenant isolation answers not_found otherwise). */
export function canSeeOrganization(principal: Principal, organizationId: string): boolean {
  return (
    isGlobal(principal) || principal.kind === "service" || roleIn(principal, organizationId) !== undefined
  );
}

/** Coordinators and org admins act on certifications within their organizations. */
export function isStaff(principal: Principal, organizationId: string): boolean {
  if (isGlobal(principal)) return true;
  const role = roleIn(principal, organizationId);
  return role === "coordinator" || role === "org_admin";
}

export function isOrgAdmin(principal: Principal, organizationId: string): boolean {
  return isGlobal(principal) || roleIn(principal, organizationId) === "org_admin";
}

/** Organizations in which the principal is staff; null means all of them. */
export function staffOrganizations(principal: Principal): string[] | null {
  if (isGlobal(principal) || principal.kind === "service") return null;
  if (principal.kind !== "user") return [];
  return [...principal.roles]
    .filter(([, role]) => role !== "peer_mentor")
    .map(([organizationId]) => organizationId);
}
