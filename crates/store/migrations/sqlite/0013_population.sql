-- The organisation's population figures (SPEC §3.2), where known: how many people the
-- population holds, how many hold each identity label, and where the figures come from.
-- NULL means not known.
ALTER TABLE organisation ADD COLUMN population_total INTEGER;
ALTER TABLE organisation ADD COLUMN population_source TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_labels ADD COLUMN population INTEGER;
