//! Actions and follow-up (SPEC §3.8): raised by either member (attributed or anonymous),
//! accepted and moved on by the owner through the state machine, with evidence, and shown on
//! the scheme's "you said, we did" page.
use crate::helpers::{Browser, TestApp};
use crate::meetings::{COORDINATOR, MENTEE, MENTOR, setup};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn an_action_goes_from_proposed_to_done_with_evidence_and_shows_on_you_said_we_did() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    let raise = format!("/pairs/{}/actions", s.pair);
    let r = mentor
        .post(&raise, &[("action_title", ""), ("action_description", "")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"action_title-error\"")
            && r.body.contains("id=\"action_description-error\"")
    );
    let r = mentor
        .post(
            &raise,
            &[
                ("action_title", "Feedback before the next deadline"),
                (
                    "action_description",
                    "Marked work comes back after the next assignment is due.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let action = app.store.actions_of_pair(s.pair).await.unwrap().remove(0);
    assert_eq!(
        (action.status.as_str(), action.owner_id, action.raised_by),
        ("proposed", s.mentee, s.mentor)
    );

    // Only the owner moves it on.
    let step = |from: &str, to: &str| vec![("from", from.to_string()), ("to", to.to_string())];
    let path = format!("/actions/{}/status", action.id);
    async fn post_to(
        path: &str,
        b: &Browser,
        fields: Vec<(&'static str, String)>,
    ) -> crate::helpers::Page {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post(path, &f).await
    }
    assert_eq!(
        post_to(&path, &mentor, step("proposed", "agreed"))
            .await
            .status,
        403
    );
    // Skipping a step is refused with the steps allowed.
    let r = post_to(&path, &mentee, step("proposed", "done")).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains(
        "An action that is proposed cannot become done; next it can become agreed or declined."
    ));
    assert_eq!(
        app.store.follow_up_action(action.id).await.unwrap().status,
        "proposed"
    );
    for (from, to) in [("proposed", "agreed"), ("agreed", "in_progress")] {
        assert_eq!(post_to(&path, &mentee, step(from, to)).await.status, 303);
    }
    // A stale page cannot move it.
    assert_eq!(
        post_to(&path, &mentee, step("proposed", "agreed"))
            .await
            .status,
        409
    );

    // Evidence: a link must be a web address; the partner cannot add any.
    let evidence = format!("/actions/{}/evidence", action.id);
    let r = mentee
        .post(
            &evidence,
            &[
                ("evidence_body", ""),
                ("evidence_link", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"link-{}-error\"", action.id)));
    let r = mentee
        .post(&evidence, &[("evidence_body", ""), ("evidence_link", "")])
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        mentor
            .post(&evidence, &[("evidence_body", "x")])
            .await
            .status,
        403
    );
    assert!(app.store.evidence_of(action.id).await.unwrap().is_empty());
    assert_eq!(app.audited("action_evidence_added").await, 0);
    let r = mentee
        .post(
            &evidence,
            &[
                (
                    "evidence_body",
                    "Schools now return feedback within 15 working days.",
                ),
                ("evidence_link", "https://intranet.example/policy/feedback"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // Audited with the evidence, without its words.
    let e = app
        .audited_once(
            &mut 0,
            "action_evidence_",
            s.mentee,
            "action_evidence_added",
            ("action", action.id),
        )
        .await;
    assert!(!e.detail.contains("working days"), "{e:?}");
    assert_eq!(
        post_to(&path, &mentee, step("in_progress", "done"))
            .await
            .status,
        303
    );
    // Done is final.
    let r = post_to(
        &path,
        &mentee,
        vec![
            ("from", "done".into()),
            ("to", "declined".into()),
            ("reason", "x".into()),
        ],
    )
    .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("cannot change any more"));

    // "You said, we did": participants and coordinators, nobody else.
    let page = format!("/schemes/{}/you-said-we-did", s.scheme);
    let coordinator = app.signed_in(COORDINATOR).await;
    for b in [&mentor, &mentee, &coordinator] {
        let r = b.get(&page).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Feedback before the next deadline"));
        assert!(
            r.body
                .contains("Schools now return feedback within 15 working days.")
        );
        assert!(
            r.body
                .contains("href=\"https://intranet.example/policy/feedback\"")
        );
        assert!(r.body.contains("Raised by amara nwosu ·"));
        assert!(r.body.contains("1 done"));
    }
    let tutor = app
        .as_role("tutor@tu.test", &[(Role::Tutor, Scope::Organisation)])
        .await;
    assert_eq!(tutor.get(&page).await.status, 403);
}

#[tokio::test]
async fn declining_needs_a_reason_and_the_reason_is_shown() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentee = app.signed_in(MENTEE).await;
    mentee
        .post(
            &format!("/pairs/{}/actions", s.pair),
            &[
                ("action_title", "Quiet study space"),
                ("action_description", "More bookable rooms in exam season."),
            ],
        )
        .await;
    let id = app.store.actions_of_pair(s.pair).await.unwrap()[0].id;
    let path = format!("/actions/{id}/status");
    let r = mentee
        .post(
            &path,
            &[("from", "proposed"), ("to", "declined"), ("reason", " ")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains(&format!("id=\"reason-{id}-error\""))
            && r.body.contains("Say why the action is declined.")
    );
    assert_eq!(
        app.store.follow_up_action(id).await.unwrap().status,
        "proposed"
    );
    let r = mentee
        .post(
            &path,
            &[
                ("from", "proposed"),
                ("to", "declined"),
                ("reason", "The library is rebuilding until 2028."),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let a = app.store.follow_up_action(id).await.unwrap();
    assert_eq!(
        (a.status.as_str(), a.declined_reason.as_str()),
        ("declined", "The library is rebuilding until 2028.")
    );
    let body = mentee
        .get(&format!("/schemes/{}/you-said-we-did", s.scheme))
        .await
        .body;
    assert!(body.contains("declined, because: The library is rebuilding until 2028."));
}

#[tokio::test]
async fn an_anonymous_action_names_its_raiser_to_nobody_but_them() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let r = mentor
        .post(
            &format!("/pairs/{}/actions", s.pair),
            &[
                ("action_title", "Name the hidden curriculum"),
                (
                    "action_description",
                    "Write down the unwritten rules for first years.",
                ),
                ("action_anonymous", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(app.store.actions_of_pair(s.pair).await.unwrap()[0].anonymous);
    let page = format!("/schemes/{}/you-said-we-did", s.scheme);
    let own = mentor.get_ok(&page).await.body;
    assert!(own.contains("Raised by amara nwosu, anonymously to the organisation"));
    let mentee = app.signed_in(MENTEE).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    for b in [&mentee, &coordinator] {
        let body = b.get_ok(&page).await.body;
        assert!(
            !body.to_lowercase().contains("amara"),
            "the page names the raiser"
        );
        assert!(body.contains("Name the hidden curriculum") && body.contains("Raised anonymously"));
    }
    // On the pair page the partner sees the action, but not who raised it.
    let body = mentee.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(
        body.contains("<p>Raised anonymously · owner helen marsh"),
        "{body}"
    );
}
