import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import { makeScene, serviceContext } from "../../test/factories.js";
import { assignStatusEntries, STATUS_LIST_LENGTH } from "./status-lists.js";

const COUNT = 10_000;

/** Spearman's rank correlation of two equally long lists of distinct values. */
function spearman(xs: readonly number[], ys: readonly number[]): number {
  const ranks = (values: readonly number[]) => {
    const order = values.map((value, i) => [value, i] as const).sort((a, b) => a[0] - b[0]);
    const rank = new Array<number>(values.length);
    order.forEach(([, i], r) => {
      rank[i] = r;
    });
    return rank;
  };
  const rx = ranks(xs);
  const ry = ranks(ys);
  const n = xs.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += ((rx[i] ?? 0) - (ry[i] ?? 0)) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe.each(DATABASE_KINDS)("status list indexes on %s", (kind) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("10 000 issuances get indexes with no order correlation (|Spearman ρ| < 0.05) and no duplicate per list", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    await insertCertifications(ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: COUNT,
      issuedAt: ctx.clock(),
      expiresAt: new Date(ctx.clock().getTime() + 365 * 86_400_000),
    });
    const ids = (
      await ctx.db
        .selectFrom("certifications")
        .select("id")
        .where("organization_id", "=", scene.organization.id)
        .orderBy("id")
        .execute()
    ).map((row) => row.id);
    expect(ids).toHaveLength(COUNT);
    for (const purpose of ["revocation", "suspension"] as const) {
      // In issue order, half at a time (bulk, as `certsvc` could for existing certifications).
      for (let i = 0; i < ids.length; i += COUNT / 2) {
        await assignStatusEntries(ctx.db, scene.organization.id, purpose, ids.slice(i, i + COUNT / 2));
      }
      const { rows } = await sql<{ status_index: number; status_list_id: string }>`
        select e.status_index, e.status_list_id from credential_status_entries e
        join certifications c on c.id = e.certification_id
        where c.organization_id = ${scene.organization.id} and e.purpose = ${purpose}
        order by c.id`.execute(ctx.db);
      expect(rows).toHaveLength(COUNT);
      expect(new Set(rows.map((r) => r.status_list_id)).size).toBe(1);
      const indexes = rows.map((r) => r.status_index);
      expect(new Set(indexes).size).toBe(COUNT);
      expect(Math.max(...indexes)).toBeLessThan(STATUS_LIST_LENGTH);
      const rho = spearman(
        indexes.map((_, i) => i),
        indexes,
      );
      expect(Math.abs(rho)).toBeLessThan(0.05);
    }
  });
});
