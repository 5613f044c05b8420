-- Reflective chats, their coding, the quote bank and triangulation (issue 11, SPEC §3.7).

-- A scheme's aims (defaults: flipside_core::qualitative::aims::default_aims).
CREATE TABLE qual_aims (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    audience TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (scheme_id, key)
);

-- One reflective chat with a participant of a cycle. `segments` is the numbered segments as
-- JSON (byte offsets into `text`, with speakers), as flipside_core::qualitative::transcript
-- split it when it was recorded.
CREATE TABLE qual_chats (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    participant_user_id INTEGER NOT NULL REFERENCES users(id),
    participant_role TEXT NOT NULL,
    interviewer_user_id INTEGER REFERENCES users(id),
    held_on TEXT NOT NULL,
    stage TEXT NOT NULL,
    format TEXT NOT NULL,
    text TEXT NOT NULL,
    segments TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX qual_chats_cycle ON qual_chats(cycle_id);
CREATE INDEX qual_chats_participant ON qual_chats(participant_user_id);

-- A scheme's codebook: codes in a hierarchy, each optionally tied to an aim (by key).
CREATE TABLE qual_codes (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    parent_id INTEGER REFERENCES qual_codes(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL,
    aim TEXT,
    position INTEGER NOT NULL,
    UNIQUE (scheme_id, name)
);

-- A coded span of a chat's text (byte offsets, end exclusive), by one coder.
CREATE TABLE qual_excerpts (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES qual_chats(id) ON DELETE CASCADE,
    coder_user_id INTEGER NOT NULL REFERENCES users(id),
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    memo TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX qual_excerpts_chat ON qual_excerpts(chat_id);

CREATE TABLE qual_excerpt_codes (
    excerpt_id INTEGER NOT NULL REFERENCES qual_excerpts(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES qual_codes(id),
    PRIMARY KEY (excerpt_id, code_id)
);

-- An excerpt promoted to a quote: the original words stay linked; `edited` only trims them
-- with an ellipsis (flipside_core::qualitative::quotes::check_trim).
CREATE TABLE qual_quotes (
    id INTEGER PRIMARY KEY,
    excerpt_id INTEGER NOT NULL UNIQUE REFERENCES qual_excerpts(id) ON DELETE CASCADE,
    participant_user_id INTEGER NOT NULL REFERENCES users(id),
    original TEXT NOT NULL,
    edited TEXT NOT NULL,
    promoted_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- The coordinator's finding for one aim of a cycle (the triangulation page).
CREATE TABLE qual_findings (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    aim TEXT NOT NULL,
    finding TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL,
    UNIQUE (cycle_id, aim)
);
