-- The allocation preview's version (issue 15): the draft's counts, unplaced students and tutor
-- loads are kept in memory like the dashboard's figures (0180), under their own counter, so
-- that contacts logged all day long do not throw the preview away. It rises with every write to
-- the draft, to last year's assignments it is compared with, and to the students', tutors' and
-- Schools' columns the preview shows.
INSERT INTO data_versions (name, version) VALUES ('allocation', 0);

CREATE TRIGGER allocation_drafts_insert_version AFTER INSERT ON tutoring_allocation_drafts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_drafts_update_version AFTER UPDATE ON tutoring_allocation_drafts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_drafts_delete_version AFTER DELETE ON tutoring_allocation_drafts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_assignments_insert_version AFTER INSERT ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_assignments_update_version AFTER UPDATE ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_assignments_delete_version AFTER DELETE ON tutoring_assignments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_students_insert_version AFTER INSERT ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_students_update_version AFTER UPDATE OF id, external_id, name, school_id ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_students_delete_version AFTER DELETE ON tutoring_students
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_tutors_insert_version AFTER INSERT ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_tutors_update_version AFTER UPDATE OF id, capacity ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_tutors_delete_version AFTER DELETE ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_schools_insert_version AFTER INSERT ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_schools_update_version AFTER UPDATE OF id, name ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_schools_delete_version AFTER DELETE ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
