-- What the home pages' to-do lists and a cycle page's stages count (issue 15): every cycle's
-- applications, invitations, pairs and their agreements, held meetings, new concerns and survey
-- waves with their enrolment and response. The figures are kept in memory under the sum of the
-- 'surveys', 'evaluation' and this counter, which is raised with every write to the tables
-- below (pairs, their agreements and meetings, staff invitations, concerns, survey waves).
INSERT INTO data_versions (name, version) VALUES ('mentoring', 0);
CREATE TRIGGER mentoring_pairs_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pairs
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
CREATE TRIGGER mentoring_pair_agreements_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pair_agreements
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
CREATE TRIGGER mentoring_meetings_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON meetings
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
CREATE TRIGGER mentoring_staff_invitations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff_invitations
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
CREATE TRIGGER mentoring_concerns_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON concerns
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
CREATE TRIGGER mentoring_survey_waves_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON survey_waves
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
