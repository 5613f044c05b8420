-- The allocation preview's version (issue 15): the draft's counts, unplaced students and tutor
-- loads are kept in memory like the dashboard's figures (0180), under their own counter, so
-- that contacts logged all day long do not throw the preview away. It rises with every write to
-- the draft, to last year's assignments it is compared with, and to the students', tutors' and
-- Schools' columns the preview shows.
INSERT INTO data_versions (name, version) VALUES ('allocation', 0);

CREATE TRIGGER allocation_drafts_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_allocation_drafts
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
CREATE TRIGGER allocation_assignments_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
CREATE TRIGGER allocation_students_version AFTER INSERT OR UPDATE OF id, external_id, name, school_id OR DELETE OR TRUNCATE ON tutoring_students
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
CREATE TRIGGER allocation_tutors_version AFTER INSERT OR UPDATE OF id, capacity OR DELETE OR TRUNCATE ON tutoring_tutors
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
CREATE TRIGGER allocation_schools_version AFTER INSERT OR UPDATE OF id, name OR DELETE OR TRUNCATE ON schools
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
