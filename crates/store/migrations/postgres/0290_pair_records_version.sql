-- A pair's page (issue 15): what it reads of one pair (the pair, its agreements, meetings,
-- notes, actions with their evidence, and concerns) is kept in memory per pair under the sum of
-- the 'mentoring' and 'people' counters and this one, raised with every write to the pair's
-- notes, actions and evidence (tables no other kept figure reads).
INSERT INTO data_versions (name, version) VALUES ('pair_records', 0);
CREATE TRIGGER pair_records_pair_notes_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pair_notes
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('pair_records');
CREATE TRIGGER pair_records_follow_up_actions_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON follow_up_actions
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('pair_records');
CREATE TRIGGER pair_records_action_evidence_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON action_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('pair_records');
