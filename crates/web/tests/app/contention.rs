//! Many writes at once (issue 15). Once an operation has begun its transaction it reads only
//! through it: on SQLite the transaction holds the write lock from its start, and one that
//! then waits for a second connection of the pool while every other connection waits for the
//! lock starves them all into "database is locked". Each test sends more writes at once than
//! the SQLite pool has connections (8); on PostgreSQL the same writes must succeed too.
use crate::helpers::{Browser, TestApp};
use flipside_core::role::{Role, Scope};
use std::sync::Arc;

const AT_ONCE: usize = 16;

/// Posts the same form `AT_ONCE` times at once from one browser; the statuses, in any order.
async fn all_at_once(browser: Browser, path: &str, fields: &[(&str, &str)]) -> Vec<u16> {
    let browser = Arc::new(browser);
    browser.csrf().await;
    let fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let start = Arc::new(tokio::sync::Barrier::new(AT_ONCE));
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..AT_ONCE {
        let (browser, path, fields) = (browser.clone(), path.to_string(), fields.clone());
        let start = start.clone();
        posts.spawn(async move {
            start.wait().await;
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let page = browser.post(&path, &fields).await;
            assert_ne!(page.status, 500, "{path}: {}", page.body);
            page.status
        });
    }
    posts.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reset_links_asked_for_by_many_people_at_once_are_each_sent() {
    let app = TestApp::spawn().await;
    for n in 0..AT_ONCE {
        app.person(&format!("person{n}@tu.test"), &[]).await;
    }
    // Every guest has its form first; then all post at the same moment.
    let mut guests = Vec::new();
    for _ in 0..AT_ONCE {
        let guest = app.browser();
        guest.csrf().await;
        guests.push(guest);
    }
    let start = Arc::new(tokio::sync::Barrier::new(AT_ONCE));
    let mut posts = tokio::task::JoinSet::new();
    for (n, guest) in guests.into_iter().enumerate() {
        let start = start.clone();
        posts.spawn(async move {
            let email = format!("person{n}@tu.test");
            start.wait().await;
            let page = guest
                .post("/password/forgot", &[("email", email.as_str())])
                .await;
            assert_eq!(page.status, 303, "{email}: {}", page.body);
        });
    }
    posts.join_all().await;
    for n in 0..AT_ONCE {
        let emails = app
            .store
            .emails_to(&format!("person{n}@tu.test"))
            .await
            .unwrap();
        assert_eq!(emails.len(), 1, "person{n} has their link");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_survey_invitation_sent_from_many_tabs_at_once_enrols_everyone_once() {
    use flipside_core::evaluation::Wave;
    use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
    let app = TestApp::spawn().await;
    app.store.ensure_default_instruments().await.unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let today = flipside_core::local_time::Zone::default().date_of(chrono::Utc::now());
    app.store
        .set_wave_dates(
            cycle,
            &[flipside_core::surveys::WaveDates {
                wave: Wave::Pre,
                opens_on: today,
                closes_on: today + chrono::Days::new(10),
            }],
        )
        .await
        .unwrap();
    let student = app.person("keen@tu.test", &[]).await;
    let application = app
        .store
        .save_application(flipside_store::NewApplication {
            cycle_id: cycle,
            user_id: student,
            label_ids: &[],
            own_words: "",
            course: "BSc Law",
            level: "ug2",
            interests: "belonging",
            availability: "tue-pm",
            hopes: "",
            school_id: None,
            consents: &[ConsentKind::TakePart, ConsentKind::Research],
        })
        .await
        .unwrap();
    app.store
        .decide_application(application, ApplicationStatus::Accepted, "", None)
        .await
        .unwrap();
    let coordinator = app
        .as_role("co@tu.test", &[(Role::Coordinator, Scope::Scheme(scheme))])
        .await;
    let statuses = all_at_once(
        coordinator,
        &format!("/cycles/{cycle}/surveys/pre/invite"),
        &[],
    )
    .await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let enrolled = app.store.wave_recipients(cycle, Wave::Pre).await.unwrap();
    assert_eq!(enrolled.len(), 1, "enrolled once: {enrolled:?}");
    assert_eq!(app.store.emails_to("keen@tu.test").await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_label_added_from_many_tabs_at_once_is_added_once_and_refused_by_name() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let statuses = all_at_once(
        admin,
        "/admin/organisation/labels",
        &[("name", "Care experienced"), ("description", "")],
    )
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 303 | 422)),
        "{statuses:?}"
    );
    let labels = app.store.identity_labels().await.unwrap();
    assert_eq!(
        labels
            .iter()
            .filter(|l| l.name == "Care experienced")
            .count(),
        1
    );
}
