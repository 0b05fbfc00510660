import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../test/bulk.js";
import { DATABASE_KINDS } from "../../test/databases.js";
import {
  grant,
  makeMember,
  makeRegistration,
  makeScene,
  SYSTEM,
  verificationCodeOf,
} from "../../test/factories.js";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
} from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";
import { completeCourse } from "../services/complete-course.js";
import { importCertificationsCsv } from "../services/import/import-certifications.js";
import { renewCertification } from "../services/renew-certification.js";
import { revokeCertification } from "../services/revoke-certification.js";

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** A code that is well formed and not the certification's own. */
const otherCode = (code: string, seed: number) => {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const next = alphabet[(alphabet.indexOf(code[0] ?? "0") + 1 + (seed % 31)) % 32] ?? "0";
  return `${next}${code.slice(1)}`;
};

describe.each(DATABASE_KINDS)("verification codes and public verification on %s", (kind) => {
  let t: HttpTestApp;
  let w: HttpWorld;
  const call = (url: string, token?: string, method = "GET") =>
    injectTransport(t.app)({ method, url, token });

  beforeAll(async () => {
    t = await createHttpTestApp(kind, { pages: true });
    w = await makeHttpWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every way of issuing leaves a certification with a code: grant, course completion, import, a plain SQL insert; renewing keeps it", async () => {
    const scene = await makeScene(t.ctx, { name: "Grunnkurs" });
    const granted = await grant(t.ctx, scene);
    const learner = await makeMember(t.ctx, scene.organization.id, "peer_mentor");
    const registration = await makeRegistration(t.ctx, scene.organization.id, learner.userId);
    const completed = await completeCourse(t.ctx, SYSTEM, {
      organizationId: scene.organization.id,
      courseRegistrationId: registration.id,
      certificationTypeId: scene.type.id,
    });
    const header =
      "user_id,display_name,certification_type,issued_at,expires_at,notes,revoked_at,revocation_reason";
    await importCertificationsCsv(
      t.ctx,
      scene.admin.principal,
      Readable.from([
        `${header}\n${randomUUID()},Anne Import,Grunnkurs,2026-01-05,,,,\n${randomUUID()},Bo Import,Grunnkurs,2026-01-06,,,,\n`,
      ]),
      { organizationId: scene.organization.id, skipInvalid: false },
    );
    await insertCertifications(t.ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: 25,
      issuedAt: new Date("2026-01-01T00:00:00Z"),
      expiresAt: new Date("2028-01-01T00:00:00Z"),
    });
    const { rows } = await sql<{ certifications: string; coded: string }>`
      select count(*) as certifications, count(v.code) as coded
      from certifications c left join certification_verification_codes v on v.certification_id = c.id
      where c.organization_id = ${scene.organization.id}`.execute(t.ctx.db);
    expect(Number(rows[0]?.certifications)).toBe(29);
    expect(rows[0]?.coded).toBe(rows[0]?.certifications);

    const before = await verificationCodeOf(t.ctx, granted.id);
    expect(before).toMatch(CODE);
    expect(await verificationCodeOf(t.ctx, completed.certification.id)).toMatch(CODE);
    await renewCertification(t.ctx, scene.coordinator.principal, granted.id, {});
    expect(await verificationCodeOf(t.ctx, granted.id)).toBe(before);
  });

  it("the holder and staff read the code; a service may not (forbidden), other members and organizations do not see it (not_found)", async () => {
    const path = `/v1/certifications/${w.certification.id}/verification-code`;
    const code = await verificationCodeOf(t.ctx, w.certification.id);
    for (const token of [w.tokens.mentorA, w.tokens.coordinatorA, w.tokens.adminA, w.tokens.globalAdmin]) {
      const answer = await call(path, token);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ verification_code: code });
      expect(answer.headers["cache-control"]).toMatch(/no-store/);
    }
    expectProblem(await call(path, w.tokens.service), 403, "forbidden");
    for (const token of [w.tokens.otherMentorA, w.tokens.coordinatorB, w.tokens.stranger]) {
      expectProblem(await call(path, token), 404, "not_found");
    }
    expectProblem(await call(path), 401, "unauthenticated");
  });

  it("replacing the code voids the old one at once, and the audit trail records it without either code", async () => {
    const cert = await grant(t.ctx, w.a, {
      userId: (await makeMember(t.ctx, w.a.organization.id, "peer_mentor")).userId,
    });
    const old = await verificationCodeOf(t.ctx, cert.id);
    const verify = (code: string) => call(`/v1/verify/${cert.certificate_number}?code=${code}`);
    expect((await verify(old)).status).toBe(200);

    const replaced = await call(
      `/v1/certifications/${cert.id}/verification-code`,
      w.tokens.coordinatorA,
      "POST",
    );
    expect(replaced.status).toBe(200);
    const fresh = (replaced.body as { verification_code: string }).verification_code;
    expect(fresh).toMatch(CODE);
    expect(fresh).not.toBe(old);
    expectProblem(await verify(old), 404, "not_found");
    expect((await verify(fresh)).status).toBe(200);

    const events = await call(`/v1/certifications/${cert.id}/events`, w.tokens.coordinatorA);
    const text = JSON.stringify(events.body);
    expect(text).toContain("verification_code_replaced");
    for (const code of [old, fresh]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace("-", ""));
    }
    expectProblem(
      await call(`/v1/certifications/${cert.id}/verification-code`, w.tokens.otherMentorA, "POST"),
      404,
      "not_found",
    );
  });

  it("the code may be typed in any case, with or without the hyphen; a name is checked only with the right code", async () => {
    const code = await verificationCodeOf(t.ctx, w.certification.id);
    const number = w.certification.certificate_number;
    for (const typed of [code, code.toLowerCase(), code.replace("-", ""), ` ${code.replace("-", " ")} `]) {
      const answer = await call(`/v1/verify/${number.toLowerCase()}?code=${encodeURIComponent(typed)}`);
      expect(answer.status, typed).toBe(200);
    }
    const named = await call(`/v1/verify/${number}?code=${code}&name=Mari%20Mentor`);
    expect(named.body).toMatchObject({
      name_matches: true,
      holder_initials: "MM",
      checked_at: t.clock.now().toISOString(),
    });
    expectProblem(
      await call(`/v1/verify/${number}?code=${otherCode(code, 1)}&name=Mari%20Mentor`),
      404,
      "not_found",
    );
    expectProblem(await call(`/v1/verify/${number}-x?code=${code}`), 422, "certificate_number_format");
  });

  it("2 000 well-formed numbers (existing, revoked, unknown), without a code or with a wrong one, all get the same 404 byte for byte", async () => {
    const scene = await makeScene(t.ctx);
    const total = 40;
    await insertCertifications(t.ctx.db, {
      organizationId: scene.organization.id,
      typeId: scene.type.id,
      prefix: scene.organization.prefix,
      count: total,
      issuedAt: new Date("2026-01-01T00:00:00Z"),
      expiresAt: new Date("2028-01-01T00:00:00Z"),
    });
    const certs = await t.ctx.db
      .selectFrom("certifications as c")
      .innerJoin("certification_verification_codes as v", "v.certification_id", "c.id")
      .select(["c.id", "c.certificate_number", "v.code"])
      .where("c.organization_id", "=", scene.organization.id)
      .orderBy("c.certificate_number")
      .execute();
    for (const cert of certs.slice(total / 2)) {
      await revokeCertification(t.ctx, scene.coordinator.principal, cert.id, { reason: "Test" });
    }
    const existing = certs.slice(0, total / 2);
    const revoked = certs.slice(total / 2);
    const groups: Record<"existing" | "revoked" | "unknown", number[]> = {
      existing: [],
      revoked: [],
      unknown: [],
    };
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    const types = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const group = (["existing", "revoked", "unknown"] as const)[i % 3] ?? "unknown";
      const pool = group === "existing" ? existing : revoked;
      const cert = pool[i % pool.length];
      const number =
        group === "unknown"
          ? `${scene.organization.prefix}-2026-${String(900000 + i).padStart(6, "0")}`
          : (cert?.certificate_number ?? "");
      const code = cert ? `${cert.code.slice(0, 4)}-${cert.code.slice(4)}` : "ABCD-2345";
      const query = i % 2 === 0 ? "" : `?code=${otherCode(code, i)}`;
      const started = process.hrtime.bigint();
      const answer = await t.app.inject({ method: "GET", url: `/v1/verify/${number}${query}` });
      groups[group].push(Number(process.hrtime.bigint() - started) / 1e6);
      statuses.add(answer.statusCode);
      types.add(String(answer.headers["content-type"]));
      bodies.add(answer.body.replace(/"request_id":"[^"]*"/, '"request_id":""'));
    }
    expect([...statuses]).toEqual([404]);
    expect([...types]).toEqual(["application/problem+json; charset=utf-8"]);
    expect(bodies.size).toBe(1);
    expect(JSON.parse([...bodies][0] ?? "{}")).toMatchObject({
      code: "not_found",
      instance: "/v1/verify/{certificate_number}",
    });
    // A measurement, not an assertion: the medians go to the test's output.
    const medians = Object.fromEntries(
      Object.entries(groups).map(([name, times]) => [name, `${median(times).toFixed(3)} ms`]),
    );
    console.log(
      `verification 404 medians on ${kind} (${Object.values(groups)
        .map((g) => g.length)
        .join("/")} requests):`,
      medians,
    );
  }, 300_000);

  it("on the page too, a missing code, a wrong code and an unknown number are one and the same 404", async () => {
    const number = w.certification.certificate_number;
    const unknown = `${w.a.organization.prefix}-2026-99999`;
    const code = await verificationCodeOf(t.ctx, w.certification.id);
    const page = async (url: string) => {
      const answer = await t.app.inject({ method: "GET", url });
      return { status: answer.statusCode, body: answer.body };
    };
    const missing = await page(`/verify/${number}`);
    expect(missing.status).toBe(404);
    const wrong = await page(`/verify/${number}?code=${otherCode(code, 3)}`);
    expect(wrong).toEqual(missing);
    const none = await page(`/verify/${unknown}?code=${code}`);
    expect(none.status).toBe(404);
    expect(none.body.replaceAll(unknown, number)).toBe(missing.body);
  });
});
