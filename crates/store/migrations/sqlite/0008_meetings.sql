-- What a pair does (SPEC §3.4, §3.8): the expectations agreement, meetings, private notes,
-- concerns raised to the coordinator, and actions with their evidence.

-- One row per member who accepted the cycle's expectations, with when.
CREATE TABLE pair_agreements (
    pair_id INTEGER NOT NULL REFERENCES pairs(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    accepted_at TEXT NOT NULL,
    PRIMARY KEY (pair_id, user_id)
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id),
    -- The session of the cycle's plan, counted from 0.
    session_index INTEGER NOT NULL,
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    -- proposed | confirmed | declined | held
    status TEXT NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES users(id),
    proposed_at TEXT NOT NULL,
    responded_at TEXT,
    -- How long the pair actually met, once held.
    held_minutes INTEGER,
    held_at TEXT
);
CREATE INDEX meetings_pair ON meetings(pair_id);

-- Private notes: readable by the author, and by the partner when shared; nobody else.
CREATE TABLE pair_notes (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX pair_notes_pair ON pair_notes(pair_id);

-- A concern a member escalates to the scheme's coordinators.
CREATE TABLE concerns (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id),
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    raised_by INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX concerns_cycle ON concerns(cycle_id);

-- Actions raised from a pair's conversations; `anonymous` hides the raiser's name from
-- everyone but the raiser.
CREATE TABLE follow_up_actions (
    id INTEGER PRIMARY KEY,
    pair_id INTEGER NOT NULL REFERENCES pairs(id),
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    raised_by INTEGER NOT NULL REFERENCES users(id),
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- proposed | agreed | in_progress | done | declined
    status TEXT NOT NULL,
    declined_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX follow_up_actions_cycle ON follow_up_actions(cycle_id);
CREATE INDEX follow_up_actions_pair ON follow_up_actions(pair_id);

-- Evidence that an action changed something: words, a link, or both.
CREATE TABLE action_evidence (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES follow_up_actions(id),
    added_by INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX action_evidence_action ON action_evidence(action_id);
