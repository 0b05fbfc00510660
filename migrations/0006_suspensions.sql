-- Suspension: a reversible status. A suspended certification keeps its live place (one live per
-- user and type) but gives no access and gets no reminder. Who suspended it, when and why, and who
-- lifted it when, live in certification_suspensions, so certifications keeps the seed's 18 columns.
-- Frozen once released. Runs unchanged on PostgreSQL 15 server and on PGlite.
--
-- A new enum value cannot be used in the transaction that adds it (this file runs in one), so the
-- predicates below name the statuses that do not hold a live place instead of those that do.
ALTER TYPE certification_status ADD VALUE IF NOT EXISTS 'suspended' AFTER 'expiring_soon';

-- one_active_cert_per_user_per_type: the seed's "non-revoked, non-expired", now including suspended.
DROP INDEX one_active_cert_per_user_per_type;
CREATE UNIQUE INDEX one_active_cert_per_user_per_type
  ON certifications (user_id, certification_type_id)
  WHERE status NOT IN ('expired', 'revoked');

-- The sweep persists the expiry of suspended rows too.
DROP INDEX idx_certification_live_expires;
CREATE INDEX idx_certification_live_expires
  ON certifications (expires_at, id)
  WHERE status NOT IN ('expired', 'revoked') AND expires_at IS NOT NULL;

CREATE TABLE certification_suspensions (
  id                  uuid PRIMARY KEY DEFAULT certsvc_uuid_v7(),
  certification_id    uuid NOT NULL REFERENCES certifications (id),
  organization_id     uuid NOT NULL REFERENCES organizations (id),
  suspended_at        timestamptz NOT NULL,
  suspended_by_user_id uuid NOT NULL REFERENCES users (id),
  reason              text NOT NULL CONSTRAINT suspension_requires_reason
                        CHECK (btrim(reason) <> '' AND length(reason) <= 2000),
  lifted_at           timestamptz,
  lifted_by_user_id   uuid REFERENCES users (id),
  lift_reason         text,
  -- Lifted all at once, with a reason, not before it began.
  CONSTRAINT suspension_lift_complete CHECK (
    (lifted_at IS NULL AND lifted_by_user_id IS NULL AND lift_reason IS NULL)
    OR (lifted_at IS NOT NULL AND lifted_by_user_id IS NOT NULL AND lift_reason IS NOT NULL
        AND btrim(lift_reason) <> '' AND length(lift_reason) <= 2000 AND lifted_at >= suspended_at)
  )
);
-- Suspending a suspended certification is valid_status_transition: at most one open suspension.
CREATE UNIQUE INDEX one_open_suspension_per_certification
  ON certification_suspensions (certification_id) WHERE lifted_at IS NULL;
CREATE INDEX idx_suspension_certification ON certification_suspensions (certification_id, id);

-- valid_status_transition for suspensions: only a live certification (not revoked, not expired at
-- the suspension's time) is suspended, by staff of its organization or a global admin; a suspension
-- is only ever lifted, once; none is deleted.
CREATE FUNCTION certification_suspensions_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cert record;
  actor uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT organization_id, revoked_at, expires_at INTO cert
      FROM certifications WHERE id = NEW.certification_id;
    IF cert.organization_id IS DISTINCT FROM NEW.organization_id THEN
      RAISE EXCEPTION 'certification % is not of organization %', NEW.certification_id, NEW.organization_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'valid_status_transition';
    END IF;
    IF cert.revoked_at IS NOT NULL OR (cert.expires_at IS NOT NULL AND cert.expires_at <= NEW.suspended_at) THEN
      RAISE EXCEPTION 'certification % is revoked or expired and cannot be suspended', NEW.certification_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'valid_status_transition';
    END IF;
    actor := NEW.suspended_by_user_id;
  ELSE
    IF OLD.lifted_at IS NOT NULL
       OR NEW.certification_id IS DISTINCT FROM OLD.certification_id
       OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
       OR NEW.suspended_at IS DISTINCT FROM OLD.suspended_at
       OR NEW.suspended_by_user_id IS DISTINCT FROM OLD.suspended_by_user_id
       OR NEW.reason IS DISTINCT FROM OLD.reason THEN
      RAISE EXCEPTION 'suspension % can only be lifted, once', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'valid_status_transition';
    END IF;
    actor := NEW.lifted_by_user_id;
  END IF;
  IF actor IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM users WHERE id = actor AND is_global_admin)
     AND NOT EXISTS (SELECT 1 FROM memberships
                      WHERE user_id = actor AND organization_id = NEW.organization_id
                        AND role IN ('coordinator', 'org_admin')) THEN
    RAISE EXCEPTION 'user % may not suspend certifications in this organization', actor
      USING ERRCODE = 'check_violation', CONSTRAINT = 'suspension_by_staff';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER certification_suspensions_check
  BEFORE INSERT OR UPDATE ON certification_suspensions
  FOR EACH ROW EXECUTE FUNCTION certification_suspensions_check();
CREATE TRIGGER certification_suspensions_no_delete BEFORE DELETE ON certification_suspensions
  FOR EACH ROW EXECUTE FUNCTION certsvc_refuse_delete();

-- A certification is stored as suspended only while a suspension of it is open.
CREATE FUNCTION certifications_check_suspension() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status::text = 'suspended'
     AND NOT EXISTS (SELECT 1 FROM certification_suspensions
                      WHERE certification_id = NEW.id AND lifted_at IS NULL) THEN
    RAISE EXCEPTION 'certification % has no open suspension', NEW.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'valid_status_transition';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER certifications_check_suspension
  BEFORE INSERT OR UPDATE OF status ON certifications
  FOR EACH ROW EXECUTE FUNCTION certifications_check_suspension();
