-- The annual report (issue 12, SPEC §3.9). A report is about one cycle (`scope` 'cycle',
-- `scope_id` the cycle's id) or one academic year across schemes (`scope` 'year', `scope_id`
-- the calendar year it starts in: 2025 for 2025/26).

-- The coordinator's text of the report being prepared: one row per report.
CREATE TABLE report_drafts (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('cycle', 'year')),
    scope_id INTEGER NOT NULL,
    introduction TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    UNIQUE (scope, scope_id)
);

-- Published versions, numbered from 1 per report. A version is written once and never
-- changed: `data` holds its figures (as disclosed at publication), text and quotes as JSON;
-- `quote_ids` the quote bank's ids of the quotes it prints (JSON array), so that a later
-- withdrawal of consent can be flagged to the coordinator.
CREATE TABLE report_versions (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL CHECK (scope IN ('cycle', 'year')),
    scope_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    quote_ids TEXT NOT NULL,
    published_by INTEGER REFERENCES users(id),
    published_at TEXT NOT NULL,
    UNIQUE (scope, scope_id, number)
);
