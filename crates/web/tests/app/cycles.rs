use crate::helpers::TestApp;
use flipside_core::cycle::AcademicYear;
use flipside_core::role::{Role, Scope};
use flipside_store::NewScheme;

async fn scheme(app: &TestApp, name: &str) -> i64 {
    app.store
        .create_scheme(NewScheme {
            name,
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_coordinator_runs_a_cycle_through_every_state_and_each_change_is_recorded() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    let coordinator = app
        .person("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let b = app.signed_in("priya@tu.test").await;
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/27"),
                ("hours_target", "20"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location().to_string();
    let id: i64 = path.trim_start_matches("/cycles/").parse().unwrap();
    let page = b.follow(&r).await;
    assert!(page.body.contains("2026/27 cycle"));
    assert!(
        page.body.contains("Getting to know each other"),
        "the default plan is shown"
    );

    assert!(
        page.body
            .contains("This cycle is a draft: nobody can apply"),
        "a new cycle starts as a draft"
    );
    for (from, to) in [
        ("draft", "recruiting"),
        ("recruiting", "matching"),
        ("matching", "running"),
        ("running", "evaluating"),
        ("evaluating", "closed"),
    ] {
        let r = b
            .post(&format!("{path}/advance"), &[("from", from), ("to", to)])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(app.store.cycle(id).await.unwrap().state, to);
    }
    let events = app.store.cycle_events(id).await.unwrap();
    let steps: Vec<_> = events
        .iter()
        .map(|e| (e.from_state.clone(), e.to_state.clone()))
        .collect();
    assert_eq!(steps[0], (None, "draft".to_string()));
    assert_eq!(
        steps.last().unwrap(),
        &(Some("evaluating".into()), "closed".into())
    );
    assert_eq!(events.len(), 6);
    assert!(
        events.iter().all(|e| e.actor_id == Some(coordinator)),
        "who made each change is recorded"
    );
    assert!(b.get(&path).await.body.contains("This cycle is closed."));
}

/// A cycle's history and meeting plan are rendered once and kept (issue 15): a step taken, the
/// plan edited and the organisation's time zone changed each show on the next request.
#[tokio::test]
async fn the_cycle_page_kept_in_memory_shows_every_change_behind_it() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    app.person("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let b = app.signed_in("priya@tu.test").await;
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/27"),
                ("hours_target", "20"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location().to_string();
    let page = b.get(&path).await;
    assert!(page.body.contains("Getting to know each other"));
    assert!(page.body.contains("Hours each pair aims to meet: 20."));
    assert!(!page.body.contains("draft → recruiting"));
    assert!(
        page.body.contains("times in Europe/London"),
        "{}",
        page.body
    );

    let r = b
        .post(
            &format!("{path}/advance"),
            &[("from", "draft"), ("to", "recruiting")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = b.get(&path).await;
    assert!(page.body.contains("draft → recruiting"), "the step shows");

    let r = b
        .post(
            &format!("{path}/plan"),
            &[
                ("sessions", "## Belonging\n- What does belonging mean?\n"),
                ("expectations", "We meet every fortnight."),
                ("hours_target", "16"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&path).await;
    assert!(
        page.body.contains("What does belonging mean?"),
        "the plan shows"
    );
    assert!(!page.body.contains("Getting to know each other"));
    assert!(page.body.contains("Hours each pair aims to meet: 16."));

    app.store
        .set_time_zone(flipside_core::local_time::Zone::parse("Asia/Tokyo").unwrap())
        .await
        .unwrap();
    let page = b.get(&path).await;
    assert!(
        page.body.contains("times in Asia/Tokyo"),
        "the new zone shows"
    );
    assert!(page.body.contains(" JST</td>"), "{}", page.body);
}

#[tokio::test]
async fn a_stale_page_cannot_skip_a_state() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    let id = app
        .store
        .create_cycle(
            s,
            AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    app.open_call(id).await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    assert_eq!(
        b.post(
            &format!("/cycles/{id}/advance"),
            &[("from", "recruiting"), ("to", "matching")]
        )
        .await
        .status,
        303
    );
    // The same button pressed again from the old page: refused, state unchanged.
    let r = b
        .post(
            &format!("/cycles/{id}/advance"),
            &[("from", "recruiting"), ("to", "matching")],
        )
        .await;
    let page = b.follow(&r).await;
    assert!(page.body.contains("has changed state"), "{}", page.body);
    // Skipping ahead is refused by the state machine.
    b.post(
        &format!("/cycles/{id}/advance"),
        &[("from", "matching"), ("to", "closed")],
    )
    .await;
    assert_eq!(app.store.cycle(id).await.unwrap().state, "matching");
    assert_eq!(app.store.cycle_events(id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_new_cycle_can_copy_the_previous_framework() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    let custom = r#"{"sessions":[{"topic":"Our own first session","prompts":["What matters?"]}],"expectations":["Be on time"]}"#;
    let first = app
        .store
        .create_cycle(
            s,
            AcademicYear::parse("2025/26").unwrap(),
            12,
            custom,
            None,
            None,
        )
        .await
        .unwrap();
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let form = b.get(&format!("/schemes/{s}/cycles/new")).await;
    assert!(
        form.body.contains("value=\"2026/27\""),
        "the next year is suggested"
    );
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/27"),
                ("hours_target", "20"),
                ("copy_from", &first.to_string()),
            ],
        )
        .await;
    let page = b.follow(&r).await;
    assert!(page.body.contains("Our own first session"));
    assert!(page.body.contains("copied from the 2025/26 cycle"));
    let second = app
        .store
        .cycles_of(s)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id != first)
        .unwrap();
    assert_eq!(second.hours_target, 12, "copying keeps last year's target");
    assert_eq!(second.copied_from, Some(first));
}

#[tokio::test]
async fn cycle_form_errors_name_the_field() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    app.store
        .create_cycle(
            s,
            AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/28"),
                ("hours_target", "lots"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("is not an academic year"), "{}", r.body);
    assert!(r.body.contains("whole number from 1 to 200"));
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/27"),
                ("hours_target", "20"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert!(r.body.contains("already has a cycle for 2026/27"));
    assert_eq!(app.store.cycles_of(s).await.unwrap().len(), 1);
}

#[tokio::test]
async fn two_creations_of_the_same_cycle_at_once_leave_one_cycle_and_a_clear_answer() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    let one = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let two = app
        .as_role("omar@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let path = format!("/schemes/{s}/cycles");
    let fields = [
        ("academic_year", "2026/27"),
        ("hours_target", "20"),
        ("copy_from", ""),
    ];
    let (a, b) = tokio::join!(one.post(&path, &fields), two.post(&path, &fields));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 422], "{} / {}", a.body, b.body);
    let refused = if a.status == 422 { &a } else { &b };
    assert!(
        refused.body.contains("already has a cycle for 2026/27"),
        "{}",
        refused.body
    );
    assert_eq!(app.store.cycles_of(s).await.unwrap().len(), 1);
}

#[tokio::test]
async fn two_creations_of_the_same_cycle_at_once_through_the_api_leave_one_cycle() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "RM").await;
    let id = app
        .person("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let token = app
        .store
        .create_api_token(id, "test", chrono::Duration::days(90))
        .await
        .unwrap()
        .0;
    let client = reqwest::Client::new();
    let create = || {
        client
            .post(app.url(&format!("/api/v1/schemes/{s}/cycles")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"academic_year": "2026/27"}))
            .send()
    };
    let (a, b) = tokio::join!(create(), create());
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut answers = Vec::new();
    for r in [a, b] {
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        answers.push((status, body));
    }
    answers.sort_by_key(|(s, _)| *s);
    assert_eq!(answers[0].0, 201, "{answers:?}");
    // The loser is told why: found by the form's check (422) or by the database (409).
    let (status, body) = &answers[1];
    assert!(matches!(status, 409 | 422), "{answers:?}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("already has a cycle for 2026/27"),
        "{body}"
    );
    assert_eq!(app.store.cycles_of(s).await.unwrap().len(), 1);
}
