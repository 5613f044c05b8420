-- Retention runs (issue 13): each applied run of the retention rules, with how many rows each
-- rule deleted (summary: JSON object rule → rows).
CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY,
    ran_at TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    summary TEXT NOT NULL
);
