import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  grant,
  makeMember,
  makeRegistration,
  makeScene,
  makeType,
  SYSTEM,
  serviceContext,
} from "../../test/factories.js";
import { databaseRefusal, expectRejectedWithoutWrites } from "../../test/snapshots.js";
import type { NewCertification } from "../storage/schema.js";
import { completeCourse } from "./complete-course.js";
import { grantCertification } from "./issue-certification.js";
import { getCertification, getCertificationByNumber } from "./read-certifications.js";
import { reinstateCertification } from "./reinstate-certification.js";
import { renewCertification } from "./renew-certification.js";
import { revokeCertification } from "./revoke-certification.js";
import { updateCertification } from "./update-certification.js";
import { verifyCertificate } from "./verify-certificate.js";

const DAY = 86_400_000;

describe.each(DATABASE_KINDS)("seed rules through the use cases on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("granting with expires_at equal to issued_at fails with expires_at_after_issued_at and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const issuedAt = new Date(ctx.clock().getTime() - 10 * DAY);
    await expectRejectedWithoutWrites(ctx.db, "expires_at_after_issued_at", () =>
      grant(ctx, scene, { issuedAt, expiresAt: issuedAt }),
    );
  });

  it("renewing to a date before issued_at fails with expires_at_after_issued_at and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "expires_at_after_issued_at", () =>
      renewCertification(ctx, scene.coordinator.principal, cert.id, {
        expiresAt: new Date(Date.parse(cert.issued_at) - DAY),
      }),
    );
  });

  it("patching the status of an active certification to expired fails with valid_status_transition and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "valid_status_transition", () =>
      updateCertification(ctx, scene.coordinator.principal, cert.id, { status: "expired" }),
    );
  });

  it("a course completion from an unfinished registration fails with course_registration_source_consistency and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const registration = await makeRegistration(ctx, scene.organization.id, scene.mentor.userId, null);
    await expectRejectedWithoutWrites(ctx.db, "course_registration_source_consistency", () =>
      completeCourse(ctx, scene.coordinator.principal, {
        organizationId: scene.organization.id,
        courseRegistrationId: registration.id,
        certificationTypeId: scene.type.id,
      }),
    );
  });

  it("granting a type of another organization fails with organization_scoped_type and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const other = await makeScene(ctx);
    await expectRejectedWithoutWrites(ctx.db, "organization_scoped_type", () =>
      grant(ctx, scene, { certificationTypeId: other.type.id }),
    );
  });

  it("a global type (no organization) can be granted by any organization", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const globalType = await makeType(ctx, null);
    const cert = await grant(ctx, scene, { certificationTypeId: globalType.id });
    expect(cert.certification_type_id).toBe(globalType.id);
  });

  it("a peer mentor granting fails with issued_by_role_check and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
    await expectRejectedWithoutWrites(ctx.db, "issued_by_role_check", () =>
      grantCertification(ctx, scene.mentor.principal, {
        organizationId: scene.organization.id,
        userId: other.userId,
        certificationTypeId: scene.type.id,
      }),
    );
  });

  it("looking up a malformed number fails with certificate_number_format and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await expectRejectedWithoutWrites(ctx.db, "certificate_number_format", () =>
      getCertificationByNumber(ctx, scene.coordinator.principal, "NHF-2025-312"),
    );
    await expectRejectedWithoutWrites(ctx.db, "certificate_number_format", () =>
      verifyCertificate(ctx, "not a number", "ABCD-2345"),
    );
  });

  it("a second live grant of one type to one user fails with one_active_cert_per_user_per_type and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () => grant(ctx, scene));
  });

  it("a course completion while a manual grant of the type is live fails with one_active_cert_per_user_per_type and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await grant(ctx, scene);
    const registration = await makeRegistration(ctx, scene.organization.id, scene.mentor.userId);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () =>
      completeCourse(
        ctx,
        { kind: "service", name: "course-module" },
        {
          organizationId: scene.organization.id,
          courseRegistrationId: registration.id,
          certificationTypeId: scene.type.id,
        },
      ),
    );
  });

  it.each(["", "   "])(
    "revoking with reason %j fails with revocation_requires_reason and writes nothing",
    async (reason) => {
      const ctx = serviceContext(testDb.database);
      const scene = await makeScene(ctx);
      const cert = await grant(ctx, scene);
      await expectRejectedWithoutWrites(ctx.db, "revocation_requires_reason", () =>
        revokeCertification(ctx, scene.coordinator.principal, cert.id, { reason }),
      );
      await expectRejectedWithoutWrites(ctx.db, "revocation_requires_reason", () =>
        updateCertification(ctx, scene.coordinator.principal, cert.id, { status: "revoked" }),
      );
    },
  );

  it("renewing, re-dating or re-activating a revoked certification fails with revoked_cert_cannot_be_reactivated and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await revokeCertification(ctx, scene.admin.principal, cert.id, { reason: "issued in error" });
    await expectRejectedWithoutWrites(ctx.db, "revoked_cert_cannot_be_reactivated", () =>
      renewCertification(ctx, scene.admin.principal, cert.id, {}),
    );
    await expectRejectedWithoutWrites(ctx.db, "revoked_cert_cannot_be_reactivated", () =>
      updateCertification(ctx, scene.admin.principal, cert.id, { status: "active" }),
    );
    await expectRejectedWithoutWrites(ctx.db, "revoked_cert_cannot_be_reactivated", () =>
      updateCertification(ctx, scene.admin.principal, cert.id, {
        expiresAt: new Date(ctx.clock().getTime() + 400 * DAY),
      }),
    );
  });

  it("an org admin reinstating a revoked certification is forbidden and writes nothing; a global admin can", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await revokeCertification(ctx, scene.admin.principal, cert.id, { reason: "issued in error" });
    await expectRejectedWithoutWrites(ctx.db, "forbidden", () =>
      reinstateCertification(ctx, scene.admin.principal, cert.id, { reason: "mistake" }),
    );
    const reinstated = await reinstateCertification(ctx, SYSTEM, cert.id, { reason: "mistake" });
    expect(reinstated.certification.status).toBe("active");
    expect(reinstated.certification.revoked_at).toBeNull();
  });

  it("reading or revoking another organization's certification fails with not_found (tenant_isolation) and writes nothing", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const other = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      getCertification(ctx, other.coordinator.principal, cert.id),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      getCertificationByNumber(ctx, other.admin.principal, cert.certificate_number),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      revokeCertification(ctx, other.admin.principal, cert.id, { reason: "not ours" }),
    );
    await expectRejectedWithoutWrites(ctx.db, "not_found", () =>
      grantCertification(ctx, other.coordinator.principal, {
        organizationId: scene.organization.id,
        userId: scene.mentor.userId,
        certificationTypeId: scene.type.id,
      }),
    );
  });

  it("certificate numbers are unique across organizations and count per prefix (certificate_number_uniqueness)", async () => {
    const ctx = serviceContext(testDb.database);
    const a = await makeScene(ctx);
    const b = await makeScene(ctx);
    const numbers = [];
    for (const scene of [a, b, a, b]) {
      const member = await makeMember(ctx, scene.organization.id, "peer_mentor");
      numbers.push((await grant(ctx, scene, { userId: member.userId })).certificate_number);
    }
    expect(new Set(numbers).size).toBe(4);
    expect(numbers).toEqual([
      `${a.organization.prefix}-2026-00001`,
      `${b.organization.prefix}-2026-00001`,
      `${a.organization.prefix}-2026-00002`,
      `${b.organization.prefix}-2026-00002`,
    ]);
  });

  it("a failed issuance gives its number back: the next one is gapless", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const first = await grant(ctx, scene);
    await expectRejectedWithoutWrites(ctx.db, "one_active_cert_per_user_per_type", () => grant(ctx, scene));
    const member = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const second = await grant(ctx, scene, { userId: member.userId });
    expect([first.certificate_number, second.certificate_number]).toEqual([
      `${scene.organization.prefix}-2026-00001`,
      `${scene.organization.prefix}-2026-00002`,
    ]);
  });

  it("the number's year is the year of issued_at in the organization's time zone (Oslo: 23:30 UTC on New Year's Eve is next year)", async () => {
    const ctx = serviceContext(testDb.database);
    ctx.testClock.set("2026-01-01T00:10:00.000Z");
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene, { issuedAt: new Date("2025-12-31T23:30:00.000Z") });
    expect(cert.certificate_number).toBe(`${scene.organization.prefix}-2026-00001`);
    const member = await makeMember(ctx, scene.organization.id, "peer_mentor");
    const older = await grant(ctx, scene, {
      userId: member.userId,
      issuedAt: new Date("2025-12-31T22:30:00.000Z"),
    });
    expect(older.certificate_number).toBe(`${scene.organization.prefix}-2025-00001`);
  });
});

describe.each(DATABASE_KINDS)(
  "the database holds the rules when the services are bypassed, on %s",
  (kind) => {
    let testDb: TestDatabase;
    beforeAll(async () => {
      testDb = await createTestDatabase(kind);
    });
    afterAll(async () => {
      await testDb.drop();
    });

    async function sceneWithCertification() {
      const ctx = serviceContext(testDb.database);
      const scene = await makeScene(ctx);
      const cert = await grant(ctx, scene);
      const row: NewCertification = {
        user_id: scene.mentor.userId,
        certification_type_id: scene.type.id,
        organization_id: scene.organization.id,
        certificate_number: `${scene.organization.prefix}-2026-09999`,
        status: "expired",
        issued_at: new Date("2020-01-01T00:00:00Z"),
        expires_at: new Date("2021-01-01T00:00:00Z"),
        issued_by_user_id: scene.coordinator.userId,
        source: "manual_grant",
        course_registration_id: null,
      };
      return { ctx, scene, cert, row };
    }

    it("a well-formed raw insert of an expired certification is accepted (the baseline for the refusals below)", async () => {
      const { ctx, row } = await sceneWithCertification();
      await ctx.db.insertInto("certifications").values(row).execute();
    });

    it("a second live certification of one type for one user is refused by the partial unique index", async () => {
      const { ctx, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, status: "active", expires_at: new Date("2099-01-01T00:00:00Z") })
          .execute(),
      );
      expect(refusal).toEqual({ code: "23505", constraint: "one_active_cert_per_user_per_type" });
    });

    it("an expiring_soon row next to an active one is refused too; a revoked one is not", async () => {
      const { ctx, scene, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, status: "expiring_soon", expires_at: null })
          .execute(),
      );
      expect(refusal.constraint).toBe("one_active_cert_per_user_per_type");
      await ctx.db
        .insertInto("certifications")
        .values({
          ...row,
          status: "revoked",
          revoked_at: new Date("2020-06-01T00:00:00Z"),
          revoked_by_user_id: scene.coordinator.userId,
          revocation_reason: "test",
        })
        .execute();
    });

    it("a duplicate certificate number is refused by the unique index", async () => {
      const { ctx, cert, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, certificate_number: cert.certificate_number })
          .execute(),
      );
      expect(refusal).toEqual({ code: "23505", constraint: "idx_certification_certificate_number" });
    });

    it.each([
      ["certificate_number_format", { certificate_number: "nhf-2026-1" }],
      ["expires_at_after_issued_at", { expires_at: new Date("2019-01-01T00:00:00Z") }],
      ["course_registration_source_consistency", { source: "course_completion" as const }],
      ["valid_status_transition", { status: "revoked" as const }],
      ["revocation_requires_reason", { revoked_at: new Date("2020-06-01T00:00:00Z") }],
    ])("a raw insert breaking %s is refused by its CHECK constraint", async (constraint, overrides) => {
      const { ctx, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, ...overrides })
          .execute(),
      );
      expect(refusal).toEqual({ code: "23514", constraint });
    });

    it("a revocation with a blank reason is refused by revocation_requires_reason", async () => {
      const { ctx, cert, scene } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .updateTable("certifications")
          .set({
            status: "revoked",
            revoked_at: new Date(),
            revoked_by_user_id: scene.coordinator.userId,
            revocation_reason: "  ",
          })
          .where("id", "=", cert.id)
          .execute(),
      );
      expect(refusal).toEqual({ code: "23514", constraint: "revocation_requires_reason" });
    });

    it("a revocation by a peer mentor is refused by the trigger (revocation_requires_reason)", async () => {
      const { ctx, cert, scene } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .updateTable("certifications")
          .set({
            status: "revoked",
            revoked_at: new Date(),
            revoked_by_user_id: scene.mentor.userId,
            revocation_reason: "self-revoked",
          })
          .where("id", "=", cert.id)
          .execute(),
      );
      expect(refusal).toEqual({ code: "23514", constraint: "revocation_requires_reason" });
    });

    it("a type of another organization is refused by the trigger (organization_scoped_type)", async () => {
      const { ctx, row } = await sceneWithCertification();
      const foreign = await makeType(ctx, (await makeScene(ctx)).organization.id);
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, certification_type_id: foreign.id })
          .execute(),
      );
      expect(refusal).toEqual({ code: "23514", constraint: "organization_scoped_type" });
    });

    it("an issuer who is a peer mentor is refused by the trigger (issued_by_role_check)", async () => {
      const { ctx, scene, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, issued_by_user_id: scene.mentor.userId })
          .execute(),
      );
      expect(refusal).toEqual({ code: "23514", constraint: "issued_by_role_check" });
    });

    it("a course completion on another user's or an unfinished registration is refused by the trigger", async () => {
      const { ctx, scene, row } = await sceneWithCertification();
      const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
      const othersRegistration = await makeRegistration(ctx, scene.organization.id, other.userId);
      const unfinished = await makeRegistration(ctx, scene.organization.id, scene.mentor.userId, null);
      for (const registration of [othersRegistration, unfinished]) {
        const refusal = await databaseRefusal(() =>
          ctx.db
            .insertInto("certifications")
            .values({ ...row, source: "course_completion", course_registration_id: registration.id })
            .execute(),
        );
        expect(refusal).toEqual({ code: "23514", constraint: "course_registration_source_consistency" });
      }
    });

    it("changing the holder or number of an issued certification is refused by the trigger", async () => {
      const { ctx, cert, scene } = await sceneWithCertification();
      const other = await makeMember(ctx, scene.organization.id, "peer_mentor");
      for (const change of [
        { user_id: other.userId },
        { certificate_number: `${scene.organization.prefix}-2026-08888` },
      ]) {
        const refusal = await databaseRefusal(() =>
          ctx.db.updateTable("certifications").set(change).where("id", "=", cert.id).execute(),
        );
        expect(refusal).toEqual({ code: "23514", constraint: "certification_identity_immutable" });
      }
    });

    it("deleting a certification is refused (permanent retention)", async () => {
      const { ctx, cert } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db.deleteFrom("certifications").where("id", "=", cert.id).execute(),
      );
      expect(refusal.code).toBe("23001");
      const still = await ctx.db
        .selectFrom("certifications")
        .select("id")
        .where("id", "=", cert.id)
        .execute();
      expect(still).toHaveLength(1);
    });

    it("updating, deleting or truncating audit events is refused (append-only)", async () => {
      const { ctx, cert } = await sceneWithCertification();
      const before = await ctx.db
        .selectFrom("audit_events")
        .selectAll()
        .where("entity_id", "=", cert.id)
        .execute();
      expect(before.length).toBeGreaterThan(0);
      expect(
        (
          await databaseRefusal(() =>
            ctx.db
              .updateTable("audit_events")
              .set({ action: "forged" })
              .where("entity_id", "=", cert.id)
              .execute(),
          )
        ).code,
      ).toBe("23001");
      expect(
        (
          await databaseRefusal(() =>
            ctx.db.deleteFrom("audit_events").where("entity_id", "=", cert.id).execute(),
          )
        ).code,
      ).toBe("23001");
      expect((await databaseRefusal(() => sql`truncate audit_events`.execute(ctx.db))).code).toBe("23001");
      const after = await ctx.db
        .selectFrom("audit_events")
        .selectAll()
        .where("entity_id", "=", cert.id)
        .execute();
      expect(after).toEqual(before);
    });

    it("updated_at is maintained by the update trigger and created_at by the database", async () => {
      const { ctx, cert } = await sceneWithCertification();
      await sql`update certifications set updated_at = '2000-01-01', notes = 'x' where id = ${cert.id}`.execute(
        ctx.db,
      );
      const row = await ctx.db
        .selectFrom("certifications")
        .select(["created_at", "updated_at"])
        .where("id", "=", cert.id)
        .executeTakeFirstOrThrow();
      expect(row.updated_at.getUTCFullYear()).toBeGreaterThan(2000);
      expect(row.created_at.toISOString()).toBe(cert.created_at);
    });

    it("the schema has the seed's 18 columns and 8 named indexes, plus the partial unique index", async () => {
      const { ctx } = await sceneWithCertification();
      const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'certifications' order by ordinal_position`.execute(
        ctx.db,
      );
      expect(columns.rows.map((r) => r.column_name)).toEqual([
        "id",
        "user_id",
        "certification_type_id",
        "organization_id",
        "certificate_number",
        "status",
        "issued_at",
        "expires_at",
        "issued_by_user_id",
        "source",
        "course_registration_id",
        "revoked_at",
        "revoked_by_user_id",
        "revocation_reason",
        "expiry_warning_sent_at",
        "notes",
        "created_at",
        "updated_at",
      ]);
      const indexes = await sql<{ indexname: string }>`
      select indexname from pg_indexes where tablename = 'certifications'`.execute(ctx.db);
      expect(indexes.rows.map((r) => r.indexname)).toEqual(
        expect.arrayContaining([
          "idx_certification_user_id",
          "idx_certification_type_id",
          "idx_certification_organization_id",
          "idx_certification_status",
          "idx_certification_expires_at",
          "idx_certification_user_type_active",
          "idx_certification_certificate_number",
          "idx_certification_org_expires",
          "one_active_cert_per_user_per_type",
        ]),
      );
    });

    it("an unknown user id in a raw insert is refused by the foreign key", async () => {
      const { ctx, row } = await sceneWithCertification();
      const refusal = await databaseRefusal(() =>
        ctx.db
          .insertInto("certifications")
          .values({ ...row, user_id: randomUUID() })
          .execute(),
      );
      expect(refusal.code).toBe("23503");
    });
  },
);
