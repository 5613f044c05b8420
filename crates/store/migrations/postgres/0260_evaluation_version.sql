-- A cycle's evaluation as its results page shows it (issue 15): the page's figures are computed
-- from the cycle's answers and participants (the 'surveys' counter) and from the rows below
-- (the cycle and its scheme, its instrument's version, the respondents' applications and
-- identity labels, the scheme's aims). They are kept in memory per cycle under the sum of both
-- counters; this one is raised with every write to these tables.
INSERT INTO data_versions (name, version) VALUES ('evaluation', 0);
CREATE TRIGGER evaluation_cycles_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycles
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_schemes_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemes
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_cycle_instruments_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle_instruments
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_applications_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON applications
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_application_labels_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON application_labels
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_identity_labels_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_labels
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
CREATE TRIGGER evaluation_qual_aims_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qual_aims
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
