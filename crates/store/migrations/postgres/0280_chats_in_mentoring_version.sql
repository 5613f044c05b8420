-- A person's home page lists the reflective chats recorded with them (issue 15): who has had
-- one is kept in memory with the other figures under the 'mentoring' counter (migration
-- 0270), which every write to the chats now raises too.
CREATE TRIGGER mentoring_qual_chats_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qual_chats
    FOR EACH STATEMENT EXECUTE FUNCTION raise_data_version('mentoring');
