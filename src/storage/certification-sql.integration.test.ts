import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { grant, makeScene, makeType, serviceContext } from "../../test/factories.js";
import { STATUSES, type Status } from "../domain/status.js";
import { revokeCertification } from "../services/revoke-certification.js";
import { suspendCertification } from "../services/suspend-certification.js";
import { certificationView } from "../services/views.js";
import { certificationJsonSql, effectiveStatusSql } from "./certification-sql.js";
import { findCertification } from "./certifications.js";

const DAY = 86_400_000;

describe.each(DATABASE_KINDS)("the certification's SQL on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("builds the same JSON and effective status as the TypeScript view, for every status", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    const now = ctx.clock();
    const at = (days: number) => new Date(now.getTime() + days * DAY);
    const typeWith = async (warningDays: number) =>
      (await makeType(ctx, scene.organization.id, { warningDays })).id;
    const made: Record<Status, string> = {
      active: (await grant(ctx, scene, { notes: 'Æ «quoted» "text"\n' })).id,
      expiring_soon: (await grant(ctx, scene, { certificationTypeId: await typeWith(40), expiresAt: at(35) }))
        .id,
      expired: (
        await grant(ctx, scene, {
          certificationTypeId: await typeWith(10),
          issuedAt: at(-400),
          expiresAt: at(-1),
        })
      ).id,
      suspended: (await grant(ctx, scene, { certificationTypeId: await typeWith(40), expiresAt: at(20) })).id,
      revoked: (await grant(ctx, scene, { certificationTypeId: await typeWith(20), expiresAt: null })).id,
    };
    await revokeCertification(ctx, scene.coordinator.principal, made.revoked, {
      reason: "Left the programme",
    });
    await suspendCertification(ctx, scene.coordinator.principal, made.suspended, { reason: "On leave" });
    // A stored status behind the dates: the effective status comes from the dates, in both.
    ctx.testClock.advanceDays(3);
    const later = ctx.clock();

    for (const status of STATUSES) {
      const record = await findCertification(ctx.db, made[status]);
      if (!record) throw new Error(`no ${status} certification`);
      const view = certificationView(record, later, ctx.warningDays);
      expect(view.status).toBe(status);
      const { rows } = await sql<{ view: unknown; status: Status }>`
        select ${certificationJsonSql("c", { status: effectiveStatusSql("c", "t", later, ctx.warningDays) })} as view,
          ${effectiveStatusSql("c", "t", later, ctx.warningDays)} as status
        from certifications c join certification_types t on t.id = c.certification_type_id
        where c.id = ${record.id}`.execute(ctx.db);
      expect(rows[0]?.status).toBe(status);
      expect(rows[0]?.view).toEqual(view);
      // The stored JSON (the issuing statement's audit event) is the view as it was at issue.
      const { rows: issued } = await sql<{ after: unknown }>`
        select after from audit_events where entity_id = ${record.id} and action = 'issued'`.execute(ctx.db);
      const atIssue = certificationView(
        { ...record, status: "active", revoked_at: null, revoked_by_user_id: null, revocation_reason: null },
        now,
        ctx.warningDays,
      );
      const after = issued[0]?.after as { updated_at: string } | undefined;
      expect(after).toEqual({ ...atIssue, updated_at: after?.updated_at });
    }
  });
});
