-- Staff invitations (SPEC §3.2) and the coordinator's matching rules (SPEC §3.3).
--
-- A staff leader is invited by a single-use link that expires. Only a SHA-256 hash of the
-- link's token is stored, so a copy of the database cannot answer an invitation.
CREATE TABLE staff_invitations (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    -- Set when the invitation is accepted (found or created by email).
    user_id INTEGER REFERENCES users(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    school_id INTEGER REFERENCES schools(id),
    token_hash TEXT NOT NULL UNIQUE,
    -- invited | accepted | declined (an invited one past expires_at reads as expired)
    status TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- How many times the link was sent; each sending has its own email.
    sends INTEGER NOT NULL DEFAULT 1,
    decline_reason TEXT NOT NULL DEFAULT '',
    -- Tags, comma-separated, already cleaned (as on applications).
    interests TEXT NOT NULL DEFAULT '',
    -- Weekly slots such as `tue-pm`, space-separated (as on applications).
    availability TEXT NOT NULL DEFAULT '',
    invited_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    responded_at TEXT,
    UNIQUE (cycle_id, email)
);

-- The coordinator's weights and rules for matching a cycle (defaults when absent).
CREATE TABLE matching_settings (
    cycle_id INTEGER PRIMARY KEY REFERENCES cycles(id),
    interests_weight INTEGER NOT NULL,
    availability_weight INTEGER NOT NULL,
    preferences_weight INTEGER NOT NULL,
    allow_same_school BOOLEAN NOT NULL,
    require_common_availability BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL
);

-- Pairs the coordinator says must never be made.
CREATE TABLE do_not_pair (
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    mentor_id INTEGER NOT NULL REFERENCES users(id),
    mentee_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, mentor_id, mentee_id)
);

-- People who left a cycle's scheme when their pair ended early: not re-matched.
CREATE TABLE cycle_leavers (
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, user_id)
);
