-- The warning window a certification was issued under, kept only once its type's window has been
-- edited since: an edit of certification_types.warning_days applies to new issuances (CONTRACT §4),
-- so the certifications that were live before the edit keep the window they had. The
-- certifications table keeps exactly the seed's 18 columns; a row here is written by
-- storage/certification-types.ts in the same transaction as the edit, and dropped by a renewal
-- (which takes the type's terms of the day, as it does for validity). Runs unchanged on
-- PostgreSQL 15 server and on PGlite.
CREATE TABLE certification_warning_windows (
  certification_id uuid PRIMARY KEY REFERENCES certifications (id) ON DELETE CASCADE,
  warning_days     integer NOT NULL
    CONSTRAINT certification_warning_window_range CHECK (warning_days BETWEEN 0 AND 3650),
  kept_at          timestamptz NOT NULL DEFAULT now()
);

-- The sweep's horizon reads the largest kept window.
CREATE INDEX idx_certification_warning_windows_days ON certification_warning_windows (warning_days);

-- Whether any certification of the type keeps a window: while not (every type that was never
-- edited), a read takes the type's window without looking into the table above.
ALTER TABLE certification_types ADD COLUMN has_kept_windows boolean NOT NULL DEFAULT false;
