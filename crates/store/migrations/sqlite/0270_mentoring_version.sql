-- What the home pages' to-do lists and a cycle page's stages count (issue 15): every cycle's
-- applications, invitations, pairs and their agreements, held meetings, new concerns and survey
-- waves with their enrolment and response. The figures are kept in memory under the sum of the
-- 'surveys', 'evaluation' and this counter, which is raised with every write to the tables
-- below (pairs, their agreements and meetings, staff invitations, concerns, survey waves).
INSERT INTO data_versions (name, version) VALUES ('mentoring', 0);
CREATE TRIGGER mentoring_pairs_insert_version AFTER INSERT ON pairs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_pairs_update_version AFTER UPDATE ON pairs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_pairs_delete_version AFTER DELETE ON pairs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_pair_agreements_insert_version AFTER INSERT ON pair_agreements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_pair_agreements_update_version AFTER UPDATE ON pair_agreements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_pair_agreements_delete_version AFTER DELETE ON pair_agreements
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_meetings_insert_version AFTER INSERT ON meetings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_meetings_update_version AFTER UPDATE ON meetings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_meetings_delete_version AFTER DELETE ON meetings
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_staff_invitations_insert_version AFTER INSERT ON staff_invitations
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_staff_invitations_update_version AFTER UPDATE ON staff_invitations
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_staff_invitations_delete_version AFTER DELETE ON staff_invitations
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_concerns_insert_version AFTER INSERT ON concerns
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_concerns_update_version AFTER UPDATE ON concerns
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_concerns_delete_version AFTER DELETE ON concerns
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_survey_waves_insert_version AFTER INSERT ON survey_waves
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_survey_waves_update_version AFTER UPDATE ON survey_waves
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_survey_waves_delete_version AFTER DELETE ON survey_waves
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
