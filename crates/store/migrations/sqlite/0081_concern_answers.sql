-- Concerns get a status the raiser sees (new, acknowledged, resolved) and the coordinators'
-- reply (issue 14); `answers` counts the answers given, to key each one's email.
ALTER TABLE concerns ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
ALTER TABLE concerns ADD COLUMN reply TEXT NOT NULL DEFAULT '';
ALTER TABLE concerns ADD COLUMN answered_at TEXT;
ALTER TABLE concerns ADD COLUMN answered_by INTEGER REFERENCES users(id);
ALTER TABLE concerns ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
