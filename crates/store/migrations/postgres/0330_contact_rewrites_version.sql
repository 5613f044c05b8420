-- The tutoring dashboard keeps each student's first contact day of a year and, after contacts
-- are logged, reads only the contacts added since (issue 15). That is exact only while no
-- contact is changed or deleted: this counter, raised in the same transaction as either, tells
-- it to read the year whole again. Adding a contact leaves it alone.
INSERT INTO data_versions (name, version) VALUES ('contact_rewrites', 0);
CREATE TRIGGER contact_rewrites_version AFTER UPDATE OF id, student_id, academic_year, year_day OR DELETE OR TRUNCATE ON tutoring_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('contact_rewrites');
