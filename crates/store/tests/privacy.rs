//! Personal data on the real schema, on the backend `FLIPSIDE_TEST_DATABASE` names (sqlite,
//! the default, or postgres): the registry covers every person column, the export holds every
//! kind seeded for a person, erasure leaves nothing identifying, retention deletes exactly
//! what the rules say.
use chrono::{DateTime, Duration, Months, Utc};
use flipside_core::privacy::{DataKind, RetentionSettings, Rule};
use flipside_store::Store;
use flipside_store::privacy::{REGISTRY, Treatment, is_person_column};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, migrated database, as `crates/web/tests/app/helpers.rs::fresh_store` makes one.
async fn fresh_store() -> Store {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = Utc::now().timestamp_subsec_nanos();
    let unique = format!("{}_{n}_{nanos}", std::process::id());
    let backend = std::env::var("FLIPSIDE_TEST_DATABASE").unwrap_or_else(|_| "sqlite".into());
    let store = match backend.as_str() {
        "sqlite" => {
            let dir = std::env::temp_dir().join(format!("flipside-privacy-{unique}"));
            Store::open_sqlite(&dir)
                .await
                .expect("opening a SQLite file")
        }
        "postgres" => {
            let admin_url = std::env::var("FLIPSIDE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("flipside_test_privacy_{unique}");
            let admin = Store::open_postgres(&admin_url).await.expect("PostgreSQL");
            admin
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("creating a test database");
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').expect("a database name");
            Store::open_postgres(&format!("{base}/{name}"))
                .await
                .expect("connecting to the test database")
        }
        other => panic!("FLIPSIDE_TEST_DATABASE must be sqlite or postgres, not {other}"),
    };
    store.migrate().await.expect("migrating");
    store
}

const NAME: &str = "Zephyrine Quillfeather";
const EMAIL: &str = "zephyrine.q@uni.example";
const CODE: &str = "ZQCODE77";
/// The cycle closed at noon on 31 July 2025.
const CLOSED: &str = "2025-07-31T12:00:00+00:00";
const T: &str = "2025-01-15T09:00:00+00:00";

fn closed() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(CLOSED).unwrap().to_utc()
}

/// One row of every kind for person 9001 (who is, for the test, a mentee, a survey participant,
/// a tutored student, a tutor and a sprint contributor at once), with partner 9002 and
/// administrator 9003. Plain SQL valid on both backends; ids from 9001 so that rows the store
/// inserts later (audit entries, runs) cannot collide with them on PostgreSQL.
async fn seed(store: &Store) {
    let sql = format!(
        "
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
INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ('link-hash', 9001, 'reset', '{T}', '{T}');
INSERT INTO login_failures (account, address, at) VALUES ('{EMAIL}', '10.0.0.9', '{T}');
INSERT INTO schemes (id, name, kind, purpose, school_id, created_by, created_at) VALUES (9001, 'Test scheme', 'reverse_mentoring', 'testing', 9001, 9001, '{T}');
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
INSERT INTO staff_invitations (cycle_id, user_id, email, name, token_hash, status, expires_at, created_at) VALUES (9001, NULL, '{EMAIL}', '{NAME}', 'invitation-hash', 'invited', '{T}', '{T}');
INSERT INTO do_not_pair (cycle_id, mentor_id, mentee_id, created_at) VALUES (9001, 9002, 9001, '{T}');
INSERT INTO cycle_leavers (cycle_id, user_id, at) VALUES (9001, 9001, '{T}');
INSERT INTO pair_agreements (pair_id, user_id, accepted_at) VALUES (9001, 9001, '{T}'), (9001, 9002, '{T}');
INSERT INTO meetings (pair_id, session_index, starts_at, duration_minutes, status, proposed_by, proposed_at) VALUES (9001, 1, '{T}', 60, 'held', 9001, '{T}');
INSERT INTO pair_notes (pair_id, author_id, body, shared, created_at) VALUES
  (9001, 9001, 'my private thought', FALSE, '{T}'),
  (9001, 9001, 'shared by {NAME}', TRUE, '{T}'),
  (9001, 9002, 'partner shared note', TRUE, '{T}'),
  (9001, 9002, 'partner private note', FALSE, '{T}');
INSERT INTO concerns (pair_id, cycle_id, raised_by, body, created_at) VALUES (9001, 9001, 9001, 'a concern', '{T}');
INSERT INTO follow_up_actions (id, pair_id, cycle_id, raised_by, anonymous, owner_id, title, status, created_at, updated_at) VALUES (9001, 9001, 9001, 9001, TRUE, 9003, 'Better signage', 'open', '{T}', '{T}');
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
INSERT INTO sprint_actions (item_id, title, owner, status, updated_at) VALUES (9001, 'Do it', '{NAME}', 'open', '{T}');
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
INSERT INTO report_drafts (scope, scope_id, introduction, recommendations, updated_by, updated_at) VALUES ('cycle', 9001, 'Intro', 'Recs', 9001, '{T}');
INSERT INTO report_versions (scope, scope_id, number, title, data, quote_ids, published_by, published_at) VALUES ('cycle', 9001, 1, 'Report', '{{}}', '[]', 9001, '{T}');
INSERT INTO outbox (dedup_key, to_address, to_name, subject, body_text, status, next_attempt_at, created_at, sent_at) VALUES
  ('k1', '{EMAIL}', '{NAME}', 'Hello', 'Hi there', 'sent', '{T}', '{T}', '{T}'),
  ('k2', 'partner@uni.example', 'Partner Person', 'Your mentee', 'Your mentee is {NAME}.', 'sent', '{T}', '{T}', '{T}');
"
    );
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        store
            .execute_admin(statement)
            .await
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{statement}"));
    }
}

#[tokio::test]
async fn every_table_with_a_person_column_is_in_the_registry() {
    let store = fresh_store().await;
    let columns = store.schema_columns().await.unwrap();
    let tables: BTreeSet<&str> = columns.iter().map(|c| c.table.as_str()).collect();
    for entry in REGISTRY {
        assert!(
            tables.contains(entry.table),
            "registry names a missing table {}",
            entry.table
        );
        for column in entry.person_columns {
            assert!(
                columns
                    .iter()
                    .any(|c| c.table == entry.table && c.column == *column),
                "registry names a missing column {}.{column}",
                entry.table
            );
        }
    }
    let mut missing = Vec::new();
    for c in &columns {
        if !(is_person_column(&c.column) || c.references_users) {
            continue;
        }
        let registered = REGISTRY
            .iter()
            .any(|e| e.table == c.table && e.person_columns.contains(&c.column.as_str()));
        if !registered {
            missing.push(format!("{}.{}", c.table, c.column));
        }
    }
    assert!(
        missing.is_empty(),
        "person columns missing from the privacy registry (crates/store/src/privacy/mod.rs): {missing:?}"
    );
    // The rule must see the foreign keys too, or it would rest on names alone.
    assert!(
        columns
            .iter()
            .any(|c| c.table == "pairs" && c.column == "mentor_id" && c.references_users)
    );
}

#[tokio::test]
async fn a_person_s_export_holds_every_kind_the_registry_says_is_theirs() {
    let store = fresh_store().await;
    seed(&store).await;
    let person = store
        .privacy_person("Zephyrine.Q@uni.example")
        .await
        .unwrap();
    let export = store.export_person(&person, Utc::now()).await.unwrap();
    let present: BTreeSet<DataKind> = export.kinds_present().into_iter().collect();
    let registered: BTreeSet<DataKind> = REGISTRY.iter().map(|e| e.kind).collect();
    assert_eq!(
        present, registered,
        "every kind seeded for the person is exported"
    );
    let tables: BTreeSet<&str> = export
        .kinds
        .iter()
        .flat_map(|k| k.tables.keys().copied())
        .collect();
    let exported: BTreeSet<&str> = REGISTRY
        .iter()
        .filter(|e| e.export.is_some())
        .map(|e| e.table)
        .collect();
    assert_eq!(
        tables, exported,
        "every registered table has the person's row in the export"
    );

    let json = serde_json::to_string(&export).unwrap();
    assert!(json.contains("my private thought"));
    assert!(
        json.contains("partner shared note"),
        "notes shared with them are theirs to see"
    );
    assert!(
        !json.contains("partner private note"),
        "the partner's private notes are not"
    );
    assert!(
        !json.contains("secret-hash") && !json.contains("token-hash"),
        "no secrets"
    );
    assert!(
        json.contains("Better signage"),
        "anonymous actions they raised are theirs"
    );
    assert!(
        json.contains("identity_read"),
        "who read their special-category data"
    );
    assert!(json.contains(CODE));
    let notes = &export
        .kinds
        .iter()
        .find(|k| k.kind == DataKind::PrivateNote)
        .unwrap()
        .tables["pair_notes"];
    assert_eq!(notes.len(), 3);
    // The same shape on both backends: flags as booleans, instants in RFC 3339 UTC.
    assert!(
        notes
            .iter()
            .any(|n| n["shared"] == serde_json::Value::Bool(true))
    );
    assert_eq!(notes[0]["created_at"], "2025-01-15T09:00:00.000000Z");
    let waves = export
        .kinds
        .iter()
        .find(|k| k.kind == DataKind::IdentityLabels)
        .unwrap();
    assert!(waves.special.is_some());
}

#[tokio::test]
async fn erasure_leaves_nothing_identifying_and_keeps_the_partner_s_own_notes() {
    let store = fresh_store().await;
    seed(&store).await;
    let person = store.privacy_person(EMAIL).await.unwrap();
    let preview = store.erasure_preview(&person).await.unwrap();
    let has = |table: &str, t: Treatment| {
        preview
            .steps
            .iter()
            .any(|s| s.table == table && s.treatment == t)
    };
    assert!(has("applications", Treatment::Deleted));
    assert!(has("follow_up_actions", Treatment::Kept));
    assert!(has("audit_log", Treatment::Anonymised));
    assert!(has("users", Treatment::Anonymised));
    assert!(preview.steps.iter().all(|s| !s.why.is_empty()));

    let mut tx = store.begin().await.unwrap();
    let done = tx.erase_person(&person, 9003, "10.0.0.1").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        done.totals(),
        preview.totals(),
        "the erasure did what the preview said"
    );

    let mut found = Vec::new();
    for c in store
        .schema_columns()
        .await
        .unwrap()
        .iter()
        .filter(|c| c.text)
    {
        for needle in [NAME, EMAIL, CODE, "Quillfeather"] {
            let n = store
                .count_text_containing(&c.table, &c.column, needle)
                .await
                .unwrap();
            if n > 0 {
                found.push(format!("{}.{} holds {needle:?} ({n})", c.table, c.column));
            }
        }
    }
    assert!(found.is_empty(), "left behind: {found:?}");

    assert_eq!(
        store
            .count_text_containing("pair_notes", "body", "partner private note")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_text_containing("pair_notes", "body", "partner shared note")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_text_containing("pair_notes", "body", "my private thought")
            .await
            .unwrap(),
        0
    );
    // Audited, with counts only.
    assert_eq!(
        store
            .count_text_containing("audit_log", "action", "person_erased")
            .await
            .unwrap(),
        1
    );
    // The partner's own data is still whole.
    let partner = store.privacy_person("partner@uni.example").await.unwrap();
    let export = store.export_person(&partner, Utc::now()).await.unwrap();
    assert!(export.kinds_present().contains(&DataKind::Pair));
}

#[tokio::test]
async fn retention_keeps_what_is_just_inside_its_period_and_deletes_what_is_just_outside_once() {
    let store = fresh_store().await;
    seed(&store).await;
    let settings = RetentionSettings::default();
    let rows = |report: &flipside_store::privacy::RetentionReport, rule: Rule| {
        report
            .outcomes
            .iter()
            .find(|o| o.rule == rule)
            .unwrap()
            .rows
    };
    let year_after = closed().checked_add_months(Months::new(12)).unwrap();

    let inside = store
        .retention_dry_run(&settings, year_after - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(rows(&inside, Rule::UnsuccessfulApplications), 0);
    assert_eq!(rows(&inside, Rule::PrivateNotes), 0);
    assert_eq!(
        rows(&inside, Rule::SurveyLink),
        1,
        "the follow-up wave closed on 30 June"
    );
    assert_eq!(rows(&inside, Rule::TutoringRecords), 0);

    let outside = store
        .retention_dry_run(&settings, year_after)
        .await
        .unwrap();
    assert_eq!(rows(&outside, Rule::UnsuccessfulApplications), 1);
    assert_eq!(rows(&outside, Rule::AcceptedApplications), 0);
    assert_eq!(rows(&outside, Rule::PrivateNotes), 4);
    assert_eq!(rows(&outside, Rule::Pairs), 0);
    let why = &outside
        .outcomes
        .iter()
        .find(|o| o.rule == Rule::UnsuccessfulApplications)
        .unwrap()
        .why;
    assert!(why.contains("the cycle closed on 2025-07-31"), "{why}");
    assert!(
        store.retention_runs().await.unwrap().is_empty(),
        "a dry run is not a run"
    );

    let applied = store.apply_retention(&settings, year_after).await.unwrap();
    assert_eq!(
        applied.total(),
        outside.total(),
        "the run deletes what the dry run said"
    );
    assert_eq!(
        store
            .count_text_containing("applications", "course", "History")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_text_containing("applications", "course", "Law")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_text_containing("pair_notes", "body", "note")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count_text_containing("survey_participants", "code", CODE)
            .await
            .unwrap(),
        1,
        "the code stays, unlinked"
    );
    let person = store.privacy_person(EMAIL).await.unwrap();
    let export = store.export_person(&person, year_after).await.unwrap();
    assert!(
        !export
            .kinds_present()
            .contains(&DataKind::SurveyParticipant)
    );

    let again = store.apply_retention(&settings, year_after).await.unwrap();
    assert_eq!(again.total(), 0, "a second run deletes nothing");
    assert_eq!(store.retention_runs().await.unwrap().len(), 2);

    // Tutoring: the student's last year was 2024-25, so they left on 1 August 2025; six years.
    let left = DateTime::parse_from_rfc3339("2025-08-01T00:00:00+00:00")
        .unwrap()
        .to_utc();
    let six_years = left.checked_add_months(Months::new(72)).unwrap();
    let kept = store
        .apply_retention(&settings, six_years - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(rows(&kept, Rule::TutoringRecords), 0);
    let gone = store.apply_retention(&settings, six_years).await.unwrap();
    assert_eq!(rows(&gone, Rule::TutoringRecords), 1);
    assert_eq!(
        store
            .count_text_containing("tutoring_contacts", "note", "Talked")
            .await
            .unwrap(),
        0
    );
}
