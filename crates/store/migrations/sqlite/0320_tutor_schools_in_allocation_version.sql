-- The tutoring dashboard keeps each year's roster (assignments, the students' Schools, and the
-- tutors' loads by their School) under the 'allocation' counter (issue 15), so that contacts
-- leave it alone: a tutor moved to another School raises the counter too.
DROP TRIGGER allocation_tutors_update_version;
CREATE TRIGGER allocation_tutors_update_version AFTER UPDATE OF id, capacity, school_id ON tutoring_tutors
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
