-- Who is asking (issue 15): a signed-in page begins by reading the session's person, their
-- grants, their tutoring records and the organisation (`Store::session_context`). The result is
-- kept in memory per session and served while this counter is unchanged, so it rises with every
-- write that could change what that read returns: a person's account, their grants, a session
-- ended or changed (a new session changes no one else's), the organisation, and the tutoring
-- records' links to accounts.
INSERT INTO data_versions (name, version) VALUES ('people', 0);
-- SQLite has row triggers only: one cheap update of one row per row written.
CREATE TRIGGER people_users_insert_version AFTER INSERT ON users
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_users_update_version AFTER UPDATE ON users
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_users_delete_version AFTER DELETE ON users
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_grants_insert_version AFTER INSERT ON role_grants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_grants_update_version AFTER UPDATE ON role_grants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_grants_delete_version AFTER DELETE ON role_grants
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_sessions_update_version AFTER UPDATE ON sessions
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_sessions_delete_version AFTER DELETE ON sessions
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_organisation_insert_version AFTER INSERT ON organisation
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_organisation_update_version AFTER UPDATE ON organisation
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_organisation_delete_version AFTER DELETE ON organisation
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_tutors_insert_version AFTER INSERT ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_tutors_update_version AFTER UPDATE OF user_id, email ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_tutors_delete_version AFTER DELETE ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_students_insert_version AFTER INSERT ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_students_update_version AFTER UPDATE OF user_id, email ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
CREATE TRIGGER people_students_delete_version AFTER DELETE ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'people'; END;
