-- A cycle's page shows its history (issue 15): kept in memory per cycle under the sum of the
-- 'evaluation' counter (migration 0260, which every write to the cycles raises) and 'people'
-- (the names shown), so every write to the history raises 'evaluation' too.
CREATE TRIGGER evaluation_cycle_events_insert_version AFTER INSERT ON cycle_events
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycle_events_update_version AFTER UPDATE ON cycle_events
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
CREATE TRIGGER evaluation_cycle_events_delete_version AFTER DELETE ON cycle_events
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'evaluation'; END;
