import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpTestApp, type HttpTestApp, injectTransport, TEST_JWT_SECRET } from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";

const b64 = (text: string) => Buffer.from(text).toString("base64url");

/** A token with exactly this header and claims text, HMAC-signed with `secret` (no library checks). */
function rawToken(header: string, claims: string, secret = TEST_JWT_SECRET, hash = "sha256"): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest("base64url")}`;
}

const HS256 = '{"alg":"HS256","typ":"JWT"}';
const now = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;
const DAY = 86_400;
const user = randomUUID();
const claims = (values: Record<string, unknown>) => JSON.stringify({ sub: user, iat: now(), ...values });

/**
 * Every token the service must refuse: a lifetime it never bounded, times that are not times,
 * claims of the wrong JSON type, algorithms it does not accept. Each answers 401 unauthenticated
 * as a problem, never 500 and never 200.
 */
const REFUSED: [string, () => string][] = [
  ["no exp", () => rawToken(HS256, JSON.stringify({ sub: user, iat: now() }))],
  ["no exp and no iat", () => rawToken(HS256, JSON.stringify({ sub: user }))],
  ["an exp 100 years ahead", () => rawToken(HS256, claims({ exp: now() + 100 * 365 * DAY }))],
  ["a user token living 25 hours", () => rawToken(HS256, claims({ exp: now() + 25 * HOUR }))],
  ["an old iat with a long exp", () => rawToken(HS256, claims({ iat: now() - 10 * DAY, exp: now() + HOUR }))],
  [
    "an exp without iat, 2 days ahead",
    () => rawToken(HS256, JSON.stringify({ sub: user, exp: now() + 2 * DAY })),
  ],
  [
    "an iat an hour in the future",
    () => rawToken(HS256, claims({ iat: now() + HOUR, exp: now() + 2 * HOUR })),
  ],
  ["an exp of 1e400 (Infinity)", () => rawToken(HS256, `{"sub":"${user}","iat":${now()},"exp":1e400}`)],
  ["an exp as a string", () => rawToken(HS256, claims({ exp: String(now() + HOUR) }))],
  ["an iat as a string", () => rawToken(HS256, claims({ iat: String(now()), exp: now() + HOUR }))],
  ["an nbf in the future", () => rawToken(HS256, claims({ nbf: now() + HOUR, exp: now() + 2 * HOUR }))],
  ["an nbf as an object", () => rawToken(HS256, claims({ nbf: {}, exp: now() + HOUR }))],
  ["an expired token", () => rawToken(HS256, claims({ iat: now() - 2 * HOUR, exp: now() - HOUR }))],
  ["a sub array", () => rawToken(HS256, claims({ sub: [user], exp: now() + HOUR }))],
  ["a sub number", () => rawToken(HS256, claims({ sub: 42, exp: now() + HOUR }))],
  ["a sub object", () => rawToken(HS256, claims({ sub: { id: user }, exp: now() + HOUR }))],
  ["a sub null", () => rawToken(HS256, claims({ sub: null, exp: now() + HOUR }))],
  ["no sub", () => rawToken(HS256, JSON.stringify({ iat: now(), exp: now() + HOUR }))],
  ["a sub that is no id", () => rawToken(HS256, claims({ sub: "admin", exp: now() + HOUR }))],
  ["claims that are an array", () => rawToken(HS256, `[{"sub":"${user}"}]`)],
  ["claims that are not JSON", () => rawToken(HS256, "not json")],
  ["a header that is not JSON", () => rawToken("{alg:HS256", claims({ exp: now() + HOUR }))],
  ["a header that is null", () => rawToken("null", claims({ exp: now() + HOUR }))],
  ["alg none", () => `${b64('{"alg":"none"}')}.${b64(claims({ exp: now() + HOUR }))}.`],
  [
    "alg HS512 with the same secret",
    () => rawToken('{"alg":"HS512"}', claims({ exp: now() + HOUR }), TEST_JWT_SECRET, "sha512"),
  ],
  ["alg RS256 over an HMAC signature", () => rawToken('{"alg":"RS256"}', claims({ exp: now() + HOUR }))],
  ["alg as a number", () => rawToken('{"alg":256}', claims({ exp: now() + HOUR }))],
  [
    "another secret",
    () => rawToken(HS256, claims({ exp: now() + HOUR }), "another-secret-another-secret-another-one"),
  ],
  [
    "a service token living 31 days",
    () => rawToken(HS256, claims({ sub: "service:course-module", exp: now() + 31 * DAY })),
  ],
  ["three dots", () => "a.b.c.d"],
  ["an empty signature", () => rawToken(HS256, claims({ exp: now() + HOUR })).replace(/[^.]+$/, "")],
];

const ACCEPTED: [string, () => string][] = [
  ["a user token of 23 hours", () => rawToken(HS256, claims({ exp: now() + 23 * HOUR }))],
  [
    "a user token whose iat is 30 s ahead (clock skew)",
    () => rawToken(HS256, claims({ iat: now() + 30, exp: now() + HOUR })),
  ],
  [
    "a user token without iat, an hour ahead",
    () => rawToken(HS256, JSON.stringify({ sub: user, exp: now() + HOUR })),
  ],
  [
    "a service token of 29 days",
    () => rawToken(HS256, claims({ sub: "service:course-module", exp: now() + 29 * DAY })),
  ],
];

describe("the token matrix", () => {
  let t: HttpTestApp;
  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
  });
  afterAll(async () => t.close());
  const me = (token: string) => injectTransport(t.app)({ method: "GET", url: "/v1/me", token });

  it.each(REFUSED)("refuses %s with 401 unauthenticated", async (_name, make) => {
    expectProblem(await me(make()), 401, "unauthenticated");
  });

  it.each(ACCEPTED)("accepts %s", async (_name, make) => {
    expect((await me(make())).status).toBe(200);
  });

  it("refuses the same bad token again when it is sent twice (nothing remembered)", async () => {
    const token = rawToken(HS256, JSON.stringify({ sub: user }));
    expectProblem(await me(token), 401, "unauthenticated");
    expectProblem(await me(token), 401, "unauthenticated");
  });
});
