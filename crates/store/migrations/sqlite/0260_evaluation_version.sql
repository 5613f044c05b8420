-- A cycle's evaluation as its results page shows it (issue 15): the page's figures are computed
-- from the cycle's answers and participants (the 'surveys' counter) and from the rows below
-- (the cycle and its scheme, its instrument's version, the respondents' applications and
-- identity labels, the scheme's aims). They are kept in memory per cycle under the sum of both
-- counters; this one is raised with every write to these tables.
INSERT INTO data_versions (name, version) VALUES ('evaluation', 0);
CREATE TRIGGER evaluation_cycles_insert_version AFTER INSERT ON cycles
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycles_update_version AFTER UPDATE ON cycles
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycles_delete_version AFTER DELETE ON cycles
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_schemes_insert_version AFTER INSERT ON schemes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_schemes_update_version AFTER UPDATE ON schemes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_schemes_delete_version AFTER DELETE ON schemes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycle_instruments_insert_version AFTER INSERT ON cycle_instruments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycle_instruments_update_version AFTER UPDATE ON cycle_instruments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycle_instruments_delete_version AFTER DELETE ON cycle_instruments
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_applications_insert_version AFTER INSERT ON applications
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_applications_update_version AFTER UPDATE ON applications
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_applications_delete_version AFTER DELETE ON applications
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_application_labels_insert_version AFTER INSERT ON application_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_application_labels_update_version AFTER UPDATE ON application_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_application_labels_delete_version AFTER DELETE ON application_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_identity_labels_insert_version AFTER INSERT ON identity_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_identity_labels_update_version AFTER UPDATE ON identity_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_identity_labels_delete_version AFTER DELETE ON identity_labels
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_qual_aims_insert_version AFTER INSERT ON qual_aims
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_qual_aims_update_version AFTER UPDATE ON qual_aims
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_qual_aims_delete_version AFTER DELETE ON qual_aims
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
