-- The tutoring dashboard keeps each year's roster (assignments, the students' Schools, and the
-- tutors' loads by their School) under the 'allocation' counter (issue 15), so that contacts
-- leave it alone: a tutor moved to another School raises the counter too.
DROP TRIGGER allocation_tutors_version ON tutoring_tutors;
CREATE TRIGGER allocation_tutors_version AFTER INSERT OR UPDATE OF id, capacity, school_id OR DELETE OR TRUNCATE ON tutoring_tutors
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
