import { forbidden, notFound } from "../domain/errors.js";
import { isGlobal, type Principal } from "../domain/principal.js";
import type { Queryable } from "../storage/database.js";
import { findOrganization } from "../storage/organizations.js";
import { findActiveSigningKey, organizationsWithoutKey, storeSigningKey } from "../storage/signing-keys.js";
import type { CredentialSettings, ServiceContext } from "./context.js";
import { decryptSecret, encryptSecret, generateKeyMaterial, type KeyMaterial } from "./credential-signer.js";

export function credentialSettings(ctx: ServiceContext): CredentialSettings {
  if (!ctx.credentials) throw new Error("signed credentials are not configured (no key-encryption key)");
  return ctx.credentials;
}

async function newKey(settings: CredentialSettings, organizationId: string, now: Date) {
  const material = await generateKeyMaterial();
  return {
    organizationId,
    publicKeyMultibase: material.publicKeyMultibase,
    secretKeyEncrypted: encryptSecret(settings.keyEncryptionKey, material.secretKeyMultibase),
    now,
  };
}

/**
 * The organization's active signing key, made now if it has none (an organization made before
 * keys existed). A concurrent maker that wins keeps its key, and this reads it.
 */
export async function activeSigningKey(
  ctx: ServiceContext,
  db: Queryable,
  organizationId: string,
): Promise<KeyMaterial> {
  const settings = credentialSettings(ctx);
  let row = await findActiveSigningKey(db, organizationId);
  if (!row) {
    row =
      (await storeSigningKey(db, await newKey(settings, organizationId, ctx.clock()), false)) ??
      (await findActiveSigningKey(db, organizationId));
  }
  if (!row) throw new Error(`no signing key for organization ${organizationId}`);
  return {
    publicKeyMultibase: row.public_key_multibase,
    secretKeyMultibase: decryptSecret(settings.keyEncryptionKey, row.secret_key_encrypted),
  };
}

/** Makes the key of a new organization, in its creating transaction (when credentials are configured). */
export async function makeSigningKey(
  ctx: ServiceContext,
  db: Queryable,
  organizationId: string,
): Promise<void> {
  if (!ctx.credentials) return;
  await storeSigningKey(db, await newKey(ctx.credentials, organizationId, ctx.clock()), false);
}

/**
 * Rotation (global admins, the CLI): a new active key; the old one is retired but kept. Credentials
 * signed before still verify, as their did:key carries the public key; those served from now on,
 * and the status lists, are signed with the new key.
 */
export async function rotateSigningKey(
  ctx: ServiceContext,
  principal: Principal,
  organizationId: string,
): Promise<{ organization_id: string; did: string }> {
  if (!isGlobal(principal)) throw forbidden("Only a global admin can rotate an organization's key");
  if (!(await findOrganization(ctx.db, organizationId))) throw notFound("Organization");
  const key = await newKey(credentialSettings(ctx), organizationId, ctx.clock());
  await ctx.db.transaction().execute((trx) => storeSigningKey(trx, key, true));
  return { organization_id: organizationId, did: `did:key:${key.publicKeyMultibase}` };
}

/** Gives every organization without a key one (after an upgrade; the CLI's `keys ensure`). */
export async function ensureSigningKeys(ctx: ServiceContext, principal: Principal): Promise<string[]> {
  if (!isGlobal(principal)) throw forbidden("Only a global admin can make organizations' keys");
  const made: string[] = [];
  for (const organization of await organizationsWithoutKey(ctx.db)) {
    await activeSigningKey(ctx, ctx.db, organization.id);
    made.push(organization.prefix);
  }
  return made;
}
