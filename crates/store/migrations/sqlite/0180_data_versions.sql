-- Data versions (issue 15): a counter per group of tables, raised by a trigger in the same
-- transaction as every write to them, whatever makes the write. Figures computed from many
-- rows (the tutoring dashboard's, a cycle's evaluation answers) are kept in memory with the
-- version they were computed at and served while the counter still reads it, so they stay
-- exact on every server process sharing the database.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('tutoring', 0), ('surveys', 0);
-- SQLite has row triggers only: one cheap update of one row per row written.

-- tutoring
CREATE TRIGGER tutoring_contacts_insert_version AFTER INSERT ON tutoring_contacts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_contacts_update_version AFTER UPDATE ON tutoring_contacts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_contacts_delete_version AFTER DELETE ON tutoring_contacts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_assignments_insert_version AFTER INSERT ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_assignments_update_version AFTER UPDATE ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_assignments_delete_version AFTER DELETE ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_school_rules_insert_version AFTER INSERT ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_school_rules_update_version AFTER UPDATE ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_school_rules_delete_version AFTER DELETE ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_students_insert_version AFTER INSERT ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_students_update_version AFTER UPDATE OF id, school_id ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_students_delete_version AFTER DELETE ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_tutors_insert_version AFTER INSERT ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_tutors_update_version AFTER UPDATE OF id, school_id ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;
CREATE TRIGGER tutoring_tutors_delete_version AFTER DELETE ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'tutoring'; END;

-- surveys
CREATE TRIGGER survey_responses_insert_version AFTER INSERT ON survey_responses
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER survey_responses_update_version AFTER UPDATE ON survey_responses
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER survey_responses_delete_version AFTER DELETE ON survey_responses
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER survey_participants_insert_version AFTER INSERT ON survey_participants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER survey_participants_update_version AFTER UPDATE ON survey_participants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER survey_participants_delete_version AFTER DELETE ON survey_participants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER instrument_statements_insert_version AFTER INSERT ON instrument_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER instrument_statements_update_version AFTER UPDATE ON instrument_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER instrument_statements_delete_version AFTER DELETE ON instrument_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER cycle_statements_insert_version AFTER INSERT ON cycle_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER cycle_statements_update_version AFTER UPDATE ON cycle_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
CREATE TRIGGER cycle_statements_delete_version AFTER DELETE ON cycle_statements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'surveys'; END;
