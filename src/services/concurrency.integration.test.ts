import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/databases.js";
import { makeMember, makeRegistration, makeScene, serviceContext } from "../../test/factories.js";
import { parseCertificateNumber } from "../domain/certificate-number.js";
import { DomainError } from "../domain/errors.js";
import { completeCourse } from "./complete-course.js";
import { grantCertification } from "./issue-certification.js";

/** The outcome of a call: "ok", or the DomainError's code; anything else fails the test. */
async function outcome(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return "ok";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

// PGlite has a single connection, so nothing can race there: these run on PostgreSQL server only.
describe.skipIf(!process.env.DATABASE_URL)("concurrent issuing on postgres", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase("postgres", { poolSize: 60 });
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("50 parallel grants of one type to one user give exactly one success and 49 one_active_cert_per_user_per_type, over 20 rounds", async () => {
    const ctx = serviceContext(testDb.database);
    const scene = await makeScene(ctx);
    for (let round = 1; round <= 20; round++) {
      const holder = await makeMember(ctx, scene.organization.id, "peer_mentor");
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          outcome(() =>
            grantCertification(ctx, i % 2 === 0 ? scene.coordinator.principal : scene.admin.principal, {
              organizationId: scene.organization.id,
              userId: holder.userId,
              certificationTypeId: scene.type.id,
            }),
          ),
        ),
      );
      expect(tally(outcomes), `round ${round}`).toEqual({ ok: 1, one_active_cert_per_user_per_type: 49 });
      const rows = await ctx.db
        .selectFrom("certifications")
        .select("certificate_number")
        .where("user_id", "=", holder.userId)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.certificate_number).toBe(
        `${scene.organization.prefix}-2026-${String(round).padStart(5, "0")}`,
      );
    }
    const counter = await ctx.db
      .selectFrom("certificate_counters")
      .select("last_value")
      .where("prefix", "=", scene.organization.prefix)
      .executeTakeFirstOrThrow();
    expect(counter.last_value).toBe(20);
    const audit = await ctx.db
      .selectFrom("audit_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("organization_id", "=", scene.organization.id)
      .where("action", "=", "issued")
      .executeTakeFirstOrThrow();
    expect(Number(audit.n)).toBe(20);
    // A generous limit only for a machine shared with other test runs; alone this takes seconds.
  }, 180_000);

  it("200 parallel issuances across 5 organizations, some failing, give numbers unique and gapless per prefix and year", async () => {
    const ctx = serviceContext(testDb.database);
    const scenes = await Promise.all(Array.from({ length: 5 }, () => makeScene(ctx)));
    const service = { kind: "service", name: "course-module" } as const;
    const calls: (() => Promise<unknown>)[] = [];
    for (const scene of scenes) {
      const members = [];
      for (let i = 0; i < 30; i++) members.push(await makeMember(ctx, scene.organization.id, "peer_mentor"));
      for (let i = 0; i < 40; i++) {
        const member = members[i % 30];
        if (!member) throw new Error("no member");
        const base = {
          organizationId: scene.organization.id,
          userId: member.userId,
          certificationTypeId: scene.type.id,
        };
        if (i % 8 === 3) {
          // Fails before a number is drawn: expires before it is issued.
          calls.push(() =>
            grantCertification(ctx, scene.coordinator.principal, {
              ...base,
              expiresAt: new Date("2020-01-01"),
            }),
          );
        } else if (i % 8 === 5) {
          // Back-dated into last year: counts in the other year's sequence.
          calls.push(() =>
            grantCertification(ctx, scene.admin.principal, {
              ...base,
              issuedAt: new Date("2025-06-01T12:00:00Z"),
              expiresAt: new Date("2027-06-01T12:00:00Z"),
            }),
          );
        } else if (i % 8 === 7) {
          const registration = await makeRegistration(ctx, scene.organization.id, member.userId);
          calls.push(() =>
            completeCourse(ctx, service, {
              organizationId: scene.organization.id,
              courseRegistrationId: registration.id,
              certificationTypeId: scene.type.id,
            }),
          );
        } else {
          // Members 0-9 get a second request (i >= 30): a duplicate live grant that must fail.
          calls.push(() => grantCertification(ctx, scene.coordinator.principal, base));
        }
      }
    }
    expect(calls).toHaveLength(200);
    const outcomes = await Promise.all(calls.map((call) => outcome(call)));
    const counts = tally(outcomes);
    expect(Object.keys(counts).sort()).toEqual([
      "expires_at_after_issued_at",
      "ok",
      "one_active_cert_per_user_per_type",
    ]);
    expect(counts.expires_at_after_issued_at).toBe(25);
    expect(counts.one_active_cert_per_user_per_type).toBeGreaterThan(0);

    const rows = await ctx.db
      .selectFrom("certifications")
      .select(["certificate_number", "organization_id"])
      .where(
        "organization_id",
        "in",
        scenes.map((s) => s.organization.id),
      )
      .execute();
    expect(rows).toHaveLength(counts.ok ?? 0);
    const numbers = rows.map((r) => r.certificate_number);
    expect(new Set(numbers).size).toBe(numbers.length);

    const byPrefixYear = new Map<string, number[]>();
    for (const number of numbers) {
      const { prefix, year, sequence } = parseCertificateNumber(number);
      const key = `${prefix}-${year}`;
      byPrefixYear.set(key, [...(byPrefixYear.get(key) ?? []), sequence]);
    }
    for (const scene of scenes) {
      for (const year of [2025, 2026])
        expect(byPrefixYear.has(`${scene.organization.prefix}-${year}`)).toBe(true);
    }
    for (const [key, sequences] of byPrefixYear) {
      sequences.sort((a, b) => a - b);
      expect(sequences, key).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    }
    const counters = await ctx.db
      .selectFrom("certificate_counters")
      .select(["prefix", "year", "last_value"])
      .where(
        "prefix",
        "in",
        scenes.map((s) => s.organization.prefix),
      )
      .execute();
    for (const counter of counters) {
      expect(counter.last_value).toBe(byPrefixYear.get(`${counter.prefix}-${counter.year}`)?.length);
    }
  }, 180_000);
});
