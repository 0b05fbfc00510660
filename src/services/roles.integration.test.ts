import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  grant,
  makeGlobalAdmin,
  makeMember,
  makeRegistration,
  makeScene,
  makeType,
  serviceContext,
  verificationCodeOf,
} from "../../test/factories.js";
import { expectRejectedWithoutWrites } from "../../test/snapshots.js";
import type { ErrorCode } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { checkEligibility } from "./check-eligibility.js";
import { completeCourse } from "./complete-course.js";
import type { ServiceContext } from "./context.js";
import { createCertificationType } from "./create-certification-type.js";
import { createOrganization } from "./create-organization.js";
import { grantCertification } from "./issue-certification.js";
import { putMember } from "./put-member.js";
import {
  getCertification,
  getCertificationByNumber,
  listCertificationEvents,
  listExpiringCertifications,
  listOrganizationCertifications,
  listUserCertifications,
} from "./read-certifications.js";
import { recordCourseRegistration } from "./record-course-registration.js";
import { reinstateCertification } from "./reinstate-certification.js";
import { renewCertification } from "./renew-certification.js";
import { revokeCertification } from "./revoke-certification.js";
import { updateCertification } from "./update-certification.js";
import { verifyCertificate } from "./verify-certificate.js";

const ROLES = [
  "holder",
  "otherMentor",
  "coordinator",
  "orgAdmin",
  "globalAdmin",
  "service",
  "otherCoordinator",
] as const;
type Actor = (typeof ROLES)[number];

const SERVICE: Principal = { kind: "service", name: "course-module" };
const DAY = 86_400_000;

/**
 * Organization A (coordinator, org admin, the holder and another peer mentor, a type with a
 * certification of the holder, a second type without one, a completed course registration of
 * the holder), organization B with its coordinator, a global admin, and the course module.
 */
async function makeWorld(ctx: ServiceContext & { clock: () => Date }) {
  const scene = await makeScene(ctx);
  const otherMentor = await makeMember(ctx, scene.organization.id, "peer_mentor");
  const other = await makeScene(ctx);
  const globalAdmin = await makeGlobalAdmin(ctx);
  const freshType = await makeType(ctx, scene.organization.id);
  // Expires within the expiring window so that the expiring list has it.
  const cert = await grant(ctx, scene, { expiresAt: new Date(ctx.clock().getTime() + 20 * DAY) });
  const registration = await makeRegistration(ctx, scene.organization.id, scene.mentor.userId);
  const principals: Record<Actor, Principal> = {
    holder: scene.mentor.principal,
    otherMentor: otherMentor.principal,
    coordinator: scene.coordinator.principal,
    orgAdmin: scene.admin.principal,
    globalAdmin: globalAdmin.principal,
    service: SERVICE,
    otherCoordinator: other.coordinator.principal,
  };
  return { scene, other, freshType, cert, registration, principals };
}
type World = Awaited<ReturnType<typeof makeWorld>>;

type Expected = "ok" | ErrorCode;
interface Operation {
  name: string;
  expected: Record<Actor, Expected>;
  /** Runs the operation; may prepare the world first (before the snapshot is taken). */
  prepare?: (ctx: ServiceContext, world: World) => Promise<void>;
  run: (ctx: ServiceContext, world: World, principal: Principal) => Promise<unknown>;
  /** For successes: what the answer must show. */
  check?: (result: unknown, world: World, actor: Actor) => void;
}

const READ = {
  holder: "ok",
  otherMentor: "not_found",
  coordinator: "ok",
  orgAdmin: "ok",
  globalAdmin: "ok",
  service: "ok",
  otherCoordinator: "not_found",
} as const satisfies Record<Actor, Expected>;
const STAFF_LIST = {
  holder: "forbidden",
  otherMentor: "forbidden",
  coordinator: "ok",
  orgAdmin: "ok",
  globalAdmin: "ok",
  service: "forbidden",
  otherCoordinator: "not_found",
} as const satisfies Record<Actor, Expected>;
const CHANGE = {
  holder: "forbidden",
  otherMentor: "not_found",
  coordinator: "ok",
  orgAdmin: "ok",
  globalAdmin: "ok",
  service: "forbidden",
  otherCoordinator: "not_found",
} as const satisfies Record<Actor, Expected>;
const ORG_ADMIN_ONLY = {
  holder: "forbidden",
  otherMentor: "forbidden",
  coordinator: "forbidden",
  orgAdmin: "ok",
  globalAdmin: "ok",
  service: "forbidden",
  otherCoordinator: "not_found",
} as const satisfies Record<Actor, Expected>;
const GLOBAL_ONLY = {
  holder: "forbidden",
  otherMentor: "forbidden",
  coordinator: "forbidden",
  orgAdmin: "forbidden",
  globalAdmin: "ok",
  service: "forbidden",
  otherCoordinator: "forbidden",
} as const satisfies Record<Actor, Expected>;

const idOf = (result: unknown): string => (result as { certification: { id: string } }).certification.id;

const OPERATIONS: Operation[] = [
  {
    name: "grant",
    expected: {
      holder: "issued_by_role_check",
      otherMentor: "issued_by_role_check",
      coordinator: "ok",
      orgAdmin: "ok",
      globalAdmin: "ok",
      service: "issued_by_role_check",
      otherCoordinator: "not_found",
    },
    run: (ctx, w, p) =>
      grantCertification(ctx, p, {
        organizationId: w.scene.organization.id,
        userId: w.scene.mentor.userId,
        certificationTypeId: w.freshType.id,
      }),
    check: (result, w, actor) => {
      const { certification } = result as Awaited<ReturnType<typeof grantCertification>>;
      expect(certification.source).toBe("manual_grant");
      const principal = w.principals[actor];
      expect(certification.issued_by_user_id).toBe(principal.kind === "user" ? principal.userId : null);
    },
  },
  {
    name: "course completion",
    expected: {
      holder: "forbidden",
      otherMentor: "forbidden",
      coordinator: "ok",
      orgAdmin: "ok",
      globalAdmin: "ok",
      service: "ok",
      otherCoordinator: "not_found",
    },
    run: (ctx, w, p) =>
      completeCourse(ctx, p, {
        organizationId: w.scene.organization.id,
        courseRegistrationId: w.registration.id,
        certificationTypeId: w.freshType.id,
      }),
    check: (result, w) => {
      const { certification } = result as Awaited<ReturnType<typeof completeCourse>>;
      expect(certification).toMatchObject({
        source: "course_completion",
        course_registration_id: w.registration.id,
        user_id: w.scene.mentor.userId,
      });
    },
  },
  {
    name: "get",
    expected: READ,
    run: (ctx, w, p) => getCertification(ctx, p, w.cert.id),
    check: (result, w) => expect(idOf(result)).toBe(w.cert.id),
  },
  {
    name: "get by number",
    expected: READ,
    run: (ctx, w, p) => getCertificationByNumber(ctx, p, w.cert.certificate_number),
    check: (result, w) => expect(idOf(result)).toBe(w.cert.id),
  },
  {
    name: "list",
    expected: STAFF_LIST,
    run: (ctx, w, p) => listOrganizationCertifications(ctx, p, w.scene.organization.id, {}),
    check: (result, w) =>
      expect((result as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([w.cert.id]),
  },
  {
    name: "expiring",
    expected: STAFF_LIST,
    run: (ctx, w, p) => listExpiringCertifications(ctx, p, w.scene.organization.id, 30),
    check: (result, w) =>
      expect((result as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([w.cert.id]),
  },
  {
    name: "user certifications",
    expected: {
      holder: "ok",
      otherMentor: "not_found",
      coordinator: "ok",
      orgAdmin: "ok",
      globalAdmin: "ok",
      service: "ok",
      otherCoordinator: "not_found",
    },
    run: (ctx, w, p) => listUserCertifications(ctx, p, w.scene.mentor.userId, {}),
    check: (result, w) => {
      expect((result as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([w.cert.id]);
    },
  },
  {
    name: "eligibility",
    expected: READ,
    run: (ctx, w, p) => checkEligibility(ctx, p, w.scene.mentor.userId, w.scene.type.id),
    check: (result, w) =>
      expect(result).toEqual({
        eligible: true,
        certification_id: w.cert.id,
        status: "expiring_soon",
        expires_at: w.cert.expires_at,
      }),
  },
  {
    name: "patch",
    expected: CHANGE,
    run: (ctx, w, p) => updateCertification(ctx, p, w.cert.id, { notes: "awarded at the spring meeting" }),
    check: (result) =>
      expect((result as { certification: { notes: string } }).certification.notes).toBe(
        "awarded at the spring meeting",
      ),
  },
  {
    name: "renew",
    expected: CHANGE,
    run: (ctx, w, p) => renewCertification(ctx, p, w.cert.id, {}),
    check: (result) =>
      expect((result as { certification: { status: string } }).certification.status).toBe("active"),
  },
  {
    name: "revoke",
    expected: CHANGE,
    run: (ctx, w, p) => revokeCertification(ctx, p, w.cert.id, { reason: "issued in error" }),
    check: (result) =>
      expect((result as { certification: { status: string } }).certification.status).toBe("revoked"),
  },
  {
    name: "reinstate",
    expected: {
      holder: "forbidden",
      otherMentor: "not_found",
      coordinator: "forbidden",
      orgAdmin: "forbidden",
      globalAdmin: "ok",
      service: "forbidden",
      otherCoordinator: "not_found",
    },
    prepare: async (ctx, w) => {
      await revokeCertification(ctx, w.principals.coordinator, w.cert.id, { reason: "issued in error" });
    },
    run: (ctx, w, p) => reinstateCertification(ctx, p, w.cert.id, { reason: "revoked by mistake" }),
    check: (result) =>
      expect((result as { certification: { status: string } }).certification.status).toBe("expiring_soon"),
  },
  {
    name: "events",
    expected: {
      holder: "forbidden",
      otherMentor: "not_found",
      coordinator: "ok",
      orgAdmin: "ok",
      globalAdmin: "ok",
      service: "forbidden",
      otherCoordinator: "not_found",
    },
    run: (ctx, w, p) => listCertificationEvents(ctx, p, w.cert.id),
    check: (result) =>
      expect((result as { items: { action: string }[] }).items.map((e) => e.action)).toEqual(["issued"]),
  },
  {
    name: "create organization",
    expected: GLOBAL_ONLY,
    run: (ctx, _w, p) =>
      createOrganization(ctx, p, {
        name: "Ny forening",
        prefix: `Z${randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase()}`,
      }),
  },
  {
    name: "put member as peer mentor",
    expected: STAFF_LIST,
    run: (ctx, w, p) =>
      putMember(ctx, p, {
        organizationId: w.scene.organization.id,
        userId: randomUUID(),
        role: "peer_mentor",
        displayName: "Ola Nordmann",
      }),
  },
  {
    name: "put member as coordinator",
    expected: ORG_ADMIN_ONLY,
    run: (ctx, w, p) =>
      putMember(ctx, p, {
        organizationId: w.scene.organization.id,
        userId: randomUUID(),
        role: "coordinator",
        displayName: "Kari Koordinator",
      }),
  },
  {
    name: "create type",
    expected: ORG_ADMIN_ONLY,
    run: (ctx, w, p) =>
      createCertificationType(ctx, p, {
        organizationId: w.scene.organization.id,
        name: `Likeperson ${randomUUID().slice(0, 8)}`,
        validityMonths: 12,
      }),
  },
  {
    name: "create global type",
    expected: GLOBAL_ONLY,
    run: (ctx, _w, p) =>
      createCertificationType(ctx, p, {
        organizationId: null,
        name: `Global ${randomUUID().slice(0, 8)}`,
        validityMonths: null,
      }),
  },
  {
    name: "record course registration",
    expected: {
      holder: "forbidden",
      otherMentor: "forbidden",
      coordinator: "ok",
      orgAdmin: "ok",
      globalAdmin: "ok",
      service: "ok",
      otherCoordinator: "not_found",
    },
    run: (ctx, w, p) =>
      recordCourseRegistration(ctx, p, {
        organizationId: w.scene.organization.id,
        userId: w.scene.mentor.userId,
        courseId: "likeperson-grunnkurs",
        completedAt: null,
      }),
  },
];

const CASES = OPERATIONS.flatMap((operation) =>
  ROLES.map((actor) => ({ operation, actor, expected: operation.expected[actor] })),
);

/** Operations that write nothing even when they succeed. */
const READ_ONLY = new Set([
  "get",
  "get by number",
  "list",
  "expiring",
  "user certifications",
  "eligibility",
  "events",
]);

describe.each(DATABASE_KINDS)("who may do what, on %s", (kind) => {
  let testDb: TestDatabase;
  // A refusal writes nothing (each case checks it), and neither does a read: such cases share
  // one world per operation. A change that succeeds gets a world of its own.
  const sharedWorlds = new Map<string, Promise<World>>();
  async function preparedWorld(ctx: ServiceContext & { clock: () => Date }, operation: Operation) {
    const world = await makeWorld(ctx);
    await operation.prepare?.(ctx, world);
    return world;
  }
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it.each(
    CASES.map(
      (c) =>
        [
          `${c.operation.name} by ${c.actor}`,
          c.expected === "ok" ? "succeeds" : `fails with ${c.expected} and writes nothing`,
          c,
        ] as const,
    ),
  )("%s %s", async (_name, _outcome, { operation, actor, expected }) => {
    const ctx = serviceContext(testDb.database);
    let world: World;
    if (expected !== "ok" || READ_ONLY.has(operation.name)) {
      let shared = sharedWorlds.get(operation.name);
      if (!shared) {
        shared = preparedWorld(ctx, operation);
        sharedWorlds.set(operation.name, shared);
      }
      world = await shared;
    } else {
      world = await preparedWorld(ctx, operation);
    }
    const principal = world.principals[actor];
    if (expected === "ok") {
      const result = await operation.run(ctx, world, principal);
      operation.check?.(result, world, actor);
    } else {
      await expectRejectedWithoutWrites(ctx.db, expected, () => operation.run(ctx, world, principal));
    }
  });

  it("verification is public and shows only the minimal facts, with the holder's initials", async () => {
    const ctx = serviceContext(testDb.database);
    const world = await makeWorld(ctx);
    const code = await verificationCodeOf(ctx, world.cert.id);
    const verification = await verifyCertificate(
      ctx,
      world.cert.certificate_number,
      code,
      "  mari   MENTOR ",
    );
    expect(verification).toEqual({
      certificate_number: world.cert.certificate_number,
      valid: true,
      status: "expiring_soon",
      certification_type: { id: world.scene.type.id, name: world.scene.type.name },
      organization: {
        id: world.scene.organization.id,
        name: world.scene.organization.name,
        prefix: world.scene.organization.prefix,
      },
      holder_initials: "MM",
      issued_at: world.cert.issued_at,
      expires_at: world.cert.expires_at,
      checked_at: ctx.clock().toISOString(),
      name_matches: true,
    });
    expect(
      (await verifyCertificate(ctx, world.cert.certificate_number, code, "Kari Mentor")).name_matches,
    ).toBe(false);
    expect(await verifyCertificate(ctx, world.cert.certificate_number, code)).not.toHaveProperty(
      "name_matches",
    );
  });

  it("verifying a revoked certificate says it is not valid; an unknown number is not_found", async () => {
    const ctx = serviceContext(testDb.database);
    const world = await makeWorld(ctx);
    await revokeCertification(ctx, world.principals.orgAdmin, world.cert.id, { reason: "forged" });
    const code = await verificationCodeOf(ctx, world.cert.id);
    expect(await verifyCertificate(ctx, world.cert.certificate_number, code)).toMatchObject({
      valid: false,
      status: "revoked",
    });
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      verifyCertificate(ctx, `${world.scene.organization.prefix}-1999-00001`, code),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      verifyCertificate(ctx, world.cert.certificate_number, undefined),
    );
  });

  it("a coordinator of another organization cannot list, grant to, or register courses in this one: not_found, never forbidden", async () => {
    const ctx = serviceContext(testDb.database);
    const world = await makeWorld(ctx);
    const stranger = world.principals.otherCoordinator;
    const orgId = world.scene.organization.id;
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      listOrganizationCertifications(ctx, stranger, orgId, {}),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      checkEligibility(ctx, stranger, world.scene.mentor.userId, world.scene.type.id),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      listCertificationEvents(ctx, stranger, world.cert.id),
    );
  });

  it("staff of another organization see only their own organization's certifications of a shared user", async () => {
    const ctx = serviceContext(testDb.database);
    const world = await makeWorld(ctx);
    // The holder is also a peer mentor in organization B, with a certification there.
    await makeMember(ctx, world.other.organization.id, "peer_mentor", {
      userId: world.scene.mentor.userId,
      displayName: "Mari Mentor",
    });
    const inB = await grant(ctx, world.other, { userId: world.scene.mentor.userId });
    const seenByB = await listUserCertifications(
      ctx,
      world.principals.otherCoordinator,
      world.scene.mentor.userId,
      {},
    );
    expect(seenByB.items.map((c) => c.id)).toEqual([inB.id]);
    const seenByHolder = await listUserCertifications(
      ctx,
      world.principals.holder,
      world.scene.mentor.userId,
      {},
    );
    expect(seenByHolder.items.map((c) => c.id).sort()).toEqual([inB.id, world.cert.id].sort());
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      getCertification(ctx, world.principals.otherCoordinator, world.cert.id),
    );
  });
});
