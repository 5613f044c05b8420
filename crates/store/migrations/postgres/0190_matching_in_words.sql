-- Matching in plain words (issue 14).
--
-- Weights are chosen as named levels (off 0, a little 1, some 2, a lot 4) instead of numbers
-- from 0 to 1000; stored numbers no level writes are moved to the nearest level, so that a
-- stored weight always reads as one. The preferences weight is no longer used (nothing in a
-- cycle collects preferences) and is set to 0.
UPDATE matching_settings SET
    interests_weight = CASE WHEN interests_weight <= 0 THEN 0 WHEN interests_weight = 1 THEN 1
        WHEN interests_weight <= 3 THEN 2 ELSE 4 END,
    availability_weight = CASE WHEN availability_weight <= 0 THEN 0 WHEN availability_weight = 1 THEN 1
        WHEN availability_weight <= 3 THEN 2 ELSE 4 END,
    preferences_weight = 0;

-- A student names their School on their application, so that the same-School rule protects
-- real students (before, only a School held on the person's account counted).
ALTER TABLE applications ADD COLUMN school_id BIGINT REFERENCES schools(id);

-- Pairs the coordinator allows across the same-School rule, one by one, with a reason.
-- Adding and removing one is audited.
CREATE TABLE same_school_exceptions (
    cycle_id BIGINT NOT NULL REFERENCES cycles(id),
    mentor_id BIGINT NOT NULL REFERENCES users(id),
    mentee_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (cycle_id, mentor_id, mentee_id)
);
