import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  makeGlobalAdmin,
  makeMember,
  makeRegistration,
  makeScene,
  makeType,
  SYSTEM,
  serviceContext,
  TestClock,
} from "../../test/factories.js";
import { snapshotTables } from "../../test/snapshots.js";
import { DomainError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { effectiveStatus, holdsLivePlace, STATUSES } from "../domain/status.js";
import { completeCourse } from "./complete-course.js";
import type { ServiceContext } from "./context.js";
import { grantCertification } from "./issue-certification.js";
import { getCertification, listOrganizationCertifications } from "./read-certifications.js";
import { reinstateCertification } from "./reinstate-certification.js";
import { renewCertification } from "./renew-certification.js";
import { revokeCertification } from "./revoke-certification.js";
import { suspendCertification, unsuspendCertification } from "./suspend-certification.js";
import { updateCertification } from "./update-certification.js";

const DAY = 86_400_000;
const ACTORS = [
  "holder",
  "otherMentor",
  "coordinator",
  "orgAdmin",
  "globalAdmin",
  "service",
  "otherCoordinator",
] as const;
type Actor = (typeof ACTORS)[number];
const STAFF: readonly Actor[] = ["coordinator", "orgAdmin", "globalAdmin"];
/** The tables an operation writes; a refused operation must leave all of them as they were. */
const OPERATION_TABLES = [
  "certifications",
  "audit_events",
  "jobs",
  "certificate_counters",
  "idempotency_keys",
  "certification_suspensions",
] as const;

/** undefined: the type's default; null: lifetime; a number: days from now. */
const expiry = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -20, max: 400 }),
) as fc.Arbitrary<number | null | undefined>;
// Staff act more often than the rest, so that sequences get far enough to matter.
const actor = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Actor>("coordinator", "orgAdmin", "globalAdmin") },
  { weight: 2, arbitrary: fc.constantFrom<Actor>("holder", "otherMentor", "service", "otherCoordinator") },
);
const reason = fc.constantFrom("", "   ", "issued to the wrong person");

const operation = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      actor,
      holder: fc.integer({ min: 0, max: 1 }),
      type: fc.integer({ min: 0, max: 1 }),
      expires: expiry,
      backdateDays: fc.constantFrom(0, 0, 10, 45),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("complete" as const),
      actor,
      holder: fc.integer({ min: 0, max: 1 }),
      type: fc.integer({ min: 0, max: 1 }),
      finished: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("renew" as const), actor, pick: fc.nat(), expires: expiry }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("revoke" as const), actor, pick: fc.nat(), reason }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("reinstate" as const), actor, pick: fc.nat(), reason }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("suspend" as const, "unsuspend" as const),
      actor,
      pick: fc.nat(),
      reason: fc.constantFrom("", "on leave"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("patch" as const),
      actor,
      pick: fc.nat(),
      expires: expiry,
      status: fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...STATUSES) },
      ),
      reason: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: reason }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 200 }) }),
  },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

async function makeWorld(ctx: ServiceContext & { testClock: TestClock }, globalAdmin: Principal) {
  const scene = await makeScene(ctx, { validityMonths: 12 });
  const otherMentor = await makeMember(ctx, scene.organization.id, "peer_mentor");
  const other = await makeScene(ctx);
  // A global type with a short validity and its own warning window.
  const globalType = await makeType(ctx, null, { validityMonths: 1, warningDays: 10 });
  const holders = [scene.mentor.userId, otherMentor.userId];
  const types = [scene.type.id, globalType.id];
  const registrations = [];
  for (const userId of holders) {
    registrations.push({
      finished: await makeRegistration(ctx, scene.organization.id, userId),
      unfinished: await makeRegistration(ctx, scene.organization.id, userId, null),
    });
  }
  const principals: Record<Actor, Principal> = {
    holder: scene.mentor.principal,
    otherMentor: otherMentor.principal,
    coordinator: scene.coordinator.principal,
    orgAdmin: scene.admin.principal,
    globalAdmin,
    service: { kind: "service", name: "course-module" },
    otherCoordinator: other.coordinator.principal,
  };
  // Every run starts with one certification, so that changes have something to work on.
  const { certification } = await grantCertification(ctx, scene.coordinator.principal, {
    organizationId: scene.organization.id,
    userId: scene.mentor.userId,
    certificationTypeId: scene.type.id,
  });
  return {
    organizationId: scene.organization.id,
    holders,
    types,
    registrations,
    principals,
    certIds: [certification.id],
  };
}
type World = Awaited<ReturnType<typeof makeWorld>>;

const atDays = (ctx: ServiceContext, days: number | null | undefined) =>
  days === undefined || days === null ? days : new Date(ctx.clock().getTime() + days * DAY);

/** Runs one operation; returns the certification it answered with, if any. */
async function apply(ctx: ServiceContext, world: World, op: Exclude<Operation, { kind: "advance" }>) {
  const principal = world.principals[op.actor];
  const holder = (i: number) => world.holders[i] as string;
  const type = (i: number) => world.types[i] as string;
  if (op.kind === "grant") {
    const issuedAt = new Date(ctx.clock().getTime() - op.backdateDays * DAY);
    return grantCertification(ctx, principal, {
      organizationId: world.organizationId,
      userId: holder(op.holder),
      certificationTypeId: type(op.type),
      issuedAt,
      ...(op.expires === undefined ? {} : { expiresAt: atDays(ctx, op.expires) }),
    });
  }
  if (op.kind === "complete") {
    const registrations = world.registrations[op.holder];
    if (!registrations) throw new Error("no registration");
    return completeCourse(ctx, principal, {
      organizationId: world.organizationId,
      courseRegistrationId: (op.finished ? registrations.finished : registrations.unfinished).id,
      certificationTypeId: type(op.type),
    });
  }
  const id = world.certIds[op.pick % world.certIds.length];
  if (id === undefined) return undefined;
  switch (op.kind) {
    case "renew":
      return renewCertification(
        ctx,
        principal,
        id,
        op.expires === undefined ? {} : { expiresAt: atDays(ctx, op.expires) },
      );
    case "revoke":
      return revokeCertification(ctx, principal, id, { reason: op.reason });
    case "reinstate":
      return reinstateCertification(ctx, principal, id, { reason: op.reason });
    case "suspend":
      return suspendCertification(ctx, principal, id, { reason: op.reason });
    case "unsuspend":
      return unsuspendCertification(ctx, principal, id, { reason: op.reason });
    case "patch":
      return updateCertification(ctx, principal, id, {
        ...(op.expires === undefined ? {} : { expiresAt: atDays(ctx, op.expires) }),
        ...(op.status === undefined ? {} : { status: op.status }),
        ...(op.reason === undefined ? {} : { revocationReason: op.reason }),
      });
  }
}

async function certificationsOf(ctx: ServiceContext, organizationId: string) {
  return ctx.db
    .selectFrom("certifications as c")
    .innerJoin("certification_types as t", "t.id", "c.certification_type_id")
    .select([
      "c.id",
      "c.user_id",
      "c.certification_type_id",
      "c.status",
      "c.expires_at",
      "c.revoked_at",
      "t.warning_days",
    ])
    .where("c.organization_id", "=", organizationId)
    .orderBy("c.id")
    .execute();
}

async function checkInvariants(ctx: ServiceContext, world: World) {
  const now = ctx.clock();
  // At most one live certification per user and type, by the persisted status (SQL) …
  const persisted = await ctx.db
    .selectFrom("certifications")
    .select(["user_id", "certification_type_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("organization_id", "=", world.organizationId)
    .where("status", "in", ["active", "expiring_soon", "suspended"])
    .groupBy(["user_id", "certification_type_id"])
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  expect(persisted).toEqual([]);
  // … and by the effective status at this moment.
  const rows = await certificationsOf(ctx, world.organizationId);
  const listed = await listOrganizationCertifications(ctx, SYSTEM, world.organizationId, { limit: 200 });
  const shown = new Map(listed.items.map((view) => [view.id, view.status]));
  expect(shown.size).toBe(rows.length);
  const open = new Set(
    (
      await ctx.db
        .selectFrom("certification_suspensions")
        .select("certification_id")
        .where("organization_id", "=", world.organizationId)
        .where("lifted_at", "is", null)
        .execute()
    ).map((s) => s.certification_id),
  );
  const live = new Map<string, number>();
  for (const row of rows) {
    const status = effectiveStatus(row, row.warning_days ?? ctx.warningDays, now);
    // Stored as suspended exactly while a suspension is open, unless revoked or stored as expired.
    if (row.status === "suspended") expect(open.has(row.id)).toBe(true);
    if (open.has(row.id) && row.status !== "revoked" && row.status !== "expired") {
      expect(row.status).toBe("suspended");
    }
    if (holdsLivePlace(status)) {
      const key = `${row.user_id}/${row.certification_type_id}`;
      live.set(key, (live.get(key) ?? 0) + 1);
    }
    // The effective status always matches the dates, on every read.
    expect(shown.get(row.id)).toBe(status);
    // The stored status never contradicts the dates: revoked exactly when revoked, and a stored
    // expiry only once the date has come (time only moves forward).
    expect(row.status === "revoked").toBe(row.revoked_at !== null);
    if (row.status === "expired") expect(status).toBe("expired");
  }
  expect([...live.values()].every((n) => n <= 1)).toBe(true);
  return rows;
}

function codeOf(error: unknown): string {
  if (error instanceof DomainError) return error.code;
  throw error;
}

describe.each(DATABASE_KINDS)("the lifecycle against the database on %s (model-based property)", (kind) => {
  let testDb: TestDatabase;
  let globalAdmin: Principal;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    globalAdmin = (await makeGlobalAdmin(serviceContext(testDb.database))).principal;
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("random operations by random principals and moves of the clock keep every invariant, and a refused operation writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 12 }), async (operations) => {
        const clock = new TestClock(new Date("2026-03-15T10:00:00.000Z"));
        const ctx = serviceContext(testDb.database, clock);
        const world = await makeWorld(ctx, globalAdmin);
        for (const op of operations) {
          if (op.kind === "advance") {
            clock.advanceDays(op.days);
            await checkInvariants(ctx, world);
            continue;
          }
          const before = await snapshotTables(ctx.db, OPERATION_TABLES);
          const revokedBefore = new Set(
            (await certificationsOf(ctx, world.organizationId))
              .filter((r) => r.revoked_at !== null)
              .map((r) => r.id),
          );
          let code: string | null = null;
          let answer: Awaited<ReturnType<typeof apply>>;
          try {
            answer = await apply(ctx, world, op);
          } catch (error) {
            code = codeOf(error);
          }
          if (code !== null) {
            expect(await snapshotTables(ctx.db, OPERATION_TABLES), `${op.kind} refused with ${code}`).toBe(
              before,
            );
          }
          // Who may succeed at all.
          if (code === null && answer !== undefined) {
            if (op.kind === "complete") expect([...STAFF, "service"]).toContain(op.actor);
            else if (op.kind === "reinstate") expect(op.actor).toBe("globalAdmin");
            else expect(STAFF).toContain(op.actor);
            const view = answer.certification;
            if (!world.certIds.includes(view.id)) world.certIds.push(view.id);
            // What an operation answers is the effective status of what it stored.
            const read = await getCertification(ctx, SYSTEM, view.id);
            expect(view.status).toBe(read.certification.status);
          }
          // Another organization's coordinator and another peer mentor never learn it exists.
          if (op.kind !== "grant" && op.kind !== "complete" && answer !== undefined) {
            if (op.actor === "otherCoordinator" || op.actor === "otherMentor") expect(code).toBe("not_found");
          }
          const rows = await checkInvariants(ctx, world);
          // Revoked stays revoked unless a global admin reinstates it.
          for (const row of rows) {
            if (revokedBefore.has(row.id) && row.revoked_at === null) {
              expect(op.kind).toBe("reinstate");
              expect(op.actor).toBe("globalAdmin");
              expect(code).toBeNull();
            }
          }
        }
      }),
      { numRuns: kind === "pglite" ? 20 : 15 },
    );
    // A generous limit only for a machine shared with other test runs; alone it takes well under a minute.
  }, 240_000);
});
