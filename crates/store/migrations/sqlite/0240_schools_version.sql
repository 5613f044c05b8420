-- The Schools and their tutoring rules (issue 15): nearly every personal tutoring page reads
-- them, and they change a few times a year. They are kept in memory under this counter, raised
-- with every write to either table.
INSERT INTO data_versions (name, version) VALUES ('schools', 0);
CREATE TRIGGER schools_schools_insert_version AFTER INSERT ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
CREATE TRIGGER schools_schools_update_version AFTER UPDATE ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
CREATE TRIGGER schools_schools_delete_version AFTER DELETE ON schools
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
CREATE TRIGGER schools_school_rules_insert_version AFTER INSERT ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
CREATE TRIGGER schools_school_rules_update_version AFTER UPDATE ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
CREATE TRIGGER schools_school_rules_delete_version AFTER DELETE ON tutoring_school_rules
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'schools'; END;
