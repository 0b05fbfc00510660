-- Signed credentials: an Ed25519 key per organization (the private half encrypted by the service
-- under a key from the environment), and Bitstring Status Lists per organization and purpose,
-- each certification at a random index of each.
-- Frozen once released. Runs unchanged on PostgreSQL 15 server and on PGlite.

CREATE TABLE organization_signing_keys (
  id                    uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  organization_id       uuid NOT NULL REFERENCES organizations (id),
  -- Multibase (z…) of the Ed25519 public key: the did:key is did:key:<this>.
  public_key_multibase  text NOT NULL CONSTRAINT signing_key_multibase_format CHECK (public_key_multibase ~ '^z6Mk[1-9A-HJ-NP-Za-km-z]+$'),
  -- AES-256-GCM of the secret key: base64url of iv (12 bytes), tag (16 bytes) and ciphertext.
  secret_key_encrypted  text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  -- Rotation retires a key; credentials signed with it still verify (did:key needs no lookup).
  retired_at            timestamptz,
  CONSTRAINT signing_key_public_unique UNIQUE (public_key_multibase)
);
CREATE UNIQUE INDEX one_active_signing_key_per_organization
  ON organization_signing_keys (organization_id) WHERE retired_at IS NULL;
CREATE TRIGGER organization_signing_keys_no_delete BEFORE DELETE ON organization_signing_keys
  FOR EACH ROW EXECUTE FUNCTION certsvc_refuse_delete();

CREATE TABLE status_lists (
  id               uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  organization_id  uuid NOT NULL REFERENCES organizations (id),
  purpose          text NOT NULL CONSTRAINT status_list_purpose CHECK (purpose IN ('revocation', 'suspension')),
  -- Entries (bits); the Bitstring Status List spec asks for at least 131 072 for herd privacy.
  length           integer NOT NULL CONSTRAINT status_list_length CHECK (length >= 131072 AND length % 8 = 0),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_status_list_organization ON status_lists (organization_id, purpose, id);

CREATE TABLE credential_status_entries (
  certification_id  uuid NOT NULL REFERENCES certifications (id),
  purpose           text NOT NULL CONSTRAINT credential_status_purpose CHECK (purpose IN ('revocation', 'suspension')),
  status_list_id    uuid NOT NULL REFERENCES status_lists (id),
  status_index      integer NOT NULL CONSTRAINT credential_status_index_range CHECK (status_index >= 0),
  PRIMARY KEY (certification_id, purpose),
  -- No two certifications share a place in a list.
  CONSTRAINT credential_status_index_unique UNIQUE (status_list_id, status_index)
);
CREATE TRIGGER credential_status_entries_no_delete BEFORE DELETE ON credential_status_entries
  FOR EACH ROW EXECUTE FUNCTION certsvc_refuse_delete();
