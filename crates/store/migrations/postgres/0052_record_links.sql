-- Issue 10: a tutor or student record is linked to the account of the person it describes
-- only when that person confirms it (signed in with an address they proved: an identity
-- provider's verified email, or a link sent to the address), never by an import's email alone.
-- An import that changes a linked record's email sets user_id back to NULL.
ALTER TABLE tutoring_tutors ADD COLUMN user_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE tutoring_students ADD COLUMN user_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX tutoring_tutors_user ON tutoring_tutors (user_id);
CREATE INDEX tutoring_students_user ON tutoring_students (user_id);
