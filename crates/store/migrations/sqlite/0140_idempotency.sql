-- Idempotency keys of the JSON API (issue 16): a POST sent with an `Idempotency-Key` header
-- is carried out once; the same key with the same request replays the stored answer, with a
-- different request is refused. `status` is NULL while the first request is running. Keys
-- are each caller's own and kept for a day.
CREATE TABLE api_idempotency (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    content_type TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (user_id, idem_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);
