-- The Schools and their tutoring rules (issue 15): nearly every personal tutoring page reads
-- them, and they change a few times a year. They are kept in memory under this counter, raised
-- with every write to either table.
INSERT INTO data_versions (name, version) VALUES ('schools', 0);
CREATE TRIGGER schools_schools_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schools
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('schools');
CREATE TRIGGER schools_school_rules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_school_rules
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('schools');
