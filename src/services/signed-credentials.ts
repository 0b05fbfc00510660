import { createHash } from "node:crypto";
import { createList } from "@digitalbazaar/vc-bitstring-status-list";
import { LRUCache } from "lru-cache";
import { forbidden, notFound } from "../domain/errors.js";
import {
  openBadgeCredential,
  STATUS_LIST_TTL_MS,
  type StatusPurpose,
  statusListCredential,
} from "../domain/open-badge.js";
import type { Principal } from "../domain/principal.js";
import { findCertification } from "../storage/certifications.js";
import {
  assignStatusEntries,
  findCredentialFacts,
  findStatusEntries,
  findStatusList,
  setIndexes,
} from "../storage/status-lists.js";
import { canReadCertification } from "./certification-access.js";
import type { ServiceContext } from "./context.js";
import { didKeyOf, signCredential } from "./credential-signer.js";
import { activeSigningKey, credentialSettings } from "./signing-keys.js";

const PURPOSES: readonly StatusPurpose[] = ["revocation", "suspension"];

const statusListUrl = (publicUrl: string, listId: string) => `${publicUrl}/v1/status-lists/${listId}`;

/**
 * Use case 16: the certification as a signed Open Badges 3.0 credential, for the holder and
 * staff. Made on request (nothing is signed at issue): its status entries are drawn the first
 * time, at random indexes of the organization's lists, and kept, so every download of it points
 * at the same places; the signature is the organization's active key's.
 */
export async function getSignedCredential(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<Record<string, unknown>> {
  const settings = credentialSettings(ctx);
  const record = await findCertification(ctx.db, id);
  if (!record || !canReadCertification(principal, record)) throw notFound("Certification");
  if (principal.kind === "service") throw forbidden("The credential is for the holder and staff");
  const facts = await findCredentialFacts(ctx.db, id);
  if (!facts) throw notFound("Certification");
  let entries = await findStatusEntries(ctx.db, id);
  if (entries.length < PURPOSES.length) {
    for (const purpose of PURPOSES) {
      await assignStatusEntries(ctx.db, record.organization_id, purpose, [id]);
    }
    entries = await findStatusEntries(ctx.db, id);
  }
  const key = await activeSigningKey(ctx, ctx.db, record.organization_id);
  const salt = record.id;
  const credential = openBadgeCredential({
    certificationId: record.id,
    certificateNumber: record.certificate_number,
    issuedAt: record.issued_at,
    expiresAt: record.expires_at,
    type: { id: record.certification_type_id, name: facts.type_name },
    organization: { id: record.organization_id, name: facts.organization_name, url: settings.publicUrl },
    issuerDid: didKeyOf(key.publicKeyMultibase),
    holderNameHash: `sha256$${createHash("sha256")
      .update(`${facts.display_name.normalize("NFC")}${salt}`)
      .digest("hex")}`,
    salt,
    statuses: PURPOSES.map((purpose) => {
      const entry = entries.find((e) => e.purpose === purpose);
      if (!entry) throw new Error(`no ${purpose} status entry for ${id}`);
      return {
        purpose,
        listUrl: statusListUrl(settings.publicUrl, entry.status_list_id),
        index: entry.status_index,
      };
    }),
  });
  return signCredential(key, credential, ctx.clock());
}

/** Signed lists by list, key and bits: a list whose bits did not change is not signed again. */
const signedLists = new LRUCache<string, Record<string, unknown>>({ max: 500 });

/**
 * Public: a status list as a signed BitstringStatusListCredential. Its bits are read from the
 * certifications now (revoked; an open suspension), so a change shows in the next list served,
 * at once and on any database; `maxAgeSeconds` is its ttl, for Cache-Control.
 */
export async function getStatusList(
  ctx: ServiceContext,
  listId: string,
): Promise<{ credential: Record<string, unknown>; maxAgeSeconds: number }> {
  const settings = credentialSettings(ctx);
  const list = await findStatusList(ctx.db, listId);
  if (!list) throw notFound("Status list");
  const [indexes, key] = await Promise.all([
    setIndexes(ctx.db, list),
    activeSigningKey(ctx, ctx.db, list.organization_id),
  ]);
  const cacheKey = `${settings.publicUrl}:${list.id}:${key.publicKeyMultibase}:${createHash("sha256").update(indexes.join(",")).digest("base64url")}`;
  let credential = signedLists.get(cacheKey);
  if (!credential) {
    const bits = await createList({ length: list.length });
    for (const index of indexes) bits.setStatus(index, true);
    credential = await signCredential(
      key,
      statusListCredential({
        listUrl: statusListUrl(settings.publicUrl, list.id),
        issuerDid: didKeyOf(key.publicKeyMultibase),
        purpose: list.purpose,
        encodedList: await bits.encode(),
        validFrom: ctx.clock(),
      }),
      ctx.clock(),
    );
    signedLists.set(cacheKey, credential);
  }
  return { credential, maxAgeSeconds: STATUS_LIST_TTL_MS / 1000 };
}
