-- A cycle's page shows its history (issue 15): kept in memory per cycle under the sum of the
-- 'evaluation' counter (migration 0260, which every write to the cycles raises) and 'people'
-- (the names shown), so every write to the history raises 'evaluation' too.
CREATE TRIGGER evaluation_cycle_events_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cycle_events
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('evaluation');
