//! Coordinators edit a cycle's meeting plan, expectations and hours target (SPEC §3.4).
use crate::helpers::TestApp;
use flipside_core::cycle::CycleState;
use flipside_core::framework::Framework;
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn a_coordinator_edits_the_plan_with_mistakes_reported_by_line() {
    let app = TestApp::spawn().await;
    let plan = serde_json::to_string(&Framework::default_plan()).unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", &plan).await;
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let mentor = app
        .as_role("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let path = format!("/cycles/{cycle}/plan");

    let page = priya.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("## Getting to know each other"),
        "the plan is shown as text"
    );

    let bad = priya
        .post(
            &path,
            &[
                (
                    "sessions",
                    "## Belonging\n- What does belonging mean?\n## Barriers\nA stray line\n",
                ),
                ("expectations", ""),
                ("hours_target", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("Line 3: session &#39;Barriers&#39; needs at least one prompt")
            || bad
                .body
                .contains("Line 3: session 'Barriers' needs at least one prompt"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("Line 4: start the line with"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("write at least one expectation"));
    assert!(bad.body.contains("from 1 to 200"));
    assert!(bad.body.contains("A stray line"), "what was typed is kept");
    assert_eq!(
        app.store.cycle(cycle).await.unwrap().framework,
        plan,
        "nothing saved"
    );

    let ok = priya
        .post(
            &path,
            &[
                ("sessions", "## Belonging\n- What does belonging mean?\nPre-reading: the belonging report\n## Barriers\n- Which rules did you work out alone?\n"),
                ("expectations", "We meet every fortnight.\nWhat is said stays between us."),
                ("hours_target", "16"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let saved = app.store.cycle(cycle).await.unwrap();
    assert_eq!(saved.hours_target, 16);
    let fw: Framework = serde_json::from_str(&saved.framework).unwrap();
    assert_eq!(fw.sessions.len(), 2);
    assert_eq!(
        fw.sessions[0].pre_reading.as_deref(),
        Some("the belonging report")
    );
    assert_eq!(fw.expectations.len(), 2);
    let shown = priya.get(&format!("/cycles/{cycle}")).await;
    assert!(shown.body.contains("Which rules did you work out alone?"));
    assert_eq!(
        app.store
            .audit_entries(Some("meeting_plan_updated"), 5)
            .await
            .unwrap()
            .len(),
        1
    );

    // Taking part is not running the cycle.
    assert_eq!(mentor.get(&path).await.status, 403);
    assert_eq!(
        mentor
            .post(
                &path,
                &[
                    ("sessions", "## X\n- y"),
                    ("expectations", "z"),
                    ("hours_target", "5")
                ]
            )
            .await
            .status,
        403
    );

    // A closed cycle keeps the plan it ran with.
    for (from, to) in [
        (CycleState::Recruiting, CycleState::Matching),
        (CycleState::Matching, CycleState::Running),
        (CycleState::Running, CycleState::Evaluating),
        (CycleState::Evaluating, CycleState::Closed),
    ] {
        app.transition_cycle(cycle, from, to, None).await.unwrap();
    }
    let refused = priya
        .post(
            &path,
            &[
                ("sessions", "## X\n- y"),
                ("expectations", "z"),
                ("hours_target", "5"),
            ],
        )
        .await;
    assert_eq!(refused.status, 303);
    assert_eq!(app.store.cycle(cycle).await.unwrap().hours_target, 16);
}
