-- Per-cycle, versioned instruments (issue 11). Each cycle keeps its own copy of the survey
-- statements, in the words its respondents saw: a new cycle copies the previous cycle's
-- statements still in use, and a coordinator adds, rewords or retires statements only until
-- the cycle's first wave opens. Answers and drafts stay stored under the statement's identity
-- (`instrument_statements`: the audience and the code); the words are the cycle's.
CREATE TABLE cycle_instruments (
    cycle_id INTEGER PRIMARY KEY REFERENCES cycles(id),
    version INTEGER NOT NULL CHECK (version >= 1)
);

CREATE TABLE cycle_statements (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycle_instruments(cycle_id),
    statement_id INTEGER NOT NULL REFERENCES instrument_statements(id),
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    -- The key of the scheme's aim the statement evidences.
    aim TEXT NOT NULL,
    -- The short heading the survey groups it under and the results name it by.
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (cycle_id, statement_id),
    UNIQUE (cycle_id, code)
);

-- Every existing cycle keeps the words its respondents saw: the default statements (added
-- here if the database never had them), with the scheme's chosen aims.
INSERT INTO instruments (audience) VALUES ('mentor') ON CONFLICT (audience) DO NOTHING;
INSERT INTO instruments (audience) VALUES ('mentee') ON CONFLICT (audience) DO NOTHING;
INSERT INTO instrument_statements (instrument_id, position, code, aim, text)
SELECT i.id, d.position, d.code, d.aim, d.text FROM instruments i JOIN (
    SELECT 'mentor' AS audience, 0 AS position, 'belonging' AS code, 'Belonging' AS aim, 'I feel I belong at the university.' AS text
    UNION ALL SELECT 'mentor', 1, 'valued', 'Feeling valued', 'I feel valued by the university.'
    UNION ALL SELECT 'mentor', 2, 'visibility', 'Visibility', 'Students like me are visible to the university''s leaders.'
    UNION ALL SELECT 'mentor', 3, 'confidence_in_leaders', 'Confidence in senior staff', 'I am confident senior staff understand students like me.'
    UNION ALL SELECT 'mentee', 0, 'understand_challenges', 'Understanding challenges', 'I understand the challenges under-represented students face.'
    UNION ALL SELECT 'mentee', 1, 'understand_engagement', 'Understanding engagement', 'I understand why under-represented students may find it harder to engage.'
    UNION ALL SELECT 'mentee', 2, 'understand_confidence', 'Understanding confidence', 'I understand why under-represented students may feel less confident.'
) d ON d.audience = i.audience
WHERE TRUE
ON CONFLICT (instrument_id, code) DO NOTHING;

-- A scheme's cycles are versions 1, 2, … in the order of their academic years.
INSERT INTO cycle_instruments (cycle_id, version)
SELECT c.id, (SELECT COUNT(*) FROM cycles o
              WHERE o.scheme_id = c.scheme_id
                AND (o.academic_year < c.academic_year OR (o.academic_year = c.academic_year AND o.id <= c.id)))
FROM cycles c;

INSERT INTO cycle_statements (cycle_id, statement_id, role, position, code, aim, heading, text, retired)
SELECT c.id, s.id, i.audience, s.position, s.code,
       COALESCE((SELECT q.aim FROM qual_statement_aims q WHERE q.scheme_id = c.scheme_id AND q.statement_code = s.code), s.code),
       s.aim, s.text, FALSE
FROM cycles c CROSS JOIN instrument_statements s JOIN instruments i ON i.id = s.instrument_id;
