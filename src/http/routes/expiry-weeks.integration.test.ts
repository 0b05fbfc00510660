import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCertifications } from "../../../test/bulk.js";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { grant, makeMember, makeOrganization, makeScene, makeType } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";
import { revokeCertification } from "../../services/revoke-certification.js";
import { suspendCertification } from "../../services/suspend-certification.js";

const ISSUED = new Date("2024-03-01T10:00:00Z");
// Before 1 May 2026 in Oslo; the clock stands at Sunday 15 March 2026, 10:00 UTC.
const BEFORE = "2026-04-30T22:00:00.000Z";

/** Expiries per week over all of an organization's rows, in its own time zone; staff only. */
describe.each(DATABASE_KINDS)("expiries per week on %s", (kind) => {
  let t: HttpTestApp;
  let oslo: Awaited<ReturnType<typeof makeScene>>;
  let otherType: Awaited<ReturnType<typeof makeType>>;
  let newYork: { id: string; coordinator: string };

  beforeAll(async () => {
    t = await createHttpTestApp(kind);
    oslo = await makeScene(t.ctx);
    const org = oslo.organization;
    let start = 0;
    const bulk = async (
      count: number,
      expiresAt: string,
      typeId = oslo.type.id,
      orgId = org.id,
      prefix = org.prefix,
    ) => {
      await insertCertifications(t.ctx.db, {
        organizationId: orgId,
        typeId,
        prefix,
        count,
        issuedAt: ISSUED,
        expiresAt: new Date(expiresAt),
        start,
      });
      start += count;
    };
    await bulk(60, "2026-03-18T12:00:00Z"); // week 12
    await bulk(44, "2026-03-25T12:00:00Z"); // week 13
    await bulk(1, "2026-03-29T21:30:00Z"); // Sunday 29 March 23:30 in Oslo (summer time): week 13
    await bulk(1, "2026-03-29T22:30:00Z"); // Monday 30 March 00:30 in Oslo: week 14, though Sunday in UTC
    await bulk(70, "2026-04-01T08:00:00Z"); // week 14
    await bulk(50, "2026-04-22T08:00:00Z"); // week 17
    await bulk(5, "2026-05-04T08:00:00Z"); // after expires_before
    otherType = await makeType(t.ctx, org.id);
    await bulk(10, "2026-03-19T08:00:00Z", otherType.id); // week 12, another type
    const person = async () => (await makeMember(t.ctx, org.id, "peer_mentor")).userId;
    const suspended = await grant(t.ctx, oslo, {
      userId: await person(),
      expiresAt: new Date("2026-03-20T08:00:00Z"),
    });
    await suspendCertification(t.ctx, oslo.coordinator.principal, suspended.id, { reason: "Klage" });
    const revoked = await grant(t.ctx, oslo, {
      userId: await person(),
      expiresAt: new Date("2026-03-20T08:00:00Z"),
    });
    await revokeCertification(t.ctx, oslo.coordinator.principal, revoked.id, { reason: "Feil" });
    await grant(t.ctx, oslo, {
      userId: await person(),
      issuedAt: ISSUED,
      expiresAt: new Date("2026-03-10T08:00:00Z"),
    }); // expired, week 11
    await grant(t.ctx, oslo, { userId: await person(), expiresAt: null }); // lifetime

    const ny = await makeOrganization(t.ctx, { timeZone: "America/New_York" });
    const nyType = await makeType(t.ctx, ny.id);
    const nyCoordinator = await makeMember(t.ctx, ny.id, "coordinator");
    await bulk(3, "2026-03-23T03:30:00Z", nyType.id, ny.id, ny.prefix); // Sunday 22 March 23:30 in New York
    await bulk(2, "2026-03-23T04:30:00Z", nyType.id, ny.id, ny.prefix); // Monday 23 March 00:30 in New York
    newYork = { id: ny.id, coordinator: nyCoordinator.userId };
  });
  afterAll(async () => t?.close());

  const get = async (url: string, subject: string | null, language = "nb") => {
    const answer = await t.app.inject({
      method: "GET",
      url,
      headers: { "accept-language": language, ...(subject ? await t.bearer(subject) : {}) },
    });
    return { status: answer.statusCode, body: answer.json() as Record<string, unknown> };
  };
  const weeksUrl = (orgId: string, query: string) =>
    `/v1/organizations/${orgId}/certifications/expiry-weeks?${query}`;

  it("counts every live row per week in Oslo, Sunday 23:30 in its own week and Monday 00:30 in the next", async () => {
    const answer = await get(
      weeksUrl(oslo.organization.id, `expires_before=${BEFORE}`),
      oslo.coordinator.userId,
    );
    expect(answer).toEqual({
      status: 200,
      body: {
        weeks: [
          { week_start: "2026-03-16", iso_year: 2026, iso_week: 12, count: 71 },
          { week_start: "2026-03-23", iso_year: 2026, iso_week: 13, count: 45 },
          { week_start: "2026-03-30", iso_year: 2026, iso_week: 14, count: 71 },
          { week_start: "2026-04-20", iso_year: 2026, iso_week: 17, count: 50 },
        ],
        total: 237,
      },
    });
  });

  it("agrees with the list's pages of the same filters, over more rows than a page holds", async () => {
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await get(
        `/v1/organizations/${oslo.organization.id}/certifications?sort=expires_at&expires_before=${BEFORE}` +
          `&status=active&status=expiring_soon&status=suspended&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
        oslo.coordinator.userId,
      );
      expect(page.status).toBe(200);
      for (const item of page.body.items as { id: string }[]) ids.add(item.id);
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(ids.size).toBe(237);
  });

  it("takes the list's status, type and expires_after filters", async () => {
    const org = oslo.organization.id;
    const expired = await get(
      weeksUrl(org, `expires_before=${BEFORE}&status=expired&status=revoked`),
      oslo.admin.userId,
    );
    expect(expired.body).toEqual({
      weeks: [
        { week_start: "2026-03-09", iso_year: 2026, iso_week: 11, count: 1 },
        { week_start: "2026-03-16", iso_year: 2026, iso_week: 12, count: 1 },
      ],
      total: 2,
    });
    const ofType = await get(
      weeksUrl(org, `expires_before=${BEFORE}&certification_type_id=${otherType.id}`),
      oslo.coordinator.userId,
    );
    expect(ofType.body).toEqual({
      weeks: [{ week_start: "2026-03-16", iso_year: 2026, iso_week: 12, count: 10 }],
      total: 10,
    });
    const after = await get(
      weeksUrl(org, `expires_before=${BEFORE}&expires_after=2026-04-15T00:00:00Z`),
      oslo.coordinator.userId,
    );
    expect(after.body).toEqual({
      weeks: [{ week_start: "2026-04-20", iso_year: 2026, iso_week: 17, count: 50 }],
      total: 50,
    });
  });

  it("counts in the organization's own time zone: Sunday 23:30 in New York is that week, though Monday in UTC and Oslo", async () => {
    const answer = await get(weeksUrl(newYork.id, `expires_before=${BEFORE}`), newYork.coordinator);
    expect(answer.body).toEqual({
      weeks: [
        { week_start: "2026-03-16", iso_year: 2026, iso_week: 12, count: 3 },
        { week_start: "2026-03-23", iso_year: 2026, iso_week: 13, count: 2 },
      ],
      total: 5,
    });
  });

  it("refuses another organization's staff as not found, a peer mentor as forbidden, no token as unauthenticated", async () => {
    const url = weeksUrl(oslo.organization.id, `expires_before=${BEFORE}`);
    expect(await get(url, newYork.coordinator)).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect(await get(url, oslo.mentor.userId)).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(await get(url, null)).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
  });

  it("answers bad dates with invalid_request naming the field, in the request's language", async () => {
    const org = oslo.organization.id;
    const cases: [string, string][] = [
      ["", "query/expires_before"],
      ["expires_before=2026-02-30T00:00:00Z", "query/expires_before"],
      ["expires_before=next-month", "query/expires_before"],
      [`expires_before=${BEFORE}&expires_after=yesterday`, "query/expires_after"],
      [`expires_before=${BEFORE}&expires_after=${BEFORE}`, "query/expires_after"],
      [`expires_before=${BEFORE}&status=lapsed`, "query/status"],
    ];
    for (const [query, field] of cases) {
      const nb = await get(weeksUrl(org, query), oslo.coordinator.userId, "nb");
      expect({ query, ...nb }).toMatchObject({
        query,
        status: 400,
        body: { code: "invalid_request", detail: expect.stringMatching(/ikke gyldig.*\(query\//) },
      });
      expect((nb.body.errors as { field: string }[]).map((e) => e.field.split(".")[0])).toContain(field);
      const en = await get(weeksUrl(org, query), oslo.coordinator.userId, "en");
      expect(en.body).toMatchObject({
        code: "invalid_request",
        detail: expect.stringMatching(new RegExp(`not valid.*${field}`)),
      });
    }
  });
});
