//! Telling people what happened (issue 14): applicants are emailed the decision and see it at
//! home; an action's owner is emailed when it is raised and its raiser at each step; concerns
//! have a status and a reply the raiser sees, each answer audited and emailed; and the action
//! form says honestly whom "anonymous" hides the raiser from.
use crate::helpers::TestApp;
use crate::meetings::{COORDINATOR, MENTEE, MENTOR, setup};
use crate::recruitment::{apply, recruiting, student};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn an_applicant_is_emailed_the_decision_with_the_message_and_sees_it_at_home() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    assert_eq!(
        apply(&amara, cycle, &[], "", &["take_part"]).await.status,
        303
    );
    let application = app.store.applications_of(cycle).await.unwrap()[0].id;
    let home = amara.get_ok("/").await.body;
    assert!(
        home.contains(&format!(
            r#"<a href="/cycles/{cycle}/my-application">Reverse Mentoring 2026/27</a>: <strong>Received, not yet decided</strong>"#
        )),
        "{home}"
    );

    let coordinator = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let r = coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{application}/decision"),
            &[
                ("decision", "waitlisted"),
                (
                    "message",
                    "Thirty applied for twenty places; we will write by May.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mail = app.store.emails_to("amara@tu.test").await.unwrap();
    assert_eq!(mail.len(), 1);
    let email = &mail[0];
    assert_eq!(
        email.subject,
        "Your application to Reverse Mentoring 2026/27"
    );
    assert!(
        email.body_text.contains("On the waiting list"),
        "{}",
        email.body_text
    );
    assert!(
        email
            .body_text
            .contains("Thirty applied for twenty places; we will write by May.")
    );
    assert!(
        email
            .body_text
            .contains(&format!("/cycles/{cycle}/my-application\n")),
        "the email links to the applicant's own page: {}",
        email.body_text
    );
    let home = amara.get_ok("/").await.body;
    assert!(
        home.contains("<strong>On the waiting list</strong>"),
        "{home}"
    );
}

#[tokio::test]
async fn an_actions_owner_is_emailed_when_it_is_raised_and_its_raiser_at_each_step() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;

    // The form says whom "anonymous" hides the raiser from, and whom it does not.
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        page.contains("An anonymous action is anonymous to the organisation, not to helen marsh"),
        "{page}"
    );
    assert!(page.contains("helen marsh can still tell it came from me"));

    let r = mentor
        .post(
            &format!("/pairs/{}/actions", s.pair),
            &[
                ("action_title", "Publish marking criteria early"),
                (
                    "action_description",
                    "Criteria a week before each assignment.",
                ),
                ("action_anonymous", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let action = app.store.actions_of_pair(s.pair).await.unwrap()[0].clone();
    let to_owner = app.store.emails_to(MENTEE).await.unwrap();
    assert_eq!(to_owner.len(), 1);
    assert_eq!(
        to_owner[0].dedup_key,
        format!("action:{}:raised", action.id)
    );
    assert!(
        to_owner[0]
            .body_text
            .contains("Publish marking criteria early")
    );
    assert!(
        to_owner[0]
            .body_text
            .contains(&format!("/pairs/{}#action-{}", s.pair, action.id))
    );
    // Anonymous: the email does not name the raiser.
    assert!(!to_owner[0].body_text.to_lowercase().contains("amara"));
    assert_eq!(app.audited("action_raised").await, 1);

    // Each step the owner takes tells the raiser.
    for (from, to, label) in [
        ("proposed", "agreed", "agreed"),
        ("agreed", "in_progress", "in progress"),
    ] {
        let r = mentee
            .post(
                &format!("/actions/{}/status", action.id),
                &[("from", from), ("to", to)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mail = app.store.emails_to(MENTOR).await.unwrap();
        let told = mail
            .iter()
            .find(|e| e.dedup_key == format!("action:{}:status:{to}", action.id))
            .unwrap_or_else(|| panic!("no email for {to}"));
        assert!(
            told.body_text.contains(&format!("to: {label}")),
            "{}",
            told.body_text
        );
        assert!(
            told.body_text
                .contains("helen marsh moved the action you raised")
        );
    }
    assert_eq!(app.audited("action_moved").await, 2);

    // A step that cannot be emailed is not taken.
    app.refuse_inserts_into("outbox").await;
    let r = mentee
        .post(
            &format!("/actions/{}/status", action.id),
            &[("from", "in_progress"), ("to", "done")],
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(
        app.store
            .follow_up_action(action.id)
            .await
            .unwrap()
            .status()
            .as_str(),
        "in_progress"
    );
    assert_eq!(app.audited("action_moved").await, 2);
}

#[tokio::test]
async fn coordinators_answer_concerns_and_only_the_raiser_sees_the_status_and_reply() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let r = mentor
        .post(
            &format!("/pairs/{}/concerns", s.pair),
            &[("concern", "Our meetings keep being cancelled.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let concern = app.store.concerns_of_cycle(s.cycle).await.unwrap()[0].clone();
    let mine = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(mine.contains(&format!(r#"id="concern-{}""#, concern.id)));
    assert!(mine.contains("New: not yet read by a coordinator"));
    let list = coordinator
        .get_ok(&format!("/cycles/{}/concerns", s.cycle))
        .await
        .body;
    assert!(list.contains(&format!(r#"action="/concerns/{}/answer""#, concern.id)));
    let answer = format!("/concerns/{}/answer", concern.id);

    // Nobody but the scheme's coordinators may answer.
    let elsewhere = app
        .as_role(
            "other@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme + 1000))],
        )
        .await;
    for b in [&mentor, &mentee, &elsewhere] {
        let r = b
            .post(&answer, &[("status", "resolved"), ("reply", "x")])
            .await;
        assert_eq!(r.status, 403);
    }

    // A wrong answer is shown at its field and changes nothing.
    let r = coordinator
        .post(&answer, &[("status", "new"), ("reply", "Looking into it.")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!(r#"id="status-{}""#, concern.id)));
    assert!(r.body.contains("Choose acknowledged or resolved."));
    assert!(
        r.body.contains("Looking into it."),
        "what was typed is kept"
    );
    assert_eq!(
        app.store
            .concern(concern.id)
            .await
            .unwrap()
            .status()
            .as_str(),
        "new"
    );

    let r = coordinator
        .post(
            &answer,
            &[
                ("status", "acknowledged"),
                ("reply", "Thank you. I will speak to both of you this week."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = app.store.emails_to(MENTOR).await.unwrap();
    let told = mail
        .iter()
        .find(|e| e.dedup_key == format!("concern:{}:answer:1", concern.id))
        .expect("the raiser is emailed");
    assert!(
        told.body_text
            .contains("I will speak to both of you this week.")
    );
    assert!(
        told.body_text
            .contains(&format!("/pairs/{}#concern-{}", s.pair, concern.id))
    );
    let mine = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(mine.contains("Acknowledged: a coordinator is looking into it"));
    assert!(mine.contains("I will speak to both of you this week."));
    // The partner sees neither the concern nor the reply.
    let theirs = mentee.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(!theirs.contains("cancelled") && !theirs.contains("speak to both of you"));

    let r = coordinator
        .post(&answer, &[("status", "resolved"), ("reply", "")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let resolved = app.store.concern(concern.id).await.unwrap();
    assert_eq!(resolved.status().as_str(), "resolved");
    assert_eq!(
        resolved.reply, "Thank you. I will speak to both of you this week.",
        "an empty reply keeps the last one"
    );
    assert_eq!(app.audited("concern_acknowledged").await, 1);
    assert_eq!(app.audited("concern_resolved").await, 1);
    // A resolved concern takes no more answers.
    let r = coordinator
        .post(&answer, &[("status", "acknowledged"), ("reply", "Again")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        !coordinator
            .get_ok(&format!("/cycles/{}/concerns", s.cycle))
            .await
            .body
            .contains(&format!(r#"action="/concerns/{}/answer""#, concern.id))
    );
}

#[tokio::test]
async fn a_nudge_emails_the_members_of_stuck_pairs_once_a_day_for_each_reason() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let pairs = format!("/cycles/{}/pairs", s.cycle);
    let nudge = format!("{pairs}/nudge");
    let nudges_to = |who: &'static str| {
        let app = &app;
        async move {
            app.store
                .emails_to(who)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.dedup_key.starts_with("nudge:"))
                .collect::<Vec<_>>()
        }
    };

    // Neither has accepted the expectations: the page says whom a nudge would email.
    let page = coordinator.get_ok(&pairs).await.body;
    assert!(
        page.contains("2 members have not accepted the expectations agreement"),
        "{page}"
    );
    assert!(page.contains("Email these 2 people a reminder"));
    // Only the scheme's coordinators nudge.
    assert_eq!(mentor.post(&nudge, &[]).await.status, 403);

    let r = coordinator.post(&nudge, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    for who in [MENTOR, MENTEE] {
        let mail = nudges_to(who).await;
        assert_eq!(mail.len(), 1, "{who}");
        assert!(
            mail[0]
                .subject
                .starts_with("Please accept your mentoring expectations")
        );
        assert!(
            mail[0]
                .body_text
                .contains(&format!("/pairs/{}#agreement", s.pair))
        );
    }
    assert_eq!(app.audited("pairs_nudged").await, 1);
    // Again the same day: nothing more is sent.
    coordinator.post(&nudge, &[]).await;
    assert_eq!(nudges_to(MENTOR).await.len(), 1);

    // Both accept but do not meet: a nudge asks both to arrange a meeting.
    crate::meetings::both_accept(&s, &mentor, &mentee).await;
    let page = coordinator.get_ok(&pairs).await.body;
    assert!(
        page.contains("2 members are in a pair that has not met"),
        "{page}"
    );
    coordinator.post(&nudge, &[]).await;
    let mail = nudges_to(MENTEE).await;
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().any(|e| {
        e.subject
            .starts_with("Time to arrange your first mentoring meeting")
    }));
}
