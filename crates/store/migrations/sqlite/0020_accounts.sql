-- Single-use, expiring links by email: to set a password (a new account, a reset) and, when
-- the organisation allows it, to sign in (SPEC §3.13). Only a SHA-256 of each link's token is
-- kept, so a copy of the database opens no account. `purpose` is `set_password` or `sign_in`.
CREATE TABLE account_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX account_links_user ON account_links(user_id);

-- API tokens expire (chosen at creation, 90 days by default) and record their last use.
-- Tokens made before expiry existed get the default from their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', created_at, '+90 days');

-- Email sign-in links are an option the organisation switches on (off by default).
ALTER TABLE organisation ADD COLUMN email_sign_in BOOLEAN NOT NULL DEFAULT FALSE;
