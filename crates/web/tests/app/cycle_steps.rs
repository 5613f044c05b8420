//! A new cycle starts as a draft; its coordinator opens the call when the plan is ready, can
//! close the call at any time, and every step is taken from a confirmation page that says
//! what it will do before it happens (a GET page, a POST button: no JavaScript needed).
use crate::helpers::{TestApp, h1};
use flipside_core::recruitment::ConsentKind;
use flipside_core::role::{Role, Scope};
use flipside_store::{NewApplication, NewInvitation, NewScheme};

/// The value of the hidden input `name` inside the form that posts to `action`.
fn hidden_in(body: &str, action: &str, name: &str) -> String {
    let form = &body[body
        .find(&format!("action=\"{action}\""))
        .expect("the form")..];
    let form = &form[..form.find("</form>").unwrap()];
    let needle = format!("name=\"{name}\" value=\"");
    let at = form.find(&needle).expect("the hidden field") + needle.len();
    form[at..at + form[at..].find('"').unwrap()].to_string()
}

/// Takes the step the cycle page offers, as a person does: the page's button leads to the
/// confirmation page, whose button posts the step. Returns the confirmation page.
async fn take_offered_step(b: &crate::helpers::Browser, cycle: i64) -> String {
    let page = b.get_ok(&format!("/cycles/{cycle}")).await;
    let to = hidden_in(&page.body, &format!("/cycles/{cycle}/advance"), "to");
    let confirm = b.get_ok(&format!("/cycles/{cycle}/advance?to={to}")).await;
    let action = format!("/cycles/{cycle}/advance");
    let from = hidden_in(&confirm.body, &action, "from");
    let to = hidden_in(&confirm.body, &action, "to");
    let r = b.post(&action, &[("from", &from), ("to", &to)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm.body
}

#[tokio::test]
async fn a_new_cycle_is_a_draft_until_its_coordinator_confirms_opening_the_call() {
    let app = TestApp::spawn().await;
    let s = app
        .store
        .create_scheme(NewScheme {
            name: "Reverse Mentoring",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap();
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let student = app
        .as_role("sam@tu.test", &[(Role::Student, Scope::Organisation)])
        .await;
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
    assert_eq!(r.status, 303);
    let page = b.follow(&r).await;
    assert!(page.body.contains("started as a draft"), "{}", page.body);
    assert!(page.body.contains("<li aria-current=\"step\">draft</li>"));
    assert!(page.body.contains(">Open the call</button>"));
    let id: i64 = r.location().trim_start_matches("/cycles/").parse().unwrap();

    // Nobody can apply to a draft, and it is offered on nobody's home page.
    assert!(
        !student
            .get_ok("/")
            .await
            .body
            .contains(&format!("/cycles/{id}/apply"))
    );
    let call = student.get_ok(&format!("/cycles/{id}/apply")).await;
    assert!(
        call.body.contains("This call is not open yet"),
        "{}",
        call.body
    );

    // The button leads to a page that says what opening the call does; asking changes nothing.
    let confirm = b
        .get_ok(&format!("/cycles/{id}/advance?to=recruiting"))
        .await;
    assert_eq!(
        h1(&confirm.body),
        "Open the call: Reverse Mentoring 2026/27?"
    );
    for says in [
        "students can apply",
        "aims for 20 hours per pair; you can still edit it.",
        "No one is emailed.",
        "This cannot be undone",
    ] {
        assert!(confirm.body.contains(says), "{says}: {}", confirm.body);
    }
    assert_eq!(app.store.cycle(id).await.unwrap().state, "draft");
    assert_eq!(app.store.cycle_events(id).await.unwrap().len(), 1);

    take_offered_step(&b, id).await;
    assert_eq!(app.store.cycle(id).await.unwrap().state, "recruiting");
    assert!(
        student
            .get_ok("/")
            .await
            .body
            .contains(&format!("/cycles/{id}/apply"))
    );
    assert!(
        b.get_ok(&format!("/cycles/{id}"))
            .await
            .body
            .contains(">Close the call and start matching</button>")
    );
    let entries = app
        .store
        .audit_entries(Some("cycle_state_changed"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].detail, "draft → recruiting");
}

#[tokio::test]
async fn closing_the_call_early_says_what_is_still_undecided_and_emails_nobody() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let sam = app.person("sam@tu.test", &[]).await;
    app.store
        .save_application(NewApplication {
            cycle_id: c,
            user_id: sam,
            label_ids: &[],
            own_words: "",
            course: "BSc Law",
            level: "ug2",
            interests: "assessment",
            availability: "tue-pm",
            hopes: "Better feedback.",
            school_id: None,
            consents: &[ConsentKind::TakePart],
        })
        .await
        .unwrap();
    app.store
        .create_invitation(NewInvitation {
            cycle_id: c,
            email: "lead@tu.test",
            name: "Prof Lead",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let emails_before = app.store.recent_emails(100).await.unwrap().len();

    let confirm = take_offered_step(&b, c).await;
    assert!(confirm.contains("The call closes now"), "{confirm}");
    assert!(
        confirm.contains("1 application was received; 1 is not decided yet."),
        "{confirm}"
    );
    assert!(
        confirm.contains("1 invitation to staff leaders still waiting for an answer keep working.")
    );
    assert_eq!(app.store.cycle(c).await.unwrap().state, "matching");
    let call = app
        .signed_in("sam@tu.test")
        .await
        .get_ok(&format!("/cycles/{c}/apply"))
        .await;
    assert!(call.body.contains("This call is closed"));

    // A stale confirmation (the step already taken) changes nothing and says so.
    let r = b.get(&format!("/cycles/{c}/advance?to=matching")).await;
    assert_eq!(r.status, 303);
    assert!(b.follow(&r).await.body.contains("The cycle is matching"));
    let r = b
        .post(
            &format!("/cycles/{c}/advance"),
            &[("from", "recruiting"), ("to", "matching")],
        )
        .await;
    assert!(b.follow(&r).await.body.contains("has changed state"));
    // Skipping a step cannot even be asked for.
    let r = b.get(&format!("/cycles/{c}/advance?to=closed")).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.cycle(c).await.unwrap().state, "matching");
    assert_eq!(app.audited("cycle_state_changed").await, 1);
    assert_eq!(
        app.store.recent_emails(100).await.unwrap().len(),
        emails_before,
        "no email"
    );
}

/// A meeting of the pair logged as held, `minutes` long.
async fn held(app: &TestApp, pair: &flipside_store::Pair, minutes: i64) {
    let id = app
        .store
        .propose_meeting(
            pair.id,
            0,
            flipside_core::meetings::Slot {
                start: chrono::Utc::now() - chrono::Duration::days(7),
                minutes,
            },
            pair.mentor_id,
        )
        .await
        .unwrap();
    app.store.respond_to_meeting(id, true).await.unwrap();
    app.store.mark_meeting_held(id, minutes).await.unwrap();
}

#[tokio::test]
async fn closing_asks_pair_by_pair_and_counts_each_pair_once() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let mut new_pairs = Vec::new();
    for who in ["ada", "bo", "cy", "di"] {
        new_pairs.push(flipside_store::NewPair {
            mentor_id: app.person(&format!("{who}.student@tu.test"), &[]).await,
            mentee_id: app.person(&format!("{who}.leader@tu.test"), &[]).await,
            reason: "r".into(),
            cost: 0,
        });
    }
    take_offered_step(&b, c).await; // close the call
    app.publish_pairs(c, &new_pairs, None).await.unwrap();
    let pairs = app.store.pairs_of_cycle(c).await.unwrap();
    // Ada's pair met for 11 of the 20 hours; Bo's once; Cy's never; Di's for 12 hours.
    held(&app, &pairs[0], 360).await;
    held(&app, &pairs[0], 300).await;
    held(&app, &pairs[1], 60).await;
    held(&app, &pairs[3], 720).await;
    let confirm = take_offered_step(&b, c).await; // start the meetings
    assert!(
        confirm.contains("4 pairs are published; they start meeting."),
        "{confirm}"
    );
    take_offered_step(&b, c).await; // start the evaluation

    // The closing page asks about each active pair, with a suggestion from what it did.
    let page = b.get_ok(&format!("/cycles/{c}/advance?to=closed")).await;
    assert_eq!(
        h1(&page.body),
        "Close the cycle: Reverse Mentoring 2026/27?"
    );
    assert!(
        page.body
            .contains("met 2 times, 11 hours of the 20 hours aimed for"),
        "{}",
        page.body
    );
    let checked = |pair: i64, outcome: &str| {
        let id = format!(
            "id=\"outcome-{pair}-{}\"",
            if outcome == "completed" {
                "completed"
            } else {
                "ended"
            }
        );
        let at = page.body.find(&id).unwrap_or_else(|| panic!("{id}"));
        let input = &page.body[at..at + page.body[at..].find('>').unwrap()];
        input.contains("checked")
    };
    assert!(
        checked(pairs[0].id, "completed"),
        "half the hours: completed"
    );
    assert!(
        checked(pairs[1].id, "ended_early"),
        "once: ended early suggested"
    );
    assert!(checked(pairs[3].id, "completed"));
    assert!(
        !page
            .body
            .contains(&format!("id=\"outcome-{}-completed\"", pairs[2].id)),
        "a pair that never met is not offered as completed"
    );
    assert!(page.body.contains("Ended early: this pair never met."));
    assert_eq!(
        app.store.cycle(c).await.unwrap().state,
        "evaluating",
        "asking changes nothing"
    );

    // The coordinator knows better about Bo's and Di's pairs; a forged "completed" for Cy's
    // pair, which never met, is not believed.
    let outcome = |i: usize| format!("outcome-{}", pairs[i].id);
    let (o0, o1, o2, o3) = (outcome(0), outcome(1), outcome(2), outcome(3));
    let r = b
        .post(
            &format!("/cycles/{c}/advance"),
            &[
                ("from", "evaluating"),
                ("to", "closed"),
                (o0.as_str(), "completed"),
                (o1.as_str(), "completed"),
                (o2.as_str(), "completed"),
                (o3.as_str(), "ended_early"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(
        page.body
            .contains("The cycle is now closed. 4 pairs: 2 completed, 2 ended early."),
        "{}",
        page.body
    );
    let status: Vec<String> = app
        .store
        .pairs_of_cycle(c)
        .await
        .unwrap()
        .iter()
        .map(|p| p.status.to_string())
        .collect();
    assert_eq!(
        status,
        ["completed", "completed", "ended_early", "ended_early"]
    );
    let cycle_page = b.get_ok(&format!("/cycles/{c}")).await;
    assert!(
        cycle_page
            .body
            .contains("4 pairs: 2 completed, 2 ended early.")
    );
    // The pairs page counts them in the same words, each pair once.
    let pairs_page = b.get_ok(&format!("/cycles/{c}/pairs")).await;
    assert!(
        pairs_page
            .body
            .contains("<p class=\"counts\">4 pairs: 2 completed, 2 ended early.</p>"),
        "{}",
        pairs_page.body
    );
    assert!(!pairs_page.body.contains("Matched:"));
    let entries = app
        .store
        .audit_entries(Some("cycle_state_changed"), 1)
        .await
        .unwrap();
    assert_eq!(
        entries[0].detail,
        "evaluating → closed; 2 pair(s) completed, 2 ended early"
    );
}

#[tokio::test]
async fn closing_without_choices_never_completes_a_pair_that_never_met() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let (m, e) = (
        app.person("m@tu.test", &[]).await,
        app.person("e@tu.test", &[]).await,
    );
    app.publish_pairs(
        c,
        &[flipside_store::NewPair {
            mentor_id: m,
            mentee_id: e,
            reason: "r".into(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    let mut state = flipside_core::cycle::CycleState::Recruiting;
    while let Some(next) = state.next() {
        let r = b
            .post(
                &format!("/cycles/{c}/advance"),
                &[("from", state.as_str()), ("to", next.as_str())],
            )
            .await;
        assert_eq!(r.status, 303);
        state = next;
    }
    let counts = app.store.pair_counts(c).await.unwrap();
    assert_eq!((counts.completed, counts.ended_early), (0, 1));
    let pair = app.store.pairs_of_cycle(c).await.unwrap().remove(0);
    assert_eq!(
        pair.ended_reason,
        "The pair never met before the cycle closed."
    );
}

#[tokio::test]
async fn an_archived_schemes_draft_cannot_open_its_call() {
    let app = TestApp::spawn().await;
    let s = app
        .store
        .create_scheme(NewScheme {
            name: "Old Pilot",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap();
    let c = app
        .store
        .create_cycle(
            s,
            flipside_core::cycle::AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    // A draft does not stop archiving: it holds nobody's data.
    assert_eq!(
        b.post(&format!("/schemes/{s}/archive"), &[]).await.status,
        303
    );
    assert!(app.store.scheme(s).await.unwrap().archived_at.is_some());
    let confirm = b
        .get_ok(&format!("/cycles/{c}/advance?to=recruiting"))
        .await;
    assert!(confirm.body.contains("This scheme is archived"));
    assert!(!confirm.body.contains(">Open the call</button>"));
    let r = b
        .post(
            &format!("/cycles/{c}/advance"),
            &[("from", "draft"), ("to", "recruiting")],
        )
        .await;
    assert!(b.follow(&r).await.body.contains("this scheme is archived"));
    assert_eq!(app.store.cycle(c).await.unwrap().state, "draft");
}

#[tokio::test]
async fn the_demo_keeps_its_call_open_its_pilot_running_and_its_past_cycle_closed() {
    let app = TestApp::spawn_demo().await;
    let mut states = Vec::new();
    for scheme in app.store.schemes().await.unwrap() {
        for cycle in app.store.cycles_of(scheme.id).await.unwrap() {
            let events = app.store.cycle_events(cycle.id).await.unwrap();
            assert_eq!(
                events[0].to_state, "draft",
                "every cycle started as a draft"
            );
            states.push((
                scheme.name.clone(),
                cycle.year().to_string(),
                cycle.state.to_string(),
            ));
        }
    }
    states.sort();
    assert_eq!(
        states,
        [
            (
                "Law School Reverse Mentoring Pilot".to_string(),
                "2026/27".to_string(),
                "running".to_string()
            ),
            (
                "Reverse Mentoring at Northmoor".into(),
                "2025/26".into(),
                "closed".into()
            ),
            (
                "Reverse Mentoring at Northmoor".into(),
                "2026/27".into(),
                "recruiting".into()
            ),
        ]
    );
}
