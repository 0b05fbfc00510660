/**
 * A certification as an Open Badges 3.0 OpenBadgeCredential (W3C VC Data Model 2.0), and a
 * status list as a BitstringStatusListCredential, before signing. Pure: the facts, the URLs and
 * the dates come in. The subject is the holder as a salted hash of their name only: what a
 * credential says of a person is that the organization certified them, nothing of their health.
 */

export const VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/** How long a status list may be cached (ms; Cache-Control max-age is this in seconds). */
export const STATUS_LIST_TTL_MS = 30_000;

export type StatusPurpose = "revocation" | "suspension";

export interface BadgeFacts {
  certificationId: string;
  certificateNumber: string;
  issuedAt: Date;
  expiresAt: Date | null;
  type: { id: string; name: string };
  organization: { id: string; name: string; url: string };
  /** did:key of the organization's signing key. */
  issuerDid: string;
  /** `sha256$<hex>` of the holder's display name and `salt`. */
  holderNameHash: string;
  salt: string;
  statuses: { purpose: StatusPurpose; listUrl: string; index: number }[];
}

export function openBadgeCredential(facts: BadgeFacts): Record<string, unknown> {
  const org = facts.organization;
  return {
    "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: `urn:uuid:${facts.certificationId}`,
    type: ["VerifiableCredential", "OpenBadgeCredential"],
    name: `${facts.type.name} (${facts.certificateNumber})`,
    description: `${org.name} certifies the holder as ${facts.type.name}, certificate ${facts.certificateNumber}.`,
    issuer: { id: facts.issuerDid, type: ["Profile"], name: org.name, url: org.url },
    validFrom: facts.issuedAt.toISOString(),
    ...(facts.expiresAt === null ? {} : { validUntil: facts.expiresAt.toISOString() }),
    credentialSubject: {
      type: ["AchievementSubject"],
      identifier: [
        {
          type: "IdentityObject",
          identityType: "name",
          hashed: true,
          identityHash: facts.holderNameHash,
          salt: facts.salt,
        },
      ],
      achievement: {
        id: `urn:uuid:${facts.type.id}`,
        type: ["Achievement"],
        name: facts.type.name,
        description: `${facts.type.name}, a certification of ${org.name}.`,
        criteria: {
          narrative: `Awarded by ${org.name} to a peer mentor who completed its training or was granted it by a coordinator. Valid while not expired, suspended or revoked.`,
        },
      },
    },
    credentialStatus: facts.statuses.map((status) => ({
      id: `${status.listUrl}#${status.index}`,
      type: "BitstringStatusListEntry",
      statusPurpose: status.purpose,
      statusListIndex: String(status.index),
      statusListCredential: status.listUrl,
    })),
  };
}

export function statusListCredential(input: {
  listUrl: string;
  issuerDid: string;
  purpose: StatusPurpose;
  encodedList: string;
  validFrom: Date;
}): Record<string, unknown> {
  return {
    "@context": [VC_V2_CONTEXT],
    id: input.listUrl,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: input.issuerDid,
    validFrom: input.validFrom.toISOString(),
    credentialSubject: {
      id: `${input.listUrl}#list`,
      type: "BitstringStatusList",
      statusPurpose: input.purpose,
      encodedList: input.encodedList,
      ttl: STATUS_LIST_TTL_MS,
    },
  };
}
