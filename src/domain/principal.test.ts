import { describe, expect, it } from "vitest";
import {
  actorName,
  actorUserId,
  canSeeOrganization,
  isGlobal,
  isOrgAdmin,
  isStaff,
  type Principal,
  type Role,
  roleIn,
  staffOrganizations,
  systemPrincipal,
} from "./principal.js";

const ORG = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const USER = "33333333-3333-4333-8333-333333333333";

const user = (roles: [string, Role][] = [], isGlobalAdmin = false): Principal => ({
  kind: "user",
  userId: USER,
  isGlobalAdmin,
  roles: new Map(roles),
});
const service: Principal = { kind: "service", name: "course-module" };
const system = systemPrincipal("sweep");

describe("principals", () => {
  it("name themselves in the audit trail by kind", () => {
    expect(actorName(user())).toBe(`user:${USER}`);
    expect(actorName(service)).toBe("service:course-module");
    expect(actorName(system)).toBe("system:sweep");
    expect(actorUserId(user())).toBe(USER);
    expect(actorUserId(service)).toBeNull();
    expect(actorUserId(system)).toBeNull();
  });

  it("global admins and the system are global; services and ordinary users are not", () => {
    expect(isGlobal(user([], true))).toBe(true);
    expect(isGlobal(system)).toBe(true);
    expect(isGlobal(service)).toBe(false);
    expect(isGlobal(user([[ORG, "org_admin"]]))).toBe(false);
  });

  it("a user's role is the one of that organization only", () => {
    const p = user([[ORG, "coordinator"]]);
    expect(roleIn(p, ORG)).toBe("coordinator");
    expect(roleIn(p, OTHER)).toBeUndefined();
    expect(roleIn(service, ORG)).toBeUndefined();
  });

  it("members of any role, services and global principals see an organization; strangers do not", () => {
    expect(canSeeOrganization(user([[ORG, "peer_mentor"]]), ORG)).toBe(true);
    expect(canSeeOrganization(user([[OTHER, "org_admin"]]), ORG)).toBe(false);
    expect(canSeeOrganization(user(), ORG)).toBe(false);
    expect(canSeeOrganization(service, ORG)).toBe(true);
    expect(canSeeOrganization(user([], true), ORG)).toBe(true);
    expect(canSeeOrganization(system, ORG)).toBe(true);
  });

  it("staff are coordinators and org admins of the organization, and global principals", () => {
    expect(isStaff(user([[ORG, "coordinator"]]), ORG)).toBe(true);
    expect(isStaff(user([[ORG, "org_admin"]]), ORG)).toBe(true);
    expect(isStaff(user([[ORG, "peer_mentor"]]), ORG)).toBe(false);
    expect(isStaff(user([[OTHER, "coordinator"]]), ORG)).toBe(false);
    expect(isStaff(user([], true), ORG)).toBe(true);
    expect(isStaff(service, ORG)).toBe(false);
  });

  it("only org admins of the organization (and global principals) are org admins", () => {
    expect(isOrgAdmin(user([[ORG, "org_admin"]]), ORG)).toBe(true);
    expect(isOrgAdmin(user([[ORG, "coordinator"]]), ORG)).toBe(false);
    expect(isOrgAdmin(user([[OTHER, "org_admin"]]), ORG)).toBe(false);
    expect(isOrgAdmin(user([], true), ORG)).toBe(true);
    expect(isOrgAdmin(service, ORG)).toBe(false);
  });

  it("staffOrganizations lists where a user is staff; null means everywhere", () => {
    expect(
      staffOrganizations(
        user([
          [ORG, "coordinator"],
          [OTHER, "peer_mentor"],
        ]),
      ),
    ).toEqual([ORG]);
    expect(staffOrganizations(user([[OTHER, "peer_mentor"]]))).toEqual([]);
    expect(staffOrganizations(user([], true))).toBeNull();
    expect(staffOrganizations(system)).toBeNull();
    expect(staffOrganizations(service)).toBeNull();
  });
});
