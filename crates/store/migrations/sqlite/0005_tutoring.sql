-- Academic personal tutoring (SPEC §3.10): tutors, students and tutor assignments as imported
-- from the student record system, keyed by that system's ids (`external_id`) so that importing
-- the same export again changes nothing.
CREATE TABLE tutoring_tutors (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    capacity INTEGER NOT NULL
);
CREATE INDEX tutoring_tutors_school ON tutoring_tutors (school_id);

CREATE TABLE tutoring_students (
    id INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    school_id INTEGER NOT NULL REFERENCES schools(id),
    programme TEXT NOT NULL,
    year_of_study INTEGER NOT NULL,
    entry_age INTEGER
);
CREATE INDEX tutoring_students_school ON tutoring_students (school_id);

-- Self-identification (special-category data): a row exists only when the student consented.
CREATE TABLE tutoring_student_labels (
    student_id INTEGER NOT NULL REFERENCES tutoring_students(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (student_id, label)
);

-- One tutor of record per student and academic year (its start year, as in cycles).
-- `source` says where it came from: `import` (the record system) or, later, `allocation`.
CREATE TABLE tutoring_assignments (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES tutoring_students(id) ON DELETE CASCADE,
    tutor_id INTEGER NOT NULL REFERENCES tutoring_tutors(id),
    academic_year INTEGER NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (student_id, academic_year)
);
CREATE INDEX tutoring_assignments_tutor ON tutoring_assignments (tutor_id, academic_year);
