-- A staff leader's consents (issue 13), given and withdrawn, each with its time, as
-- application_consents holds a student's: research use (answers and chats in the evaluation)
-- and quotes. staff_invitations.research_consent stays the consent as it stands now; the
-- research consents given when accepting are carried over as their first event.
CREATE TABLE invitation_consents (
    id INTEGER PRIMARY KEY,
    invitation_id INTEGER NOT NULL REFERENCES staff_invitations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    given BOOLEAN NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX invitation_consents_invitation ON invitation_consents(invitation_id);
INSERT INTO invitation_consents (invitation_id, kind, given, at)
    SELECT id, 'research', TRUE, COALESCE(responded_at, created_at) FROM staff_invitations
    WHERE status = 'accepted' AND research_consent;
