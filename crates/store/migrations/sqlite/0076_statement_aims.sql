-- Which of a scheme's aims each survey statement evidences (issue 11). Instruments are shared
-- by every scheme, aims are each scheme's own: a statement without a row here belongs to its
-- default aim (flipside_core::qualitative::aims::default_aim_of_statement).
CREATE TABLE qual_statement_aims (
    id INTEGER PRIMARY KEY,
    scheme_id INTEGER NOT NULL REFERENCES schemes(id),
    statement_code TEXT NOT NULL,
    aim TEXT NOT NULL,
    UNIQUE (scheme_id, statement_code)
);
