-- Reverse-mentoring pairs (SPEC §3.3) and the email outbox (SPEC §3.4).
--
-- A pair is published by the coordinator; one that ends early keeps its row, with why.
-- Re-matching after a drop-out adds a pair and leaves every other pair alone.
CREATE TABLE pairs (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    -- The student mentor and the staff mentee.
    mentor_id INTEGER NOT NULL REFERENCES users(id),
    mentee_id INTEGER NOT NULL REFERENCES users(id),
    -- active | completed | ended_early
    status TEXT NOT NULL,
    -- Why the matching proposed this pair, in plain words, and its cost then.
    reason TEXT NOT NULL DEFAULT '',
    cost INTEGER NOT NULL DEFAULT 0,
    ended_reason TEXT NOT NULL DEFAULT '',
    ended_at TEXT,
    published_by INTEGER REFERENCES users(id),
    published_at TEXT NOT NULL
);
CREATE INDEX pairs_cycle ON pairs(cycle_id);
-- Nobody is in two live pairs of one cycle.
CREATE UNIQUE INDEX pairs_live_mentor ON pairs(cycle_id, mentor_id) WHERE status <> 'ended_early';
CREATE UNIQUE INDEX pairs_live_mentee ON pairs(cycle_id, mentee_id) WHERE status <> 'ended_early';

-- Every email flipside sends is written here first, in the same transaction as what caused it,
-- and sent by the background worker. `dedup_key` makes queueing idempotent; a row is claimed
-- (pending -> sending) by one worker before it is sent, so no email goes out twice.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    to_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    -- An iCalendar (RFC 5545) attachment, when the email carries one.
    calendar TEXT,
    -- pending | sending | sent | failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
