-- An organization's list, newest first, is a keyset scan over (organization_id, id): without this
-- index PostgreSQL walks the primary key backwards and discards the other organizations' rows.
CREATE INDEX idx_certification_org_id ON certifications (organization_id, id);
