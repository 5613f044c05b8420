//! The tutoring dashboard's figures, the allocation preview and who is asking (a session's
//! context) are kept in memory between requests (`versions.rs`): here, on the backend
//! `FLIPSIDE_TEST_DATABASE` names, every kind of write to the tables behind them, made by
//! another server process or by hand in SQL, is seen by the next read of a process that reads
//! the data versions on every request, which answers exactly what a process with nothing cached
//! computes; a process that keeps its reading of the versions for a while sees its own writes at
//! once and another process's within that while.
use chrono::Utc;
use flipside_core::import::{Files, Source, read_institution};
use flipside_core::tutoring::{Proposal, SchoolRules, UnplacedReason};
use flipside_store::{DraftPreview, NewContact, SchoolCounts, SchoolHistogram, Store};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

static COUNTER: AtomicU32 = AtomicU32::new(0);

const YEAR: i32 = 2026;

/// How to open the same fresh database again, as another process would.
enum Database {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Database {
    async fn open(&self) -> Store {
        match self {
            Database::Sqlite(dir) => Store::open_sqlite(dir).await.expect("opening SQLite"),
            Database::Postgres(url) => Store::open_postgres(url).await.expect("PostgreSQL"),
        }
    }

    /// A process that reads the data versions on every request: nothing it keeps is ever
    /// older than the database.
    async fn open_exact(&self) -> Store {
        self.open().await.with_version_staleness(Duration::ZERO)
    }

    /// A process that trusts its reading of the data versions for an hour: only its own writes
    /// (and a session's end) make it read again.
    async fn open_trusting_for_an_hour(&self) -> Store {
        self.open()
            .await
            .with_version_staleness(Duration::from_secs(3600))
    }
}

/// A fresh, migrated database, as `crates/web/tests/app/helpers.rs::fresh_store` makes one.
async fn fresh_database() -> Database {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = Utc::now().timestamp_subsec_nanos();
    let unique = format!("{}_{n}_{nanos}", std::process::id());
    let backend = std::env::var("FLIPSIDE_TEST_DATABASE").unwrap_or_else(|_| "sqlite".into());
    let database = match backend.as_str() {
        "sqlite" => {
            Database::Sqlite(std::env::temp_dir().join(format!("flipside-figures-{unique}")))
        }
        "postgres" => {
            let admin_url = std::env::var("FLIPSIDE_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("flipside_test_figures_{unique}");
            let admin = Store::open_postgres(&admin_url).await.expect("PostgreSQL");
            admin
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .expect("creating a test database");
            admin.close().await;
            let (base, _) = admin_url.rsplit_once('/').expect("a database name");
            Database::Postgres(format!("{base}/{name}"))
        }
        other => panic!("FLIPSIDE_TEST_DATABASE must be sqlite or postgres, not {other}"),
    };
    database.open().await.migrate().await.expect("migrating");
    database
}

const SCHOOLS: &str = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,5\nT2,Ben Sorrel,ben@example.ac.uk,LAW,5\nT3,Cy Holt,cy@example.ac.uk,HIS,5\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat@example.ac.uk,LAW,LLB Law,2\nS2,Dan Reed,dan@example.ac.uk,LAW,LLB Law,2\nS3,Eve Lark,eve@example.ac.uk,LAW,LLB Law,1\nS4,Fay Moss,fay@example.ac.uk,HIS,BA History,3\nS5,Gus Hale,gus@example.ac.uk,HIS,BA History,1\n";
const ASSIGNMENTS: &str = "student_id,tutor_id,academic_year\nS1,T1,2025/26\nS1,T1,2026/27\nS2,T1,2026/27\nS3,T2,2026/27\nS4,T3,2025/26\nS4,T3,2026/27\nS5,T3,2026/27\n";

async fn import(store: &Store) {
    let read = read_institution(
        Files {
            schools: Some(Source::new("schools.csv", SCHOOLS.as_bytes())),
            tutors: Some(Source::new("tutors.csv", TUTORS.as_bytes())),
            students: Some(Source::new("students.csv", STUDENTS.as_bytes())),
            assignments: Some(Source::new("assignments.csv", ASSIGNMENTS.as_bytes())),
        },
        &store.tutoring_known().await.unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    store
        .import_institution(&read, false, &|_| {})
        .await
        .unwrap();
}

/// The three figures of a year, in a fixed order.
#[derive(Debug, PartialEq)]
struct Figures {
    counts: Vec<SchoolCounts>,
    first_contact_days: SchoolHistogram,
    loads: SchoolHistogram,
    /// Each tutor's tutees that year, with their contacts counted (`Debug`).
    tutees: Vec<String>,
}

async fn figures(store: &Store) -> Figures {
    let mut tutees = Vec::new();
    for tutor in ["T1", "T2", "T3"] {
        let tutor = store.tutor_by_external_id(tutor).await.unwrap();
        tutees.push(format!("{:?}", store.tutees(tutor.id, YEAR).await.unwrap()));
    }
    let stored = store.dashboard_figures(YEAR).await.unwrap();
    let mut counts = stored.counts.clone();
    counts.sort_by_key(|c| c.school_id);
    let mut first_contact_days = stored.first_contact_days.clone();
    first_contact_days.sort();
    let mut loads = stored.loads.clone();
    loads.sort();
    Figures {
        counts,
        first_contact_days,
        loads,
        tutees,
    }
}

async fn student(store: &Store, external: &str) -> (i64, i64) {
    let s = store
        .tutoring_student_by_external_id(external)
        .await
        .unwrap();
    let tutor = store.tutor_of(s.id, YEAR).await.unwrap().unwrap();
    (s.id, tutor)
}

fn contact(student_id: i64, tutor_id: i64, year_day: i64) -> NewContact {
    NewContact {
        student_id,
        tutor_id,
        academic_year: YEAR,
        date: format!("{YEAR}-10-01"),
        year_day,
        mode: "online".into(),
        duration_minutes: 20,
        initiated_by: "tutor".into(),
        logged_by: "tutor".into(),
        note: String::new(),
    }
}

/// After `write`, what the reading process reads with `read` (the dashboard's figures, the
/// allocation preview) differs from before (so the write mattered) and equals what a process
/// with nothing cached computes.
async fn after<T: PartialEq + std::fmt::Debug>(
    reader: &Store,
    database: &Database,
    what: &str,
    before: T,
    read: impl AsyncFn(&Store) -> T,
) -> T {
    let now = read(reader).await;
    assert_ne!(now, before, "{what}: the write changes the figures");
    let fresh = database.open().await;
    assert_eq!(
        now,
        read(&fresh).await,
        "{what}: the cached figures are exact"
    );
    fresh.close().await;
    now
}

#[tokio::test]
async fn every_write_behind_the_dashboard_is_seen_by_a_process_that_cached_its_figures() {
    let database = fresh_database().await;
    // Two server processes on one database: the reader caches, the writer writes.
    let reader = database.open_exact().await;
    let writer = database.open().await;
    import(&writer).await;
    let (s1, t1) = student(&writer, "S1").await;
    writer.add_contact(&contact(s1, t1, 20)).await.unwrap();

    let mut seen = figures(&reader).await;
    assert_eq!(
        seen,
        figures(&reader).await,
        "nothing written, nothing changes"
    );

    // A contact logged (an insert through the store).
    let (s4, t3) = student(&writer, "S4").await;
    writer.add_contact(&contact(s4, t3, 40)).await.unwrap();
    seen = after(&reader, &database, "a contact logged", seen, figures).await;

    // An earlier contact for a student already contacted: their first contact day moves.
    writer.add_contact(&contact(s1, t1, 15)).await.unwrap();
    seen = after(
        &reader,
        &database,
        "an earlier contact logged",
        seen,
        figures,
    )
    .await;

    // A School's no-contact-by date moved (an upsert of its rules).
    let law = writer
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LAW")
        .unwrap();
    writer
        .set_tutoring_school_rules(
            law.school_id,
            SchoolRules {
                no_contact_weeks: 2,
                ..law.rules()
            },
        )
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "a School's rules changed",
        seen,
        figures,
    )
    .await;

    // A contact's day corrected by hand, in SQL.
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_contacts SET year_day = 5 WHERE student_id = {s1}"
        ))
        .await
        .unwrap();
    seen = after(&reader, &database, "a contact's day changed", seen, figures).await;

    // A student moved to another School.
    let his = writer
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "HIS")
        .unwrap();
    let (s2, _) = student(&writer, "S2").await;
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_students SET school_id = {} WHERE id = {s2}",
            his.school_id
        ))
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "a student changed School",
        seen,
        figures,
    )
    .await;

    // A student given another tutor.
    let (s3, t2) = student(&writer, "S3").await;
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_assignments SET tutor_id = {t1} WHERE student_id = {s3} AND tutor_id = {t2}"
        ))
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "a student's tutor changed",
        seen,
        figures,
    )
    .await;

    // A tutor added.
    writer
        .execute_admin(&format!(
            "INSERT INTO tutoring_tutors (external_id, name, email, school_id, capacity) VALUES ('T9', 'Nia Ford', 'nia@example.ac.uk', {}, 3)",
            his.school_id
        ))
        .await
        .unwrap();
    seen = after(&reader, &database, "a tutor added", seen, figures).await;

    // A tutor moved to another School (their load counts in the new School's loads).
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_tutors SET school_id = {} WHERE id = {t1}",
            his.school_id
        ))
        .await
        .unwrap();
    seen = after(&reader, &database, "a tutor changed School", seen, figures).await;

    // Contacts deleted.
    let deleted = writer.contacts_of_student(s4).await.unwrap()[0].id;
    writer
        .execute_admin(&format!(
            "DELETE FROM tutoring_contacts WHERE student_id = {s4}"
        ))
        .await
        .unwrap();
    seen = after(&reader, &database, "a contact deleted", seen, figures).await;

    // A contact with an id below the highest the reader has read, as when a PostgreSQL
    // transaction that took its id first commits after another's contact was read.
    let (s5, _) = student(&writer, "S5").await;
    writer
        .execute_admin(&format!(
            "INSERT INTO tutoring_contacts (id, student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at)
             SELECT {deleted}, {s5}, {t3}, academic_year, contact_date, 25, mode, duration_minutes, initiated_by, logged_by, note, created_at
             FROM tutoring_contacts WHERE student_id = {s1} ORDER BY id LIMIT 1"
        ))
        .await
        .unwrap();
    let highest = writer.contacts_of_student(s1).await.unwrap();
    assert!(
        highest.iter().any(|c| c.id > deleted),
        "the contact goes in below one already read"
    );
    seen = after(
        &reader,
        &database,
        "a contact stored below the ids read",
        seen,
        figures,
    )
    .await;

    // A student deleted (their assignments and contacts go with them).
    writer
        .execute_admin(&format!("DELETE FROM tutoring_students WHERE id = {s1}"))
        .await
        .unwrap();
    let _ = after(&reader, &database, "a student deleted", seen, figures).await;

    reader.close().await;
    writer.close().await;
}

/// On PostgreSQL a row's id comes from a sequence when it is inserted, not when it commits: a
/// contact whose transaction took its id first and commits last is still counted by a process
/// that read the other contact in between (see `FirstContactDays`). SQLite writes one
/// transaction at a time, so its ids go in commit order and this cannot arise there; the test
/// above stores a contact below the ids already read on both backends.
#[tokio::test]
async fn a_contact_committed_after_one_with_a_higher_id_is_counted() {
    let database = fresh_database().await;
    let Database::Postgres(url) = &database else {
        return;
    };
    let reader = database.open_exact().await;
    let writer = database.open().await;
    import(&writer).await;
    let (s1, t1) = student(&writer, "S1").await;
    writer.add_contact(&contact(s1, t1, 20)).await.unwrap();
    let seen = figures(&reader).await;

    // A slow transaction inserts a contact and stays open.
    let (s4, t3) = student(&writer, "S4").await;
    let slow = sqlx::PgPool::connect(url).await.unwrap();
    let mut open = slow.begin().await.unwrap();
    let (early,): (i64,) = sqlx::query_as(
        "INSERT INTO tutoring_contacts (student_id, tutor_id, academic_year, contact_date, year_day, mode, duration_minutes, initiated_by, logged_by, note, created_at)
         VALUES ($1, $2, $3, '2026-10-01', 40, 'online', 20, 'tutor', 'tutor', '', now()) RETURNING id",
    )
    .bind(s4)
    .bind(t3)
    .bind(i64::from(YEAR))
    .fetch_one(&mut *open)
    .await
    .unwrap();
    // Another contact takes the next id and commits; the reader reads it.
    let (s5, _) = student(&writer, "S5").await;
    let late = writer.add_contact(&contact(s5, t3, 30)).await.unwrap();
    assert!(late > early, "the open transaction took the lower id");
    let seen = after(
        &reader,
        &database,
        "a contact committed while another is open",
        seen,
        figures,
    )
    .await;
    // The slow transaction commits: its contact, below the one read, is counted.
    open.commit().await.unwrap();
    let _ = after(
        &reader,
        &database,
        "the contact with the lower id committed",
        seen,
        figures,
    )
    .await;
    slow.close().await;
    reader.close().await;
    writer.close().await;
}

#[tokio::test]
async fn writes_that_change_no_figure_of_the_dashboard_leave_its_version_alone() {
    let database = fresh_database().await;
    let store = database.open().await;
    import(&store).await;
    let before = store.tutoring_data_version().await.unwrap();
    // A student's programme is none of the dashboard's figures.
    store
        .execute_admin(
            "UPDATE tutoring_students SET programme = 'LLB Law (Hons)' WHERE external_id = 'S1'",
        )
        .await
        .unwrap();
    assert_eq!(store.tutoring_data_version().await.unwrap(), before);
    let (s1, t1) = student(&store, "S1").await;
    store.add_contact(&contact(s1, t1, 20)).await.unwrap();
    assert!(store.tutoring_data_version().await.unwrap() > before);
    store.close().await;
}

/// The allocation preview of next year's draft, in the reader's order.
async fn preview(store: &Store) -> DraftPreview {
    store
        .draft_preview(YEAR + 1, 10)
        .await
        .unwrap()
        .as_ref()
        .clone()
}

#[tokio::test]
async fn every_write_behind_the_allocation_preview_is_seen_by_a_process_that_cached_it() {
    let database = fresh_database().await;
    let reader = database.open_exact().await;
    let writer = database.open().await;
    import(&writer).await;
    let id = |external: &'static str| {
        let writer = &writer;
        async move {
            writer
                .tutoring_student_by_external_id(external)
                .await
                .unwrap()
                .id
        }
    };
    let t1 = writer.tutor_by_external_id("T1").await.unwrap().id;
    let t3 = writer.tutor_by_external_id("T3").await.unwrap().id;
    // Next year's draft: S1 and S2 with T1, S4 with T3, S3 and S5 unplaced.
    let draft = vec![
        (id("S1").await, Proposal::Tutor(t1)),
        (id("S2").await, Proposal::Tutor(t1)),
        (
            id("S3").await,
            Proposal::Unplaced(UnplacedReason::AllTutorsFull),
        ),
        (id("S4").await, Proposal::Tutor(t3)),
        (
            id("S5").await,
            Proposal::Unplaced(UnplacedReason::AllTutorsFull),
        ),
    ];
    writer
        .save_allocation_draft(YEAR + 1, &draft, None)
        .await
        .unwrap();

    let mut seen = preview(&reader).await;
    assert_eq!(seen.counts.students, 5);
    assert_eq!(seen.counts.unplaced, 2);
    assert_eq!(
        seen,
        preview(&reader).await,
        "nothing written, nothing changes"
    );
    assert!(
        std::sync::Arc::ptr_eq(
            &reader.draft_preview(YEAR + 1, 10).await.unwrap(),
            &reader.draft_preview(YEAR + 1, 10).await.unwrap()
        ),
        "an unchanged preview is served from memory"
    );

    // A student placed by hand in SQL.
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_allocation_drafts SET tutor_id = {t3}, unplaced_reason = NULL WHERE student_id = {}",
            id("S5").await
        ))
        .await
        .unwrap();
    seen = after(&reader, &database, "a draft row moved", seen, preview).await;

    // This year's assignments, which the draft is compared with, changed.
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_assignments SET tutor_id = {t1} WHERE student_id = {} AND academic_year = {YEAR}",
            id("S3").await
        ))
        .await
        .unwrap();
    writer
        .execute_admin(&format!(
            "DELETE FROM tutoring_assignments WHERE student_id = {} AND academic_year = {YEAR}",
            id("S2").await
        ))
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "this year's assignments changed",
        seen,
        preview,
    )
    .await;

    // An unplaced student's name corrected.
    writer
        .execute_admin("UPDATE tutoring_students SET name = 'Eve Larkin' WHERE external_id = 'S3'")
        .await
        .unwrap();
    seen = after(&reader, &database, "a student renamed", seen, preview).await;

    // A School renamed (the unplaced list names it).
    writer
        .execute_admin("UPDATE schools SET name = 'Law School' WHERE code = 'LAW'")
        .await
        .unwrap();
    seen = after(&reader, &database, "a School renamed", seen, preview).await;

    // A tutor's capacity lowered below the draft's load.
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_tutors SET capacity = 1 WHERE id = {t1}"
        ))
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "a tutor's capacity lowered",
        seen,
        preview,
    )
    .await;
    assert_eq!(seen.over_capacity, 1);

    // The draft run again, from scratch.
    let run = async |store: &Store| format!("{:?}", store.allocation_run(YEAR + 1).await.unwrap());
    let drafted = run(&reader).await;
    assert!(drafted.contains("published_at: None"), "{drafted}");
    writer
        .save_allocation_draft(YEAR + 1, &draft[..2], None)
        .await
        .unwrap();
    let _ = after(&reader, &database, "the draft replaced", seen, preview).await;
    // The year's run, which the page reads with the preview: drafted again, then published
    // (by hand in SQL, so that only the runs' table is written).
    let drafted = after(&reader, &database, "the run drafted again", drafted, run).await;
    writer
        .execute_admin(&format!(
            "UPDATE tutoring_allocation_runs SET published_at = created_at WHERE academic_year = {}",
            YEAR + 1
        ))
        .await
        .unwrap();
    let published = after(&reader, &database, "the run published", drafted, run).await;
    assert!(published.contains("published_at: Some"), "{published}");

    reader.close().await;
    writer.close().await;
}

#[tokio::test]
async fn contacts_leave_the_allocation_preview_version_alone() {
    let database = fresh_database().await;
    let store = database.open().await;
    import(&store).await;
    let before = store.allocation_data_version().await.unwrap();
    let (s1, t1) = student(&store, "S1").await;
    store.add_contact(&contact(s1, t1, 20)).await.unwrap();
    store
        .execute_admin(
            "UPDATE tutoring_students SET programme = 'LLB Law (Hons)' WHERE external_id = 'S1'",
        )
        .await
        .unwrap();
    assert_eq!(store.allocation_data_version().await.unwrap(), before);
    store
        .execute_admin(&format!(
            "UPDATE tutoring_tutors SET capacity = 9 WHERE id = {t1}"
        ))
        .await
        .unwrap();
    assert!(store.allocation_data_version().await.unwrap() > before);
    store.close().await;
}

/// Someone with an account and a live session of `ttl`: (their id, the session's token).
async fn signed_in(store: &Store, email: &str, ttl: chrono::Duration) -> (i64, String) {
    let id = store
        .create_user(flipside_store::NewUser {
            email,
            display_name: "Ada Quill",
            password_hash: None,
            school_id: None,
        })
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let token = tx.create_session(id, ttl).await.unwrap();
    tx.commit().await.unwrap();
    (id, token.0)
}

/// Who the store says is asking with `token`: their name and roles, or `None` for no live
/// session.
async fn asking(store: &Store, token: &str) -> Option<(String, Vec<String>)> {
    match store.session_context(token).await {
        Ok(c) => Some((
            c.user.display_name,
            c.grants.into_iter().map(|g| g.role).collect(),
        )),
        Err(flipside_store::StoreError::NotFound) => None,
        Err(e) => panic!("{e}"),
    }
}

const COORDINATOR: flipside_core::role::Grant = flipside_core::role::Grant {
    role: flipside_core::role::Role::Coordinator,
    scope: flipside_core::role::Scope::Organisation,
};

#[tokio::test]
async fn who_is_asking_is_read_again_after_each_write_of_this_process_and_at_the_session_s_end() {
    let database = fresh_database().await;
    let store = database.open_trusting_for_an_hour().await;
    let (id, token) = signed_in(&store, "ada@example.ac.uk", chrono::Duration::hours(1)).await;
    assert_eq!(
        asking(&store, &token).await,
        Some(("Ada Quill".into(), vec![]))
    );
    // A role granted outside a transaction, and taken back in one: each seen by the next read.
    let grant = store.grant_role(id, COORDINATOR, None).await.unwrap();
    assert_eq!(
        asking(&store, &token).await,
        Some(("Ada Quill".into(), vec!["coordinator".into()]))
    );
    let mut tx = store.begin().await.unwrap();
    tx.revoke_grant(grant).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        asking(&store, &token).await,
        Some(("Ada Quill".into(), vec![]))
    );
    // Disabled: the session is no longer anyone's.
    let mut tx = store.begin().await.unwrap();
    tx.set_disabled(id, true).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(asking(&store, &token).await, None);
    // A session's end is checked in memory: nothing is written when it passes.
    let (_, short) = signed_in(&store, "ben@example.ac.uk", chrono::Duration::seconds(1)).await;
    assert!(asking(&store, &short).await.is_some());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(asking(&store, &short).await, None);
    store.close().await;
}

#[tokio::test]
async fn another_process_s_change_to_who_is_asking_is_seen_within_the_staleness_bound() {
    let database = fresh_database().await;
    let reader = database.open().await;
    let writer = database.open().await;
    let (id, token) = signed_in(&writer, "ada@example.ac.uk", chrono::Duration::hours(1)).await;
    let one_bound_on =
        || tokio::time::sleep(flipside_store::VERSION_STALENESS + Duration::from_millis(20));
    assert!(asking(&reader, &token).await.is_some());
    writer.grant_role(id, COORDINATOR, None).await.unwrap();
    one_bound_on().await;
    assert_eq!(
        asking(&reader, &token).await,
        Some(("Ada Quill".into(), vec!["coordinator".into()]))
    );
    // Signed out on the other server.
    let mut tx = writer.begin().await.unwrap();
    tx.delete_session(&token).await.unwrap();
    tx.commit().await.unwrap();
    one_bound_on().await;
    assert_eq!(asking(&reader, &token).await, None);

    // What the bound means: a server that trusts its reading for an hour goes on answering
    // from memory until something tells it to read again.
    let lazy = database.open_trusting_for_an_hour().await;
    let (_, token) = signed_in(&writer, "ben@example.ac.uk", chrono::Duration::hours(1)).await;
    assert_eq!(
        asking(&lazy, &token).await,
        Some(("Ada Quill".into(), vec![]))
    );
    writer
        .execute_admin(
            "UPDATE users SET display_name = 'Ben Sorrel' WHERE email = 'ben@example.ac.uk'",
        )
        .await
        .unwrap();
    assert_eq!(
        asking(&lazy, &token).await,
        Some(("Ada Quill".into(), vec![])),
        "kept in memory"
    );
    lazy.note_write();
    assert_eq!(
        asking(&lazy, &token).await,
        Some(("Ben Sorrel".into(), vec![]))
    );
    for store in [reader, writer, lazy] {
        store.close().await;
    }
}

#[tokio::test]
async fn every_write_behind_who_is_asking_is_seen_and_another_s_sign_in_changes_nothing() {
    let database = fresh_database().await;
    let reader = database.open_exact().await;
    let writer = database.open().await;
    writer
        .ensure_organisation("University of Example", "UoE")
        .await
        .unwrap();
    import(&writer).await;
    // Ada is tutor T1's email: her record waits for her to link it.
    let (id, token) = signed_in(&writer, "ada@example.ac.uk", chrono::Duration::hours(1)).await;
    let context = reader.session_context(&token).await.unwrap();
    assert!(context.unlinked_records);
    assert_eq!(context.tutoring.tutor_id, None);

    // Someone else signing in changes no one's context, so the version stays.
    let before = writer.people_data_version().await.unwrap();
    signed_in(&writer, "someone@example.ac.uk", chrono::Duration::hours(1)).await;
    assert!(
        writer.people_data_version().await.unwrap() > before,
        "a new account counts"
    );
    let before = writer.people_data_version().await.unwrap();
    let mut tx = writer.begin().await.unwrap();
    tx.create_session(id, chrono::Duration::hours(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        writer.people_data_version().await.unwrap(),
        before,
        "a new session does not"
    );

    // Each write, by hand in SQL, and what the reader sees after it.
    let writes: [(&str, String); 5] = [
        (
            "the record linked",
            format!("UPDATE tutoring_tutors SET user_id = {id} WHERE external_id = 'T1'"),
        ),
        (
            "a grant",
            format!(
                "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_at) VALUES ({id}, 'researcher', 'organisation', 0, '2026-09-01T00:00:00Z')"
            ),
        ),
        (
            "the name",
            format!("UPDATE users SET display_name = 'Ada Q.' WHERE id = {id}"),
        ),
        (
            "the zone",
            "UPDATE organisation SET time_zone = 'Europe/Dublin' WHERE id = 1".to_string(),
        ),
        (
            "the session's end",
            format!("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z' WHERE user_id = {id}"),
        ),
    ];
    for (what, sql) in writes {
        let before = writer.people_data_version().await.unwrap();
        writer.execute_admin(&sql).await.unwrap();
        assert!(
            writer.people_data_version().await.unwrap() > before,
            "{what} raises the version"
        );
        match what {
            "the record linked" => {
                let c = reader.session_context(&token).await.unwrap();
                assert!(c.tutoring.tutor_id.is_some(), "{what}");
                assert!(!c.unlinked_records, "{what}");
            }
            "a grant" => assert_eq!(
                asking(&reader, &token).await.unwrap().1,
                vec!["researcher".to_string()],
                "{what}"
            ),
            "the name" => assert_eq!(asking(&reader, &token).await.unwrap().0, "Ada Q.", "{what}"),
            "the zone" => assert_eq!(
                reader
                    .session_context(&token)
                    .await
                    .unwrap()
                    .organisation
                    .map(|o| o.time_zone)
                    .as_deref(),
                Some("Europe/Dublin"),
                "{what}"
            ),
            _ => assert_eq!(asking(&reader, &token).await, None, "{what}"),
        }
    }
    reader.close().await;
    writer.close().await;
}

/// The Schools with their rules as the reader reads them: (code, name, continuity, slack, weeks).
async fn schools(store: &Store) -> Vec<(String, String, bool, i64, i64)> {
    store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.code,
                s.name,
                s.continuity_required,
                s.load_slack,
                s.no_contact_weeks,
            )
        })
        .collect()
}

#[tokio::test]
async fn every_write_behind_the_schools_and_their_rules_is_seen_by_a_process_that_kept_them() {
    let database = fresh_database().await;
    let reader = database.open_exact().await;
    let writer = database.open().await;
    import(&writer).await;
    let mut seen = schools(&reader).await;
    let law = writer
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LAW")
        .unwrap()
        .school_id;
    // Through the store, outside a transaction.
    writer
        .set_tutoring_school_rules(
            law,
            flipside_core::tutoring::SchoolRules {
                continuity_required: true,
                load_slack: 4,
                no_contact_weeks: 6,
            },
        )
        .await
        .unwrap();
    seen = after(&reader, &database, "rules set", seen, schools).await;
    // By hand in SQL.
    let writes = [
        ("a School renamed", "UPDATE schools SET name = 'Law School' WHERE code = 'LAW'".to_string()),
        ("rules changed", format!("UPDATE tutoring_school_rules SET no_contact_weeks = 8 WHERE school_id = {law}")),
        ("rules removed", format!("DELETE FROM tutoring_school_rules WHERE school_id = {law}")),
        ("a School added", "INSERT INTO schools (faculty_id, name, code) SELECT faculty_id, 'School of Music', 'MUS' FROM schools WHERE code = 'LAW'".to_string()),
    ];
    for (what, sql) in writes {
        writer.execute_admin(&sql).await.unwrap();
        seen = after(&reader, &database, what, seen, schools).await;
    }
    reader.close().await;
    writer.close().await;
}

/// Every data version, by name, as a third connection reads it.
async fn versions(url: &str) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Connection;
    let mut reader = sqlx::PgConnection::connect(url).await.unwrap();
    let read = sqlx::query_as("SELECT name, version FROM data_versions")
        .fetch_all(&mut reader)
        .await
        .unwrap()
        .into_iter()
        .collect();
    reader.close().await.unwrap();
    read
}

/// On PostgreSQL, two transactions that write two groups of tables in opposite orders neither
/// wait for each other nor deadlock, and each group's counter still rises once per transaction,
/// when it commits (migration 0250). Before, the first trigger of each locked its counter until
/// the end of its transaction, so the second write of one waited for the other. SQLite lets one
/// transaction write at a time, so there is nothing to interleave there.
#[tokio::test]
async fn two_writers_of_two_groups_in_opposite_orders_neither_wait_nor_deadlock() {
    use sqlx::{Connection, Executor};
    let Database::Postgres(url) = fresh_database().await else {
        return;
    };
    let before = versions(&url).await;
    let people = "UPDATE organisation SET name = name";
    let surveys = "UPDATE survey_responses SET wave = wave";
    let mut first = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut second = sqlx::PgConnection::connect(&url).await.unwrap();
    for writer in [&mut first, &mut second] {
        // A write that waits fails after this long instead of hanging the test.
        writer.execute("SET lock_timeout = '5s'").await.unwrap();
        writer.execute("BEGIN").await.unwrap();
    }
    first.execute(people).await.unwrap();
    second.execute(surveys).await.unwrap();
    first
        .execute(surveys)
        .await
        .expect("the first writer's second group does not wait for the second writer");
    second
        .execute(people)
        .await
        .expect("the second writer's second group does not wait for the first writer");
    assert_eq!(
        versions(&url).await,
        before,
        "no counter rises before its transaction commits"
    );
    first.execute("COMMIT").await.unwrap();
    second.execute("COMMIT").await.unwrap();
    let after = versions(&url).await;
    for (name, version) in &after {
        let raised = if name == "people" || name == "surveys" {
            2
        } else {
            0
        };
        assert_eq!(*version, before[name] + raised, "the {name} version");
    }
    // A transaction rolled back raises nothing.
    first.execute("BEGIN").await.unwrap();
    first.execute(people).await.unwrap();
    first.execute("ROLLBACK").await.unwrap();
    assert_eq!(versions(&url).await, after, "a rollback raises nothing");
}

/// A scheme, for the mentoring tests below.
async fn a_scheme(store: &Store) -> i64 {
    store
        .create_scheme(flipside_store::NewScheme {
            name: "Reverse Mentoring",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap()
}

/// A scheme with one cycle, of 2026/27.
async fn a_cycle(store: &Store) -> i64 {
    let scheme = a_scheme(store).await;
    let year = flipside_core::cycle::AcademicYear::parse("2026/27").unwrap();
    store
        .create_cycle(scheme, year, 20, "{}", None, None)
        .await
        .unwrap()
}

/// Someone without a password (signing in through single sign-on).
async fn a_person(store: &Store, email: &str) -> i64 {
    store
        .create_user(flipside_store::NewUser {
            email,
            display_name: email,
            password_hash: None,
            school_id: None,
        })
        .await
        .unwrap()
}

/// A pair published in a cycle.
async fn a_pair(store: &Store, cycle: i64, mentor_id: i64, mentee_id: i64) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let pair = tx
        .publish_pairs(
            cycle,
            &[flipside_store::NewPair {
                mentor_id,
                mentee_id,
                reason: String::new(),
                cost: 0,
            }],
            None,
        )
        .await
        .unwrap()[0];
    tx.commit().await.unwrap();
    pair
}

/// Every scheme with its cycles, as a process reads them (`Debug` of each row).
async fn schemes_and_cycles(store: &Store) -> Vec<(String, Vec<String>)> {
    let mut read = Vec::new();
    for scheme in store.schemes().await.unwrap() {
        assert_eq!(
            format!("{:?}", store.scheme(scheme.id).await.unwrap()),
            format!("{scheme:?}")
        );
        let mut cycles = Vec::new();
        for cycle in store.cycles_of(scheme.id).await.unwrap() {
            assert_eq!(
                format!("{:?}", store.cycle(cycle.id).await.unwrap()),
                format!("{cycle:?}")
            );
            let events = store.cycle_events(cycle.id).await.unwrap();
            cycles.push(format!("{cycle:?} {events:?}"));
        }
        read.push((format!("{scheme:?}"), cycles));
    }
    read
}

#[tokio::test]
async fn every_write_behind_the_schemes_and_cycles_is_seen_by_a_process_that_kept_them() {
    use flipside_core::cycle::AcademicYear;
    let database = fresh_database().await;
    let writer = database.open().await;
    let reader = database.open_exact().await;
    let mut seen = schemes_and_cycles(&reader).await;
    let scheme = a_scheme(&writer).await;
    seen = after(
        &reader,
        &database,
        "a scheme made",
        seen,
        schemes_and_cycles,
    )
    .await;
    let year = |y| AcademicYear::parse(y).unwrap();
    let cycle = writer
        .create_cycle(scheme, year("2025/26"), 20, "{}", None, None)
        .await
        .unwrap();
    seen = after(&reader, &database, "a cycle made", seen, schemes_and_cycles).await;
    let mover = a_person(&writer, "coordinator@example.ac.uk").await;
    writer
        .create_cycle(scheme, year("2026/27"), 20, "{}", None, None)
        .await
        .unwrap();
    seen = after(
        &reader,
        &database,
        "a second cycle",
        seen,
        schemes_and_cycles,
    )
    .await;
    let writes = [
        (
            "a scheme renamed",
            format!("UPDATE schemes SET name = 'Renamed' WHERE id = {scheme}"),
        ),
        (
            "a scheme archived",
            format!("UPDATE schemes SET archived_at = created_at WHERE id = {scheme}"),
        ),
        (
            "a cycle's state",
            format!("UPDATE cycles SET state = 'closed' WHERE id = {cycle}"),
        ),
        (
            "a cycle's year",
            format!("UPDATE cycles SET academic_year = 2019 WHERE id = {cycle}"),
        ),
        (
            "a cycle's history",
            format!(
                "INSERT INTO cycle_events (cycle_id, from_state, to_state, actor_id, at)
                 SELECT {cycle}, 'evaluating', 'closed', {mover}, created_at FROM cycles WHERE id = {cycle}"
            ),
        ),
        (
            "the mover renamed",
            format!("UPDATE users SET display_name = 'Renamed' WHERE id = {mover}"),
        ),
        (
            "the history corrected",
            "UPDATE cycle_events SET to_state = 'running' WHERE to_state = 'closed'".into(),
        ),
    ];
    for (what, sql) in writes {
        writer.execute_admin(&sql).await.unwrap();
        seen = after(&reader, &database, what, seen, schemes_and_cycles).await;
    }
    assert!(matches!(
        reader.cycle(cycle + 100).await,
        Err(flipside_store::StoreError::NotFound)
    ));
    assert!(matches!(
        reader.scheme(scheme + 100).await,
        Err(flipside_store::StoreError::NotFound)
    ));
    reader.close().await;
    writer.close().await;
}

/// Every cycle's to-do figures as a coordinator's home page and a cycle page ask for them, at
/// `now`, with pairs unmet for four weeks counted as not meeting.
async fn to_do(
    store: &Store,
    now: chrono::DateTime<Utc>,
) -> Vec<(i64, flipside_core::progress::Figures)> {
    let cutoff = now - chrono::Duration::weeks(4);
    let today = now.date_naive();
    let waves = store.open_waves(today).await.unwrap();
    let mut figures: Vec<_> = store
        .cycles_in_progress(now, cutoff)
        .await
        .unwrap()
        .iter()
        .map(|c| (c.cycle_id, c.figures(&waves)))
        .collect();
    // Each cycle alone, closed or not, as its own page asks.
    for id in 1..=2 {
        if let Ok(c) = store.cycle_progress(id, now, cutoff).await {
            let waves = store.open_waves_of(id, today).await.unwrap();
            figures.push((-id, c.figures(&waves)));
        }
    }
    figures
}

#[tokio::test]
async fn every_write_behind_the_to_do_figures_is_seen_by_a_process_that_kept_them() {
    use flipside_core::cycle::AcademicYear;
    use flipside_core::evaluation::Wave;
    use flipside_core::meetings::Slot;
    use flipside_core::surveys::WaveDates;
    use flipside_store::NewInvitation;
    let database = fresh_database().await;
    let writer = database.open().await;
    let reader = database.open_exact().await;
    // Eight weeks from now: a pair published today has not met for four weeks.
    let today = Utc::now();
    let now = today + chrono::Duration::weeks(8);
    let read = async |store: &Store| to_do(store, now).await;
    let mut seen = read(&reader).await;
    let scheme = a_scheme(&writer).await;
    let year = AcademicYear::parse("2026/27").unwrap();
    let cycle = writer
        .create_cycle(scheme, year, 20, "{}", None, None)
        .await
        .unwrap();
    assert_eq!(cycle, 1, "the figures read cycles 1 and 2 alone");
    seen = after(&reader, &database, "a cycle made", seen, read).await;
    for (email, expires_at, what) in [
        (
            "dean@example.ac.uk",
            now + chrono::Duration::weeks(1),
            "an invitation waiting",
        ),
        (
            "late@example.ac.uk",
            today + chrono::Duration::days(1),
            "an invitation expired by then",
        ),
    ] {
        writer
            .create_invitation(NewInvitation {
                cycle_id: cycle,
                email,
                name: email,
                school_id: None,
                invited_by: None,
                expires_at,
            })
            .await
            .unwrap();
        seen = after(&reader, &database, what, seen, read).await;
    }
    let person = async |email| a_person(&writer, email).await;
    let (mentor, mentee) = (
        person("mentor@example.ac.uk").await,
        person("mentee@example.ac.uk").await,
    );
    let pair = a_pair(&writer, cycle, mentor, mentee).await;
    seen = after(&reader, &database, "a pair published", seen, read).await;
    assert_eq!(seen[0].1.stale_pairs, 1, "{seen:?}");
    writer.accept_agreement(pair, mentor).await.unwrap();
    writer.accept_agreement(pair, mentee).await.unwrap();
    seen = after(&reader, &database, "the agreement accepted", seen, read).await;
    writer
        .propose_meeting(
            pair,
            0,
            Slot {
                start: now - chrono::Duration::weeks(1),
                minutes: 60,
            },
            mentor,
        )
        .await
        .unwrap();
    writer
        .raise_concern(pair, cycle, mentee, "a concern")
        .await
        .unwrap();
    seen = after(&reader, &database, "a concern raised", seen, read).await;
    writer
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: now.date_naive() - chrono::Duration::days(1),
                closes_on: now.date_naive() + chrono::Duration::days(1),
            }],
        )
        .await
        .unwrap();
    seen = after(&reader, &database, "a wave open by then", seen, read).await;
    let writes = [
        ("a meeting held", "UPDATE meetings SET status = 'held'"),
        (
            "someone enrolled",
            "INSERT INTO survey_participants (cycle_id, code, role) VALUES (1, 'P1', 'mentor')",
        ),
        ("a meeting removed", "DELETE FROM meetings"),
        ("an agreement withdrawn", "DELETE FROM pair_agreements"),
        (
            "an invitation accepted",
            "UPDATE staff_invitations SET status = 'accepted' WHERE email = 'dean@example.ac.uk'",
        ),
        ("a concern read", "UPDATE concerns SET status = 'acknowledged'"),
        ("a wave moved", "UPDATE survey_waves SET wave = 'post'"),
        ("a pair completed", "UPDATE pairs SET status = 'completed'"),
        (
            "an application",
            "INSERT INTO applications (cycle_id, user_id, course, level, status, submitted_at, updated_at)
             SELECT 1, mentee_id, 'LLB Law', 'undergraduate', 'submitted', published_at, published_at FROM pairs",
        ),
        ("the cycle closed", "UPDATE cycles SET state = 'closed'"),
    ];
    for (what, sql) in writes {
        writer.execute_admin(sql).await.unwrap();
        seen = after(&reader, &database, what, seen, read).await;
    }
    assert!(
        seen.iter().all(|(id, _)| *id < 0),
        "a closed cycle is not in progress: {seen:?}"
    );
    reader.close().await;
    writer.close().await;
}

/// What a person's home page lists of their own: their pairs, open surveys, reflective chats
/// (and their count) and applications, each as ids.
async fn own_lists(store: &Store, user_id: i64) -> [Vec<i64>; 5] {
    let today = Utc::now().date_naive();
    [
        store
            .pairs_to_do(user_id, Utc::now())
            .await
            .unwrap()
            .iter()
            .map(|p| p.pair_id)
            .collect(),
        store
            .open_surveys_of(user_id, today)
            .await
            .unwrap()
            .iter()
            .map(|s| s.participant_id)
            .collect(),
        store
            .chats_with(user_id)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect(),
        vec![store.chat_count_with(user_id).await.unwrap() as i64],
        store
            .applications_of_user(user_id)
            .await
            .unwrap()
            .iter()
            .map(|a| a.cycle_id)
            .collect(),
    ]
}

#[tokio::test]
async fn a_persons_own_lists_are_seen_as_soon_as_they_take_part_and_not_after() {
    use flipside_core::evaluation::Wave;
    use flipside_core::surveys::WaveDates;
    let database = fresh_database().await;
    let writer = database.open().await;
    let reader = database.open_exact().await;
    let cycle = a_cycle(&writer).await;
    let today = Utc::now().date_naive();
    writer
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: today - chrono::Duration::days(1),
                closes_on: today + chrono::Duration::days(1),
            }],
        )
        .await
        .unwrap();
    let person = async |email| a_person(&writer, email).await;
    let (me, partner) = (
        person("me@example.ac.uk").await,
        person("partner@example.ac.uk").await,
    );
    let read = async |store: &Store| own_lists(store, me).await;
    let mut seen = read(&reader).await;
    assert_eq!(seen.concat(), [0], "nothing of mine, no chat");
    // Someone else taking part changes nothing of mine.
    writer
        .execute_admin(&format!(
            "INSERT INTO survey_participants (cycle_id, code, role, user_id) VALUES ({cycle}, 'P0', 'mentee', {partner})"
        ))
        .await
        .unwrap();
    assert_eq!(read(&reader).await, seen);
    a_pair(&writer, cycle, me, partner).await;
    seen = after(&reader, &database, "in a pair", seen, read).await;
    let writes = [
        (
            "enrolled in the evaluation",
            format!(
                "INSERT INTO survey_participants (cycle_id, code, role, user_id) VALUES ({cycle}, 'P1', 'mentor', {me})"
            ),
        ),
        (
            "a reflective chat recorded",
            format!(
                "INSERT INTO qual_chats (cycle_id, participant_user_id, participant_role, interviewer_user_id, held_on, stage, format, text, segments, recorded_by, created_at)
                 SELECT {cycle}, {me}, 'mentor', {partner}, '2026-11-01', 'end', 'plain', 'words', '[]', {partner}, published_at FROM pairs"
            ),
        ),
        (
            "an application",
            format!(
                "INSERT INTO applications (cycle_id, user_id, course, level, status, submitted_at, updated_at)
                 SELECT {cycle}, {me}, 'LLB Law', 'undergraduate', 'submitted', published_at, published_at FROM pairs"
            ),
        ),
        ("the application removed", "DELETE FROM applications".into()),
        ("the chat removed", "DELETE FROM qual_chats".into()),
        (
            "no longer enrolled",
            format!("UPDATE survey_participants SET user_id = NULL WHERE user_id = {me}"),
        ),
        ("out of the pair", "DELETE FROM pairs".into()),
    ];
    for (what, sql) in writes {
        writer.execute_admin(&sql).await.unwrap();
        seen = after(&reader, &database, what, seen, read).await;
    }
    reader.close().await;
    writer.close().await;
}

/// Everything a pair's page reads of the pair, as a process reads it (`Debug` of the records).
async fn pair_page(store: &Store, pair: i64) -> String {
    format!("{:?}", store.pair_records(pair).await.unwrap())
}

#[tokio::test]
async fn every_write_behind_a_pair_s_page_is_seen_by_a_process_that_kept_it() {
    use flipside_core::meetings::Slot;
    let database = fresh_database().await;
    let writer = database.open().await;
    let reader = database.open_exact().await;
    let cycle = a_cycle(&writer).await;
    let person = async |email| a_person(&writer, email).await;
    let (mentor, mentee) = (
        person("mentor@example.ac.uk").await,
        person("mentee@example.ac.uk").await,
    );
    let pair = a_pair(&writer, cycle, mentor, mentee).await;
    // A second pair, kept too: writes to one pair's records leave the other's as they were.
    let other = a_pair(
        &writer,
        cycle,
        person("m2@example.ac.uk").await,
        person("s2@example.ac.uk").await,
    )
    .await;
    let other_before = pair_page(&reader, other).await;
    let read = async |store: &Store| pair_page(store, pair).await;
    let mut seen = read(&reader).await;
    writer.accept_agreement(pair, mentor).await.unwrap();
    seen = after(&reader, &database, "the agreement accepted", seen, read).await;
    writer
        .propose_meeting(
            pair,
            0,
            Slot {
                start: Utc::now() + chrono::Duration::weeks(1),
                minutes: 60,
            },
            mentor,
        )
        .await
        .unwrap();
    seen = after(&reader, &database, "a meeting proposed", seen, read).await;
    let note = writer
        .add_note(pair, mentee, "a private note", false)
        .await
        .unwrap();
    seen = after(&reader, &database, "a note written", seen, read).await;
    writer.set_note_shared(note, true).await.unwrap();
    seen = after(&reader, &database, "a note shared", seen, read).await;
    let action = writer
        .raise_action(&flipside_store::NewFollowUpAction {
            pair_id: pair,
            cycle_id: cycle,
            raised_by: mentor,
            anonymous: false,
            owner_id: mentee,
            title: "Publish the marking criteria",
            description: "",
        })
        .await
        .unwrap();
    seen = after(&reader, &database, "an action raised", seen, read).await;
    let mut tx = writer.begin().await.unwrap();
    tx.add_evidence(action, mentee, "Criteria published", "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    seen = after(&reader, &database, "evidence added", seen, read).await;
    writer
        .raise_concern(pair, cycle, mentee, "a concern")
        .await
        .unwrap();
    seen = after(&reader, &database, "a concern raised", seen, read).await;
    let writes = [
        (
            "a meeting held",
            "UPDATE meetings SET status = 'held', held_minutes = 45".to_string(),
        ),
        (
            "a concern answered",
            "UPDATE concerns SET status = 'acknowledged'".into(),
        ),
        (
            "an action moved",
            "UPDATE follow_up_actions SET status = 'agreed'".into(),
        ),
        (
            "evidence corrected",
            "UPDATE action_evidence SET body = 'Corrected'".into(),
        ),
        (
            "a member renamed",
            format!("UPDATE users SET display_name = 'Renamed' WHERE id = {mentor}"),
        ),
        (
            "a note edited",
            "UPDATE pair_notes SET body = 'Edited'".into(),
        ),
        ("evidence removed", "DELETE FROM action_evidence".into()),
        ("an action removed", "DELETE FROM follow_up_actions".into()),
        ("a note removed", "DELETE FROM pair_notes".into()),
        (
            "an agreement withdrawn",
            "DELETE FROM pair_agreements".into(),
        ),
        (
            "the pair ended",
            format!("UPDATE pairs SET status = 'ended_early' WHERE id = {pair}"),
        ),
    ];
    for (what, sql) in writes {
        writer.execute_admin(&sql).await.unwrap();
        seen = after(&reader, &database, what, seen, read).await;
    }
    assert_eq!(pair_page(&reader, other).await, other_before);
    assert!(matches!(
        reader.pair_records(pair + 100).await,
        Err(flipside_store::StoreError::NotFound)
    ));
    reader.close().await;
    writer.close().await;
}
