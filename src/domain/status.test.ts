import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import {
  assertTransition,
  canApply,
  effectiveStatus,
  grantsAccess,
  holdsLivePlace,
  type LifecycleAction,
  requestedStatusChange,
  STATUSES,
  type Status,
} from "./status.js";

const DAY = 86_400_000;
const NOW = new Date("2026-03-15T10:00:00.000Z");
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("effectiveStatus", () => {
  it("is revoked whenever revoked_at is set, whatever the dates say", () => {
    expect(effectiveStatus({ revoked_at: at(-1), expires_at: at(365) }, 30, NOW)).toBe("revoked");
    expect(effectiveStatus({ revoked_at: at(-1), expires_at: at(-10) }, 30, NOW)).toBe("revoked");
    expect(effectiveStatus({ revoked_at: at(-1), expires_at: null }, 30, NOW)).toBe("revoked");
  });

  it("a lifetime certification (no expires_at) is always active", () => {
    expect(effectiveStatus({ revoked_at: null, expires_at: null }, 30, NOW)).toBe("active");
    expect(effectiveStatus({ revoked_at: null, expires_at: null }, 30, new Date("2999-01-01"))).toBe(
      "active",
    );
  });

  it("is expired at the very instant expires_at comes, and after", () => {
    expect(effectiveStatus({ revoked_at: null, expires_at: NOW }, 30, NOW)).toBe("expired");
    expect(effectiveStatus({ revoked_at: null, expires_at: at(-400) }, 30, NOW)).toBe("expired");
  });

  it("is expiring_soon one millisecond before expiry and exactly at the edge of the window", () => {
    expect(effectiveStatus({ revoked_at: null, expires_at: new Date(NOW.getTime() + 1) }, 30, NOW)).toBe(
      "expiring_soon",
    );
    expect(effectiveStatus({ revoked_at: null, expires_at: at(30) }, 30, NOW)).toBe("expiring_soon");
  });

  it("is active one millisecond outside the warning window", () => {
    expect(effectiveStatus({ revoked_at: null, expires_at: new Date(at(30).getTime() + 1) }, 30, NOW)).toBe(
      "active",
    );
  });

  it("uses the warning window it is given (0 days: never expiring_soon, 90 days: earlier)", () => {
    expect(effectiveStatus({ revoked_at: null, expires_at: at(1) }, 0, NOW)).toBe("active");
    expect(effectiveStatus({ revoked_at: null, expires_at: at(60) }, 90, NOW)).toBe("expiring_soon");
    expect(effectiveStatus({ revoked_at: null, expires_at: at(60) }, 30, NOW)).toBe("active");
  });
});

describe("holdsLivePlace and grantsAccess", () => {
  it("counts active and expiring_soon as live, expired and revoked not", () => {
    expect(STATUSES.filter(grantsAccess)).toEqual(["active", "expiring_soon"]);
  });

  it("a suspended certification keeps its live place but gives no access", () => {
    expect(STATUSES.filter(holdsLivePlace)).toEqual(["active", "expiring_soon", "suspended"]);
    expect(grantsAccess("suspended")).toBe(false);
  });
});

describe("suspended in the effective status", () => {
  it("ranks revoked > expired > suspended > expiring_soon > active", () => {
    const suspended = "suspended" as const;
    expect(effectiveStatus({ revoked_at: at(-1), expires_at: at(-1), status: suspended }, 30, NOW)).toBe(
      "revoked",
    );
    expect(effectiveStatus({ revoked_at: null, expires_at: at(-1), status: suspended }, 30, NOW)).toBe(
      "expired",
    );
    expect(effectiveStatus({ revoked_at: null, expires_at: at(5), status: suspended }, 30, NOW)).toBe(
      "suspended",
    );
    expect(effectiveStatus({ revoked_at: null, expires_at: null, status: suspended }, 30, NOW)).toBe(
      "suspended",
    );
    expect(effectiveStatus({ revoked_at: null, expires_at: at(5), status: "active" }, 30, NOW)).toBe(
      "expiring_soon",
    );
  });

  it("suspending a revoked, expired or suspended one fails with valid_status_transition", () => {
    for (const status of ["revoked", "expired", "suspended"] as const) {
      expect(codeOf(() => assertTransition(status, "suspend"))).toBe("valid_status_transition");
    }
    expect(codeOf(() => assertTransition("revoked", "unsuspend"))).toBe("revoked_cert_cannot_be_reactivated");
    expect(codeOf(() => assertTransition("active", "unsuspend"))).toBe("valid_status_transition");
  });
});

describe("the lifecycle table", () => {
  const ACTIONS: LifecycleAction[] = ["edit", "set_expiry", "renew", "revoke", "reinstate"];
  const expected: Record<Status, LifecycleAction[]> = {
    active: ["edit", "set_expiry", "renew", "revoke"],
    expiring_soon: ["edit", "set_expiry", "renew", "revoke"],
    suspended: ["edit", "set_expiry", "renew", "revoke"],
    expired: ["edit", "set_expiry", "renew", "revoke"],
    revoked: ["edit", "reinstate"],
  };

  it.each(STATUSES)("allows exactly the listed actions on a %s certification", (status) => {
    expect(ACTIONS.filter((action) => canApply(status, action))).toEqual(expected[status]);
  });

  it("a revoked certification can only be edited or reinstated: renew, revoke and set_expiry fail with revoked_cert_cannot_be_reactivated", () => {
    for (const action of ["renew", "revoke", "set_expiry"] as const) {
      expect(codeOf(() => assertTransition("revoked", action))).toBe("revoked_cert_cannot_be_reactivated");
    }
    expect(codeOf(() => assertTransition("revoked", "reinstate"))).toBeUndefined();
    expect(codeOf(() => assertTransition("revoked", "edit"))).toBeUndefined();
  });

  it.each(["active", "expiring_soon", "expired"] as const)(
    "reinstating a %s certification fails with valid_status_transition",
    (status) => {
      expect(codeOf(() => assertTransition(status, "reinstate"))).toBe("valid_status_transition");
    },
  );
});

describe("requestedStatusChange (PATCH status)", () => {
  it.each(STATUSES)("setting %s to the status it already has changes nothing", (status) => {
    expect(requestedStatusChange(status, status)).toBe("none");
  });

  it.each(["active", "expiring_soon", "expired"] as const)(
    "setting a %s one to revoked is a revocation",
    (s) => {
      expect(requestedStatusChange(s, "revoked")).toBe("revoke");
    },
  );

  it("any other value on a live or expired one fails with valid_status_transition", () => {
    const pairs: [Status, Status][] = [
      ["active", "expired"],
      ["active", "expiring_soon"],
      ["expiring_soon", "active"],
      ["expiring_soon", "expired"],
      ["expired", "active"],
      ["expired", "expiring_soon"],
    ];
    for (const [current, requested] of pairs) {
      expect(codeOf(() => requestedStatusChange(current, requested))).toBe("valid_status_transition");
    }
  });

  it.each(["active", "expiring_soon", "expired"] as const)(
    "changing a revoked one to %s fails with revoked_cert_cannot_be_reactivated",
    (requested) => {
      expect(codeOf(() => requestedStatusChange("revoked", requested))).toBe(
        "revoked_cert_cannot_be_reactivated",
      );
    },
  );
});
