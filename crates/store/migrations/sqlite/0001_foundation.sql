CREATE TABLE organisation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    min_cell INTEGER NOT NULL DEFAULT 5,
    disclosure_preset TEXT NOT NULL DEFAULT 'internal',
    hours_target INTEGER NOT NULL DEFAULT 20,
    created_at TEXT NOT NULL
);

CREATE TABLE instance_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);

CREATE TABLE faculties (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE schools (
    id INTEGER PRIMARY KEY,
    faculty_id INTEGER NOT NULL REFERENCES faculties(id),
    name TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE
);

CREATE TABLE identity_labels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    own_words BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    school_id INTEGER REFERENCES schools(id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id INTEGER NOT NULL DEFAULT 0,
    granted_by INTEGER REFERENCES users(id),
    granted_at TEXT NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_id)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account, at);
CREATE INDEX login_failures_address ON login_failures(address, at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE oidc_flows (
    state TEXT PRIMARY KEY,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE schemes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    purpose TEXT NOT NULL,
    school_id INTEGER REFERENCES schools(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    academic_year INTEGER NOT NULL,
    state TEXT NOT NULL,
    hours_target INTEGER NOT NULL,
    framework TEXT NOT NULL,
    copied_from INTEGER REFERENCES cycles(id),
    created_at TEXT NOT NULL,
    UNIQUE (scheme_id, academic_year)
);

CREATE TABLE cycle_events (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX cycle_events_cycle ON cycle_events(cycle_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
