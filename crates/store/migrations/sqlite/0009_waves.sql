-- Survey waves with dates, drafts a respondent saved to finish later, and the five scale
-- labels of each instrument (SPEC §3.5). Submitted answers stay in survey_responses; a draft
-- is never analysed nor counted as a response.
CREATE TABLE survey_waves (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles(id),
    wave TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    UNIQUE (cycle_id, wave)
);

CREATE TABLE survey_drafts (
    participant_id INTEGER NOT NULL REFERENCES survey_participants(id) ON DELETE CASCADE,
    wave TEXT NOT NULL,
    statement_id INTEGER NOT NULL REFERENCES instrument_statements(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    saved_at TEXT NOT NULL,
    PRIMARY KEY (participant_id, wave, statement_id)
);

-- A JSON array of five labels, 1 to 5; empty for the default labels.
ALTER TABLE instruments ADD COLUMN scale_labels TEXT NOT NULL DEFAULT '';
