-- Fair claiming. A worker claims every queue on its own (each queue has its own slots), and within
-- a queue takes a dead worker's expired leases first, then due retries, then first attempts. Each
-- of the three is a short range scan of its own partial index, whatever the backlog: a 20 000-job
-- import backlog of first attempts is never read to find the sweep's job or a retry.
CREATE INDEX idx_job_due_first ON jobs (queue, run_at, id) WHERE state = 'pending' AND attempts = 0;
CREATE INDEX idx_job_due_retry ON jobs (queue, run_at, id) WHERE state = 'pending' AND attempts > 0;
CREATE INDEX idx_job_leased ON jobs (queue, locked_until) WHERE state = 'running';
-- The one claim index before: replaced by the three above.
DROP INDEX idx_job_claim;

-- The coordinators' weekly digest: one row per organization and week, ever. The digest run inserts
-- its row and the notification job in one statement, so any number of runs at once (workers, a
-- repeated slot) send one digest per organization and week.
CREATE TABLE organization_digests (
  organization_id     uuid NOT NULL REFERENCES organizations (id),
  -- Monday of the ISO week, in the digest schedule's time zone.
  week                date NOT NULL,
  -- The notification job, whose id is the digest notification's id.
  notification_id     uuid NOT NULL,
  certification_count integer NOT NULL CHECK (certification_count > 0),
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, week)
);
