-- Background work: what the expiry sweep needs to stay linear in the rows it changes.
-- Frozen once released. Runs unchanged on PostgreSQL 15 server and on PGlite.

-- The sweep walks live certifications in expiry order. Expired and revoked rows (most of the table
-- after a few years) are left out of this index, so no sweep ever rereads them.
CREATE INDEX idx_certification_live_expires
  ON certifications (expires_at, id)
  WHERE status IN ('active', 'expiring_soon') AND expires_at IS NOT NULL;
