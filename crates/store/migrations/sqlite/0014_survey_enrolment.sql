-- A staff leader's consent to research use of their survey answers, given (or not) when they
-- accept an invitation, as students give theirs when they apply (SPEC §3.12).
ALTER TABLE staff_invitations ADD COLUMN research_consent BOOLEAN NOT NULL DEFAULT FALSE;
