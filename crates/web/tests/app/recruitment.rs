//! Recruitment (SPEC §3.2): the open call, applying with separate consents, the applicant's
//! own page, coordinators' review (with every identity read audited) and the pool's
//! composition under the disclosure rule.
use crate::helpers::{Browser, TestApp, h1};
use flipside_core::cycle::CycleState;
use flipside_core::role::{Role, Scope};

/// A scheme with a recruiting cycle: (scheme id, cycle id).
pub(crate) async fn recruiting(app: &TestApp, name: &str) -> (i64, i64) {
    app.scheme_with_cycle(name, "{}").await
}

/// The id of the organisation's label with this name.
pub(crate) async fn label(app: &TestApp, name: &str) -> String {
    app.store
        .identity_labels()
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no label {name}"))
        .id
        .to_string()
}

/// A complete application with the given labels, own words and consents.
pub(crate) async fn apply(
    b: &Browser,
    cycle: i64,
    labels: &[&str],
    own_words: &str,
    consents: &[&str],
) -> crate::helpers::Page {
    let mut fields: Vec<(&str, &str)> = labels.iter().map(|l| ("labels", *l)).collect();
    fields.extend([
        ("own_words", own_words),
        ("course", "BSc Computer Science"),
        ("level", "ug2"),
        ("interests", "Assessment, belonging"),
        ("availability", "tue-pm"),
        ("availability", "thu-eve"),
        ("hopes", "Feedback that arrives before the next assignment."),
    ]);
    fields.extend(consents.iter().map(|c| ("consent", *c)));
    b.post(&format!("/cycles/{cycle}/apply"), &fields).await
}

pub(crate) fn student() -> [(Role, Scope); 1] {
    [(Role::Student, Scope::Organisation)]
}

#[tokio::test]
async fn a_student_applies_with_labels_own_words_and_consents_and_sees_them_on_their_page() {
    let app = TestApp::spawn().await;
    let (_, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let b = app.as_role("amara@tu.test", &student()).await;
    let call = b.get(&format!("/cycles/{cycle}/apply")).await;
    assert_eq!(call.status, 200);
    assert!(
        call.body.contains("Students mentor senior leaders"),
        "purpose shown"
    );
    assert!(call.body.contains("<legend>How do you describe yourself?"));

    let (uk, wp) = (
        label(&app, "UK ethnically minoritised").await,
        label(&app, "Widening participation background").await,
    );
    let r = apply(
        &b,
        cycle,
        &[&uk, &wp],
        "Commuter student",
        &["take_part", "research"],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/cycles/{cycle}/my-application"));
    let mine = b.follow(&r).await;
    assert_eq!(h1(&mine.body), "Your application");
    assert!(mine.body.contains("your application has been received"));
    for shown in [
        "UK ethnically minoritised",
        "Widening participation background",
        "Commuter student",
        "BSc Computer Science",
        "Undergraduate, year 2",
        "assessment, belonging",
        "Tuesday afternoon, Thursday evening",
        "Received, not yet decided",
    ] {
        assert!(mine.body.contains(shown), "{shown} missing: {}", mine.body);
    }
    // Two consents given, the quotes one not, each with its time.
    let consents = app
        .store
        .consent_events(
            app.store
                .application_of(
                    cycle,
                    app.store.user_by_email("amara@tu.test").await.unwrap().id,
                )
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let kinds: Vec<(&str, bool)> = consents
        .iter()
        .map(|e| (e.kind.as_str(), e.given))
        .collect();
    assert_eq!(kinds, [("take_part", true), ("research", true)]);

    // Applying again edits the one application.
    let again = apply(&b, cycle, &[&uk], "", &["take_part", "research"]).await;
    assert_eq!(again.status, 303);
    assert_eq!(app.store.applications_of(cycle).await.unwrap().len(), 1);
    let mine = b.get_ok(&format!("/cycles/{cycle}/my-application")).await;
    assert!(!mine.body.contains("Widening participation background"));
}

#[tokio::test]
async fn an_application_without_consent_to_take_part_is_refused_with_the_input_kept() {
    let app = TestApp::spawn().await;
    let (_, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let b = app.as_role("amara@tu.test", &student()).await;
    let intl = label(&app, "International").await;
    let r = apply(&b, cycle, &[&intl], "Keep these own words", &["research"]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("<title>Error: "), "error title");
    assert!(r.body.contains("an application needs that consent"));
    assert!(
        r.body.contains("id=\"consent_take_part-error\""),
        "the error sits next to the take-part checkbox"
    );
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(r.body.contains("Keep these own words"), "own words kept");
    assert!(
        r.body.contains("value=\"BSc Computer Science\""),
        "course kept"
    );
    assert!(
        r.body.contains(&format!("value=\"{intl}\" checked")),
        "chosen label kept"
    );
    assert!(
        r.body.contains("value=\"thu-eve\" checked"),
        "availability kept"
    );
    assert!(
        r.body.contains("value=\"research\" checked"),
        "other consent kept"
    );
    assert!(
        app.store.applications_of(cycle).await.unwrap().is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn withdrawing_a_consent_is_recorded_with_its_time_and_withdrawing_take_part_withdraws() {
    let app = TestApp::spawn().await;
    let (_, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let b = app.as_role("amara@tu.test", &student()).await;
    let uk = label(&app, "UK ethnically minoritised").await;
    apply(
        &b,
        cycle,
        &[&uk],
        "My words",
        &["take_part", "research", "quotes"],
    )
    .await;
    let r = b
        .post(
            &format!("/cycles/{cycle}/my-application/consents/quotes/withdraw"),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(
        page.body
            .contains("You have withdrawn your consent: Use of anonymised quotes.")
    );
    let row = &page.body[page.body.find("id=\"consent-quotes\"").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Not given") && row.contains("Withdrawn 20"),
        "{row}"
    );
    let app_id = app.store.applications_of(cycle).await.unwrap()[0].id;
    let amara_id = app.store.user_by_email("amara@tu.test").await.unwrap().id;
    let participant = app
        .store
        .add_survey_participant(cycle, "M01", "mentor", Some(amara_id), true)
        .await
        .unwrap();
    app.store.ensure_default_instruments().await.unwrap();
    let statement = app.store.statements("mentor").await.unwrap()[0]
        .code
        .clone();
    app.store
        .record_answers(
            participant,
            flipside_core::evaluation::Wave::Pre,
            &[(statement.as_str(), 4)],
        )
        .await
        .unwrap();
    let answers = app.store.survey_answers(cycle).await.unwrap();
    assert!(answers.len() == 1 && answers[0].research_consent);
    let events = app.store.consent_events(app_id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.kind.as_str(), last.given), ("quotes", false));

    // Withdrawing research use takes her survey answers out of later analysis.
    b.post(
        &format!("/cycles/{cycle}/my-application/consents/research/withdraw"),
        &[],
    )
    .await;
    let answers = app.store.survey_answers(cycle).await.unwrap();
    assert!(answers.len() == 1 && !answers[0].research_consent);

    // Withdrawing take part withdraws the application and deletes the identity data.
    let r = b
        .post(
            &format!("/cycles/{cycle}/my-application/consents/take_part/withdraw"),
            &[],
        )
        .await;
    let page = b.follow(&r).await;
    assert!(
        page.body.contains("<strong>Withdrawn</strong>"),
        "{}",
        page.body
    );
    let stored = app.store.application(app_id).await.unwrap();
    assert_eq!(stored.status, "withdrawn");
    assert!(stored.own_words.is_empty());
    assert!(
        app.store
            .application_labels(app_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_coordinator_accepts_or_declines_with_a_message_the_applicant_sees() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    let tom = app.as_role("tom@tu.test", &student()).await;
    apply(&amara, cycle, &[], "", &["take_part"]).await;
    apply(&tom, cycle, &[], "", &["take_part"]).await;
    let apps = app.store.applications_of(cycle).await.unwrap();
    let coordinator = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let list = coordinator
        .get(&format!("/cycles/{cycle}/applications"))
        .await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("amara") && list.body.contains("tom"));

    for (a, decision, message) in [
        (
            &apps[0],
            "accepted",
            "Welcome aboard: the induction is on 3 October.",
        ),
        (
            &apps[1],
            "declined",
            "Many applied; please try again next year.",
        ),
    ] {
        let r = coordinator
            .post(
                &format!("/cycles/{cycle}/applications/{}/decision", a.id),
                &[("decision", decision), ("message", message)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mine = amara.get(&format!("/cycles/{cycle}/my-application")).await;
    assert!(mine.body.contains("<strong>Accepted</strong>"));
    assert!(
        mine.body
            .contains("Welcome aboard: the induction is on 3 October.")
    );
    let mine = tom.get(&format!("/cycles/{cycle}/my-application")).await;
    assert!(mine.body.contains("Not offered a place this time"));
    assert!(
        mine.body
            .contains("Many applied; please try again next year.")
    );
    let bad = coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{}/decision", apps[0].id),
            &[
                ("decision", "withdrawn"),
                ("message", "Kept while I fix it"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "only accept, waitlist or decline");
    assert!(bad.body.contains("<title>Error: "));
    assert!(bad.body.contains("id=\"decision-error\""), "{}", bad.body);
    assert!(bad.body.contains("Kept while I fix it"), "message kept");
    assert_eq!(
        app.store.application(apps[0].id).await.unwrap().message,
        "Welcome aboard: the induction is on 3 October.",
        "the refused decision wrote nothing"
    );
}

#[tokio::test]
async fn every_coordinator_read_of_an_applicants_labels_is_written_to_the_audit_log() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    let uk = label(&app, "UK ethnically minoritised").await;
    apply(&amara, cycle, &[&uk], "", &["take_part"]).await;
    // The applicant reading their own labels is not an audited read of someone else's.
    amara.get(&format!("/cycles/{cycle}/my-application")).await;
    assert!(
        app.store
            .audit_entries(Some("identity_read"), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let app_id = app.store.applications_of(cycle).await.unwrap()[0].id;
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let priya_id = app.store.user_by_email("priya@tu.test").await.unwrap().id;
    // The list does not show labels, and records nothing.
    let list = priya.get_ok(&format!("/cycles/{cycle}/applications")).await;
    assert!(!list.body.contains("UK ethnically minoritised"));
    assert!(
        app.store
            .audit_entries(Some("identity_read"), 10)
            .await
            .unwrap()
            .is_empty()
    );

    for n in 1..=2 {
        let page = priya
            .get(&format!("/cycles/{cycle}/applications/{app_id}"))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("UK ethnically minoritised"));
        let entries = app
            .store
            .audit_entries(Some("identity_read"), 10)
            .await
            .unwrap();
        assert_eq!(entries.len(), n, "one entry per read");
        assert_eq!(entries[0].actor_id, Some(priya_id));
        assert_eq!(entries[0].subject_kind, "application");
        assert_eq!(entries[0].subject_id, Some(app_id));
    }
}

#[tokio::test]
async fn the_pool_composition_suppresses_small_cells_and_names_its_rule() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let uk = label(&app, "UK ethnically minoritised").await;
    let intl = label(&app, "International").await;
    for i in 0..8 {
        let b = app.as_role(&format!("s{i}@tu.test"), &student()).await;
        let labels: Vec<&str> = if i == 0 { vec![&intl] } else { vec![&uk] };
        assert_eq!(
            apply(&b, cycle, &labels, "", &["take_part"]).await.status,
            303
        );
    }
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let page = priya
        .get(&format!("/cycles/{cycle}/applications/composition"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let org = app.store.organisation().await.unwrap().unwrap();
    let rule = flipside_web::handlers::evaluation::results::rule_of(&org).unwrap();
    // The rule is named once, then described (not "Counts under 5 suppressed" twice).
    assert!(
        page.body.contains(&format!(
            "<strong>Disclosure rule</strong> (internal): {}",
            rule.description()
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&rule.name()), "{}", page.body);
    let table = &page.body[page.body.find("id=\"by-label\"").unwrap()..];
    let row = &table[table.find("International</th>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td>–"),
        "one International applicant is hidden: {row}"
    );
    assert!(page.body.contains("fewer than 5 people"), "footnote");
    assert!(
        !page.body.contains("<td>1<"),
        "the single applicant is not shown"
    );
}

#[tokio::test]
async fn only_the_applicant_and_the_schemes_coordinators_see_an_application() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let (other_scheme, _) = recruiting(&app, "Other scheme").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    apply(&amara, cycle, &[], "", &["take_part"]).await;
    let app_id = app.store.applications_of(cycle).await.unwrap()[0].id;
    let review = format!("/cycles/{cycle}/applications/{app_id}");
    let list = format!("/cycles/{cycle}/applications");
    let composition = format!("/cycles/{cycle}/applications/composition");
    let decide = format!("/cycles/{cycle}/applications/{app_id}/decision");

    // (who, their roles, the status every review page answers them with)
    type Case = (&'static str, Vec<(Role, Scope)>, u16);
    let cases: Vec<Case> = vec![
        ("other.student@tu.test", student().to_vec(), 403),
        (
            "mentor@tu.test",
            vec![(Role::Mentor, Scope::Cycle(cycle))],
            403,
        ),
        (
            "admin@tu.test",
            vec![(Role::Admin, Scope::Organisation)],
            403,
        ),
        (
            "researcher@tu.test",
            vec![(Role::Researcher, Scope::Organisation)],
            403,
        ),
        (
            "elsewhere@tu.test",
            vec![(Role::Coordinator, Scope::Scheme(other_scheme))],
            403,
        ),
        (
            "priya@tu.test",
            vec![(Role::Coordinator, Scope::Scheme(scheme))],
            200,
        ),
        (
            "org.coordinator@tu.test",
            vec![(Role::Coordinator, Scope::Organisation)],
            200,
        ),
    ];
    for (email, grants, expected) in cases {
        let b = app.as_role(email, &grants).await;
        for path in [&review, &list, &composition] {
            assert_eq!(b.get(path).await.status, expected, "{email} GET {path}");
        }
        if expected == 403 {
            let r = b
                .post(&decide, &[("decision", "accepted"), ("message", "")])
                .await;
            assert_eq!(r.status, 403, "{email} deciding");
            // Their own "my application" page is theirs, not Amara's.
            let mine = b.get(&format!("/cycles/{cycle}/my-application")).await;
            assert_eq!(mine.status, 404, "{email} has no application");
        }
    }
    assert_eq!(
        app.store.application(app_id).await.unwrap().status,
        "submitted",
        "no refused decision was written"
    );
    // Signed-out visitors are sent to sign in.
    let anon = app.browser();
    assert_ne!(
        anon.get(&format!("/cycles/{cycle}/apply")).await.status,
        200
    );
}

#[tokio::test]
async fn the_call_is_closed_once_the_cycle_stops_recruiting() {
    let app = TestApp::spawn().await;
    let (_, cycle) = recruiting(&app, "Reverse Mentoring").await;
    app.transition_cycle(cycle, CycleState::Recruiting, CycleState::Matching, None)
        .await
        .unwrap();
    let b = app.as_role("amara@tu.test", &student()).await;
    let page = b.get_ok(&format!("/cycles/{cycle}/apply")).await;
    assert_eq!(h1(&page.body), "This call is closed");
    assert!(!page.body.contains("name=\"consent\""), "no form");
    let r = apply(&b, cycle, &[], "", &["take_part"]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("This call is closed"));
    assert!(app.store.applications_of(cycle).await.unwrap().is_empty());
}

#[tokio::test]
async fn text_an_applicant_writes_is_escaped_on_every_page() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    let evil = "<script>alert(1)</script>";
    let escaped = |body: &str| {
        !body.contains(evil)
            && (body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;"))
    };
    apply(&amara, cycle, &[], evil, &["take_part"]).await;
    let mine = amara.get(&format!("/cycles/{cycle}/my-application")).await;
    assert!(escaped(&mine.body), "{}", mine.body);
    let form = amara.get(&format!("/cycles/{cycle}/apply")).await;
    assert!(escaped(&form.body), "{}", form.body);
    let app_id = app.store.applications_of(cycle).await.unwrap()[0].id;
    let priya = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let r = priya
        .post(
            &format!("/cycles/{cycle}/applications/{app_id}/decision"),
            &[("decision", "waitlisted"), ("message", evil)],
        )
        .await;
    assert_eq!(r.status, 303);
    let review = priya
        .get(&format!("/cycles/{cycle}/applications/{app_id}"))
        .await;
    assert!(escaped(&review.body), "{}", review.body);
    let mine = amara
        .get_ok(&format!("/cycles/{cycle}/my-application"))
        .await;
    assert!(!mine.body.contains(evil));
}

#[tokio::test]
async fn the_demo_has_applications_to_review_and_its_student_sees_the_open_call() {
    let app = TestApp::spawn_demo().await;
    let calls = app.store.open_calls().await.unwrap();
    let call = calls
        .iter()
        .find(|c| c.scheme_name == "Reverse Mentoring at Northmoor")
        .expect("the institutional scheme is recruiting");
    let apps = app.store.applications_of(call.cycle_id).await.unwrap();
    assert!(apps.len() >= 25, "{} applications", apps.len());
    let statuses: std::collections::BTreeSet<&str> =
        apps.iter().map(|a| a.status.as_str()).collect();
    assert!(statuses.len() >= 4, "mixed statuses: {statuses:?}");

    let student = app.browser();
    let r = student
        .post(
            "/sign-in",
            &[
                ("email", "student@demo.flipside.test"),
                ("password", flipside_web::demo::PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let home = student.get("/").await;
    let link = format!("/cycles/{}/apply", call.cycle_id);
    assert!(home.body.contains(&link), "home links the open call");
    assert_eq!(student.get(&link).await.status, 200);

    let coordinator = app.browser();
    coordinator
        .post(
            "/sign-in",
            &[
                ("email", flipside_web::demo::COORDINATOR),
                ("password", flipside_web::demo::PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    let composition = coordinator
        .get(&format!(
            "/cycles/{}/applications/composition",
            call.cycle_id
        ))
        .await;
    assert_eq!(composition.status, 200);
    if std::env::var("SHOW_COMPOSITION").is_ok() {
        println!("{}", composition.body);
    }
    assert!(composition.body.contains("UK ethnically minoritised"));
}

#[tokio::test]
async fn a_decision_that_cannot_be_audited_is_not_taken() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let amara = app.as_role("amara@tu.test", &student()).await;
    apply(&amara, cycle, &[], "", &["take_part"]).await;
    let application = app.store.applications_of(cycle).await.unwrap()[0].id;
    let coordinator = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    // The audit entry is the later step of the operation: make it fail.
    app.refuse_inserts_into("audit_log").await;
    let r = coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{application}/decision"),
            &[("decision", "accepted"), ("message", "Welcome aboard.")],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    let kept = app.store.application(application).await.unwrap();
    assert_eq!(
        (kept.status(), kept.message.as_str()),
        (flipside_core::recruitment::ApplicationStatus::Submitted, ""),
        "nothing of the decision was kept"
    );
}
