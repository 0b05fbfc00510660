import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import type { Principal } from "./principal.js";
import {
  canReinstate,
  checkExpiresAfterIssued,
  checkIssuedByRole,
  checkRevocationReason,
  checkSuspensionReason,
  defaultExpiry,
} from "./rules.js";
import {
  assertTransition,
  canApply,
  effectiveStatus,
  holdsLivePlace,
  type LifecycleAction,
  requestedStatusChange,
  STATUSES,
  type Status,
} from "./status.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-03-15T10:00:00.000Z");
const ORG = "11111111-1111-4111-8111-111111111111";
const ACTIONS: LifecycleAction[] = ["edit", "set_expiry", "renew", "revoke", "reinstate"];
const RANK: Record<Status, number> = { active: 0, expiring_soon: 1, suspended: 1, expired: 2, revoked: 3 };

const instant = fc.integer({ min: -800, max: 800 }).map((days) => new Date(T0 + days * DAY));
const fineInstant = fc.integer({ min: -800 * DAY, max: 800 * DAY }).map((ms) => new Date(T0 + ms));
const record = fc.record({
  revoked_at: fc.option(instant, { nil: null }),
  expires_at: fc.option(fineInstant, { nil: null }),
  status: fc.constantFrom<"suspended" | undefined>(undefined, "suspended"),
});
const warningDays = fc.integer({ min: 0, max: 365 });

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("effective status (property)", () => {
  it("matches the dates: revoked if revoked_at, expired once expires_at has come, suspended while suspended, expiring within the window, else active", () => {
    fc.assert(
      fc.property(record, warningDays, fineInstant, (r, days, now) => {
        const status = effectiveStatus(r, days, now);
        if (r.revoked_at !== null) return status === "revoked";
        const left =
          r.expires_at === null ? Number.POSITIVE_INFINITY : r.expires_at.getTime() - now.getTime();
        if (left <= 0) return status === "expired";
        if (r.status === "suspended") return status === "suspended";
        return status === (left <= days * DAY ? "expiring_soon" : "active");
      }),
    );
  });

  it("only moves forward as time passes (active → expiring_soon → expired), never back", () => {
    fc.assert(
      fc.property(
        record,
        warningDays,
        fineInstant,
        fc.integer({ min: 0, max: 900 * DAY }),
        (r, days, t1, dt) => {
          const t2 = new Date(t1.getTime() + dt);
          expect(RANK[effectiveStatus(r, days, t2)]).toBeGreaterThanOrEqual(
            RANK[effectiveStatus(r, days, t1)],
          );
        },
      ),
    );
  });

  it("a wider warning window never makes a certification less urgent", () => {
    fc.assert(
      fc.property(record, warningDays, warningDays, fineInstant, (r, a, b, now) => {
        const [narrow, wide] = a <= b ? [a, b] : [b, a];
        expect(RANK[effectiveStatus(r, wide, now)]).toBeGreaterThanOrEqual(
          RANK[effectiveStatus(r, narrow, now)],
        );
      }),
    );
  });

  it("a default expiry is always after the issue date, within the month count, and on or before the same day of month", () => {
    fc.assert(
      fc.property(fineInstant, fc.integer({ min: 1, max: 1200 }), (issued, months) => {
        const expiry = defaultExpiry(issued, months);
        expect(expiry).not.toBeNull();
        if (!expiry) return;
        expect(expiry.getTime()).toBeGreaterThan(issued.getTime());
        const monthsApart =
          (expiry.getUTCFullYear() - issued.getUTCFullYear()) * 12 +
          expiry.getUTCMonth() -
          issued.getUTCMonth();
        expect(monthsApart).toBe(months);
        expect(expiry.getUTCDate()).toBeLessThanOrEqual(issued.getUTCDate());
        expect(codeOf(() => checkExpiresAfterIssued(issued, expiry))).toBeUndefined();
      }),
    );
  });
});

describe("the lifecycle table (property)", () => {
  it("assertTransition refuses exactly what canApply refuses, revoked with revoked_cert_cannot_be_reactivated", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...ACTIONS), (status, action) => {
        const code = codeOf(() => assertTransition(status, action));
        if (canApply(status, action)) expect(code).toBeUndefined();
        else if (action === "suspend") expect(code).toBe("valid_status_transition");
        else
          expect(code).toBe(
            status === "revoked" ? "revoked_cert_cannot_be_reactivated" : "valid_status_transition",
          );
      }),
    );
  });

  it("a requested status is no change when equal, a revocation when revoked, and refused otherwise", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...STATUSES), (current, requested) => {
        const code = codeOf(() => requestedStatusChange(current, requested));
        if (current === requested) expect(requestedStatusChange(current, requested)).toBe("none");
        else if (current === "revoked") expect(code).toBe("revoked_cert_cannot_be_reactivated");
        else if (requested === "revoked") expect(requestedStatusChange(current, requested)).toBe("revoke");
        else expect(code).toBe("valid_status_transition");
      }),
    );
  });
});

/**
 * A pure simulation of one user's certifications of one type, driven only by the domain's
 * rules: random operations by random principals and moves of the clock. The invariants of the
 * seed must hold after every step, and a refused step must leave everything as it was.
 */
type Actor = "coordinator" | "org_admin" | "peer_mentor" | "stranger" | "global_admin" | "service";
const PRINCIPALS: Record<Actor, Principal> = {
  coordinator: { kind: "user", userId: "c", isGlobalAdmin: false, roles: new Map([[ORG, "coordinator"]]) },
  org_admin: { kind: "user", userId: "a", isGlobalAdmin: false, roles: new Map([[ORG, "org_admin"]]) },
  peer_mentor: { kind: "user", userId: "p", isGlobalAdmin: false, roles: new Map([[ORG, "peer_mentor"]]) },
  stranger: { kind: "user", userId: "s", isGlobalAdmin: false, roles: new Map() },
  global_admin: { kind: "user", userId: "g", isGlobalAdmin: true, roles: new Map() },
  service: { kind: "service", name: "course-module" },
};

interface SimRecord {
  issued_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** A suspension is open (what the stored status `suspended` stands for). */
  suspended: boolean;
}

type Op =
  | { kind: "issue"; actor: Actor; expiresInDays: number | null; backdateDays: number }
  | { kind: "renew"; actor: Actor; pick: number; expiresInDays: number | null }
  | { kind: "revoke"; actor: Actor; pick: number; reason: string }
  | { kind: "reinstate"; actor: Actor; pick: number }
  | { kind: "set_expiry"; actor: Actor; pick: number; expiresInDays: number | null }
  | { kind: "suspend" | "unsuspend"; actor: Actor; pick: number; reason: string }
  | { kind: "advance"; days: number };

const actor = fc.constantFrom<Actor>(...(Object.keys(PRINCIPALS) as Actor[]));
const expiresIn = fc.option(fc.integer({ min: -30, max: 400 }), { nil: null });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("issue" as const),
    actor,
    expiresInDays: expiresIn,
    backdateDays: fc.integer({ min: 0, max: 60 }),
  }),
  fc.record({ kind: fc.constant("renew" as const), actor, pick: fc.nat(), expiresInDays: expiresIn }),
  fc.record({
    kind: fc.constant("revoke" as const),
    actor,
    pick: fc.nat(),
    reason: fc.constantFrom("", " ", "wrong"),
  }),
  fc.record({ kind: fc.constant("reinstate" as const), actor, pick: fc.nat() }),
  fc.record({ kind: fc.constant("set_expiry" as const), actor, pick: fc.nat(), expiresInDays: expiresIn }),
  fc.record({
    kind: fc.constantFrom("suspend" as const, "unsuspend" as const),
    actor,
    pick: fc.nat(),
    reason: fc.constantFrom("", "on leave"),
  }),
  fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 120 }) }),
);

function requireStaff(a: Actor): void {
  const p = PRINCIPALS[a];
  if (
    p.kind !== "user" ||
    !(p.isGlobalAdmin || ["coordinator", "org_admin"].includes(p.roles.get(ORG) ?? ""))
  ) {
    throw new DomainError("forbidden", "not staff");
  }
}

const simStatus = (r: SimRecord, now: Date) =>
  effectiveStatus({ ...r, status: r.suspended ? "suspended" : undefined }, 30, now);

function step(records: SimRecord[], now: Date, o: Exclude<Op, { kind: "advance" }>): void {
  const at = (days: number | null) => (days === null ? null : new Date(now.getTime() + days * DAY));
  const status = (r: SimRecord) => simStatus(r, now);
  const liveOther = (except: SimRecord | null) =>
    records.some((r) => r !== except && holdsLivePlace(status(r)));
  if (o.kind === "issue") {
    checkIssuedByRole(PRINCIPALS[o.actor], ORG);
    const issued_at = new Date(now.getTime() - o.backdateDays * DAY);
    const expires_at = at(o.expiresInDays);
    checkExpiresAfterIssued(issued_at, expires_at);
    const fresh = { issued_at, expires_at, revoked_at: null, suspended: false };
    if (holdsLivePlace(status(fresh)) && liveOther(null))
      throw new DomainError("one_active_cert_per_user_per_type", "");
    records.push(fresh);
    return;
  }
  const target = records[o.pick % records.length];
  if (!target) return;
  requireStaff(o.actor);
  const current = status(target);
  let next: SimRecord;
  switch (o.kind) {
    case "renew":
      assertTransition(current, "renew");
      checkExpiresAfterIssued(target.issued_at, at(o.expiresInDays));
      next = { ...target, expires_at: at(o.expiresInDays) };
      break;
    case "set_expiry":
      assertTransition(current, "set_expiry");
      checkExpiresAfterIssued(target.issued_at, at(o.expiresInDays));
      next = { ...target, expires_at: at(o.expiresInDays) };
      break;
    case "revoke":
      checkRevocationReason(o.reason);
      assertTransition(current, "revoke");
      next = { ...target, revoked_at: now };
      break;
    case "reinstate":
      if (!canReinstate(PRINCIPALS[o.actor])) throw new DomainError("forbidden", "");
      assertTransition(current, "reinstate");
      next = { ...target, revoked_at: null };
      break;
    case "suspend":
      checkSuspensionReason(o.reason, "Suspending");
      assertTransition(current, "suspend");
      next = { ...target, suspended: true };
      break;
    case "unsuspend":
      checkSuspensionReason(o.reason, "Unsuspending");
      assertTransition(current, "unsuspend");
      if (!target.suspended) throw new DomainError("valid_status_transition", "");
      next = { ...target, suspended: false };
      break;
  }
  if (holdsLivePlace(status(next)) && !holdsLivePlace(current) && liveOther(target)) {
    throw new DomainError("one_active_cert_per_user_per_type", "");
  }
  Object.assign(target, next);
}

describe("the lifecycle driven by the domain rules (property)", () => {
  it("keeps at most one live certification (suspended ones included), keeps revoked ones revoked unless a global admin reinstates, and changes nothing when it refuses", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const records: SimRecord[] = [];
        let now = new Date(T0);
        for (const o of ops) {
          if (o.kind === "advance") {
            now = new Date(now.getTime() + o.days * DAY);
          } else {
            const before = JSON.stringify(records);
            const revokedBefore = records.map((r) => r.revoked_at !== null);
            const code = codeOf(() => step(records, now, o));
            if (code !== undefined) expect(JSON.stringify(records)).toBe(before);
            records.forEach((r, i) => {
              if (revokedBefore[i] && r.revoked_at === null) {
                expect(o.kind === "reinstate" && code === undefined && PRINCIPALS[o.actor]).toMatchObject({
                  isGlobalAdmin: true,
                });
              }
            });
          }
          expect(records.filter((r) => holdsLivePlace(simStatus(r, now))).length).toBeLessThanOrEqual(1);
          // A suspension gives no access, and only an open one makes a live record suspended.
          for (const r of records) {
            const s = simStatus(r, now);
            if (s === "suspended") expect(r.suspended && r.revoked_at === null).toBe(true);
            if (r.suspended && holdsLivePlace(s)) expect(s).toBe("suspended");
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
