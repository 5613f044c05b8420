-- Data versions raised at commit, in one order (issue 15). Until now each trigger raised its
-- group's counter at once, which locked that counter's row until the transaction ended: every
-- other writer to the group waited for the whole transaction, and two transactions writing two
-- groups in opposite orders (a person's erasure: tutoring, then people; the tutoring import:
-- people, then tutoring) could deadlock, one of them failing.
--
-- Now a trigger only notes, for its transaction, which group it raises; the counters are
-- raised together when the transaction commits (a deferred constraint trigger), in the order
-- of their names, so no two transactions lock them in opposite orders, and each holds them only
-- while it commits. The raise is still part of the transaction: a reader sees the new counter
-- exactly when it sees the rows written, as before.
CREATE UNLOGGED TABLE data_version_raises (
    xact BIGINT NOT NULL DEFAULT txid_current(),
    name TEXT NOT NULL,
    PRIMARY KEY (xact, name)
);

CREATE OR REPLACE FUNCTION raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_version_raises (name) VALUES (TG_ARGV[0]) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- Fired at commit once per group noted; the first raises every counter the transaction noted,
-- in the order of their names, and the others find nothing left.
CREATE FUNCTION raise_noted_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted TEXT;
BEGIN
    FOR noted IN
        SELECT name FROM data_version_raises WHERE xact = txid_current() ORDER BY name
    LOOP
        UPDATE data_versions SET version = version + 1 WHERE name = noted;
    END LOOP;
    DELETE FROM data_version_raises WHERE xact = txid_current();
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER data_version_raises_at_commit AFTER INSERT ON data_version_raises
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION raise_noted_data_versions();
