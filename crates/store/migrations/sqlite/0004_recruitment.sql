-- Recruitment (SPEC §3.2): one application per person per cycle, the identity labels chosen
-- (special-category data, stored only with consent to take part), and every consent given or
-- withdrawn, with its time.
CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    own_words TEXT NOT NULL DEFAULT '',
    course TEXT NOT NULL,
    level TEXT NOT NULL,
    -- Tags, comma-separated, already cleaned.
    interests TEXT NOT NULL DEFAULT '',
    -- Weekly slots such as `tue-pm`, space-separated.
    availability TEXT NOT NULL DEFAULT '',
    hopes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cycle_id, user_id)
);
CREATE INDEX applications_user ON applications(user_id);

CREATE TABLE application_labels (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    label_id INTEGER NOT NULL REFERENCES identity_labels(id),
    PRIMARY KEY (application_id, label_id)
);

-- Append-only: the latest row of each kind is the consent as it stands.
CREATE TABLE application_consents (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    given BOOLEAN NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX application_consents_application ON application_consents(application_id);
