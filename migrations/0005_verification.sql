-- Private verification: a verification code per certification, and the holder's share links.
-- Frozen once released. Runs unchanged on PostgreSQL 15 server and on PGlite.

-- 40 random bits as 8 characters of Crockford base32 (no I, L, O, U). The bits are the first five
-- bytes of a version 4 UUID, all of them random (the version and variant bits come later), from
-- the server's strong random source; PostgreSQL 15 has no gen_random_bytes without pgcrypto.
CREATE FUNCTION certsvc_verification_code() RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r.n >> (35 - 5 * i)) & 31)::int + 1, 1), ''
                    ORDER BY i)
  FROM (SELECT ('x' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 10))::bit(40)::bigint AS n) AS r,
       generate_series(0, 7) AS i
$$;

-- Outside `certifications`, which keeps exactly the seed's attributes. One row per certification,
-- made by the trigger below in the statement that inserts the certification, so no way of issuing
-- (grant, course completion, import, a writer that bypasses the services) can leave one without.
CREATE TABLE certification_verification_codes (
  certification_id  uuid PRIMARY KEY REFERENCES certifications (id),
  code              text NOT NULL DEFAULT certsvc_verification_code()
                    CONSTRAINT verification_code_format CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER certification_verification_codes_touch BEFORE UPDATE ON certification_verification_codes
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();
CREATE TRIGGER certification_verification_codes_no_delete BEFORE DELETE ON certification_verification_codes
  FOR EACH ROW EXECUTE FUNCTION certsvc_refuse_delete();

-- Once per statement over its inserted rows: an import of a thousand rows costs one insert here.
CREATE FUNCTION certifications_make_verification_codes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO certification_verification_codes (certification_id) SELECT id FROM issued;
  RETURN NULL;
END;
$$;
CREATE TRIGGER certifications_make_verification_codes
  AFTER INSERT ON certifications
  REFERENCING NEW TABLE AS issued
  FOR EACH STATEMENT EXECUTE FUNCTION certifications_make_verification_codes();

INSERT INTO certification_verification_codes (certification_id) SELECT id FROM certifications;

-- A holder's link to one certification, for as long as they chose (1 to 90 days), until withdrawn.
-- The token is the link's only secret (at least 128 random bits, made by the service).
CREATE TABLE share_links (
  id                  uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  certification_id    uuid NOT NULL REFERENCES certifications (id),
  token               text NOT NULL CONSTRAINT share_link_token_format CHECK (token ~ '^[A-Za-z0-9_-]{22,}$'),
  created_by_user_id  uuid REFERENCES users (id),
  expires_at          timestamptz NOT NULL,
  withdrawn_at        timestamptz,
  views               integer NOT NULL DEFAULT 0 CHECK (views >= 0),
  last_viewed_at      timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT share_link_token_unique UNIQUE (token)
);
CREATE INDEX idx_share_link_certification ON share_links (certification_id, id);
