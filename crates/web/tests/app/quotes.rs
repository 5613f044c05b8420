//! The quote bank, the triangulation page per aim and a scheme's aims (issue 11) over HTTP:
//! who may see and change them, trimming only with an ellipsis, pseudonyms never names, and a
//! withdrawn quote consent taking every quote of that person out of every page and of every
//! report not yet published, at once.
use crate::helpers::*;
use flipside_core::qualitative::excerpt::Span;
use flipside_core::qualitative::transcript::{Chat, ChatStage};
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::{Grant, Role, Scope};
use flipside_store::{NewApplication, NewChat, NewInvitation};
use flipside_web::operations::cycles::Actor;
use flipside_web::operations::qualitative::{code_excerpt, record_chat};

const STUDENT: &str = "zara.quintrell@tu.test";
const STAFF: &str = "oswin.blackwood@tu.test";
const STUDENT_WORDS: &str =
    "I ate lunch alone in my car for most of first year, honestly, until the scheme started.";
const STAFF_WORDS: &str =
    "I had no idea how many of our students work twenty hours a week to stay here.";

/// A cycle whose student mentor (all consents) and staff leader (research and quotes, ticked
/// on the invitation's page) each had a reflective chat with one coded passage, and its
/// coordinator signed in.
struct Scene {
    scheme: i64,
    cycle: i64,
    student: i64,
    staff: i64,
    invitation: i64,
    student_excerpt: i64,
    staff_excerpt: i64,
    coordinator: Browser,
}

async fn chat_with_passage(
    app: &TestApp,
    cycle: i64,
    (user, role): (i64, &str),
    words: &str,
    code: &str,
    coder: i64,
) -> i64 {
    let actor = Actor {
        id: coder,
        address: "test",
    };
    let text = format!("Interviewer: How was it?\nThem: {words}\n");
    let chat = Chat::from_typed(&text).unwrap();
    let chat_id = record_chat(
        &app.store,
        actor,
        &NewChat {
            cycle_id: cycle,
            participant_user_id: user,
            participant_role: role,
            interviewer_user_id: Some(coder),
            held_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            stage: ChatStage::End,
            format: "typed",
            chat: &chat,
            recorded_by: Some(coder),
        },
    )
    .await
    .unwrap();
    let scheme = app.store.cycle(cycle).await.unwrap().scheme_id;
    let book = app.store.codebook_of_scheme(scheme).await.unwrap();
    let code = book.codes.iter().find(|c| c.name == code).unwrap().id;
    let start = text.find(words).unwrap();
    let span = Span {
        start,
        end: start + words.len(),
    };
    code_excerpt(&app.store, actor, chat_id, span, &[code], None)
        .await
        .unwrap()
}

async fn scene(app: &TestApp) -> Scene {
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coordinator_id = app
        .person(
            "coordinator@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let student = app.person(STUDENT, &[]).await;
    let application = app
        .store
        .save_application(NewApplication {
            cycle_id: cycle,
            user_id: student,
            label_ids: &[],
            own_words: "",
            course: "BSc Law",
            level: "ug2",
            interests: "",
            availability: "",
            hopes: "Better feedback.",
            school_id: None,
            consents: &ConsentKind::ALL,
        })
        .await
        .unwrap();
    app.store
        .decide_application(application, ApplicationStatus::Accepted, "", None)
        .await
        .unwrap();
    app.store
        .grant_role(
            student,
            Grant::new(Role::Mentor, Scope::Cycle(cycle)).unwrap(),
            None,
        )
        .await
        .unwrap();
    // The staff leader accepts on the invitation's page, ticking both consents.
    let staff = app.person(STAFF, &[]).await;
    let (invitation, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: cycle,
            email: STAFF,
            name: "Oswin Blackwood",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let accepted = app
        .browser()
        .post(
            &format!("/invitations/{token}/accept"),
            &[
                ("interests", "assessment"),
                ("availability", "mon-am"),
                ("research", "yes"),
                ("quotes", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let student_excerpt = chat_with_passage(
        app,
        cycle,
        (student, "mentor"),
        STUDENT_WORDS,
        "Isolation",
        coordinator_id,
    )
    .await;
    let staff_excerpt = chat_with_passage(
        app,
        cycle,
        (staff, "mentee"),
        STAFF_WORDS,
        "Money and work",
        coordinator_id,
    )
    .await;
    Scene {
        scheme,
        cycle,
        student,
        staff,
        invitation,
        student_excerpt,
        staff_excerpt,
        coordinator: app.signed_in("coordinator@tu.test").await,
    }
}

/// Promotes an excerpt through the bank's page, words as coded.
async fn promote(s: &Scene, excerpt: i64) {
    let done = s
        .coordinator
        .post(
            &format!("/cycles/{}/quotes", s.cycle),
            &[("excerpt", &excerpt.to_string()), ("edited", "")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
}

/// The bank's quote ids, oldest first.
async fn quote_ids(app: &TestApp, cycle: i64) -> Vec<i64> {
    app.store
        .quotes_of_cycle(cycle)
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect()
}

/// The part of the bank's page that lists quotes (before the excerpts still to promote).
fn quotes_section(body: &str) -> &str {
    let end = body
        .find("Coded excerpts that can become quotes")
        .unwrap_or(body.len());
    &body[..end]
}

#[tokio::test]
async fn the_quote_bank_aims_and_triangulation_answer_each_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    promote(&s, s.student_excerpt).await;
    let quote = quote_ids(&app, s.cycle).await[0];
    let (other_scheme, other_cycle) = app.scheme_with_cycle("Other", "{}").await;
    let c = s.cycle;
    let roles: Vec<(&str, Vec<(Role, Scope)>)> = vec![
        ("admin", vec![(Role::Admin, Scope::Organisation)]),
        (
            "coordinator",
            vec![(Role::Coordinator, Scope::Scheme(s.scheme))],
        ),
        (
            "other coordinator",
            vec![(Role::Coordinator, Scope::Scheme(other_scheme))],
        ),
        ("researcher", vec![(Role::Researcher, Scope::Organisation)]),
        ("mentor", vec![(Role::Mentor, Scope::Cycle(c))]),
        ("mentee", vec![(Role::Mentee, Scope::Cycle(c))]),
        ("nobody", vec![]),
    ];
    let team: &[&str] = &["coordinator", "researcher"];
    let pages: Vec<(String, &[&str])> = vec![
        (format!("/cycles/{c}/quotes"), team),
        (format!("/cycles/{c}/aims"), team),
        (format!("/cycles/{c}/aims/belonging"), team),
        (format!("/schemes/{}/aims", s.scheme), team),
        (
            format!("/cycles/{other_cycle}/quotes"),
            &["other coordinator", "researcher"],
        ),
        (
            format!("/cycles/{other_cycle}/aims/belonging"),
            &["other coordinator", "researcher"],
        ),
    ];
    // (path, fields, the one role allowed); every other role is refused with 403.
    let posts: Vec<(String, Vec<(&str, String)>)> = vec![
        (
            format!("/cycles/{c}/quotes"),
            vec![
                ("excerpt", s.staff_excerpt.to_string()),
                ("edited", String::new()),
            ],
        ),
        (
            format!("/cycles/{c}/quotes/{quote}/trim"),
            vec![("edited", "I ate lunch alone in my car …".into())],
        ),
        (
            format!("/cycles/{c}/aims/belonging/finding"),
            vec![("finding", "They agree.".into())],
        ),
        (
            format!("/schemes/{}/aims", s.scheme),
            vec![("label_belonging", "Belonging".into())],
        ),
    ];
    for (who, grants) in &roles {
        let b = app
            .as_role(&format!("{}@roles.test", who.replace(' ', ".")), grants)
            .await;
        for (path, allowed) in &pages {
            let expected = if allowed.contains(who) { 200 } else { 403 };
            assert_eq!(b.get(path).await.status, expected, "{who} GET {path}");
        }
        if *who == "coordinator" {
            continue;
        }
        for (path, fields) in &posts {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(b.post(path, &fields).await.status, 403, "{who} POST {path}");
        }
        assert_eq!(
            b.post(&format!("/cycles/{c}/quotes/{quote}/remove"), &[])
                .await
                .status,
            403,
            "{who} removes a quote"
        );
    }
    // Nothing changed by the refused requests; the coordinator may do each of them.
    assert_eq!(quote_ids(&app, c).await, [quote]);
    for (path, fields) in &posts {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            s.coordinator.post(path, &fields).await.status,
            303,
            "{path}"
        );
    }
    assert_eq!(
        s.coordinator
            .post(&format!("/cycles/{c}/quotes/{quote}/remove"), &[])
            .await
            .status,
        303
    );
    // A quote of this cycle is not reached through another cycle's address.
    let q = quote_ids(&app, c).await[0];
    let other_coordinator = app
        .as_role(
            "other.coordinator2@roles.test",
            &[(Role::Coordinator, Scope::Organisation)],
        )
        .await;
    assert_eq!(
        other_coordinator
            .post(&format!("/cycles/{other_cycle}/quotes/{q}/remove"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        s.coordinator
            .get(&format!("/cycles/{c}/aims/no_such_aim"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_coordinator_promotes_trims_and_removes_a_quote_labelled_by_pseudonym_only() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let bank = format!("/cycles/{}/quotes", s.cycle);
    let before = s.coordinator.get_ok(&bank).await.body;
    assert!(
        before.contains("Mentor 1") && before.contains("Senior leader 1"),
        "{before}"
    );
    assert!(quotes_section(&before).contains("No quote has been chosen yet"));

    // Promoted already trimmed; a reworded promotion is refused and stores nothing.
    let refused = s
        .coordinator
        .post(
            &bank,
            &[
                ("excerpt", &s.student_excerpt.to_string()),
                ("edited", "I ate lunch alone in my car every day."),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("can only be shortened"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("I ate lunch alone in my car every day."),
        "kept as typed"
    );
    assert!(quote_ids(&app, s.cycle).await.is_empty());
    let done = s
        .coordinator
        .post(
            &bank,
            &[
                ("excerpt", &s.student_excerpt.to_string()),
                (
                    "edited",
                    "I ate lunch alone in my car … until the scheme started.",
                ),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.audited("quote_promoted").await, 1);
    let quote = quote_ids(&app, s.cycle).await[0];

    let page = s.coordinator.get_ok(&bank).await.body;
    let quotes = quotes_section(&page);
    assert!(quotes.contains("Mentor 1"));
    assert!(quotes.contains("I ate lunch alone in my car … until the scheme started."));
    assert!(quotes.contains("Belonging › Isolation"), "its code");
    assert!(
        quotes.contains("Original words"),
        "the original stays visible"
    );
    assert!(quotes.contains(STUDENT_WORDS));

    // Trimming: a cut marked with an ellipsis is saved; a changed word is refused.
    let trim = format!("{bank}/{quote}/trim");
    let reworded = s
        .coordinator
        .post(&trim, &[("edited", "I ate lunch alone in my car, sadly …")])
        .await;
    assert_eq!(reworded.status, 422);
    assert!(reworded.body.contains("There is a problem"));
    assert!(reworded.body.contains(&format!("href=\"#edited-{quote}\"")));
    let stored = app.store.quote_in_cycle(quote).await.unwrap().quote;
    assert_eq!(
        stored.edited,
        "I ate lunch alone in my car … until the scheme started."
    );
    assert_eq!(
        s.coordinator
            .post(&trim, &[("edited", "… lunch alone in my car …")])
            .await
            .status,
        303
    );
    let stored = app.store.quote_in_cycle(quote).await.unwrap().quote;
    assert_eq!(stored.edited, "… lunch alone in my car …");
    assert_eq!(stored.original, STUDENT_WORDS, "the original is kept");
    assert_eq!(app.audited("quote_trimmed").await, 1);

    // Names and emails never appear on the bank, the aims' pages or the report preview.
    let pages = [
        s.coordinator.get_ok(&bank).await.body,
        s.coordinator
            .get_ok(&format!("/cycles/{}/aims/belonging", s.cycle))
            .await
            .body,
        s.coordinator
            .get_ok(&format!("/cycles/{}/report/preview", s.cycle))
            .await
            .body,
    ];
    for body in &pages {
        for name in [
            "zara",
            "Zara",
            "quintrell",
            "Quintrell",
            "oswin",
            "Oswin",
            "Blackwood",
            "blackwood",
        ] {
            assert!(!body.contains(name), "{name} appears");
        }
    }
    assert!(pages[1].contains("Mentor 1") && pages[1].contains("lunch alone in my car"));
    assert!(app.audited("quote_bank_read").await >= 2);
    assert!(app.audited("triangulation_read").await >= 1);

    // Removing takes it out of the bank; the passage can be promoted again.
    assert_eq!(
        s.coordinator
            .post(&format!("{bank}/{quote}/remove"), &[])
            .await
            .status,
        303
    );
    assert!(quote_ids(&app, s.cycle).await.is_empty());
    assert_eq!(app.audited("quote_removed").await, 1);
    let page = s.coordinator.get_ok(&bank).await.body;
    assert!(quotes_section(&page).contains("No quote has been chosen yet"));
    assert!(page.contains(&format!("name=\"excerpt\" value=\"{}\"", s.student_excerpt)));
}

#[tokio::test]
async fn a_withdrawn_student_quote_consent_leaves_every_page_and_the_unpublished_report_not_the_published_one()
 {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    promote(&s, s.student_excerpt).await;
    let aim = format!("/cycles/{}/aims/belonging", s.cycle);
    let report = format!("/cycles/{}/report", s.cycle);
    assert_eq!(
        s.coordinator
            .post(
                &format!("{aim}/finding"),
                &[("finding", "Isolation eased.")]
            )
            .await
            .status,
        303
    );
    assert_eq!(
        s.coordinator
            .post(&format!("{report}/publish"), &[])
            .await
            .status,
        303
    );
    let words = "lunch alone in my car";
    for path in [
        format!("/cycles/{}/quotes", s.cycle),
        aim.clone(),
        format!("{report}/preview"),
    ] {
        assert!(
            s.coordinator.get_ok(&path).await.body.contains(words),
            "{path}"
        );
    }

    let student = app.signed_in(STUDENT).await;
    let withdrawn = student
        .post(
            &format!(
                "/cycles/{}/my-application/consents/quotes/withdraw",
                s.cycle
            ),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status, 303);
    let bank = s
        .coordinator
        .get_ok(&format!("/cycles/{}/quotes", s.cycle))
        .await
        .body;
    assert!(
        !bank.contains(words),
        "out of the bank, and not offered for promotion"
    );
    assert!(bank.contains("not listed because their speaker has not consented"));
    assert!(
        !s.coordinator.get_ok(&aim).await.body.contains(words),
        "out of the aim's page"
    );
    assert!(
        !s.coordinator
            .get_ok(&format!("{report}/preview"))
            .await
            .body
            .contains(words),
        "out of the report not yet published"
    );
    assert!(
        s.coordinator
            .get_ok(&format!("{report}/versions/1/report.html"))
            .await
            .body
            .contains(words),
        "the published version is never changed"
    );
    // Promoting their passage now is refused.
    let refused = s
        .coordinator
        .post(
            &format!("/cycles/{}/quotes", s.cycle),
            &[("excerpt", &s.student_excerpt.to_string()), ("edited", "")],
        )
        .await;
    assert_eq!(refused.status, 303);
    assert!(quote_ids(&app, s.cycle).await.is_empty());

    // The student gives it again on their application's page: their passage may be quoted
    // again (the deleted quote does not come back by itself).
    let mine = student
        .get_ok(&format!("/cycles/{}/my-application", s.cycle))
        .await
        .body;
    assert!(mine.contains(&format!(
        "/cycles/{}/my-application/consents/quotes/give",
        s.cycle
    )));
    let given = student
        .post(
            &format!("/cycles/{}/my-application/consents/quotes/give", s.cycle),
            &[],
        )
        .await;
    assert_eq!(given.status, 303);
    assert!(
        app.store
            .consent_stands(s.cycle, s.student, ConsentKind::Quotes)
            .await
            .unwrap()
    );
    assert_eq!(app.audited("consent_given").await, 1);
    assert_eq!(
        student
            .post(
                &format!("/cycles/{}/my-application/consents/research/give", s.cycle),
                &[]
            )
            .await
            .status,
        400,
        "only consent to quotes is given again here"
    );
    promote(&s, s.student_excerpt).await;
    assert_eq!(quote_ids(&app, s.cycle).await.len(), 1);
}

#[tokio::test]
async fn a_staff_leader_consents_to_quotes_on_accepting_and_withdraws_on_their_consents_page() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    assert!(
        app.store
            .consent_stands(s.cycle, s.staff, ConsentKind::Quotes)
            .await
            .unwrap(),
        "given on the invitation's page"
    );
    assert_eq!(app.audited("invitation_accepted").await, 1);
    promote(&s, s.staff_excerpt).await;
    let aim = format!("/cycles/{}/aims/understand_challenges", s.cycle);
    let words = "twenty hours a week";
    let page = s.coordinator.get_ok(&aim).await.body;
    assert!(
        page.contains(words) && page.contains("Senior leader 1"),
        "{page}"
    );
    assert!(
        s.coordinator
            .get_ok(&format!("/cycles/{}/report/preview", s.cycle))
            .await
            .body
            .contains(words)
    );

    let staff = app.signed_in(STAFF).await;
    let done = staff
        .post(
            &format!("/account/consents/{}/quotes/withdraw", s.invitation),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);
    assert!(
        !s.coordinator
            .get_ok(&format!("/cycles/{}/quotes", s.cycle))
            .await
            .body
            .contains(words)
    );
    assert!(!s.coordinator.get_ok(&aim).await.body.contains(words));
    assert!(
        !s.coordinator
            .get_ok(&format!("/cycles/{}/report/preview", s.cycle))
            .await
            .body
            .contains(words)
    );
    // Given again, the passage can be promoted again.
    assert_eq!(
        staff
            .post(
                &format!("/account/consents/{}/quotes/give", s.invitation),
                &[]
            )
            .await
            .status,
        303
    );
    promote(&s, s.staff_excerpt).await;
    assert!(s.coordinator.get_ok(&aim).await.body.contains(words));
}

#[tokio::test]
async fn an_invitation_accepted_without_ticking_quotes_gives_no_quote_consent() {
    let app = TestApp::spawn().await;
    let (_, cycle) = app.scheme_with_cycle("Scheme", "{}").await;
    let (_, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: cycle,
            email: "leader@tu.test",
            name: "A Leader",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let page = app
        .browser()
        .get_ok(&format!("/invitations/{token}"))
        .await
        .body;
    assert!(page.contains("name=\"quotes\""), "the form asks for it");
    let done = app
        .browser()
        .post(
            &format!("/invitations/{token}/accept"),
            &[
                ("interests", "x"),
                ("availability", "mon-am"),
                ("research", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let user = app.store.user_by_email("leader@tu.test").await.unwrap().id;
    assert!(
        app.store
            .consent_stands(cycle, user, ConsentKind::Research)
            .await
            .unwrap()
    );
    assert!(
        !app.store
            .consent_stands(cycle, user, ConsentKind::Quotes)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_finding_written_on_the_aims_page_is_the_one_the_report_prints() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let aim = format!("/cycles/{}/aims/belonging", s.cycle);
    let finding = "The survey and the chats agree: isolation eased once mentors were heard.";
    assert_eq!(
        s.coordinator
            .post(&format!("{aim}/finding"), &[("finding", finding)])
            .await
            .status,
        303
    );
    assert_eq!(app.audited("finding_written").await, 1);
    assert!(s.coordinator.get_ok(&aim).await.body.contains(finding));
    let index = s
        .coordinator
        .get_ok(&format!("/cycles/{}/aims", s.cycle))
        .await
        .body;
    let row = &index[index.find("id=\"aim-belonging\"").unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("Written"));
    assert!(
        s.coordinator
            .get_ok(&format!("/cycles/{}/report/preview", s.cycle))
            .await
            .body
            .contains(finding)
    );
    // Too long: refused where it was typed, nothing saved.
    let long = "x".repeat(5001);
    let refused = s
        .coordinator
        .post(&format!("{aim}/finding"), &[("finding", &long)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("href=\"#finding\""));
    assert_eq!(app.audited("finding_written").await, 1);
    // A researcher reads the finding but has no form.
    let researcher = app
        .as_role("res@tu.test", &[(Role::Researcher, Scope::Organisation)])
        .await;
    let page = researcher.get_ok(&aim).await.body;
    assert!(page.contains(finding) && !page.contains("<textarea"));
}

#[tokio::test]
async fn aims_are_relabelled_reordered_and_added_and_every_statement_keeps_an_aim() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let path = format!("/schemes/{}/aims", s.scheme);
    let page = s.coordinator.get_ok(&path).await.body;
    assert!(
        page.contains("I feel I belong at the university."),
        "statements are shown"
    );
    let done = s
        .coordinator
        .post(
            &path,
            &[
                ("label_belonging", "Sense of belonging"),
                ("new_label", "Student voice"),
                ("new_audience", "students"),
                ("statement_visibility", "belonging"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let aims = app.store.aims_of_scheme(s.scheme).await.unwrap();
    assert_eq!(aims[0].label, "Sense of belonging");
    assert_eq!(aims.last().unwrap().key, "student_voice");
    let tied = app.store.statement_aims_of_scheme(s.scheme).await.unwrap();
    assert_eq!(tied["visibility"], "belonging");
    assert_eq!(app.audited("aims_saved").await, 1);
    // Moving one down, then showing which statements each aim has.
    let moved = s
        .coordinator
        .post(&path, &[("move", "down:belonging")])
        .await;
    assert_eq!(moved.status, 303);
    let aims = app.store.aims_of_scheme(s.scheme).await.unwrap();
    assert_eq!(
        (aims[0].key.as_str(), aims[1].key.as_str()),
        ("valued", "belonging")
    );
    assert_eq!(
        aims[1].label, "Sense of belonging",
        "a move keeps the labels"
    );
    // An empty name, an unknown aim for a statement: refused with where, nothing saved.
    let refused = s
        .coordinator
        .post(
            &path,
            &[("label_valued", "  "), ("statement_belonging", "nope")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("href=\"#label_valued\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("href=\"#statement_belonging\""));
    assert_eq!(
        app.store.aims_of_scheme(s.scheme).await.unwrap()[0].label,
        "Feeling valued"
    );
    // The cycle's aims follow the scheme's; the new aim has its own page.
    let index = s
        .coordinator
        .get_ok(&format!("/cycles/{}/aims", s.cycle))
        .await
        .body;
    assert!(index.contains("Sense of belonging") && index.contains("Student voice"));
    assert_eq!(
        s.coordinator
            .get(&format!("/cycles/{}/aims/student_voice", s.cycle))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_demos_closed_cycle_shows_quotes_and_a_finding_for_every_aim() {
    let app = TestApp::spawn_demo().await;
    let coordinator = app.demo_coordinator().await;
    let past = app.demo_past_cycle().await;
    let cycle = past.id;
    let findings = app.store.findings_of_cycle(cycle).await.unwrap();
    let index = coordinator
        .get_ok(&format!("/cycles/{cycle}/aims"))
        .await
        .body;
    let results = coordinator
        .get_ok(&format!("/cycles/{cycle}/results"))
        .await
        .body;
    assert!(
        results.contains("By aim") && results.contains(&format!("/cycles/{cycle}/aims/belonging"))
    );
    let cycle_page = coordinator.get_ok(&format!("/cycles/{cycle}")).await.body;
    assert!(cycle_page.contains(&format!("/cycles/{cycle}/aims\"")));
    assert!(cycle_page.contains(&format!("/cycles/{cycle}/quotes\"")));
    for aim in app.store.aims_of_scheme(past.scheme_id).await.unwrap() {
        assert!(index.contains(&format!("/cycles/{cycle}/aims/{}", aim.key)));
        let page = coordinator
            .get_ok(&format!("/cycles/{cycle}/aims/{}", aim.key))
            .await
            .body;
        let finding = findings
            .iter()
            .find(|f| f.aim == aim.key)
            .expect("a finding");
        // The longest stretch of the finding that HTML escaping leaves as it is.
        let words = finding
            .finding
            .split(|c: char| !(c.is_alphanumeric() || c == ' '))
            .max_by_key(|s| s.len())
            .unwrap();
        assert!(page.contains(words), "{}: finding", aim.key);
        assert!(page.contains("<blockquote>"), "{}: a quote", aim.key);
        assert!(
            page.contains("Mean change"),
            "{}: the survey change",
            aim.key
        );
    }
    let bank = coordinator
        .get_ok(&format!("/cycles/{cycle}/quotes"))
        .await
        .body;
    assert!(bank.contains("Mentor 1") || bank.contains("Senior leader 1"));
}
