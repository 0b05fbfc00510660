import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from "../../test/databases.js";
import {
  makeGlobalAdmin,
  makeMember,
  makeOrganization,
  makeType,
  serviceContext,
} from "../../test/factories.js";
import { openDatabase } from "../storage/database.js";
import { migrate } from "../storage/migrate.js";

/** The CLI as a user runs it: `bin/certsvc.js` in a child process, on a real database. */

const SECRET = "cli-test-secret-that-is-long-enough-0123456789";
const BIN = join(import.meta.dirname, "..", "..", "bin", "certsvc.js");
const SPAWN_TIMEOUT = 600_000;
// Each test spawns processes that start tsx and open a database; on a busy machine that takes a while.
vi.setConfig({ testTimeout: 1_200_000, hookTimeout: 300_000 });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function certsvc(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...env },
        timeout: SPAWN_TIMEOUT,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const day = 86_400_000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

describe.each(DATABASE_KINDS)("certsvc on %s", (kind) => {
  let dir: string;
  let server: TestDatabase | null = null;
  let env: Record<string, string>;
  const source = { id: "", prefix: "" };
  const target = { id: "", prefix: "" };
  const people = { sourceAdmin: "", targetAdmin: "", globalAdmin: "", foreignType: "" };
  const holders = Array.from({ length: 5 }, () => randomUUID());

  /** Opens the database in this process for setup or checks; PGlite only while no CLI runs. */
  async function withDatabase<T>(work: (ctx: ReturnType<typeof serviceContext>) => Promise<T>): Promise<T> {
    if (server) return work(serviceContext(server.database));
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      await migrate(database);
      return await work(serviceContext(database));
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "certsvc-cli-"));
    env = { CERTSVC_DATA_DIR: dir, CERTSVC_JWT_SECRET: SECRET };
    if (kind === "postgres") {
      server = await createTestDatabase("postgres");
      env.DATABASE_URL = server.url ?? "";
    }
    await withDatabase(async (ctx) => {
      const a = await makeOrganization(ctx);
      const b = await makeOrganization(ctx);
      Object.assign(source, { id: a.id, prefix: a.prefix });
      Object.assign(target, { id: b.id, prefix: b.prefix });
      await makeType(ctx, a.id, { name: "Grunnkurs", validityMonths: 24 });
      await makeType(ctx, b.id, { name: "Grunnkurs", validityMonths: 24 });
      people.foreignType = (await makeType(ctx, b.id, { name: "Bare B" })).id;
      people.sourceAdmin = (await makeMember(ctx, a.id, "org_admin")).userId;
      people.targetAdmin = (await makeMember(ctx, b.id, "org_admin")).userId;
      people.globalAdmin = (await makeGlobalAdmin(ctx)).userId;
    });
  });

  afterAll(async () => {
    await server?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrate reports the database up to date, as JSON", async () => {
    const run = await certsvc(["migrate", "--json"], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ applied: [] });
  });

  it("admins add makes a new user a global admin", async () => {
    const userId = randomUUID();
    const run = await certsvc(["admins", "add", userId, "--name", "Gro Global", "--json"], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ user_id: userId, display_name: "Gro Global", created: true });
    const user = await withDatabase((ctx) =>
      ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst(),
    );
    expect(user?.is_global_admin).toBe(true);
  });

  it("token signs a token with CERTSVC_JWT_SECRET for the user and lifetime asked", async () => {
    const userId = randomUUID();
    const run = await certsvc(["token", "--user", userId, "--ttl", "120", "--json"], env);
    expect(run.code).toBe(0);
    const { token } = JSON.parse(run.stdout) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET));
    expect(payload.sub).toBe(userId);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(120);
    const usage = await certsvc(["token"], env);
    expect(usage.code).toBe(2);
  });

  function importFile(): string {
    const now = Date.now();
    const [u1, u2, u3, u4, u5] = holders as [string, string, string, string, string];
    const lines = [
      "user_id,display_name,certification_type,issued_at,expires_at,notes,revoked_at,revocation_reason",
      `${u1},Anne Arkiv,Grunnkurs,2023-03-01,,paper,,`, // line 2: held 2023-03 to 2025-03
      `${u2},Bjørn Bok,Grunnkurs,2024-05-10,,,,`, // line 3: new in 2024
      `${u3},Cato Papir,Grunnkurs,2021-01-01,2023-06-01,,,`, // line 4: over before 2024
      `${u4},Dina Dato,Grunnkurs,2024-02-01,,,2024-08-01,Sluttet`, // line 5: revoked during 2024
      `${u5},Eva Ny,Grunnkurs,${isoDay(new Date(now - 10 * day))},,,,`, // line 6: live now
      `${u5},Eva Ny,Grunnkurs,${isoDay(new Date(now - 5 * day))},,,,`, // line 7: a second live one
      `${randomUUID()},Feil Dato,Grunnkurs,2024-02-01,2024-01-01,,,`, // line 8
      `${randomUUID()},,Grunnkurs,2024-02-01,,,,`, // line 9: not a member, no name
      `${randomUUID()},Ukjent Type,Finnes ikke,2024-02-01,,,,`, // line 10
      `${randomUUID()},Annen Org,${people.foreignType},2024-02-01,,,,`, // line 11
      `${randomUUID()},Rar Dato,Grunnkurs,i fjor,,,,`, // line 12
    ];
    const file = join(dir, "import.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  }

  const expectedErrors = [
    { line: 7, code: "one_active_cert_per_user_per_type" },
    { line: 8, code: "expires_at_after_issued_at" },
    { line: 9, code: "not_found" },
    { line: 10, code: "not_found" },
    { line: 11, code: "organization_scoped_type" },
    { line: 12, code: "invalid_request" },
  ];

  const countIn = (organizationId: string) =>
    withDatabase(async (ctx) =>
      Number(
        (
          await ctx.db
            .selectFrom("certifications")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("organization_id", "=", organizationId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  it("import with bad rows imports nothing, names each bad row's line and code, and exits 65", async () => {
    const run = await certsvc(
      ["import", importFile(), "--org", source.prefix, "--as", people.sourceAdmin],
      env,
    );
    expect(run.code).toBe(65);
    expect(run.stdout).toContain("Nothing imported: 6 of 11 rows are not valid");
    for (const error of expectedErrors) expect(run.stdout).toContain(`line ${error.line}: ${error.code}:`);
    expect(await countIn(source.id)).toBe(0);
  });

  it("import --skip-invalid imports the good rows and reports the bad ones", async () => {
    const run = await certsvc(
      ["import", importFile(), "--org", source.id, "--as", people.sourceAdmin, "--skip-invalid", "--json"],
      env,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ organization: source.prefix, rows: 11, imported: 5, skipped: 6 });
    expect(
      result.errors.map((error: { line: number; code: string }) => ({ line: error.line, code: error.code })),
    ).toEqual(expectedErrors);
    expect(result.rows_per_second).toBeGreaterThan(0);
    expect(await countIn(source.id)).toBe(5);
  });

  it("report counts the mentors certified during the year from the imported data", async () => {
    const run = await certsvc(["report", "--org", source.prefix, "--year", "2024", "--json"], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    // Held in 2024: holders 1, 2 and 4 (revoked in August); new in 2024: 2 and 4.
    expect(report).toMatchObject({ year: 2024, certified_mentors: 3, newly_certified: 2 });
    expect(report.by_type).toEqual([
      expect.objectContaining({ certification_type: "Grunnkurs", certified_mentors: 3, newly_certified: 2 }),
    ]);
    const csv = await certsvc(["report", "--org", source.prefix, "--year", "2024", "--csv"], env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split("\n").at(-1)).toBe(`${source.prefix},2024,,all types,3,2`);
  });

  it("export then import into another organization carries every certification over", async () => {
    const out = join(dir, "export.csv");
    const exported = await certsvc(["export", "--org", source.prefix, "--out", out], env);
    expect(exported.code).toBe(0);
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.status).sort()).toEqual([
      "active",
      "expired",
      "expired",
      "expired",
      "revoked",
    ]);

    // The holders belong to the source organization: another organization's admin may not enrol
    // them (issue 16's identity rule), so the move is a global admin's.
    const refused = await certsvc(
      ["import", out, "--org", target.prefix, "--as", people.targetAdmin, "--json"],
      env,
    );
    expect(refused.code).toBe(65);
    const imported = await certsvc(
      ["import", out, "--org", target.prefix, "--as", people.globalAdmin, "--json"],
      env,
    );
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 5, imported: 5, skipped: 0 });

    const back = await certsvc(["export", "--org", target.prefix], env);
    const copied = parse(back.stdout, { columns: true }) as Record<string, string>[];
    const facts = (row: Record<string, string>) =>
      [
        row.user_id,
        row.display_name,
        row.certification_type,
        row.status,
        row.issued_at,
        row.expires_at,
        row.revoked_at,
        row.revocation_reason,
        row.notes,
      ].join("|");
    expect(copied.map(facts)).toEqual(rows.map(facts));

    const activeOnly = await certsvc(["export", "--org", target.prefix, "--status", "revoked"], env);
    expect(parse(activeOnly.stdout, { columns: true })).toHaveLength(1);

    // The list's search and order: a part of a name in capitals (Ø too, which lower() leaves alone in a C locale).
    const found = await certsvc(["export", "--org", target.prefix, "--q", "BJØRN"], env);
    expect(found.code, found.stderr).toBe(0);
    expect(
      (parse(found.stdout, { columns: true }) as Record<string, string>[]).map((row) => row.display_name),
    ).toEqual(["Bjørn Bok"]);
    const newest = await certsvc(["export", "--org", target.prefix, "--sort", "newest"], env);
    const newestIds = (parse(newest.stdout, { columns: true }) as Record<string, string>[]).map(
      (row) => row.id,
    );
    expect(newestIds).toEqual(copied.map((row) => row.id).reverse());
    const badSort = await certsvc(["export", "--org", target.prefix, "--sort", "sideways"], env);
    expect(badSort.code).not.toBe(0);
    expect(badSort.stderr).toContain("sideways");
  });

  it("verify exits 0 for a valid number, 1 for a revoked or unknown one, 65 for a malformed one", async () => {
    const numbers = await withDatabase((ctx) =>
      ctx.db
        .selectFrom("certifications")
        .select(["certificate_number", "revoked_at", "user_id"])
        .where("organization_id", "=", source.id)
        .execute(),
    );
    const valid = numbers.find((row) => row.user_id === holders[4]);
    const revoked = numbers.find((row) => row.revoked_at !== null);
    const validRun = await certsvc(["verify", valid?.certificate_number ?? "", "--json"], env);
    expect(validRun.code).toBe(0);
    expect(JSON.parse(validRun.stdout)).toMatchObject({
      valid: true,
      status: "active",
      holder_initials: "EN",
    });
    const revokedRun = await certsvc(["verify", revoked?.certificate_number ?? ""], env);
    expect(revokedRun.code).toBe(1);
    expect(revokedRun.stdout).toContain("NOT VALID (revoked)");
    expect((await certsvc(["verify", `${source.prefix}-2001-99999`], env)).code).toBe(1);
    const malformed = await certsvc(["verify", "not-a-number"], env);
    expect(malformed.code).toBe(65);
    expect(malformed.stderr).toContain("certificate_number_format");
  });

  it("sweep runs one expiry sweep and prints its counts", async () => {
    const run = await certsvc(["sweep", "--json"], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      expired: expect.any(Number),
      notifications_enqueued: expect.any(Number),
    });
  });

  it("a bad environment value stops a command with a message naming the variable, exit 78", async () => {
    const run = await certsvc(["sweep"], { ...env, CERTSVC_WARNING_DAYS: "abc" });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('CERTSVC_WARNING_DAYS: expected a whole number, got "abc"');
  });

  it.runIf(kind === "pglite")(
    "a command on an embedded database held by another process says so and exits 75",
    async () => {
      const holder = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        const run = await certsvc(["sweep"], env);
        expect(run.code).toBe(75);
        expect(run.stderr).toContain(`is in use by another certsvc process (pid ${process.pid})`);
      } finally {
        await holder.close();
      }
    },
  );

  it.runIf(kind === "pglite")(
    "demo creates both organizations and mentors in every status, and a second run only prints the tokens",
    async () => {
      const demoDir = mkdtempSync(join(tmpdir(), "certsvc-demo-"));
      try {
        const demoEnv = { CERTSVC_DATA_DIR: demoDir };
        const first = await certsvc(["demo", "--json"], demoEnv);
        expect(first.code).toBe(0);
        const summary = JSON.parse(first.stdout);
        expect(summary).toMatchObject({ created: true, mentors: 200 });
        expect(summary.organizations.map((o: { prefix: string }) => o.prefix)).toEqual(["NHF", "HLF"]);
        expect(summary.links.verify_valid).toMatch(
          /\/verify\/NHF-\d{4}-\d{5}\?code=[0-9A-Z]{4}-[0-9A-Z]{4}$/,
        );
        expect(summary.links.coordinator).toMatch(/\/app#token=ey/);
        const statuses = await (async () => {
          const database = await openDatabase({ kind: "pglite", dataDir: demoDir });
          try {
            const ctx = serviceContext(database);
            const rows = await ctx.db
              .selectFrom("certifications")
              .select(["revoked_at", "expires_at"])
              .execute();
            const now = Date.now();
            return new Set(
              rows.map((row) =>
                row.revoked_at
                  ? "revoked"
                  : row.expires_at === null || row.expires_at.getTime() - now > 45 * day
                    ? "active"
                    : row.expires_at.getTime() <= now
                      ? "expired"
                      : "expiring_soon",
              ),
            );
          } finally {
            await database.close();
          }
        })();
        expect([...statuses].sort()).toEqual(["active", "expired", "expiring_soon", "revoked"]);
        // The development secret generated into the data directory signs the printed tokens.
        const secret = readFileSync(join(demoDir, "jwt-secret"), "utf8").trim();
        await expect(
          jwtVerify(summary.tokens.coordinator, new TextEncoder().encode(secret)),
        ).resolves.toBeDefined();

        const second = await certsvc(["demo"], demoEnv);
        expect(second.code).toBe(0);
        expect(second.stdout).toContain("Demo data exists already");
      } finally {
        rmSync(demoDir, { recursive: true, force: true });
      }
    },
  );
});
