-- Survey instruments, waves and answers (SPEC §3.5). Answers are stored against a
-- pseudonymous participant code that links waves; analysis never reads names.
CREATE TABLE instruments (
    id INTEGER PRIMARY KEY,
    audience TEXT NOT NULL UNIQUE
);

CREATE TABLE instrument_statements (
    id INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    aim TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (instrument_id, code)
);

CREATE TABLE survey_participants (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    code TEXT NOT NULL,
    role TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    research_consent BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (cycle_id, code)
);

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES survey_participants(id) ON DELETE CASCADE,
    wave TEXT NOT NULL,
    statement_id INTEGER NOT NULL REFERENCES instrument_statements(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    answered_at TEXT NOT NULL,
    UNIQUE (participant_id, wave, statement_id)
);
CREATE INDEX survey_responses_participant ON survey_responses(participant_id);
