-- Student co-leadership (SPEC §3.11) and what tutoring students keep for themselves (§3.10).
--
-- A design sprint runs in one faculty and collects items stage by stage: problems, then ideas,
-- then proposals. Promoting an item copies it into the next stage with `parent_id` pointing
-- back, so the earlier stage keeps its history; an item is promoted at most once.
CREATE TABLE sprints (
    id INTEGER PRIMARY KEY,
    faculty_id INTEGER NOT NULL REFERENCES faculties(id),
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    -- ISO dates (YYYY-MM-DD).
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- problems | ideas | proposals: the stage that takes new items.
    stage TEXT NOT NULL,
    -- open | closed
    state TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX sprints_faculty ON sprints(faculty_id);

CREATE TABLE sprint_items (
    id INTEGER PRIMARY KEY,
    sprint_id INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users(id),
    parent_id INTEGER UNIQUE REFERENCES sprint_items(id),
    -- Proposals only: accepted | not_taken_forward, with the reasons given.
    decision TEXT,
    decision_reasons TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sprint_items_sprint ON sprint_items(sprint_id);

CREATE TABLE sprint_comments (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES sprint_items(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX sprint_comments_item ON sprint_comments(item_id);

-- One support per person per item; withdrawing deletes the row.
CREATE TABLE sprint_supports (
    item_id INTEGER NOT NULL REFERENCES sprint_items(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (item_id, user_id)
);

-- The action an accepted proposal became (a minimal stand-in for the actions of SPEC §3.8):
-- its title, who owns it, and its implementation status (not_started | in_progress | done).
CREATE TABLE sprint_actions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL UNIQUE REFERENCES sprint_items(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A tutoring student's own profile; each field is shown to their tutor only when they chose so.
CREATE TABLE tutoring_profiles (
    student_id INTEGER PRIMARY KEY REFERENCES tutoring_students(id) ON DELETE CASCADE,
    goals TEXT NOT NULL DEFAULT '',
    goals_shared BOOLEAN NOT NULL DEFAULT FALSE,
    success TEXT NOT NULL DEFAULT '',
    success_shared BOOLEAN NOT NULL DEFAULT FALSE,
    tutor_note TEXT NOT NULL DEFAULT '',
    tutor_note_shared BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TEXT NOT NULL
);

-- A student's request for a different tutor in one academic year, decided by the School lead.
-- The request keeps the tutor it was made about, so the history of changes stays readable.
CREATE TABLE tutoring_change_requests (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES tutoring_students(id) ON DELETE CASCADE,
    academic_year INTEGER NOT NULL,
    from_tutor_id INTEGER NOT NULL REFERENCES tutoring_tutors(id),
    reason TEXT NOT NULL,
    -- pending | approved | declined
    status TEXT NOT NULL,
    to_tutor_id INTEGER REFERENCES tutoring_tutors(id),
    decision_reason TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX tutoring_change_requests_pending ON tutoring_change_requests(student_id) WHERE status = 'pending';
