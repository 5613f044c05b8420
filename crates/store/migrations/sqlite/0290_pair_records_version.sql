-- A pair's page (issue 15): what it reads of one pair (the pair, its agreements, meetings,
-- notes, actions with their evidence, and concerns) is kept in memory per pair under the sum of
-- the 'mentoring' and 'people' counters and this one, raised with every write to the pair's
-- notes, actions and evidence (tables no other kept figure reads).
INSERT INTO data_versions (name, version) VALUES ('pair_records', 0);
CREATE TRIGGER pair_records_pair_notes_insert_version AFTER INSERT ON pair_notes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_pair_notes_update_version AFTER UPDATE ON pair_notes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_pair_notes_delete_version AFTER DELETE ON pair_notes
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_follow_up_actions_insert_version AFTER INSERT ON follow_up_actions
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_follow_up_actions_update_version AFTER UPDATE ON follow_up_actions
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_follow_up_actions_delete_version AFTER DELETE ON follow_up_actions
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_action_evidence_insert_version AFTER INSERT ON action_evidence
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_action_evidence_update_version AFTER UPDATE ON action_evidence
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
CREATE TRIGGER pair_records_action_evidence_delete_version AFTER DELETE ON action_evidence
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'pair_records'; END;
