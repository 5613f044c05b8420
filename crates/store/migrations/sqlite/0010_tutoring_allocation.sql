-- Personal tutoring in the app (SPEC §3.10): each School's rules, an allocation kept as a draft
-- until it is published, the contacts tutors and students log, and indexes for the dashboard.

-- One row per School that changed the defaults; a School without a row has the defaults
-- (no required continuity, two places of slack over an even share, no-contact-by ten weeks
-- after the academic year starts on 1 August).
CREATE TABLE tutoring_school_rules (
    school_id INTEGER PRIMARY KEY REFERENCES schools(id) ON DELETE CASCADE,
    continuity_required BOOLEAN NOT NULL DEFAULT FALSE,
    load_slack INTEGER NOT NULL DEFAULT 2,
    no_contact_weeks INTEGER NOT NULL DEFAULT 10
);

-- The latest allocation run for an academic year, and when it was published.
CREATE TABLE tutoring_allocation_runs (
    academic_year INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    published_at TEXT
);

-- The draft: one proposed tutor per student (NULL: unplaced, with the reason's code).
CREATE TABLE tutoring_allocation_drafts (
    academic_year INTEGER NOT NULL,
    student_id INTEGER NOT NULL REFERENCES tutoring_students(id) ON DELETE CASCADE,
    tutor_id INTEGER REFERENCES tutoring_tutors(id),
    unplaced_reason TEXT,
    moved_by_hand BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (academic_year, student_id)
);
CREATE INDEX tutoring_allocation_drafts_tutor ON tutoring_allocation_drafts (academic_year, tutor_id);

-- A contact between a tutor and a tutee. The date is kept as ISO text (YYYY-MM-DD) in both
-- backends, with its day number within the academic year for the dashboard's arithmetic.
-- The note is private to the contact's tutor and student (policy::tutoring_contact).
CREATE TABLE tutoring_contacts (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES tutoring_students(id) ON DELETE CASCADE,
    tutor_id INTEGER NOT NULL REFERENCES tutoring_tutors(id),
    academic_year INTEGER NOT NULL,
    contact_date TEXT NOT NULL,
    year_day INTEGER NOT NULL,
    mode TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    initiated_by TEXT NOT NULL,
    logged_by TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX tutoring_contacts_student ON tutoring_contacts (academic_year, student_id, year_day);
CREATE INDEX tutoring_contacts_tutor ON tutoring_contacts (tutor_id, academic_year);

-- The dashboard groups a year's assignments by student and School.
CREATE INDEX tutoring_assignments_year ON tutoring_assignments (academic_year, student_id, tutor_id);
CREATE INDEX tutoring_tutors_email ON tutoring_tutors (lower(email));
CREATE INDEX tutoring_students_email ON tutoring_students (lower(email));
