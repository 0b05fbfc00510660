-- Core schema: directory, certifications and their rules, audit trail, counters.
-- Frozen once released: change the schema with a new file, never by editing this one.
-- Runs unchanged on PostgreSQL 15 server and on PGlite.

-- Time-ordered UUIDs (version 7) so that ids sort by creation and can serve as a keyset cursor.
-- PostgreSQL 15 has no uuidv7(), so it is built from gen_random_uuid() and the clock.
CREATE FUNCTION certsvc_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE AS $$
  SELECT encode(
    set_bit(
      set_bit(
        overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6),
        52, 1),
      53, 1),
    'hex')::uuid
$$;

CREATE FUNCTION certsvc_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TABLE organizations (
  id          uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  name        text NOT NULL CONSTRAINT organization_name_not_blank CHECK (btrim(name) <> ''),
  prefix      text NOT NULL CONSTRAINT organization_prefix_format CHECK (prefix ~ '^[A-Z][A-Z0-9]{1,9}$'),
  time_zone   text NOT NULL DEFAULT 'Europe/Oslo',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organization_prefix_unique UNIQUE (prefix)
);
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

-- Users come from the platform; their ids are the platform's.
CREATE TABLE users (
  id               uuid PRIMARY KEY,
  display_name     text NOT NULL CONSTRAINT user_display_name_not_blank CHECK (btrim(display_name) <> ''),
  is_global_admin  boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER users_touch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

CREATE TYPE membership_role AS ENUM ('peer_mentor', 'coordinator', 'org_admin');

CREATE TABLE memberships (
  organization_id  uuid NOT NULL REFERENCES organizations (id),
  user_id          uuid NOT NULL REFERENCES users (id),
  role             membership_role NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX idx_membership_user_id ON memberships (user_id);
CREATE TRIGGER memberships_touch BEFORE UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

-- A type belongs to one organization, or to none (a global type usable by all).
CREATE TABLE certification_types (
  id               uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  organization_id  uuid REFERENCES organizations (id),
  name             text NOT NULL CONSTRAINT certification_type_name_not_blank CHECK (btrim(name) <> ''),
  validity_months  integer CONSTRAINT certification_type_validity_positive CHECK (validity_months BETWEEN 1 AND 1200),
  -- NULL: the service-wide default (CERTSVC_WARNING_DAYS).
  warning_days     integer CONSTRAINT certification_type_warning_days_range CHECK (warning_days BETWEEN 0 AND 3650),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX certification_type_name_unique
  ON certification_types (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE TRIGGER certification_types_touch BEFORE UPDATE ON certification_types
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

CREATE TABLE course_registrations (
  id               uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  organization_id  uuid NOT NULL REFERENCES organizations (id),
  user_id          uuid NOT NULL REFERENCES users (id),
  course_id        text NOT NULL CONSTRAINT course_registration_course_id_not_blank CHECK (btrim(course_id) <> ''),
  completed_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT course_registration_unique UNIQUE (organization_id, user_id, course_id)
);
CREATE INDEX idx_course_registration_user_id ON course_registrations (user_id);
CREATE TRIGGER course_registrations_touch BEFORE UPDATE ON course_registrations
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

CREATE TYPE certification_status AS ENUM ('active', 'expiring_soon', 'expired', 'revoked');
CREATE TYPE certification_source AS ENUM ('course_completion', 'manual_grant');

-- Exactly the seed's 18 attributes. Constraint names are the seed's rule names, so that a
-- violation maps straight to the contract's problem code.
CREATE TABLE certifications (
  id                      uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  user_id                 uuid NOT NULL REFERENCES users (id),
  certification_type_id   uuid NOT NULL REFERENCES certification_types (id),
  organization_id         uuid NOT NULL REFERENCES organizations (id),
  certificate_number      text NOT NULL,
  status                  certification_status NOT NULL DEFAULT 'active',
  issued_at               timestamptz NOT NULL,
  expires_at              timestamptz,
  issued_by_user_id       uuid REFERENCES users (id),
  source                  certification_source NOT NULL,
  course_registration_id  uuid REFERENCES course_registrations (id),
  revoked_at              timestamptz,
  revoked_by_user_id      uuid REFERENCES users (id),
  revocation_reason       text,
  expiry_warning_sent_at  timestamptz,
  notes                   text,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT certificate_number_format
    CHECK (certificate_number ~ '^[A-Z][A-Z0-9]{1,9}-[0-9]{4}-[0-9]{5,}$'),
  CONSTRAINT expires_at_after_issued_at
    CHECK (expires_at IS NULL OR expires_at > issued_at),
  CONSTRAINT course_registration_source_consistency
    CHECK ((source = 'course_completion') = (course_registration_id IS NOT NULL)),
  -- Revocation fields are set together, with a reason that is not blank, and only on a revoked record.
  CONSTRAINT revocation_requires_reason CHECK (
    (revoked_at IS NULL AND revoked_by_user_id IS NULL AND revocation_reason IS NULL)
    OR (revoked_at IS NOT NULL AND revoked_by_user_id IS NOT NULL
        AND revocation_reason IS NOT NULL AND btrim(revocation_reason) <> '')
  ),
  CONSTRAINT valid_status_transition CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
  CONSTRAINT expired_status_needs_expiry CHECK (status <> 'expired' OR expires_at IS NOT NULL),
  CONSTRAINT notes_length CHECK (notes IS NULL OR length(notes) <= 4000)
);

-- The seed's eight indexes, under the seed's names.
CREATE INDEX idx_certification_user_id ON certifications (user_id);
CREATE INDEX idx_certification_type_id ON certifications (certification_type_id);
CREATE INDEX idx_certification_organization_id ON certifications (organization_id);
CREATE INDEX idx_certification_status ON certifications (status);
CREATE INDEX idx_certification_expires_at ON certifications (expires_at);
CREATE INDEX idx_certification_user_type_active ON certifications (user_id, certification_type_id, status);
CREATE UNIQUE INDEX idx_certification_certificate_number ON certifications (certificate_number);
CREATE INDEX idx_certification_org_expires ON certifications (organization_id, expires_at);

-- one_active_cert_per_user_per_type, held by the database: at most one live (non-revoked,
-- non-expired) certification per user and type. "Expired" is the persisted status; the issuing
-- transaction first persists the expiry of any row whose date has passed.
CREATE UNIQUE INDEX one_active_cert_per_user_per_type
  ON certifications (user_id, certification_type_id)
  WHERE status IN ('active', 'expiring_soon');

-- Rules that need other tables, held by a trigger so that no writer can bypass them.
-- Each raises a check_violation named after the seed rule it enforces.
CREATE FUNCTION certifications_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  type_org uuid;
  reg record;
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.certification_type_id IS DISTINCT FROM OLD.certification_type_id
     OR NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
    SELECT organization_id INTO type_org FROM certification_types WHERE id = NEW.certification_type_id;
    IF type_org IS NOT NULL AND type_org <> NEW.organization_id THEN
      RAISE EXCEPTION 'certification type % belongs to another organization', NEW.certification_type_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'organization_scoped_type';
    END IF;
  END IF;

  IF NEW.course_registration_id IS NOT NULL AND (TG_OP = 'INSERT'
     OR NEW.course_registration_id IS DISTINCT FROM OLD.course_registration_id
     OR NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
    SELECT user_id, organization_id, completed_at INTO reg
      FROM course_registrations WHERE id = NEW.course_registration_id;
    IF reg.user_id IS DISTINCT FROM NEW.user_id
       OR reg.organization_id IS DISTINCT FROM NEW.organization_id
       OR reg.completed_at IS NULL THEN
      RAISE EXCEPTION 'course registration % is not a completed registration of this user and organization',
          NEW.course_registration_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'course_registration_source_consistency';
    END IF;
  END IF;

  IF NEW.issued_by_user_id IS NOT NULL AND (TG_OP = 'INSERT'
     OR NEW.issued_by_user_id IS DISTINCT FROM OLD.issued_by_user_id) THEN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.issued_by_user_id AND is_global_admin)
       AND NOT EXISTS (SELECT 1 FROM memberships
                        WHERE user_id = NEW.issued_by_user_id
                          AND organization_id = NEW.organization_id
                          AND role IN ('coordinator', 'org_admin')) THEN
      RAISE EXCEPTION 'user % may not issue certifications in this organization', NEW.issued_by_user_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'issued_by_role_check';
    END IF;
  END IF;

  IF NEW.revoked_by_user_id IS NOT NULL AND (TG_OP = 'INSERT'
     OR NEW.revoked_by_user_id IS DISTINCT FROM OLD.revoked_by_user_id) THEN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.revoked_by_user_id AND is_global_admin)
       AND NOT EXISTS (SELECT 1 FROM memberships
                        WHERE user_id = NEW.revoked_by_user_id
                          AND organization_id = NEW.organization_id
                          AND role IN ('coordinator', 'org_admin')) THEN
      RAISE EXCEPTION 'user % may not revoke certifications in this organization', NEW.revoked_by_user_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'revocation_requires_reason';
    END IF;
  END IF;

  -- Identity of a certificate never changes after issue.
  IF TG_OP = 'UPDATE' AND (NEW.user_id IS DISTINCT FROM OLD.user_id
     OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
     OR NEW.certification_type_id IS DISTINCT FROM OLD.certification_type_id
     OR NEW.certificate_number IS DISTINCT FROM OLD.certificate_number
     OR NEW.source IS DISTINCT FROM OLD.source
     OR NEW.course_registration_id IS DISTINCT FROM OLD.course_registration_id
     OR NEW.created_at IS DISTINCT FROM OLD.created_at) THEN
    RAISE EXCEPTION 'the identity of certification % cannot change', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certification_identity_immutable';
  END IF;

  RETURN NEW;
END;
$$;

CREATE TRIGGER certifications_check_references
  BEFORE INSERT OR UPDATE ON certifications
  FOR EACH ROW EXECUTE FUNCTION certifications_check_references();

CREATE TRIGGER certifications_touch BEFORE UPDATE ON certifications
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

-- Retention is permanent.
CREATE FUNCTION certsvc_refuse_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER certifications_no_delete BEFORE DELETE ON certifications
  FOR EACH ROW EXECUTE FUNCTION certsvc_refuse_delete();

-- Gapless certificate sequences per prefix and year: the row is locked by the issuing
-- transaction, so a failed issuance rolls its number back.
CREATE TABLE certificate_counters (
  prefix      text NOT NULL,
  year        integer NOT NULL CHECK (year BETWEEN 1900 AND 9999),
  last_value  integer NOT NULL CHECK (last_value >= 0),
  PRIMARY KEY (prefix, year)
);

-- Append-only audit trail of every change.
CREATE TABLE audit_events (
  id               uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  entity_type      text NOT NULL,
  entity_id        uuid NOT NULL,
  organization_id  uuid REFERENCES organizations (id),
  action           text NOT NULL,
  actor_user_id    uuid,
  actor            text NOT NULL,
  reason           text,
  before           jsonb,
  after            jsonb,
  occurred_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_event_entity ON audit_events (entity_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only'
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Stored responses of issuing requests, replayed for a repeated Idempotency-Key.
CREATE TABLE idempotency_keys (
  principal      text NOT NULL,
  key            text NOT NULL,
  request_hash   text NOT NULL,
  status_code    integer NOT NULL,
  resource_id    uuid,
  response       jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);
CREATE INDEX idx_idempotency_key_created_at ON idempotency_keys (created_at);

-- Background work: one table of jobs, claimed with SKIP LOCKED under a lease so that a crashed
-- worker's job is picked up again once its lease runs out.
CREATE TABLE jobs (
  id            uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  queue         text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  state         text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'running', 'done', 'dead')),
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 10 CHECK (max_attempts >= 1),
  run_at        timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  locked_by     text,
  last_error    text,
  -- At most one job per singleton key (e.g. one notification per certification and window).
  singleton_key text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_job_claim ON jobs (queue, run_at) WHERE state IN ('pending', 'running');
CREATE UNIQUE INDEX idx_job_singleton ON jobs (queue, singleton_key) WHERE singleton_key IS NOT NULL;
CREATE INDEX idx_job_dead ON jobs (queue, updated_at) WHERE state = 'dead';
CREATE TRIGGER jobs_touch BEFORE UPDATE ON jobs
  FOR EACH ROW EXECUTE FUNCTION certsvc_touch_updated_at();

-- Cron schedules fire once across all running instances: the instance whose UPDATE moves
-- next_run_at forward owns that run.
CREATE TABLE job_schedules (
  name         text PRIMARY KEY,
  cron         text NOT NULL,
  next_run_at  timestamptz NOT NULL,
  last_run_at  timestamptz
);

CREATE TABLE user_badges (
  user_id           uuid NOT NULL REFERENCES users (id),
  badge             text NOT NULL,
  certification_id  uuid REFERENCES certifications (id),
  awarded_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, badge)
);
