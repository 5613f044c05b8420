-- The allocation page reads the year's run (when it was drafted and published) with the preview
-- (issue 15): kept in memory under the 'allocation' counter (migration 0220), so every write to
-- the runs raises it too.
CREATE TRIGGER allocation_runs_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tutoring_allocation_runs
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('allocation');
