-- A coordinator archives a scheme that has finished (issue 14): it leaves the lists and home
-- pages, and its cycles, data and reports stay readable. Who archived it is in the audit log.
ALTER TABLE schemes ADD COLUMN archived_at TEXT;
