-- The allocation page reads the year's run (when it was drafted and published) with the preview
-- (issue 15): kept in memory under the 'allocation' counter (migration 0220), so every write to
-- the runs raises it too.
CREATE TRIGGER allocation_runs_insert_version AFTER INSERT ON tutoring_allocation_runs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_runs_update_version AFTER UPDATE ON tutoring_allocation_runs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
CREATE TRIGGER allocation_runs_delete_version AFTER DELETE ON tutoring_allocation_runs
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'allocation'; END;
