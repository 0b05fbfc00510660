import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../../test/databases.js";
import { grant, makeMember, makeScene, makeType, serviceContext } from "../../../test/factories.js";
import { createServiceWorker } from "../../jobs/service-worker.js";
import { listAuditEvents } from "../../storage/audit-events.js";
import { issueInTransaction } from "../issue-certification.js";
import { listBadges } from "../list-badges.js";
import { getCertification } from "../read-certifications.js";
import { importCertificationsCsv } from "./import-certifications.js";

const HEADER =
  "user_id,display_name,certification_type,issued_at,expires_at,notes,revoked_at,revocation_reason";

const file = (lines: string[]) => Readable.from([`${[HEADER, ...lines].join("\n")}\n`]);

/** The audit trail keeps the certification itself; a staff read adds the holder's name from the directory. */
function withoutName<View extends object>(read: View): Omit<View, "holder_display_name"> {
  const { holder_display_name: _, ...view } = read as View & { holder_display_name?: unknown };
  return view;
}

describe.each(DATABASE_KINDS)("CSV import in batches on %s", (kind) => {
  let testDb: TestDatabase;
  let ctx: ReturnType<typeof serviceContext>;
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    ctx = serviceContext(testDb.database);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const numbersOf = async (organizationId: string) =>
    (
      await ctx.db
        .selectFrom("certifications")
        .select(["id", "certificate_number", "user_id", "status", "notes"])
        .where("organization_id", "=", organizationId)
        .orderBy("id")
        .execute()
    ).map((row) => ({ ...row, sequence: Number(row.certificate_number.split("-")[2]) }));

  it("checks every row across batch boundaries, numbers the good ones gaplessly in file order and keeps that order in ids", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const people = Array.from({ length: 6 }, () => randomUUID());
    const [a, b, c, d, e, f] = people as [string, string, string, string, string, string];
    const result = await importCertificationsCsv(
      ctx,
      scene.admin.principal,
      file([
        `${a},Anne,Grunnkurs,2026-01-05,,row 2,,`,
        `${b},Bjørn,Grunnkurs,2026-01-06,,row 3,,`,
        `${c},Cato,Grunnkurs,2026-01-07,,row 4,,`,
        `${a},Anne,Grunnkurs,2026-02-01,,row 5: a second live one in the next batch,,`,
        `${d},Dina,Grunnkurs,2026-01-08,2026-01-01,row 6: expires before issue,,`,
        `${e},Eva,Grunnkurs,2025-12-01,,row 7,,`,
        `${f},,Grunnkurs,2026-01-09,,row 8: no name and not a member,,`,
        `${e},Eva,Grunnkurs,2026-01-10,,row 9: a second live one in the same batch,,`,
        `${d},Dina,Grunnkurs,2026-01-11,,row 10,,`,
      ]),
      { organizationId: scene.organization.id, skipInvalid: true, batchSize: 3 },
    );
    expect(result).toMatchObject({ rows: 9, imported: 5, skipped: 4, errors_truncated: false });
    expect(result.errors.map(({ line, code }) => ({ line, code }))).toEqual([
      { line: 5, code: "one_active_cert_per_user_per_type" },
      { line: 6, code: "expires_at_after_issued_at" },
      { line: 8, code: "not_found" },
      { line: 9, code: "one_active_cert_per_user_per_type" },
    ]);
    const rows = await numbersOf(scene.organization.id);
    // 2025 and 2026 are numbered apart; within a year in the file's order, which is also id order.
    expect(rows.map((row) => [row.notes, row.certificate_number.slice(-10)])).toEqual([
      ["row 2", "2026-00001"],
      ["row 3", "2026-00002"],
      ["row 4", "2026-00003"],
      ["row 7", "2025-00001"],
      ["row 10", "2026-00004"],
    ]);
    // The holders named in the file became peer mentors, each with one audit event.
    const joined = await ctx.db
      .selectFrom("memberships")
      .select(["user_id", "role"])
      .where("organization_id", "=", scene.organization.id)
      .where("user_id", "in", [a, b, c, d, e, f])
      .execute();
    expect(joined).toHaveLength(5);
    expect(new Set(joined.map((m) => m.role))).toEqual(new Set(["peer_mentor"]));
    const added = await listAuditEvents(ctx.db, d);
    expect(added.map((event) => event.action)).toEqual(["added"]);
    // Each certification's `issued` event shows it exactly as a read does.
    for (const row of rows) {
      const certification = withoutName(
        (await getCertification(ctx, scene.admin.principal, row.id)).certification,
      );
      const trail = await listAuditEvents(ctx.db, row.id);
      expect(trail.map((event) => [event.action, event.before, event.after])).toEqual([
        ["issued", null, certification],
      ]);
    }
    // A badge evaluation per holder of the batch, as a grant enqueues one for its holder.
    const jobs = await ctx.db
      .selectFrom("jobs")
      .select("payload")
      .where("queue", "=", "badge-evaluation")
      .where(sql<boolean>`payload->>'user_id' in (${sql.join([a, b, c, d, e])})`)
      .execute();
    expect(jobs).toHaveLength(5);
  });

  it("imported certifications earn their holder's badges once the worker has run", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const [second, third] = [
      await makeType(ctx, scene.organization.id, { name: "Videregående" }),
      await makeType(ctx, scene.organization.id, { name: "Veileder" }),
    ];
    const result = await importCertificationsCsv(
      ctx,
      scene.admin.principal,
      file([
        `${scene.mentor.userId},,Grunnkurs,2025-01-05,,,,`,
        `${scene.mentor.userId},,${second.name},2025-02-05,,,,`,
        `${scene.mentor.userId},,${third.name},2025-03-05,,,,`,
      ]),
      { organizationId: scene.organization.id, skipInvalid: false },
    );
    expect(result).toMatchObject({ imported: 3, skipped: 0 });
    const worker = createServiceWorker({
      ctx,
      adapter: { deliver: async () => {} },
      sweepCron: "*/5 * * * *",
      notifyMaxAttempts: 3,
      schedules: false,
    });
    await worker.drain();
    const badges = await listBadges(ctx, scene.mentor.principal, scene.mentor.userId);
    expect(badges.items.map((item) => item.badge).sort()).toEqual([
      "first_certification",
      "three_certifications",
    ]);
  });

  it("a revoked paper certificate is issued then revoked in its audit trail, and takes no live place", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const live = await grant(ctx, scene, { issuedAt: new Date("2026-01-01T00:00:00Z") });
    const result = await importCertificationsCsv(
      ctx,
      scene.admin.principal,
      file([`${scene.mentor.userId},,Grunnkurs,2025-06-01,,,2025-12-01,Moved away`]),
      { organizationId: scene.organization.id, skipInvalid: false },
    );
    expect(result).toMatchObject({ rows: 1, imported: 1, skipped: 0 });
    const rows = await numbersOf(scene.organization.id);
    const revoked = rows.find((row) => row.id !== live.id);
    expect(revoked?.status).toBe("revoked");
    const trail = await listAuditEvents(ctx.db, revoked?.id ?? "");
    expect(trail.map((event) => [event.action, event.actor_user_id, event.reason])).toEqual([
      ["issued", scene.admin.userId, null],
      ["revoked", scene.admin.userId, "Moved away"],
    ]);
    expect(trail[1]?.before).toMatchObject({ status: "active", revoked_at: null });
    // The revoked event's `after` is exactly what a read of the certification shows.
    const certification = withoutName(
      (await getCertification(ctx, scene.admin.principal, revoked?.id ?? "")).certification,
    );
    expect(trail[1]?.after).toEqual(certification);
    expect(trail[0]?.after).toEqual({
      ...certification,
      status: "active",
      revoked_at: null,
      revoked_by_user_id: null,
      revocation_reason: null,
    });
  });

  it("a certification stored as live past its date is expired, with its audit event, to let the imported one in", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs", validityMonths: 12 });
    ctx.testClock.set("2024-01-10T10:00:00Z");
    const old = await grant(ctx, scene);
    ctx.testClock.set("2026-03-15T10:00:00Z");
    const result = await importCertificationsCsv(
      ctx,
      scene.admin.principal,
      file([`${scene.mentor.userId},,Grunnkurs,2026-03-01,,,,`]),
      { organizationId: scene.organization.id, skipInvalid: false },
    );
    expect(result).toMatchObject({ imported: 1, skipped: 0 });
    const stored = await ctx.db
      .selectFrom("certifications")
      .select("status")
      .where("id", "=", old.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe("expired");
    const trail = await listAuditEvents(ctx.db, old.id);
    expect(trail.map((event) => [event.action, event.actor])).toEqual([
      ["issued", expect.any(String)],
      ["expired", "system:issue"],
    ]);
  });

  it("a refused all-or-nothing import gives its numbers back and leaves no member, event or job behind", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const newcomer = randomUUID();
    const counts = async () => {
      const count = async (table: "audit_events" | "jobs" | "memberships" | "certifications") =>
        Number(
          (
            await ctx.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return [
        await count("audit_events"),
        await count("jobs"),
        await count("memberships"),
        await count("certifications"),
      ];
    };
    const before = await counts();
    const result = await importCertificationsCsv(
      ctx,
      scene.admin.principal,
      file([
        `${newcomer},Nils Ny,Grunnkurs,2026-01-05,,,,`,
        `${scene.mentor.userId},,Grunnkurs,2026-01-05,,,,`,
        `${scene.mentor.userId},,Grunnkurs,2026-01-06,,,,`,
      ]),
      { organizationId: scene.organization.id, skipInvalid: false, batchSize: 2 },
    );
    expect(result).toMatchObject({ rows: 3, imported: 0, skipped: 1 });
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 4, code: "one_active_cert_per_user_per_type" }),
    ]);
    expect(await counts()).toEqual(before);
    const next = await grant(ctx, scene);
    expect(next.certificate_number).toBe(`${scene.organization.prefix}-2026-00001`);
  });

  it("keeps the first maxErrors bad rows in line order and counts the rest", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const lines = Array.from({ length: 25 }, (_, i) => `not-a-uuid-${i},,Grunnkurs,,,,,`);
    const result = await importCertificationsCsv(ctx, scene.admin.principal, file(lines), {
      organizationId: scene.organization.id,
      skipInvalid: true,
      batchSize: 4,
      maxErrors: 5,
    });
    expect(result).toMatchObject({ rows: 25, imported: 0, skipped: 25, errors_truncated: true });
    expect(result.errors.map((error) => error.line)).toEqual([2, 3, 4, 5, 6]);
  });
});

// PGlite has one connection: nothing can race there.
describe.skipIf(!process.env.DATABASE_URL)("CSV import against concurrent writers on postgres", () => {
  let testDb: TestDatabase;
  let ctx: ReturnType<typeof serviceContext>;
  beforeAll(async () => {
    testDb = await createTestDatabase("postgres", { poolSize: 20 });
    ctx = serviceContext(testDb.database);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("a grant committed while a batch waits to insert is caught by the unique index and only its row is refused", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const others = [randomUUID(), randomUUID()];
    let imported: Awaited<ReturnType<typeof importCertificationsCsv>> | undefined;
    let running: Promise<void> = Promise.resolve();
    let blocked = false;
    await ctx.db.transaction().execute(async (trx) => {
      // An uncommitted grant the import's checks cannot see; its insert then waits on this one.
      await issueInTransaction(ctx, trx, scene.coordinator.principal, {
        organizationId: scene.organization.id,
        userId: scene.mentor.userId,
        certificationTypeId: scene.type.id,
        source: "manual_grant",
        registration: null,
      });
      running = importCertificationsCsv(
        ctx,
        scene.admin.principal,
        file([
          `${others[0]},Olga,Grunnkurs,2026-01-05,,,,`,
          `${scene.mentor.userId},,Grunnkurs,2026-01-05,,,,`,
          `${others[1]},Per,Grunnkurs,2026-01-05,,,,`,
        ]),
        { organizationId: scene.organization.id, skipInvalid: true },
      ).then((result) => {
        imported = result;
      });
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(ctx.db);
        blocked = (rows[0]?.n ?? 0) > 0;
        if (blocked) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(blocked).toBe(true);
      expect(imported).toBeUndefined();
    });
    await running;
    expect(imported).toMatchObject({ rows: 3, imported: 2, skipped: 1 });
    expect(imported?.errors).toEqual([
      expect.objectContaining({ line: 3, code: "one_active_cert_per_user_per_type" }),
    ]);
    const held = await ctx.db
      .selectFrom("certifications")
      .select("certificate_number")
      .where("organization_id", "=", scene.organization.id)
      .orderBy("certificate_number")
      .execute();
    expect(held.map((row) => row.certificate_number.slice(-5))).toEqual(["00001", "00002", "00003"]);
  });

  it("four imports of the same holders at once take turns: one writes each row, the others find it held", async () => {
    const scene = await makeScene(ctx, { name: "Grunnkurs" });
    const holders = await Promise.all(
      Array.from({ length: 40 }, () => makeMember(ctx, scene.organization.id, "peer_mentor")),
    );
    const lines = holders.map(
      (h, i) => `${h.userId},,Grunnkurs,2026-01-${String((i % 28) + 1).padStart(2, "0")},,,,`,
    );
    const results = await Promise.all(
      [0, 1, 2, 3].map((shift) =>
        importCertificationsCsv(
          ctx,
          scene.admin.principal,
          file([...lines.slice(shift * 10), ...lines.slice(0, shift * 10)]),
          { organizationId: scene.organization.id, skipInvalid: true, batchSize: 10 },
        ),
      ),
    );
    expect(results.reduce((sum, r) => sum + r.imported, 0)).toBe(40);
    expect(results.reduce((sum, r) => sum + r.already_held, 0)).toBe(120);
    expect(results.reduce((sum, r) => sum + r.skipped, 0)).toBe(0);
    const rows = await ctx.db
      .selectFrom("certifications")
      .select(["user_id", "certificate_number"])
      .where("organization_id", "=", scene.organization.id)
      .execute();
    expect(new Set(rows.map((row) => row.user_id)).size).toBe(40);
    expect(rows.map((row) => Number(row.certificate_number.slice(-5))).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });
});
