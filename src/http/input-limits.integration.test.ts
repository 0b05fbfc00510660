import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
  parseRawAnswer,
  rawExchange,
  type Transport,
} from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";
import { countRows } from "../../test/snapshots.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./body-guard.js";

/** Every route that takes a body, from the OpenAPI document, with ids filled in. */
function bodyRoutes(t: HttpTestApp): { method: string; url: string }[] {
  const document = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => ["post", "put", "patch", "delete"].includes(method))
      .map((method) => ({
        method: method.toUpperCase(),
        url: path.replace(/\{[^}]+\}/g, randomUUID()),
      })),
  );
}

describe("input limits", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
  });
  afterAll(async () => t.close());

  it("the depth scan counts nesting outside strings only", () => {
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${"[".repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${"{".repeat(100)}"}`, 1)).toBe(false);
  });

  it("answers a text/csv body to every JSON route with 415, anonymous or not, writing nothing", async () => {
    const before = await countRows(t.ctx.db);
    const routes = [...bodyRoutes(t), { method: "POST", url: "/nonexistent" }];
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const route of routes) {
      if (route.url.endsWith("/import")) continue;
      for (const token of [undefined, w.tokens.globalAdmin]) {
        const answer = await send({
          ...route,
          token,
          payload: "user_id,certification_type_id\n1,2\n",
          headers: { "content-type": "text/csv" },
        });
        expectProblem(answer, 415, "unsupported_media_type");
      }
    }
    expect(await countRows(t.ctx.db)).toEqual(before);
  });

  it("answers a body without a content type with 415", async () => {
    const answer = await t.app.inject({
      method: "POST",
      url: "/v1/organizations",
      headers: { authorization: `Bearer ${w.tokens.globalAdmin}`, "content-length": "2" },
      payload: "{}",
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("still takes text/csv on the import route", async () => {
    const answer = await send({
      method: "POST",
      url: `/v1/organizations/${w.a.organization.id}/certifications/import`,
      token: w.tokens.adminA,
      payload: "user_id,certification_type_id\n",
      headers: { "content-type": "text/csv" },
    });
    expect(answer.status).toBe(200);
  });

  it.each([
    ["5 000 levels of arrays", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["5 000 levels of objects", `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`],
    ["one level too deep", `{"notes":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`],
    ["deep and unterminated", "[".repeat(500_000)],
  ])(
    "answers %s with 400 before parsing (401 to anonymous callers of a route with a token)",
    async (_what, payload) => {
      const grantUrl = `/v1/organizations/${w.a.organization.id}/certifications`;
      for (const token of [undefined, w.tokens.coordinatorA]) {
        for (const url of [grantUrl, "/nonexistent", "/v1/verify/NHF-2025-00001"]) {
          const answer = await send({
            method: "POST",
            url,
            token,
            payload,
            headers: { "content-type": "application/json" },
          });
          if (token === undefined && url === grantUrl) {
            expectProblem(answer, 401, "unauthenticated");
            continue;
          }
          const problem = expectProblem(answer, 400, "invalid_request");
          expect(problem.errors?.[0]?.message).toMatch(/deeper than/);
        }
      }
    },
  );

  it("answers 40 deep bodies at once and stays responsive", async () => {
    const payload = `${"[".repeat(400_000)}${"]".repeat(400_000)}`;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        send({
          method: "POST",
          url: "/nonexistent",
          payload,
          headers: { "content-type": "application/json" },
        }),
      ),
    );
    for (const answer of answers) expectProblem(answer, 400, "invalid_request");
    expect((await send({ method: "GET", url: "/healthz" })).status).toBe(200);
    console.log(`40 bodies of 800 kB nested 400 000 deep answered in ${Date.now() - started} ms`);
  });

  it.each([
    ["notes as a number", { notes: 123 }, "body/notes"],
    ["notes as an array", { notes: ["a"] }, "body/notes"],
    ["notes as a boolean", { notes: true }, "body/notes"],
    ["expires_at as a number", { expires_at: 1_800_000_000 }, "body/expires_at"],
    ["the user id as a number", { user_id: 1 }, "body/user_id"],
  ])("refuses %s in a grant without coercing it", async (_what, fields, field) => {
    const before = await countRows(t.ctx.db);
    const answer = await send({
      method: "POST",
      url: `/v1/organizations/${w.a.organization.id}/certifications`,
      token: w.tokens.coordinatorA,
      body: { user_id: w.otherMentor.userId, certification_type_id: w.a.type.id, ...fields },
    });
    const problem = expectProblem(answer, 400, "invalid_request");
    expect(problem.errors?.map((error) => error.field)).toContain(field);
    expect(await countRows(t.ctx.db)).toEqual(before);
  });

  it("refuses a one-element list for a string, and a numeric string for a number", async () => {
    const before = await countRows(t.ctx.db);
    expectProblem(
      await send({
        method: "PUT",
        url: `/v1/organizations/${w.a.organization.id}/members/${randomUUID()}`,
        token: w.tokens.adminA,
        body: { role: ["peer_mentor"], display_name: "Kari Nordmann" },
      }),
      400,
      "invalid_request",
    );
    expectProblem(
      await send({
        method: "POST",
        url: `/v1/organizations/${w.a.organization.id}/certification-types`,
        token: w.tokens.adminA,
        body: { name: "Strict types", validity_months: "12" },
      }),
      400,
      "invalid_request",
    );
    expect(await countRows(t.ctx.db)).toEqual(before);
  });

  it("still reads numbers and repeated values from the query string", async () => {
    const answer = await send({
      method: "GET",
      url: `/v1/organizations/${w.a.organization.id}/certifications?limit=1&status=active`,
      token: w.tokens.coordinatorA,
    });
    expect(answer.status).toBe(200);
    expect((answer.body as { items: unknown[] }).items).toHaveLength(1);
  });

  describe("over a real socket", () => {
    let address: string;
    beforeAll(async () => {
      address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    });

    it("answers headers over the size limit with a 431 problem", async () => {
      const answer = parseRawAnswer(
        await rawExchange(
          address,
          `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
        ),
      );
      expectProblem(answer, 431, "request_header_fields_too_large");
    });

    it("answers a malformed request with a 400 problem", async () => {
      for (const bytes of [
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "POST /nonexistent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      ]) {
        expectProblem(parseRawAnswer(await rawExchange(address, bytes)), 400, "invalid_request");
      }
    });

    it("answers a body over 1 MB with a 413 problem", async () => {
      const response = await fetch(`${address}/v1/organizations`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${w.tokens.globalAdmin}` },
        body: JSON.stringify({ name: "x".repeat(1_100_000), prefix: "AB" }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    });
  });
});
