import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeScene, serviceContext } from "../../test/factories.js";
import { grantCertification } from "./issue-certification.js";
import { getCertification } from "./read-certifications.js";

describe.each(DATABASE_KINDS)("issuing on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("a manual grant gets the first number of its prefix and year, and reads back", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const cert = await grant(ctx, scene);
    expect(cert.certificate_number).toBe(`${scene.organization.prefix}-2026-00001`);
    expect(cert.status).toBe("active");
    expect(cert.issued_by_user_id).toBe(scene.coordinator.userId);
    const read = await getCertification(ctx, scene.mentor.principal, cert.id);
    expect(read.certification).toEqual(cert);
  });

  it("a second live grant of the type fails with one_active_cert_per_user_per_type", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await grant(ctx, scene);
    await expect(
      grantCertification(ctx, scene.coordinator.principal, {
        organizationId: scene.organization.id,
        userId: scene.mentor.userId,
        certificationTypeId: scene.type.id,
      }),
    ).rejects.toMatchObject({ code: "one_active_cert_per_user_per_type" });
  });
});
