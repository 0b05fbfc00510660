import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";
import { verifyCredential } from "@digitalcredentials/verifier-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { grant, makeScene, makeType, SYSTEM, TestClock } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";
import { revokeCertification } from "../../services/revoke-certification.js";
import { rotateSigningKey } from "../../services/signing-keys.js";
import { suspendCertification, unsuspendCertification } from "../../services/suspend-certification.js";

const DAY = 86_400_000;
type Credential = Record<string, unknown> & {
  credentialStatus: { statusListCredential: string; statusPurpose: string }[];
  issuer: { id: string };
};

/** The verifier's outcome per step (valid true/false), or its fatal errors' names. */
async function verify(credential: unknown): Promise<Record<string, boolean> | string[]> {
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  if (result.errors) return result.errors.map((error) => error.name);
  return Object.fromEntries(
    (result.log ?? [])
      .filter((step) => step.id !== "registered_issuer")
      .map((step) => [step.id, step.valid === true]),
  );
}

const ALL_VALID = {
  valid_signature: true,
  revocation_status: true,
  suspension_status: true,
  expiration: true,
};

describe.each(DATABASE_KINDS)(
  "signed credentials, verified by verifier-core over real HTTP on %s",
  (kind) => {
    let t: HttpTestApp;
    let base: string;
    const realFetch = globalThis.fetch;
    beforeAll(async () => {
      // The verifier's clock is the real one, so the service's is too.
      t = await createHttpTestApp(kind, { clock: new TestClock(new Date()) });
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      const address = t.app.server.address();
      if (address === null || typeof address === "string") throw new Error("not listening");
      base = `http://127.0.0.1:${address.port}`;
      if (t.ctx.credentials) t.ctx.credentials.publicUrl = base;
      // Offline: the verifier's schema check fetches the OB 3.0 schema from the internet and only
      // logs when it cannot; everything but this service is refused at once.
      globalThis.fetch = (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (!url.startsWith(base)) return Promise.reject(new TypeError(`offline test: ${url}`));
        return realFetch(input, init);
      };
      vi.spyOn(console, "error").mockImplementation(() => {});
      vi.spyOn(console, "log").mockImplementation(() => {});
    });
    afterAll(async () => {
      globalThis.fetch = realFetch;
      vi.restoreAllMocks();
      await t.close();
    });

    const download = async (certificationId: string, userId: string): Promise<Credential> => {
      const response = await realFetch(`${base}/v1/certifications/${certificationId}/credential`, {
        headers: await t.bearer(userId),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Credential;
    };

    it("a fresh credential verifies; after suspend only suspension_status fails, after unsuspend all pass, after revoke revocation_status fails; one changed byte is a fatal invalid_signature", async () => {
      const scene = await makeScene(t.ctx);
      const cert = await grant(t.ctx, scene);
      const credential = await download(cert.id, scene.mentor.userId);
      expect(await verify(credential)).toEqual(ALL_VALID);

      await suspendCertification(t.ctx, scene.coordinator.principal, cert.id, { reason: "On leave" });
      expect(await verify(credential)).toEqual({ ...ALL_VALID, suspension_status: false });
      await unsuspendCertification(t.ctx, scene.coordinator.principal, cert.id, { reason: "Back" });
      expect(await verify(credential)).toEqual(ALL_VALID);

      const tampered = JSON.stringify(credential).replace(
        scene.type.name,
        `${scene.type.name.slice(0, -1)}X`,
      );
      expect(await verify(JSON.parse(tampered))).toEqual(["invalid_signature"]);

      await revokeCertification(t.ctx, scene.coordinator.principal, cert.id, { reason: "Wrong person" });
      expect(await verify(credential)).toEqual({ ...ALL_VALID, revocation_status: false });
      // Staff download it too, signed the same way, pointing at the same places.
      const again = await download(cert.id, scene.coordinator.userId);
      expect(again.credentialStatus).toEqual(credential.credentialStatus);
    });

    it("past validUntil, expiration fails; after rotation old credentials still verify and new ones carry the new key", async () => {
      const scene = await makeScene(t.ctx);
      const now = t.ctx.clock().getTime();
      const expiredType = await makeType(t.ctx, scene.organization.id);
      const expired = await grant(t.ctx, scene, {
        certificationTypeId: expiredType.id,
        issuedAt: new Date(now - 400 * DAY),
        expiresAt: new Date(now - DAY),
      });
      expect(await verify(await download(expired.id, scene.mentor.userId))).toEqual({
        ...ALL_VALID,
        expiration: false,
      });
      const live = await grant(t.ctx, scene);
      const before = await download(live.id, scene.mentor.userId);
      await rotateSigningKey(t.ctx, SYSTEM, scene.organization.id);
      const after = await download(live.id, scene.mentor.userId);
      expect(after.issuer.id).not.toBe(before.issuer.id);
      expect(await verify(before)).toEqual(ALL_VALID);
      expect(await verify(after)).toEqual(ALL_VALID);
    });

    it("holds the fields the OB 3.0 data model requires of an AchievementCredential, and no health data of the holder", async () => {
      const scene = await makeScene(t.ctx);
      const cert = await grant(t.ctx, scene);
      const credential = (await download(cert.id, scene.mentor.userId)) as Record<string, unknown>;
      expect(credential["@context"]).toEqual([
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
      ]);
      expect(credential).toMatchObject({
        id: `urn:uuid:${cert.id}`,
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        name: expect.any(String),
        validFrom: cert.issued_at,
        validUntil: cert.expires_at,
        issuer: {
          id: expect.stringMatching(/^did:key:z6Mk/),
          type: ["Profile"],
          name: scene.organization.name,
        },
        credentialSubject: {
          type: ["AchievementSubject"],
          achievement: {
            id: `urn:uuid:${scene.type.id}`,
            type: ["Achievement"],
            name: scene.type.name,
            description: expect.any(String),
            criteria: { narrative: expect.any(String) },
          },
        },
        proof: {
          type: "DataIntegrityProof",
          cryptosuite: "eddsa-rdfc-2022",
          proofPurpose: "assertionMethod",
        },
      });
      expect(JSON.stringify(credential.credentialSubject)).not.toContain("Mari");
      const statuses = credential.credentialStatus as unknown as Credential["credentialStatus"];
      expect(statuses.map((s) => s.statusPurpose)).toEqual(["revocation", "suspension"]);
      // The lists: public, signed, cached for their ttl, at least 131 072 entries.
      for (const status of statuses) {
        const response = await realFetch(status.statusListCredential);
        expect(response.status).toBe(200);
        expect(response.headers.get("cache-control")).toBe("public, max-age=30");
        const list = (await response.json()) as { credentialSubject: { encodedList: string; ttl: number } };
        expect(list.credentialSubject.ttl).toBe(30_000);
        expect(
          (await decodeList({ encodedList: list.credentialSubject.encodedList })).length,
        ).toBeGreaterThanOrEqual(131_072);
      }
      // Neither another organization's staff nor a service gets it.
      const other = await makeScene(t.ctx);
      const refused = await realFetch(`${base}/v1/certifications/${cert.id}/credential`, {
        headers: await t.bearer(other.coordinator.userId),
      });
      expect(refused.status).toBe(404);
    });
  },
);
