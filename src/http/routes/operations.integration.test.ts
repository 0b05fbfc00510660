import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { grant, makeGlobalAdmin, makeMember, makeScene, makeType } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";

describe.each(DATABASE_KINDS)("operations over HTTP on %s", (kind) => {
  let t: HttpTestApp;
  let scene: Awaited<ReturnType<typeof makeScene>>;
  let other: Awaited<ReturnType<typeof makeScene>>;

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    scene = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    other = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
  });
  afterAll(async () => t?.close());

  const csv = (lines: string[]) => `${lines.join("\n")}\n`;
  const importCsv = async (orgId: string, subject: string, body: string, skipInvalid = false) =>
    t.app.inject({
      method: "POST",
      url: `/v1/organizations/${orgId}/certifications/import${skipInvalid ? "?skip_invalid=true" : ""}`,
      headers: { ...(await t.bearer(subject)), "content-type": "text/csv" },
      payload: body,
    });

  it("an org admin's import with a bad row imports nothing and lists the row's line and code", async () => {
    const good = randomUUID();
    const response = await importCsv(
      scene.organization.id,
      scene.admin.userId,
      csv([
        "user_id,display_name,certification_type,issued_at,expires_at",
        `${good},Siri Skjema,Grunnkurs,2025-01-10,`,
        `${randomUUID()},Per Papir,Grunnkurs,2025-02-01,2025-01-01`,
        `${randomUUID()},,Grunnkurs,2025-02-01,`,
      ]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    const body = response.json();
    expect(body).toMatchObject({ code: "invalid_request", rows: 3, imported: 0, skipped: 2 });
    expect(body.row_errors).toEqual([
      expect.objectContaining({ line: 3, code: "expires_at_after_issued_at" }),
      expect.objectContaining({ line: 4, code: "not_found" }),
    ]);
    const listed = await t.app.inject({
      method: "GET",
      url: `/v1/users/${good}/certifications`,
      headers: await t.bearer(scene.admin.userId),
    });
    // Nothing was imported: not even the member the good row would have created exists.
    expect(listed.statusCode).toBe(404);
  });

  it("with skip_invalid the good rows are imported, back-dated, and the bad ones reported", async () => {
    const holder = randomUUID();
    const response = await importCsv(
      scene.organization.id,
      scene.admin.userId,
      csv([
        "user_id,display_name,certification_type,issued_at,expires_at,notes",
        `${holder},Siri Skjema,Grunnkurs,2025-01-10,,paper certificate`,
        `${holder},Siri Skjema,Grunnkurs,2025-02-10,,second live one`,
        `${randomUUID()},Ola Ukjent,Ukjent type,2025-02-01,,`,
      ]),
      true,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      rows: 3,
      imported: 1,
      skipped: 2,
      errors: [
        expect.objectContaining({ line: 3, code: "one_active_cert_per_user_per_type" }),
        expect.objectContaining({ line: 4, code: "not_found" }),
      ],
    });
    const listed = await t.app.inject({
      method: "GET",
      url: `/v1/users/${holder}/certifications`,
      headers: await t.bearer(scene.admin.userId),
    });
    const [certification] = listed.json().items;
    expect(certification).toMatchObject({
      issued_at: "2025-01-10T00:00:00.000Z",
      expires_at: "2027-01-10T00:00:00.000Z",
      source: "manual_grant",
      issued_by_user_id: scene.admin.userId,
      notes: "paper certificate",
    });
    expect(certification.certificate_number).toMatch(
      new RegExp(`^${scene.organization.prefix}-2025-\\d{5}$`),
    );
  });

  it("a peer mentor may not import, and an admin of another organization is told it does not exist", async () => {
    const body = csv(["user_id,certification_type", `${randomUUID()},Grunnkurs`]);
    expect((await importCsv(scene.organization.id, scene.mentor.userId, body)).json().code).toBe("forbidden");
    expect((await importCsv(scene.organization.id, other.admin.userId, body)).json().code).toBe("not_found");
  });

  it("the import takes a body over the API's 1 MB limit, up to 50 MB", async () => {
    const big = `user_id,certification_type\n${"\n".repeat(2 * 1024 * 1024)}`;
    const response = await importCsv(scene.organization.id, scene.admin.userId, big);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ rows: 0, imported: 0 });
    const tooBig = await t.app.inject({
      method: "POST",
      url: `/v1/organizations/${scene.organization.id}/certifications/import`,
      headers: {
        ...(await t.bearer(scene.admin.userId)),
        "content-type": "text/csv",
        "content-length": String(51 * 1024 * 1024),
      },
      payload: "user_id,certification_type\n",
    });
    expect(tooBig.statusCode).toBe(413);
  });

  it("a file without user_id is refused as a whole", async () => {
    const response = await importCsv(scene.organization.id, scene.admin.userId, csv(["name,type", "a,b"]));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: "header", message: expect.stringContaining("user_id") }),
    ]);
  });

  it("the export streams CSV with the list's filters, and imports into another organization as is", async () => {
    const org = await makeScene(t.ctx, { name: "Fordypning", validityMonths: 12 });
    const target = await makeScene(t.ctx, { name: "Fordypning", validityMonths: 12 });
    const second = await makeMember(t.ctx, org.organization.id, "peer_mentor", {
      displayName: "Nora Nummer",
    });
    // Types travel by name: each organization has its own "Adelsmerke". (A global type would not do
    // here: the same holders cannot hold two live certifications of one type, whatever the organization.)
    const lifetime = await makeType(t.ctx, org.organization.id, { name: "Adelsmerke", validityMonths: null });
    await makeType(t.ctx, target.organization.id, { name: "Adelsmerke", validityMonths: null });
    await grant(t.ctx, org, { issuedAt: new Date("2024-01-15T00:00:00Z") });
    await grant(t.ctx, org, {
      userId: second.userId,
      certificationTypeId: lifetime.id,
      notes: "with, comma",
    });
    const revoked = await grant(t.ctx, org, { userId: second.userId });
    await t.app.inject({
      method: "POST",
      url: `/v1/certifications/${revoked.id}/revoke`,
      headers: await t.bearer(org.coordinator.userId),
      payload: { reason: "Sluttet" },
    });

    const all = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/certifications/export`,
      headers: await t.bearer(org.coordinator.userId),
    });
    expect(all.statusCode).toBe(200);
    expect(all.headers["content-type"]).toContain("text/csv");
    const rows = parse(all.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.status)).toEqual(["expired", "active", "revoked"]);
    expect(rows[1]?.notes).toBe("with, comma");

    const revokedOnly = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/certifications/export?status=revoked`,
      headers: await t.bearer(org.coordinator.userId),
    });
    expect(parse(revokedOnly.body, { columns: true })).toHaveLength(1);

    // The holders are the first organization's users: its admin cannot enrol them elsewhere,
    // a global admin can (see README, identity across organisations).
    const refused = await importCsv(target.organization.id, target.admin.userId, all.body);
    expect(refused.json()).toMatchObject({ rows: 3, imported: 0, skipped: 3 });
    const globalAdmin = await makeGlobalAdmin(t.ctx);
    const imported = await importCsv(target.organization.id, globalAdmin.userId, all.body);
    expect(imported.json()).toMatchObject({ rows: 3, imported: 3, skipped: 0 });
    const back = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${target.organization.id}/certifications/export`,
      headers: await t.bearer(target.admin.userId),
    });
    const copied = parse(back.body, { columns: true }) as Record<string, string>[];
    const facts = (row: Record<string, string>) => [
      row.user_id,
      row.certification_type,
      row.status,
      row.issued_at,
      row.expires_at,
      row.revocation_reason,
      row.notes,
    ];
    expect(copied.map(facts)).toEqual(rows.map(facts));
    expect(copied.every((row) => row.certificate_number?.startsWith(`${target.organization.prefix}-`))).toBe(
      true,
    );
  });

  it("a peer mentor may not export", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${scene.organization.id}/certifications/export`,
      headers: await t.bearer(scene.mentor.userId),
    });
    expect(response.json().code).toBe("forbidden");
  });

  it("the funder report counts mentors certified at any time in the year, as JSON and CSV", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 12 });
    const lifetime = await makeType(t.ctx, org.organization.id, { name: "Adelsmerke", validityMonths: null });
    const people = await Promise.all(
      ["A", "B", "C", "D", "E"].map((name) =>
        makeMember(t.ctx, org.organization.id, "peer_mentor", { displayName: `Mentor ${name}` }),
      ),
    );
    const [a, b, c, d, e] = people.map((person) => person.userId) as [string, string, string, string, string];
    const at = (iso: string) => new Date(iso);
    // a: from 2023, into 2024 → certified, not new. b: first in 2024 → new. c: expired before 2024.
    await grant(t.ctx, org, { userId: a, issuedAt: at("2023-06-01T00:00:00Z") });
    await grant(t.ctx, org, { userId: b, issuedAt: at("2024-03-01T00:00:00Z") });
    await grant(t.ctx, org, { userId: c, issuedAt: at("2022-01-01T00:00:00Z") });
    // d: lifetime type since 2020 and the course type in 2024 → certified; new only for the course type.
    await grant(t.ctx, org, {
      userId: d,
      certificationTypeId: lifetime.id,
      issuedAt: at("2020-01-01T00:00:00Z"),
    });
    await grant(t.ctx, org, { userId: d, issuedAt: at("2024-09-01T00:00:00Z") });
    // e: issued in 2024 and revoked the same year → held during the year, new.
    const revoked = await grant(t.ctx, org, { userId: e, issuedAt: at("2024-02-01T00:00:00Z") });
    await t.app.inject({
      method: "POST",
      url: `/v1/certifications/${revoked.id}/revoke`,
      headers: await t.bearer(org.coordinator.userId),
      payload: { reason: "Flyttet" },
    });
    // The revocation happens at the test clock's now (2026); the figures for 2024 are unchanged by it.

    const response = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/reports/certified-mentors?year=2024`,
      headers: await t.bearer(org.coordinator.userId),
    });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ year: 2024, certified_mentors: 4, newly_certified: 2 });
    expect(report.period).toEqual({
      from: "2023-12-31T23:00:00.000Z",
      to: "2024-12-31T23:00:00.000Z",
      time_zone: "Europe/Oslo",
    });
    expect(report.by_type).toEqual([
      expect.objectContaining({ certification_type: "Adelsmerke", certified_mentors: 1, newly_certified: 0 }),
      expect.objectContaining({ certification_type: "Grunnkurs", certified_mentors: 4, newly_certified: 3 }),
    ]);

    const asCsv = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/reports/certified-mentors?year=2024`,
      headers: { ...(await t.bearer(org.admin.userId)), accept: "text/csv" },
    });
    expect(asCsv.headers["content-type"]).toContain("text/csv");
    const lines = parse(asCsv.body, { columns: true }) as Record<string, string>[];
    expect(lines.at(-1)).toMatchObject({
      certification_type: "all types",
      certified_mentors: "4",
      newly_certified: "2",
    });

    const year2021 = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/reports/certified-mentors?year=2021&format=json`,
      headers: await t.bearer(org.coordinator.userId),
    });
    expect(year2021.json()).toMatchObject({ certified_mentors: 1, newly_certified: 0 });

    const mentor = await t.app.inject({
      method: "GET",
      url: `/v1/organizations/${org.organization.id}/reports/certified-mentors?year=2024`,
      headers: await t.bearer(org.mentor.userId),
    });
    expect(mentor.json().code).toBe("forbidden");
  });
});
