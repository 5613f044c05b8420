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

/// One row of every kind for person 9001 (see the file's comment).
const SEED: &str = include_str!("privacy_seed.sql");
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
    let sql = SEED
        .replace("{EMAIL}", EMAIL)
        .replace("{NAME}", NAME)
        .replace("{CODE}", CODE)
        .replace("{CLOSED}", CLOSED)
        .replace("{T}", T);
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

    // Someone held only by email (a tutor imported without an account) can be exported too.
    let tutor = store.privacy_person("Tutor@uni.example").await.unwrap();
    assert_eq!(tutor.user_id, flipside_store::privacy::NO_ACCOUNT);
    let export = store.export_person(&tutor, Utc::now()).await.unwrap();
    assert_eq!(export.person.user_id, None);
    assert_eq!(export.person.display_name, "Other Tutor");
    assert!(
        export
            .kinds
            .iter()
            .any(|k| k.tables.contains_key("tutoring_tutors"))
    );
    assert!(
        !serde_json::to_string(&export).unwrap().contains(NAME),
        "nothing of anyone else"
    );
    assert!(matches!(
        store.privacy_person("nobody@uni.example").await,
        Err(flipside_store::StoreError::NotFound)
    ));
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

    let found = store
        .text_left_behind(&[NAME, EMAIL, CODE, "Quillfeather"])
        .await
        .unwrap();
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
