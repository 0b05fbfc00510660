import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import * as vc from "@digitalbazaar/vc";
import { securityLoader } from "@digitalcredentials/security-document-loader";

/**
 * Signing with an organization's Ed25519 key: eddsa-rdfc-2022 Data Integrity proofs over
 * JSON-LD, every context from the bundle (VC 2.0, Open Badges 3.0, Bitstring Status List, Data
 * Integrity). The loader never fetches: a document outside the bundle fails the signing.
 */
const documentLoader = securityLoader({ fetchRemoteContexts: false }).build();

export interface KeyMaterial {
  publicKeyMultibase: string;
  /** The secret key, multibase, as Ed25519Multikey exports it. */
  secretKeyMultibase: string;
}

export const didKeyOf = (publicKeyMultibase: string) => `did:key:${publicKeyMultibase}`;

export async function generateKeyMaterial(): Promise<KeyMaterial> {
  const pair = await Ed25519Multikey.generate();
  const exported = await pair.export({ publicKey: true, secretKey: true });
  const secret = exported.secretKeyMultibase;
  if (typeof secret !== "string") throw new Error("the key pair exported no secret key");
  return { publicKeyMultibase: pair.publicKeyMultibase, secretKeyMultibase: secret };
}

/** AES-256-GCM under the key-encryption key: base64url of iv, tag and ciphertext. */
export function encryptSecret(keyEncryptionKey: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyEncryptionKey, iv);
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function decryptSecret(keyEncryptionKey: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", keyEncryptionKey, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

/** Signs `credential` (issuer: the key's did:key) with a Data Integrity proof dated `now`. */
export async function signCredential(
  key: KeyMaterial,
  credential: Record<string, unknown>,
  now: Date,
): Promise<Record<string, unknown>> {
  const controller = didKeyOf(key.publicKeyMultibase);
  const pair = await Ed25519Multikey.from({
    type: "Multikey",
    id: `${controller}#${key.publicKeyMultibase}`,
    controller,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase,
  });
  const suite = new DataIntegrityProof({ signer: pair.signer(), cryptosuite, date: now });
  return vc.issue({ credential, suite, documentLoader, now });
}
