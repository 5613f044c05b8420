-- The daily retention job (issue 13): one row per day, claimed by the first server instance
-- to insert it, so the rules are applied exactly once a day however many instances run.
CREATE TABLE retention_days (
    day DATE PRIMARY KEY,
    claimed_at TIMESTAMPTZ NOT NULL
);
