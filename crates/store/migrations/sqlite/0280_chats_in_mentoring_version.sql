-- A person's home page lists the reflective chats recorded with them (issue 15): who has had
-- one is kept in memory with the other figures under the 'mentoring' counter (migration
-- 0270), which every write to the chats now raises too.
CREATE TRIGGER mentoring_qual_chats_insert_version AFTER INSERT ON qual_chats
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_qual_chats_update_version AFTER UPDATE ON qual_chats
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
CREATE TRIGGER mentoring_qual_chats_delete_version AFTER DELETE ON qual_chats
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'mentoring'; END;
