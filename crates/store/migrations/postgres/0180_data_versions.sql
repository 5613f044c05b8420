-- Data versions (issue 15): a counter per group of tables, raised by a trigger in the same
-- transaction as every write to them, whatever makes the write. Figures computed from many
-- rows (the tutoring dashboard's, a cycle's evaluation answers) are kept in memory with the
-- version they were computed at and served while the counter still reads it, so they stay
-- exact on every server process sharing the database.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('tutoring', 0), ('surveys', 0);
CREATE FUNCTION raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;

-- tutoring
CREATE TRIGGER tutoring_contacts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('tutoring');
CREATE TRIGGER tutoring_assignments_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('tutoring');
CREATE TRIGGER tutoring_school_rules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_school_rules
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('tutoring');
CREATE TRIGGER tutoring_students_version AFTER INSERT OR UPDATE OF id, school_id OR DELETE OR TRUNCATE ON tutoring_students
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('tutoring');
CREATE TRIGGER tutoring_tutors_version AFTER INSERT OR UPDATE OF id, school_id OR DELETE OR TRUNCATE ON tutoring_tutors
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('tutoring');

-- surveys
CREATE TRIGGER survey_responses_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON survey_responses
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('surveys');
CREATE TRIGGER survey_participants_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON survey_participants
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('surveys');
CREATE TRIGGER instrument_statements_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON instrument_statements
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('surveys');
CREATE TRIGGER cycle_statements_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle_statements
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('surveys');
