-- The expiry sweep reads the live-expiry index only up to its horizon (now + the largest warning
-- window); beyond it, the one row that can still be due is an `expiring_soon` one whose window
-- shrank (back to active). This index holds only `expiring_soon` rows, a few weeks' worth of
-- expiries, so that search reads the rows past the horizon and nothing else.
CREATE INDEX idx_certification_expiring_soon_expires
  ON certifications (expires_at, id)
  WHERE status = 'expiring_soon';
