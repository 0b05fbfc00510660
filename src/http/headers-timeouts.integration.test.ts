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
import { buildApp, readinessOf } from "../main.js";
import type { App, ServerDeps } from "./app.js";

/** Another server on the same database, with other settings. */
async function appOn(t: HttpTestApp, overrides: Partial<ServerDeps>): Promise<App> {
  const app = await buildApp(
    {
      ctx: t.ctx,
      auth: t.auth,
      logger: false,
      publicUrl: "http://127.0.0.1",
      verifyRateLimit: 10_000,
      readiness: readinessOf(t.database.database),
      ...overrides,
    },
    { pages: false },
  );
  await app.ready();
  return app;
}

describe("security headers", () => {
  let t: HttpTestApp;
  let w: HttpWorld;
  let send: Transport;
  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
    w = await makeHttpWorld(t);
    send = injectTransport(t.app);
  });
  afterAll(async () => t.close());

  it("marks every answer to a route with a token no-store and nosniff, errors included", async () => {
    for (const [url, token] of [
      ["/v1/me", w.tokens.mentorA],
      [`/v1/certifications/${w.certification.id}`, w.tokens.coordinatorA],
      [`/v1/organizations/${w.a.organization.id}/certifications/export`, w.tokens.coordinatorA],
      [`/v1/certifications/${w.certification.id}`, w.tokens.coordinatorB],
      ["/v1/me", undefined],
    ] as const) {
      const answer = await send({ method: "GET", url, token });
      expect(answer.headers["cache-control"], url).toBe("no-store");
      expect(answer.headers["x-content-type-options"], url).toBe("nosniff");
    }
    // Refused by the body guard, before authentication.
    const refused = await send({
      method: "POST",
      url: `/v1/organizations/${w.a.organization.id}/certifications`,
      token: w.tokens.coordinatorA,
      payload: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(refused.status).toBe(415);
    expect(refused.headers["cache-control"]).toBe("no-store");
    expect(refused.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("sends nosniff on public answers but leaves their caching to them", async () => {
    const answer = await send({ method: "GET", url: "/healthz" });
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["cache-control"]).toBeUndefined();
    expect(answer.headers["strict-transport-security"]).toBeUndefined();
  });

  it("serves /docs under a content security policy that allows this origin only", async () => {
    for (const url of ["/docs", "/docs/static/index.html", "/docs/static/swagger-initializer.js"]) {
      const answer = await t.app.inject({ method: "GET", url });
      const policy = String(answer.headers["content-security-policy"] ?? "");
      expect(policy, url).toMatch(/default-src 'self'/);
      expect(policy, url).toMatch(/frame-ancestors 'none'/);
      expect(policy, url).not.toMatch(/https:|swagger\.io|upgrade-insecure-requests/);
    }
  });

  it("sends HSTS when the public URL is https", async () => {
    const secure = await appOn(t, { publicUrl: "https://certs.example.org" });
    try {
      const answer = await injectTransport(secure)({ method: "GET", url: "/healthz" });
      expect(answer.headers["strict-transport-security"]).toMatch(/^max-age=\d{7,}/);
      const docs = await secure.inject({ method: "GET", url: "/docs/static/index.html" });
      expect(docs.headers["content-security-policy"]).toMatch(/upgrade-insecure-requests/);
    } finally {
      await secure.close();
    }
  });

  describe("connection timeouts", () => {
    let app: App;
    let address: string;
    beforeAll(async () => {
      app = await appOn(t, { timeouts: { headersMs: 500, requestMs: 1500, keepAliveMs: 500 } });
      address = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => app.close());

    it("answers headers that never end with a 408 problem and closes the connection", async () => {
      const text = await rawExchange(address, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
      expectProblem(parseRawAnswer(text), 408, "request_timeout");
    });

    it("answers a body that never ends with a 408 problem and closes the connection", async () => {
      const text = await rawExchange(
        address,
        'POST /v1/verify/X HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      );
      expectProblem(parseRawAnswer(text), 408, "request_timeout");
    });

    it("closes a connection that sends nothing, and an idle keep-alive connection", async () => {
      expect(await rawExchange(address, "")).not.toMatch(/^HTTP\/1\.1 2/);
      const text = await rawExchange(address, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(text).toMatch(/^HTTP\/1\.1 200/);
    });
  });
});
