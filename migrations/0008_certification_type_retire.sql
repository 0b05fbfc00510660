-- Certification types: a stable key an app may gate on, and retirement (no new grants).
ALTER TABLE certification_types ADD COLUMN key text
  CONSTRAINT certification_type_key_format CHECK (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(key) <= 64);
ALTER TABLE certification_types ADD COLUMN retired_at timestamptz;

-- One key per organization, and one among the global types.
CREATE UNIQUE INDEX certification_type_key_unique
  ON certification_types (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), key)
  WHERE key IS NOT NULL;

-- A retired type is granted no more: whatever writes the row, the database refuses it.
CREATE FUNCTION certifications_type_not_retired() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM certification_types WHERE id = NEW.certification_type_id AND retired_at IS NOT NULL) THEN
    RAISE EXCEPTION 'certification type % is retired', NEW.certification_type_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'certification_type_retired';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER certifications_type_not_retired BEFORE INSERT ON certifications
  FOR EACH ROW EXECUTE FUNCTION certifications_type_not_retired();
