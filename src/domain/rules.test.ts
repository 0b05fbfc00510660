import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import type { Principal, Role } from "./principal.js";
import {
  type CourseRegistrationFacts,
  canReinstate,
  checkExpiresAfterIssued,
  checkIssuedByRole,
  checkIssuedNotInFuture,
  checkOrganizationScopedType,
  checkRevocationReason,
  checkSourceConsistency,
  defaultExpiry,
  holderInitials,
  namesMatch,
} from "./rules.js";

const ORG = "11111111-1111-4111-8111-111111111111";
const OTHER_ORG = "22222222-2222-4222-8222-222222222222";
const USER = "33333333-3333-4333-8333-333333333333";

function user(roles: [string, Role][] = [], isGlobalAdmin = false): Principal {
  return { kind: "user", userId: USER, isGlobalAdmin, roles: new Map(roles) };
}

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("expires_at_after_issued_at", () => {
  const issued = new Date("2026-01-01T00:00:00.000Z");
  it("accepts an expiry after the issue date, and a lifetime certification", () => {
    expect(codeOf(() => checkExpiresAfterIssued(issued, new Date(issued.getTime() + 1)))).toBeUndefined();
    expect(codeOf(() => checkExpiresAfterIssued(issued, null))).toBeUndefined();
  });
  it("refuses an expiry equal to the issue date or before it", () => {
    expect(codeOf(() => checkExpiresAfterIssued(issued, issued))).toBe("expires_at_after_issued_at");
    expect(codeOf(() => checkExpiresAfterIssued(issued, new Date(issued.getTime() - 1)))).toBe(
      "expires_at_after_issued_at",
    );
  });
});

describe("issued_at is never in the future", () => {
  const now = new Date("2026-03-15T10:00:00.000Z");
  it("accepts now, the past, and up to one second of clock skew", () => {
    expect(codeOf(() => checkIssuedNotInFuture(now, now))).toBeUndefined();
    expect(codeOf(() => checkIssuedNotInFuture(new Date("2020-01-01"), now))).toBeUndefined();
    expect(codeOf(() => checkIssuedNotInFuture(new Date(now.getTime() + 1000), now))).toBeUndefined();
  });
  it("refuses a date more than a second ahead with invalid_request on issued_at", () => {
    try {
      checkIssuedNotInFuture(new Date(now.getTime() + 1001), now);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid_request", errors: [{ field: "issued_at" }] });
    }
  });
});

describe("course_registration_source_consistency", () => {
  const holder = { userId: USER, organizationId: ORG };
  const completed: CourseRegistrationFacts = {
    user_id: USER,
    organization_id: ORG,
    completed_at: new Date(),
  };

  it("a manual grant without a registration and a course completion with a completed one of the same user and organization pass", () => {
    expect(codeOf(() => checkSourceConsistency("manual_grant", holder, null))).toBeUndefined();
    expect(codeOf(() => checkSourceConsistency("course_completion", holder, completed))).toBeUndefined();
  });

  it.each<[string, "manual_grant" | "course_completion", CourseRegistrationFacts | null]>([
    ["a manual grant with a registration", "manual_grant", completed],
    ["a course completion without a registration", "course_completion", null],
    ["a course completion of another user", "course_completion", { ...completed, user_id: "other" }],
    [
      "a course completion in another organization",
      "course_completion",
      { ...completed, organization_id: OTHER_ORG },
    ],
    [
      "a course completion of an unfinished course",
      "course_completion",
      { ...completed, completed_at: null },
    ],
  ])("%s fails", (_name, source, registration) => {
    expect(codeOf(() => checkSourceConsistency(source, holder, registration))).toBe(
      "course_registration_source_consistency",
    );
  });
});

describe("organization_scoped_type", () => {
  it("a type of the organization and a global type can be issued", () => {
    expect(codeOf(() => checkOrganizationScopedType(ORG, ORG))).toBeUndefined();
    expect(codeOf(() => checkOrganizationScopedType(null, ORG))).toBeUndefined();
  });
  it("a type of another organization fails with organization_scoped_type", () => {
    expect(codeOf(() => checkOrganizationScopedType(OTHER_ORG, ORG))).toBe("organization_scoped_type");
  });
});

describe("issued_by_role_check", () => {
  it("coordinators and org admins of the organization and global admins may issue", () => {
    expect(codeOf(() => checkIssuedByRole(user([[ORG, "coordinator"]]), ORG))).toBeUndefined();
    expect(codeOf(() => checkIssuedByRole(user([[ORG, "org_admin"]]), ORG))).toBeUndefined();
    expect(codeOf(() => checkIssuedByRole(user([], true), ORG))).toBeUndefined();
  });
  it("a peer mentor, staff of another organization and a stranger fail with issued_by_role_check", () => {
    expect(codeOf(() => checkIssuedByRole(user([[ORG, "peer_mentor"]]), ORG))).toBe("issued_by_role_check");
    expect(codeOf(() => checkIssuedByRole(user([[OTHER_ORG, "org_admin"]]), ORG))).toBe(
      "issued_by_role_check",
    );
    expect(codeOf(() => checkIssuedByRole(user(), ORG))).toBe("issued_by_role_check");
  });
  it("the system issues with no issuer", () => {
    expect(codeOf(() => checkIssuedByRole({ kind: "system", name: "import" }, ORG))).toBeUndefined();
  });
  it("a service cannot grant manually (it issues only from course completions)", () => {
    expect(codeOf(() => checkIssuedByRole({ kind: "service", name: "course-module" }, ORG))).toBe(
      "issued_by_role_check",
    );
  });
});

describe("revocation_requires_reason", () => {
  it.each([undefined, null, "", "   ", "\n\t"])("a reason of %j fails", (reason) => {
    expect(codeOf(() => checkRevocationReason(reason))).toBe("revocation_requires_reason");
  });
  it("returns the reason trimmed", () => {
    expect(checkRevocationReason("  forged signature ")).toBe("forged signature");
  });
});

describe("revoked_cert_cannot_be_reactivated: who may reinstate", () => {
  it("only a global admin (or the system) may reinstate", () => {
    expect(canReinstate(user([], true))).toBe(true);
    expect(canReinstate({ kind: "system", name: "migration" })).toBe(true);
    expect(canReinstate(user([[ORG, "org_admin"]]))).toBe(false);
    expect(canReinstate(user([[ORG, "coordinator"]]))).toBe(false);
    expect(canReinstate({ kind: "service", name: "course-module" })).toBe(false);
  });
});

describe("defaultExpiry", () => {
  it("a lifetime type gives no expiry", () => {
    expect(defaultExpiry(new Date("2026-01-31T12:00:00Z"), null)).toBeNull();
  });
  it("adds whole months and keeps the time of day", () => {
    expect(defaultExpiry(new Date("2026-03-15T10:00:00.000Z"), 24)?.toISOString()).toBe(
      "2028-03-15T10:00:00.000Z",
    );
    expect(defaultExpiry(new Date("2026-11-30T08:30:00.000Z"), 3)?.toISOString()).toBe(
      "2027-02-28T08:30:00.000Z",
    );
  });
  it("31 January plus one month is the last day of February (28th, or 29th in a leap year)", () => {
    expect(defaultExpiry(new Date("2026-01-31T10:00:00.000Z"), 1)?.toISOString()).toBe(
      "2026-02-28T10:00:00.000Z",
    );
    expect(defaultExpiry(new Date("2028-01-31T10:00:00.000Z"), 1)?.toISOString()).toBe(
      "2028-02-29T10:00:00.000Z",
    );
  });
  it("29 February plus twelve months is 28 February", () => {
    expect(defaultExpiry(new Date("2028-02-29T00:00:00.000Z"), 12)?.toISOString()).toBe(
      "2029-02-28T00:00:00.000Z",
    );
  });
  it("31 March plus one month is 30 April; 31 December plus one month is 31 January", () => {
    expect(defaultExpiry(new Date("2026-03-31T00:00:00.000Z"), 1)?.toISOString()).toBe(
      "2026-04-30T00:00:00.000Z",
    );
    expect(defaultExpiry(new Date("2026-12-31T23:59:59.999Z"), 1)?.toISOString()).toBe(
      "2027-01-31T23:59:59.999Z",
    );
  });
  it("does not change the date it is given", () => {
    const issued = new Date("2026-01-31T10:00:00.000Z");
    defaultExpiry(issued, 1);
    expect(issued.toISOString()).toBe("2026-01-31T10:00:00.000Z");
  });
});

describe("holderInitials", () => {
  it.each([
    ["Mari Mentor", "MM"],
    ["mari mentor", "MM"],
    ["Mari Anne Mentor", "MM"],
    ["Mari", "M"],
    ["  Mari   Mentor  ", "MM"],
    ["Øyvind Ås", "ØÅ"],
    ["æsa ødegård", "ÆØ"],
    ["Anne-Lise Berg-Hansen", "AB"],
    ["Åse", "Å"],
  ])("%j has initials %j", (name, initials) => {
    expect(holderInitials(name)).toBe(initials);
  });
  it("a blank name has no initials", () => {
    expect(holderInitials("   ")).toBe("");
  });
});

describe("namesMatch", () => {
  it("ignores case and spacing, Norwegian letters included", () => {
    expect(namesMatch("Mari Mentor", "mari  mentor")).toBe(true);
    expect(namesMatch("Mari Mentor", " MARI MENTOR ")).toBe(true);
    expect(namesMatch("Øyvind Ås", "øyvind ås")).toBe(true);
  });
  it("treats composed and decomposed å alike", () => {
    expect(namesMatch("Åse", "A\u030Ase")).toBe(true);
  });
  it("another name, or a blank name, does not match", () => {
    expect(namesMatch("Mari Mentor", "Mari Mentorsen")).toBe(false);
    expect(namesMatch("Mari Mentor", "")).toBe(false);
    expect(namesMatch("   ", "   ")).toBe(false);
  });
});
