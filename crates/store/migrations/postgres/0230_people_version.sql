-- Who is asking (issue 15): a signed-in page begins by reading the session's person, their
-- grants, their tutoring records and the organisation (`Store::session_context`). The result is
-- kept in memory per session and served while this counter is unchanged, so it rises with every
-- write that could change what that read returns: a person's account, their grants, a session
-- ended or changed (a new session changes no one else's), the organisation, and the tutoring
-- records' links to accounts.
INSERT INTO data_versions (name, version) VALUES ('people', 0);
CREATE TRIGGER people_users_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
CREATE TRIGGER people_grants_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_grants
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
CREATE TRIGGER people_sessions_version AFTER UPDATE OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
CREATE TRIGGER people_organisation_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisation
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
CREATE TRIGGER people_tutors_version AFTER INSERT OR UPDATE OF user_id, email OR DELETE OR TRUNCATE ON tutoring_tutors
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
CREATE TRIGGER people_students_version AFTER INSERT OR UPDATE OF user_id, email OR DELETE OR TRUNCATE ON tutoring_students
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('people');
