-- Data versions raised at commit, in one order (issue 15): a PostgreSQL change (see its
-- migration of the same number). SQLite lets one transaction write at a time (every write
-- transaction begins IMMEDIATE), so its triggers' raises can neither wait on another writer's
-- nor deadlock; they stay as they are.
SELECT 1;
