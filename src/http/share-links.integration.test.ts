import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
} from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";

interface ShareLink {
  id: string;
  url: string;
  expires_at: string;
  views: number;
  state: string;
  withdrawn_at: string | null;
}

describe.each(DATABASE_KINDS)("share links on %s", (kind) => {
  let t: HttpTestApp;
  let w: HttpWorld;
  const call = (method: string, url: string, token?: string, body?: unknown) =>
    injectTransport(t.app)({ method, url, token, body });
  const linksPath = () => `/v1/certifications/${w.certification.id}/share-links`;
  const tokenOf = (link: ShareLink) => link.url.split("/s/")[1] ?? "";
  const make = async (days: number) => {
    const answer = await call("POST", linksPath(), w.tokens.mentorA, { expires_in_days: days });
    expect(answer.status).toBe(201);
    return answer.body as ShareLink;
  };

  beforeAll(async () => {
    t = await createHttpTestApp(kind, { pages: true });
    w = await makeHttpWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the holder makes a link for 1 to 90 days; it shows the facts and the holder's full name, and counts each view", async () => {
    const link = await make(30);
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1\/s\/[A-Za-z0-9_-]{32}$/);
    expect(link).toMatchObject({ views: 0, state: "live", withdrawn_at: null });
    expect(Date.parse(link.expires_at) - t.clock.now().getTime()).toBe(30 * 86_400_000);

    const shared = await call("GET", `/v1/shared/${tokenOf(link)}`);
    expect(shared.status).toBe(200);
    expect(shared.body).toEqual({
      certificate_number: w.certification.certificate_number,
      valid: true,
      status: "active",
      certification_type: { id: w.a.type.id, name: w.a.type.name },
      organization: { id: w.a.organization.id, name: w.a.organization.name, prefix: w.a.organization.prefix },
      holder_initials: "MM",
      holder_name: "Mari Mentor",
      issued_at: w.certification.issued_at,
      expires_at: w.certification.expires_at,
      checked_at: t.clock.now().toISOString(),
    });
    const page = await t.app.inject(`/s/${tokenOf(link)}?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Mari Mentor");
    expect(page.body).toContain(w.certification.certificate_number);

    // Views at the same moment are all counted.
    await Promise.all(Array.from({ length: 20 }, () => call("GET", `/v1/shared/${tokenOf(link)}`)));
    const listed = await call("GET", linksPath(), w.tokens.mentorA);
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: ShareLink[] }).items;
    expect(items.find((item) => item.id === link.id)).toMatchObject({
      views: 22,
      state: "live",
      url: link.url,
    });

    for (const days of [0, 91, 1.5]) {
      expectProblem(
        await call("POST", linksPath(), w.tokens.mentorA, { expires_in_days: days }),
        400,
        "invalid_request",
      );
    }
    expect((await make(1)).state).toBe("live");
    expect((await make(90)).state).toBe("live");
  });

  it("a withdrawn link answers 410 gone on the very next request, the API and the page alike", async () => {
    const link = await make(7);
    expect((await call("GET", `/v1/shared/${tokenOf(link)}`)).status).toBe(200);
    const withdrawn = await call("DELETE", `${linksPath()}/${link.id}`, w.tokens.mentorA);
    expect(withdrawn.status).toBe(204);
    expectProblem(await call("GET", `/v1/shared/${tokenOf(link)}`), 410, "gone");
    const page = await t.app.inject(`/s/${tokenOf(link)}`);
    expect(page.statusCode).toBe(410);
    expect(page.body).not.toContain("Mari Mentor");
    // Withdrawing again changes nothing; the list says withdrawn, and the gone requests are no views.
    expect((await call("DELETE", `${linksPath()}/${link.id}`, w.tokens.mentorA)).status).toBe(204);
    const items = ((await call("GET", linksPath(), w.tokens.mentorA)).body as { items: ShareLink[] }).items;
    expect(items.find((item) => item.id === link.id)).toMatchObject({ views: 1, state: "withdrawn" });
  });

  it("an expired link answers 410 gone once its day has come; an unknown token is 404", async () => {
    const link = await make(2);
    expect((await call("GET", `/v1/shared/${tokenOf(link)}`)).status).toBe(200);
    t.clock.advanceDays(2);
    try {
      expectProblem(await call("GET", `/v1/shared/${tokenOf(link)}`), 410, "gone");
      expect((await t.app.inject(`/s/${tokenOf(link)}`)).statusCode).toBe(410);
      const items = ((await call("GET", linksPath(), w.tokens.mentorA)).body as { items: ShareLink[] }).items;
      expect(items.find((item) => item.id === link.id)).toMatchObject({ state: "expired", views: 1 });
    } finally {
      t.clock.advanceDays(-2);
    }
    const unknown = await call("GET", "/v1/shared/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expectProblem(unknown, 404, "not_found");
    expect((unknown.body as { instance: string }).instance).toBe("/v1/shared/{token}");
    expect((await t.app.inject("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).statusCode).toBe(404);
  });

  it("only the holder makes, lists and withdraws links: staff are forbidden, others told it does not exist", async () => {
    const link = await make(5);
    for (const token of [w.tokens.coordinatorA, w.tokens.adminA]) {
      expectProblem(await call("POST", linksPath(), token, { expires_in_days: 5 }), 403, "forbidden");
      expectProblem(await call("GET", linksPath(), token), 403, "forbidden");
      expectProblem(await call("DELETE", `${linksPath()}/${link.id}`, token), 403, "forbidden");
    }
    for (const token of [w.tokens.otherMentorA, w.tokens.coordinatorB, w.tokens.stranger]) {
      expectProblem(await call("POST", linksPath(), token, { expires_in_days: 5 }), 404, "not_found");
      expectProblem(await call("DELETE", `${linksPath()}/${link.id}`, token), 404, "not_found");
    }
    expectProblem(await call("POST", linksPath(), undefined, { expires_in_days: 5 }), 401, "unauthenticated");
    expect((await call("GET", `/v1/shared/${tokenOf(link)}`)).status).toBe(200);
  });
});
