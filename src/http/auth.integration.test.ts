import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import { makeScene, SYSTEM } from "../../test/factories.js";
import { createHttpTestApp, type HttpTestApp, injectTransport, TEST_JWT_SECRET } from "../../test/http.js";
import { expectProblem } from "../../test/problems.js";
import { putMember } from "../services/put-member.js";

const hs256 = (secret: string, claims: { sub: string; exp?: number }) => {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(claims.sub).setIssuedAt();
  jwt = jwt.setExpirationTime(claims.exp ?? "1h");
  return jwt.sign(new TextEncoder().encode(secret));
};

describe.each(DATABASE_KINDS)("authentication on %s", (kind) => {
  describe("HS256 tokens", () => {
    let t: HttpTestApp;
    beforeAll(async () => {
      t = await createHttpTestApp(kind);
    });
    afterAll(async () => t.close());
    const me = (token: string) => injectTransport(t.app)({ method: "GET", url: "/v1/me", token });

    it("accepts a user token and takes the roles from the membership table", async () => {
      const scene = await makeScene(t.ctx);
      const answer = await me(await hs256(TEST_JWT_SECRET, { sub: scene.coordinator.userId }));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        kind: "user",
        user_id: scene.coordinator.userId,
        memberships: [{ organization_id: scene.organization.id, role: "coordinator" }],
      });
    });

    it("turns sub service:<name> into a service principal", async () => {
      const answer = await me(await hs256(TEST_JWT_SECRET, { sub: "service:course-module" }));
      expect(answer.body).toMatchObject({ kind: "service", user_id: null });
    });

    it("refuses an expired token with unauthenticated", async () => {
      const expired = await hs256(TEST_JWT_SECRET, {
        sub: randomUUID(),
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      const problem = expectProblem(await me(expired), 401, "unauthenticated");
      expect(problem.detail).toMatch(/utløpt/);
    });

    it("refuses a token signed with another secret, a tampered one, and alg none", async () => {
      expectProblem(
        await me(await hs256("another-secret-another-secret-another", { sub: randomUUID() })),
        401,
        "unauthenticated",
      );
      const good = await hs256(TEST_JWT_SECRET, { sub: randomUUID() });
      const [header, , signature] = good.split(".");
      const forged = Buffer.from(JSON.stringify({ sub: "service:evil" })).toString("base64url");
      expectProblem(await me(`${header}.${forged}.${signature}`), 401, "unauthenticated");
      const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${forged}.`;
      expectProblem(await me(none), 401, "unauthenticated");
    });

    it("refuses a sub that is neither a user id nor service:<name>", async () => {
      expectProblem(await me(await hs256(TEST_JWT_SECRET, { sub: "admin" })), 401, "unauthenticated");
    });
  });

  describe("JWKS tokens with issuer and audience", () => {
    let t: HttpTestApp;
    let jwks: Server;
    let sign: (claims: { sub: string; iss?: string; aud?: string }, key?: CryptoKey) => Promise<string>;
    let strangerKey: CryptoKey;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
      strangerKey = (await generateKeyPair("ES256")).privateKey;
      const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
      jwks = createServer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
      const { port } = jwks.address() as AddressInfo;
      t = await createHttpTestApp(kind, {
        auth: {
          jwtSecret: null,
          jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
          issuer: "https://platform.example",
          audience: "certsvc",
        },
      });
      sign = (claims, key = privateKey) =>
        new SignJWT({})
          .setProtectedHeader({ alg: "ES256", kid: "k1" })
          .setSubject(claims.sub)
          .setIssuer(claims.iss ?? "https://platform.example")
          .setAudience(claims.aud ?? "certsvc")
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(key);
    });
    afterAll(async () => {
      await t.close();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
    });
    const me = (token: string) => injectTransport(t.app)({ method: "GET", url: "/v1/me", token });

    it("accepts a token signed by a key from the JWKS with the right issuer and audience", async () => {
      const answer = await me(await sign({ sub: "service:course-module" }));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ kind: "service" });
      expect((await me(await sign({ sub: randomUUID() }))).status).toBe(200);
    });

    it("refuses another issuer, another audience, an unknown key and an HS256 token", async () => {
      expectProblem(
        await me(await sign({ sub: randomUUID(), iss: "https://evil.example" })),
        401,
        "unauthenticated",
      );
      expectProblem(
        await me(await sign({ sub: randomUUID(), aud: "other-service" })),
        401,
        "unauthenticated",
      );
      expectProblem(await me(await sign({ sub: randomUUID() }, strangerKey)), 401, "unauthenticated");
      expectProblem(await me(await hs256(TEST_JWT_SECRET, { sub: randomUUID() })), 401, "unauthenticated");
    });
  });

  describe("the principal cache", () => {
    let now = 1_000_000;
    let t: HttpTestApp;
    beforeAll(async () => {
      t = await createHttpTestApp(kind, { cacheSeconds: 1, authNow: () => now });
    });
    afterAll(async () => t.close());

    const listAs = async (userId: string, organizationId: string) =>
      injectTransport(t.app)({
        method: "GET",
        url: `/v1/organizations/${organizationId}/certifications`,
        token: await t.token(userId),
      });

    it("reuses roles within CERTSVC_PRINCIPAL_CACHE_SECONDS and sees a membership change after it", async () => {
      const scene = await makeScene(t.ctx);
      const { userId } = scene.coordinator;
      expect((await listAs(userId, scene.organization.id)).status).toBe(200);
      // Changed behind the server's back (another process, the platform sync).
      await putMember(t.ctx, SYSTEM, {
        organizationId: scene.organization.id,
        userId,
        role: "peer_mentor",
        displayName: "Demoted Coordinator",
      });
      now += 500;
      expect((await listAs(userId, scene.organization.id)).status).toBe(200);
      now += 600;
      expectProblem(await listAs(userId, scene.organization.id), 403, "forbidden");
    });

    it("forgets a user's roles at once when PUT member changes them through this server", async () => {
      const scene = await makeScene(t.ctx);
      const { userId } = scene.coordinator;
      expect((await listAs(userId, scene.organization.id)).status).toBe(200);
      const put = await injectTransport(t.app)({
        method: "PUT",
        url: `/v1/organizations/${scene.organization.id}/members/${userId}`,
        token: await t.token(scene.admin.userId),
        body: { role: "peer_mentor", display_name: "Demoted Coordinator" },
      });
      expect(put.status).toBe(200);
      expectProblem(await listAs(userId, scene.organization.id), 403, "forbidden");
    });
  });

  describe("without a cache", () => {
    let t: HttpTestApp;
    beforeAll(async () => {
      t = await createHttpTestApp(kind, { cacheSeconds: 0 });
    });
    afterAll(async () => t.close());

    it("sees a membership change on the next request", async () => {
      const scene = await makeScene(t.ctx);
      const url = `/v1/organizations/${scene.organization.id}/certifications`;
      const token = await t.token(scene.mentor.userId);
      expectProblem(await injectTransport(t.app)({ method: "GET", url, token }), 403, "forbidden");
      await putMember(t.ctx, SYSTEM, {
        organizationId: scene.organization.id,
        userId: scene.mentor.userId,
        role: "coordinator",
        displayName: "Promoted Mentor",
      });
      expect((await injectTransport(t.app)({ method: "GET", url, token })).status).toBe(200);
    });
  });
});
