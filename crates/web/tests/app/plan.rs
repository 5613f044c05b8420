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

#[tokio::test]
async fn a_coordinator_previews_the_plan_as_pairs_will_see_it_before_saving() {
    let app = TestApp::spawn().await;
    let plan = serde_json::to_string(&Framework::default_plan()).unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", &plan).await;
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let path = format!("/cycles/{cycle}/plan");
    // The saved plan is shown as pairs see it, under the editor.
    let page = priya.get_ok(&path).await;
    assert!(page.body.contains("How pairs see this plan"));
    assert!(page.body.contains("<strong>Getting to know each other"));
    assert!(page.body.contains("class=\"editor\" id=\"sessions\""));

    let typed = "## The library at night\n- Where do you study after ten?\nPre-reading: The opening hours\n";
    let preview = priya
        .post(
            &path,
            &[
                ("sessions", typed),
                ("expectations", "We keep to time."),
                ("hours_target", "8"),
                ("preview", "yes"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("Preview: how pairs will see this plan (not saved yet)")
    );
    assert!(
        preview
            .body
            .contains("<strong>The library at night</strong>")
    );
    assert!(
        preview
            .body
            .contains("<p>Pre-reading: The opening hours</p>")
    );
    assert!(
        preview
            .body
            .contains("Where do you study after ten?</textarea>")
            || preview.body.contains("The opening hours\n</textarea>"),
        "what was typed stays in the editor"
    );
    // Nothing is saved by a preview.
    let stored = app.store.cycle(cycle).await.unwrap();
    assert_eq!(stored.framework, plan);
    assert_ne!(stored.hours_target, 8);

    // A preview with a mistake reports it as saving would.
    let bad = priya
        .post(
            &path,
            &[
                ("sessions", "A stray line\n"),
                ("expectations", "We keep to time."),
                ("hours_target", "8"),
                ("preview", "yes"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Line 1: start the plan with a session"),
        "{}",
        bad.body
    );
    assert!(!bad.body.contains("Preview: how pairs"));
}
