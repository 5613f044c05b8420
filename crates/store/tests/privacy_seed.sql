-- One row of every kind of personal data for person 9001 (for the tests: a mentee, a survey
-- participant, a tutored student, a tutor and a sprint contributor at once), with partner 9002
-- and administrator 9003. Read by crates/store/tests/privacy.rs and crates/web/tests/app/privacy.rs,
-- which replace {NAME}, {EMAIL}, {CODE}, {T} and {CLOSED}; statements end with ";\n".
INSERT INTO faculties (id, name) VALUES (9001, 'Faculty of Tests');
INSERT INTO schools (id, faculty_id, name, code) VALUES (9001, 9001, 'School of Tests', 'TST');
INSERT INTO identity_labels (id, name, position) VALUES (9001, 'Test label', 99);
INSERT INTO users (id, email, display_name, password_hash, school_id, created_at) VALUES
  (9001, '{EMAIL}', '{NAME}', 'secret-hash', 9001, '{T}'),
  (9002, 'partner@uni.example', 'Partner Person', NULL, 9001, '{T}'),
  (9003, 'admin@uni.example', 'Admin Person', NULL, NULL, '{T}');
INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_by, granted_at) VALUES (9001, 'student', 'organisation', 0, 9003, '{T}');
INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ('session-hash', 9001, '{T}', '{T}');
INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (9001, 'my token', 'token-hash', '{T}');
INSERT INTO api_idempotency (user_id, idem_key, fingerprint, status, content_type, body, created_at) VALUES (9001, 'key-1', 'print', 201, 'application/json', '{"id": 1}', '{T}');
INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ('link-hash', 9001, 'reset', '{T}', '{T}');
INSERT INTO login_failures (account, address, at) VALUES ('{EMAIL}', '10.0.0.9', '{T}');
INSERT INTO schemes (id, name, kind, purpose, school_id, created_by, created_at) VALUES (9001, 'Test scheme', 'institutional', 'testing', 9001, 9001, '{T}');
INSERT INTO cycles (id, scheme_id, academic_year, state, hours_target, framework, created_at) VALUES (9001, 9001, 2024, 'closed', 20, '', '{T}');
INSERT INTO cycle_events (cycle_id, from_state, to_state, actor_id, at) VALUES (9001, 'evaluating', 'closed', 9001, '{CLOSED}');
INSERT INTO audit_log (id, at, actor_id, action, subject_kind, subject_id, detail, address) VALUES
  (9001, '{T}', 9001, 'sign_in', 'user', 9001, '{EMAIL} signed in', '10.0.0.9'),
  (9002, '{T}', 9003, 'identity_read', 'application', 9001, 'labels of {NAME}', '10.0.0.1');
INSERT INTO instruments (id, audience) VALUES (9001, 'test-audience');
INSERT INTO instrument_statements (id, instrument_id, position, code, aim, text) VALUES (9001, 9001, 1, 'S1', 'aim', 'A statement');
INSERT INTO survey_waves (cycle_id, wave, opens_on, closes_on) VALUES (9001, 'followup', '2025-05-01', '2025-06-30');
INSERT INTO survey_participants (id, cycle_id, code, role, user_id, research_consent) VALUES (9001, 9001, '{CODE}', 'student', 9001, TRUE);
INSERT INTO survey_responses (participant_id, wave, statement_id, score, answered_at) VALUES (9001, 'pre', 9001, 3, '{T}');
INSERT INTO survey_drafts (participant_id, wave, statement_id, score, saved_at) VALUES (9001, 'post', 9001, 4, '{T}');
INSERT INTO applications (id, cycle_id, user_id, own_words, course, level, status, decided_by, submitted_at, updated_at) VALUES
  (9001, 9001, 9001, 'in my own words', 'Law', 'undergraduate', 'accepted', 9003, '{T}', '{T}'),
  (9002, 9001, 9002, '', 'History', 'undergraduate', 'declined', 9003, '{T}', '{T}');
INSERT INTO application_labels (application_id, label_id) VALUES (9001, 9001);
INSERT INTO application_consents (application_id, kind, given, at) VALUES (9001, 'research', TRUE, '{T}');
INSERT INTO pairs (id, cycle_id, mentor_id, mentee_id, status, reason, published_by, published_at) VALUES (9001, 9001, 9002, 9001, 'completed', 'Both like {NAME}''s topics', 9003, '{T}');
INSERT INTO staff_invitations (id, cycle_id, user_id, email, name, token_hash, status, expires_at, created_at) VALUES (9001, 9001, NULL, '{EMAIL}', '{NAME}', 'invitation-hash', 'invited', '{T}', '{T}');
INSERT INTO invitation_consents (invitation_id, kind, given, at) VALUES (9001, 'quotes', TRUE, '{T}');
INSERT INTO do_not_pair (cycle_id, mentor_id, mentee_id, created_at) VALUES (9001, 9002, 9001, '{T}');
INSERT INTO cycle_leavers (cycle_id, user_id, at) VALUES (9001, 9001, '{T}');
INSERT INTO same_school_exceptions (cycle_id, mentor_id, mentee_id, reason, created_by, created_at) VALUES (9001, 9002, 9001, 'They work in different departments of the School.', 9003, '{T}');
INSERT INTO pair_agreements (pair_id, user_id, accepted_at) VALUES (9001, 9001, '{T}'), (9001, 9002, '{T}');
INSERT INTO meetings (pair_id, session_index, starts_at, duration_minutes, status, proposed_by, proposed_at) VALUES (9001, 1, '{T}', 60, 'held', 9001, '{T}');
INSERT INTO pair_notes (pair_id, author_id, body, shared, created_at) VALUES
  (9001, 9001, 'my private thought', FALSE, '{T}'),
  (9001, 9001, 'shared by {NAME}', TRUE, '{T}'),
  (9001, 9002, 'partner shared note', TRUE, '{T}'),
  (9001, 9002, 'partner private note', FALSE, '{T}');
INSERT INTO concerns (pair_id, cycle_id, raised_by, body, created_at) VALUES (9001, 9001, 9001, 'a concern', '{T}');
INSERT INTO follow_up_actions (id, pair_id, cycle_id, raised_by, anonymous, owner_id, title, status, created_at, updated_at) VALUES (9001, 9001, 9001, 9001, TRUE, 9003, 'Better signage', 'proposed', '{T}', '{T}');
INSERT INTO action_evidence (action_id, added_by, body, created_at) VALUES (9001, 9001, 'a photo', '{T}');
INSERT INTO tutoring_tutors (id, external_id, name, email, school_id, capacity) VALUES
  (9001, 'T-ZQ', '{NAME}', '{EMAIL}', 9001, 10),
  (9002, 'T-OTHER', 'Other Tutor', 'tutor@uni.example', 9001, 10);
INSERT INTO tutoring_students (id, external_id, name, email, school_id, programme, year_of_study) VALUES (9001, 'S-ZQ', '{NAME}', 'Zephyrine.Q@uni.example', 9001, 'LLB', 1);
INSERT INTO tutoring_student_labels (student_id, label) VALUES (9001, 'care leaver');
INSERT INTO tutoring_assignments (student_id, tutor_id, academic_year, source) VALUES (9001, 9002, 2024, 'import');
INSERT INTO tutoring_allocation_runs (academic_year, created_at, created_by) VALUES (2025, '{T}', 9001);
INSERT INTO tutoring_allocation_drafts (academic_year, student_id, tutor_id) VALUES (2025, 9001, 9002);
INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at) VALUES (9001, 9002, 2024, '2024-10-01', 61, 'in_person', 30, 'student', 'tutor', 'Talked with {NAME}', '{T}');
INSERT INTO tutoring_profiles (student_id, goals, updated_at) VALUES (9001, 'my goals', '{T}');
INSERT INTO tutoring_change_requests (student_id, academic_year, from_tutor_id, reason, status, created_at) VALUES (9001, 2024, 9002, 'a reason', 'pending', '{T}');
INSERT INTO sprints (id, faculty_id, title, question, starts_on, ends_on, stage, state, created_by, created_at) VALUES (9001, 9001, 'Sprint', 'How?', '2025-01-01', '2025-02-01', 'discover', 'open', 9001, '{T}');
INSERT INTO sprint_items (id, sprint_id, stage, title, body, author_id, created_at) VALUES (9001, 9001, 'discover', 'An idea', 'idea body', 9001, '{T}');
INSERT INTO sprint_comments (item_id, author_id, body, created_at) VALUES (9001, 9001, 'a comment', '{T}');
INSERT INTO sprint_supports (item_id, user_id, created_at) VALUES (9001, 9001, '{T}');
INSERT INTO sprint_actions (item_id, title, owner, status, updated_at) VALUES (9001, 'Do it', '{NAME}', 'not_started', '{T}');
INSERT INTO qual_chats (id, cycle_id, participant_user_id, participant_role, interviewer_user_id, held_on, stage, format, text, segments, recorded_by, created_at) VALUES
  (9001, 9001, 9001, 'mentee', 9003, '2025-03-01', 'end', 'typed', 'I felt listened to.', '0	19	
', 9003, '{T}'),
  (9002, 9001, 9002, 'mentor', 9001, '2025-03-01', 'end', 'typed', 'The partner chat.', '0	17	
', 9001, '{T}');
INSERT INTO qual_codes (id, scheme_id, parent_id, name, description, colour, aim, position) VALUES (9001, 9001, NULL, 'Being listened to', '', '#e69f00', 'valued', 1);
INSERT INTO qual_excerpts (id, chat_id, coder_user_id, span_start, span_end, memo, created_at) VALUES
  (9001, 9001, 9003, 0, 19, 'my chat, coded', '{T}'),
  (9002, 9002, 9001, 0, 17, 'coded by me', '{T}');
INSERT INTO qual_excerpt_codes (excerpt_id, code_id) VALUES (9001, 9001), (9002, 9001);
INSERT INTO qual_quotes (excerpt_id, participant_user_id, original, edited, promoted_by, created_at) VALUES (9001, 9001, 'I felt listened to.', 'I felt listened to.', 9003, '{T}');
INSERT INTO qual_findings (cycle_id, aim, finding, updated_by, updated_at) VALUES (9001, 'valued', 'They agree.', 9001, '{T}');
INSERT INTO qual_chat_removals (chat_id, requested_by, spans, reason, status, reply, decided_by, decided_at, created_at) VALUES (9001, 9001, '0-19', 'please remove', 'declined', 'it stays', 9003, '{T}', '{T}');
INSERT INTO outbox (dedup_key, to_address, to_name, subject, body_text, status, next_attempt_at, created_at, sent_at) VALUES
  ('k1', '{EMAIL}', '{NAME}', 'Hello', 'Hi there', 'sent', '{T}', '{T}', '{T}'),
  ('k2', 'partner@uni.example', 'Partner Person', 'Your mentee', 'Your mentee is {NAME}.', 'sent', '{T}', '{T}', '{T}');
INSERT INTO report_drafts (scope, scope_id, introduction, recommendations, updated_by, updated_at) VALUES ('cycle', 9001, 'Intro', 'Recs', 9001, '{T}');
INSERT INTO report_versions (scope, scope_id, number, title, data, quote_ids, published_by, published_at) VALUES ('cycle', 9001, 1, 'Report', '{}', '[]', 9001, '{T}');
