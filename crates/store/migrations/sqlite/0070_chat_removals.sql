-- A participant's request to remove passages of their reflective chat (issue 11), and the
-- coordinator's answer. `spans` is the passages as `start-end` byte offsets into the chat's
-- current text, separated by commas (kept in step when another removal shifts the text).
CREATE TABLE qual_chat_removals (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES qual_chats(id) ON DELETE CASCADE,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    spans TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    reply TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX qual_chat_removals_chat ON qual_chat_removals(chat_id);
