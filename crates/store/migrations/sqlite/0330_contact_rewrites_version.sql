-- The tutoring dashboard keeps each student's first contact day of a year and, after contacts
-- are logged, reads only the contacts added since (issue 15). That is exact only while no
-- contact is changed or deleted: this counter, raised in the same transaction as either, tells
-- it to read the year whole again. Adding a contact leaves it alone.
INSERT INTO data_versions (name, version) VALUES ('contact_rewrites', 0);
CREATE TRIGGER contact_rewrites_update_version AFTER UPDATE OF id, student_id, academic_year, year_day ON tutoring_contacts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'contact_rewrites'; END;
CREATE TRIGGER contact_rewrites_delete_version AFTER DELETE ON tutoring_contacts
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'contact_rewrites'; END;
