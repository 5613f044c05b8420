//! Surveys (SPEC §3.5): respondents take their own open surveys (draft, return, submit), closed
//! waves and other people's surveys are refused, coordinators set wave dates, see response
//! rates and queue invitations and reminders once, researchers export consenting answers.
use crate::helpers::TestApp;
use chrono::{Days, NaiveDate, Utc};
use flipside_core::evaluation::Wave;
use flipside_core::role::{Role, Scope};
use flipside_core::surveys::WaveDates;

struct Setup {
    scheme: i64,
    cycle: i64,
}

/// Today on the organisation's calendar (Europe/London), by which waves open and close.
fn today() -> NaiveDate {
    flipside_core::local_time::Zone::default().date_of(Utc::now())
}

async fn setup(app: &TestApp) -> Setup {
    app.store.ensure_default_instruments().await.unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    Setup { scheme, cycle }
}

/// Sets one wave's dates, relative to today (in days).
async fn wave(app: &TestApp, cycle: i64, wave: Wave, opens: i64, closes: i64) {
    let at = |d: i64| {
        if d >= 0 {
            today() + Days::new(d as u64)
        } else {
            today() - Days::new((-d) as u64)
        }
    };
    app.store
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave,
                opens_on: at(opens),
                closes_on: at(closes),
            }],
        )
        .await
        .unwrap();
}

/// A mentor with an account, enrolled in the cycle's evaluation; returns (user, participant).
async fn respondent(
    app: &TestApp,
    s: &Setup,
    email: &str,
    code: &str,
    consent: bool,
) -> (i64, i64) {
    let user = app
        .person(email, &[(Role::Mentor, Scope::Cycle(s.cycle))])
        .await;
    let p = app
        .store
        .add_survey_participant(s.cycle, code, "mentor", Some(user), consent)
        .await
        .unwrap();
    (user, p)
}

const ALL_ANSWERS: [(&str, &str); 4] = [
    ("q_belonging", "4"),
    ("q_valued", "3"),
    ("q_visibility", "2"),
    ("q_confidence_in_leaders", "5"),
];

#[tokio::test]
async fn a_respondent_saves_a_draft_returns_to_it_and_submits() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, -1, 10).await;
    let (_, p) = respondent(&app, &s, "ama.owusu@tu.test", "M01", true).await;
    let b = app.signed_in("ama.owusu@tu.test").await;
    let url = format!("/surveys/{p}/pre");

    let home = b.get("/").await;
    assert!(
        home.body.contains("href=\"/surveys\""),
        "home links to surveys"
    );
    let list = b.get("/surveys").await;
    assert!(list.body.contains(&url), "{}", list.body);

    let form = b.get(&url).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert_eq!(form.body.matches("type=\"radio\"").count(), 4 * 5);
    assert!(form.body.contains("Strongly disagree") && form.body.contains("Strongly agree"));
    assert!(form.body.contains("<h2>Belonging</h2>"), "grouped by aim");

    // Save a draft with one answer, and come back to it.
    let r = b
        .post(&url, &[("q_belonging", "4"), ("action", "save")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let back = b.get(&url).await;
    assert!(
        back.body
            .contains("id=\"q_belonging-4\" name=\"q_belonging\" value=\"4\" checked"),
        "the draft is kept: {}",
        back.body
    );
    assert!(b.get("/surveys").await.body.contains("draft saved"));
    assert!(
        app.store.survey_answers(s.cycle).await.unwrap().is_empty(),
        "a draft is not a response"
    );

    // Submitting with answers missing names each missing question and stores nothing.
    let r = b
        .post(
            &url,
            &[
                ("q_belonging", "4"),
                ("q_valued", "3"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Choose an answer to statement 3 before submitting.")
    );
    assert!(
        r.body
            .contains("Choose an answer to statement 4 before submitting.")
    );
    // The summary lists them in the page's order, not by field name.
    let third = r.body.find("statement 3 before").unwrap();
    let fourth = r.body.find("statement 4 before").unwrap();
    assert!(third < fourth, "statement 3 is listed before statement 4");
    assert!(
        r.body.contains("value=\"3\" checked"),
        "typed answers are kept"
    );
    assert!(app.store.survey_answers(s.cycle).await.unwrap().is_empty());

    let mut fields = ALL_ANSWERS.to_vec();
    fields.push(("action", "submit"));
    let r = b.post(&url, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let answers = app.store.survey_answers(s.cycle).await.unwrap();
    assert_eq!(answers.len(), 4);
    assert!(answers.iter().all(|a| a.code == "M01" && a.wave == "pre"));
    assert!(
        app.store
            .draft_answers(p, Wave::Pre)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !b.get_ok("/surveys").await.body.contains(&url),
        "no longer open for them"
    );
    assert!(
        b.get(&url)
            .await
            .body
            .contains("You have submitted this survey")
    );
    // Submitting again is refused and changes nothing.
    let mut again = vec![
        ("q_belonging", "1"),
        ("q_valued", "1"),
        ("q_visibility", "1"),
    ];
    again.extend([("q_confidence_in_leaders", "1"), ("action", "submit")]);
    assert_eq!(b.post(&url, &again).await.status, 409);
    assert!(
        app.store
            .survey_answers(s.cycle)
            .await
            .unwrap()
            .iter()
            .any(|a| a.statement_code == "belonging" && a.score == 4)
    );
}

#[tokio::test]
async fn closed_waves_and_other_peoples_surveys_are_refused() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, -30, -1).await;
    wave(&app, s.cycle, Wave::Post, 0, 20).await;
    let (_, mine) = respondent(&app, &s, "me@tu.test", "M01", true).await;
    let (_, theirs) = respondent(&app, &s, "them@tu.test", "M02", true).await;
    let b = app.signed_in("me@tu.test").await;
    let mut fields = ALL_ANSWERS.to_vec();
    fields.push(("action", "submit"));

    // The pre wave closed yesterday: the page says so and answers are refused.
    let closed = format!("/surveys/{mine}/pre");
    assert!(
        b.get(&closed)
            .await
            .body
            .contains("no longer takes answers")
    );
    assert_eq!(b.post(&closed, &fields).await.status, 409);
    let list = b.get_ok("/surveys").await.body;
    assert!(!list.contains(&closed) && list.contains(&format!("/surveys/{mine}/post")));

    // Someone else's survey: neither shown nor answerable, and not listed.
    let other = format!("/surveys/{theirs}/post");
    assert_eq!(b.get(&other).await.status, 403);
    assert_eq!(b.post(&other, &fields).await.status, 403);
    assert!(!list.contains(&other));
    assert!(app.store.survey_answers(s.cycle).await.unwrap().is_empty());

    // A coordinator cannot answer for a participant either.
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    assert_eq!(co.post(&other, &fields).await.status, 403);
}

#[tokio::test]
async fn coordinators_set_wave_dates_and_bad_dates_change_nothing() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    let url = format!("/cycles/{}/surveys", s.cycle);
    let page = co.get(&url).await;
    assert_eq!(page.status, 200);
    // Waves are named in words, not as "pre (before)".
    assert!(page.body.contains("<legend>Before the cycle</legend>"));
    assert!(
        page.body
            .contains("<th scope=\"row\">Six-month follow-up</th>")
    );
    assert!(!page.body.contains("pre (before)") && !page.body.contains("pre wave (before)"));
    let r = co
        .post(
            &format!("{url}/dates"),
            &[
                ("pre_opens", "2026-10-21"),
                ("pre_closes", "2026-10-01"),
                ("post_opens", "2027-05-01"),
                ("post_closes", "next week"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    // Three waves share the form: each error, beside its field and in the summary, names its
    // wave by name.
    assert!(
        r.body
            .contains("Before the cycle: the wave must close after it opens"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"post_closes-error\""));
    assert!(
        r.body
            .contains("<a href=\"#post_closes\">After the cycle: enter the date as year-month-day")
    );
    assert!(!r.body.contains("pre wave") && !r.body.contains("post wave"));
    assert!(
        r.body.contains("value=\"next week\""),
        "what was typed is kept"
    );
    assert!(app.store.survey_waves(s.cycle).await.unwrap().is_empty());

    let r = co
        .post(
            &format!("{url}/dates"),
            &[
                ("pre_opens", "2026-10-01"),
                ("pre_closes", "2026-10-21"),
                ("post_opens", "2027-05-01"),
                ("post_closes", "2027-05-31"),
                ("followup_opens", ""),
                ("followup_closes", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let waves = app.store.survey_waves(s.cycle).await.unwrap();
    assert_eq!(waves.len(), 3);
    assert_eq!(waves[2].wave, "followup");
    assert_eq!(
        waves[2].opens_on.to_string(),
        "2027-11-30",
        "six months after post closes"
    );
    let page = co.get(&url).await;
    assert!(page.body.contains("value=\"2027-11-30\""));
    // The buttons name the wave as the page does, not as "pre" or "post".
    assert!(
        page.body
            .contains("Send invitations<span class=\"visually-hidden\">: After the cycle</span>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("the pre wave") && !page.body.contains("post wave"));

    // A mentor of the cycle may not set dates.
    let m = app
        .as_role("m@tu.test", &[(Role::Mentor, Scope::Cycle(s.cycle))])
        .await;
    assert_eq!(m.get(&url).await.status, 403);
    let r = m
        .post(
            &format!("{url}/dates"),
            &[
                ("pre_opens", "2030-10-01"),
                ("pre_closes", "2030-10-21"),
                ("post_opens", "2031-05-01"),
                ("post_closes", "2031-05-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        app.store.survey_waves(s.cycle).await.unwrap()[0]
            .opens_on
            .to_string(),
        "2026-10-01"
    );
}

#[tokio::test]
async fn response_rates_per_wave_and_role_count_everyone_who_submitted() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, -1, 10).await;
    let mut ps = Vec::new();
    for i in 0..3 {
        ps.push(
            respondent(
                &app,
                &s,
                &format!("m{i}@tu.test"),
                &format!("M0{i}"),
                i != 1,
            )
            .await
            .1,
        );
    }
    for code in ["L01", "L02"] {
        app.store
            .add_survey_participant(s.cycle, code, "mentee", None, true)
            .await
            .unwrap();
    }
    // Two mentors submit, one of them without research consent.
    for (i, _) in ps.iter().enumerate().take(2) {
        let b = app.signed_in(&format!("m{i}@tu.test")).await;
        let mut fields = ALL_ANSWERS.to_vec();
        fields.push(("action", "submit"));
        let r = b.post(&format!("/surveys/{}/pre", ps[i]), &fields).await;
        assert_eq!(r.status, 303);
    }
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    let page = co.get(&format!("/cycles/{}/surveys", s.cycle)).await;
    assert!(
        page.body
            .contains("Student mentors: 2 of 3; Staff mentees: 0 of 2"),
        "{}",
        page.body
    );
    let results = co.get(&format!("/cycles/{}/results", s.cycle)).await;
    assert!(results.body.contains("2 of 3 before"), "{}", results.body);
}

#[tokio::test]
async fn the_export_holds_consenting_answers_by_code_only_and_is_audited() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let (_, yes) = respondent(&app, &s, "consenting.person@tu.test", "M01", true).await;
    let (_, no) = respondent(&app, &s, "declining.person@tu.test", "M02", false).await;
    for p in [yes, no] {
        let answers: Vec<(String, i64)> = vec![("belonging".into(), 4), ("valued".into(), 2)];
        app.store
            .submit_answers(p, Wave::Pre, &answers)
            .await
            .unwrap();
    }
    let re = app
        .as_role("re@tu.test", &[(Role::Researcher, Scope::Organisation)])
        .await;
    let csv = re
        .get(&format!("/cycles/{}/export/answers.csv", s.cycle))
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{:?}",
        csv.headers
    );
    assert_eq!(
        csv.body,
        "participant,role,wave,statement,aim,score\nM01,mentor,pre,belonging,Belonging,4\nM01,mentor,pre,valued,Feeling valued,2\n"
    );
    assert!(
        !csv.body.contains("M02") && !csv.body.contains("person"),
        "no non-consenting, no names"
    );
    let book = re
        .get(&format!("/cycles/{}/export/codebook.md", s.cycle))
        .await;
    assert_eq!(book.status, 200);
    for needle in [
        "`participant`",
        "`score`",
        "`belonging`",
        "`understand_engagement`",
        "5 = Strongly agree",
    ] {
        assert!(book.body.contains(needle), "{needle}: {}", book.body);
    }
    let audit = app
        .store
        .audit_entries(Some("research_export"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "both downloads are audited");
    assert!(audit.iter().all(|a| a.subject_id == Some(s.cycle)));

    // Coordinators of the scheme may export; mentors and admins may not.
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    assert_eq!(
        co.get(&format!("/cycles/{}/export/answers.csv", s.cycle))
            .await
            .status,
        200
    );
    for (who, role, scope) in [
        ("me", Role::Mentor, Scope::Cycle(s.cycle)),
        ("ad", Role::Admin, Scope::Organisation),
    ] {
        let b = app
            .as_role(&format!("{who}@tu.test"), &[(role, scope)])
            .await;
        assert_eq!(
            b.get(&format!("/cycles/{}/export/answers.csv", s.cycle))
                .await
                .status,
            403,
            "{who}"
        );
    }
    assert_eq!(
        app.store
            .audit_entries(Some("research_export"), 10)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn invitations_go_once_and_reminders_once_a_day_to_those_who_have_not_answered() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, 0, 10).await;
    let (_, done) = respondent(&app, &s, "done@tu.test", "M01", true).await;
    respondent(&app, &s, "waiting@tu.test", "M02", true).await;
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    let base = format!("/cycles/{}/surveys/pre", s.cycle);
    for _ in 0..2 {
        assert_eq!(co.post(&format!("{base}/invite"), &[]).await.status, 303);
    }
    for who in ["done@tu.test", "waiting@tu.test"] {
        let emails = app.store.emails_to(who).await.unwrap();
        assert_eq!(emails.len(), 1, "one invitation to {who}");
        assert!(emails[0].dedup_key.ends_with(":invite"));
        assert!(
            emails[0].body_text.contains("/surveys/"),
            "{}",
            emails[0].body_text
        );
    }
    app.store
        .submit_answers(done, Wave::Pre, &[("belonging".into(), 3)])
        .await
        .unwrap();
    for _ in 0..2 {
        let r = co.post(&format!("{base}/remind"), &[]).await;
        assert_eq!(r.status, 303);
    }
    assert_eq!(
        app.store.emails_to("done@tu.test").await.unwrap().len(),
        1,
        "no reminder after answering"
    );
    let waiting = app.store.emails_to("waiting@tu.test").await.unwrap();
    assert_eq!(waiting.len(), 2, "one invitation and one reminder today");
    assert!(
        waiting
            .iter()
            .any(|e| e.dedup_key.contains(&format!(":remind:{}", today())))
    );

    // A closed wave sends nothing; a mentor cannot send.
    wave(&app, s.cycle, Wave::Post, -20, -1).await;
    co.post(&format!("/cycles/{}/surveys/post/invite", s.cycle), &[])
        .await;
    assert_eq!(
        app.store.emails_to("waiting@tu.test").await.unwrap().len(),
        2
    );
    let m = app.signed_in("waiting@tu.test").await;
    assert_eq!(m.post(&format!("{base}/invite"), &[]).await.status, 403);
}

#[tokio::test]
async fn results_show_a_chart_the_unpaired_test_and_respondents_by_label_under_the_rule() {
    use flipside_core::recruitment::ConsentKind;
    use flipside_store::NewApplication;
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let labels = app.store.identity_labels().await.unwrap();
    let (a, b) = (&labels[0], &labels[1]);
    let mut respondents = Vec::new();
    for i in 0..6 {
        let (user, p) =
            respondent(&app, &s, &format!("m{i}@tu.test"), &format!("M0{i}"), true).await;
        let chosen = if i < 2 { vec![a.id, b.id] } else { vec![a.id] };
        app.store
            .save_application(NewApplication {
                cycle_id: s.cycle,
                user_id: user,
                label_ids: &chosen,
                own_words: "",
                course: "BA History",
                level: "ug2",
                interests: "",
                availability: "mon-pm",
                hopes: "",
                school_id: None,
                consents: &[ConsentKind::TakePart, ConsentKind::Research],
            })
            .await
            .unwrap();
        app.store
            .submit_answers(
                p,
                Wave::Pre,
                &[("belonging".into(), 2), ("valued".into(), 3)],
            )
            .await
            .unwrap();
        respondents.push((i, p));
    }
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    // Before anyone answers the second wave, its breakdown says so instead of printing an
    // empty table.
    let page = co
        .get_ok(&format!("/cycles/{}/results", s.cycle))
        .await
        .body;
    assert!(
        page.contains("Student mentors responding after: no consenting respondent yet."),
        "{page}"
    );
    assert!(!page.contains("responding after, by"), "{page}");
    assert!(page.contains("responding before, by combination of labels"));
    for (i, p) in respondents {
        app.store
            .submit_answers(
                p,
                Wave::Post,
                &[
                    ("belonging".into(), 3 + (i % 2) as i64),
                    ("valued".into(), 3),
                ],
            )
            .await
            .unwrap();
    }
    let page = co
        .get_ok(&format!("/cycles/{}/results", s.cycle))
        .await
        .body;
    assert!(
        page.contains("<svg") && page.contains("<desc id=\"chart-mentor-desc\">"),
        "{page}"
    );
    assert!(
        page.contains("Belonging: before 2.00, after 3.50"),
        "the description holds the figures"
    );
    assert!(page.contains("Mann–Whitney U (p)") && page.contains("Rank-biserial (all)"));
    // Belonging: post all above pre, so U = 36 of 6 × 6 and the rank-biserial is 1.
    assert!(page.contains("<td>36.0 ("), "{page}");
    let table = &page[page.find("responding before, by label").unwrap()..];
    // The disclosure rule is stated once for the page, not in each caption.
    assert!(
        table.starts_with("responding before, by label</caption>"),
        "{table}"
    );
    let row = |name: &str| {
        let at = table
            .find(&format!("<th scope=\"row\">{name}</th>"))
            .unwrap();
        table[at..at + 200].to_string()
    };
    assert!(row(&a.name).contains("<td>6</td>"), "{}", row(&a.name));
    assert!(row(&b.name).contains("<td>–</td>"), "2 people: hidden");
    // The page's figures are kept in memory (issue 15): a label renamed, and a label taken off
    // the applications, by hand in SQL, show on the next request.
    let row_of = |name: &str| format!("<th scope=\"row\">{name}</th>");
    let after = async |sql: String| {
        app.store.execute_admin(&sql).await.unwrap();
        co.get_ok(&format!("/cycles/{}/results", s.cycle))
            .await
            .body
    };
    let renamed = format!(
        "UPDATE identity_labels SET name = 'Renamed Label' WHERE id = {}",
        a.id
    );
    let page = after(renamed).await;
    assert!(page.contains(&row_of("Renamed Label")), "{page}");
    assert!(!page.contains(&row_of(&a.name)), "{page}");
    assert!(page.contains(&row_of(&b.name)), "{page}");
    let page = after(format!(
        "DELETE FROM application_labels WHERE label_id = {}",
        b.id
    ))
    .await;
    assert!(!page.contains(&row_of(&b.name)), "{page}");
}

#[tokio::test]
async fn scale_labels_are_edited_validated_and_shown_to_respondents() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, 0, 10).await;
    let (_, p) = respondent(&app, &s, "m@tu.test", "M01", true).await;
    let admin = app
        .as_role("ad@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let page = admin.get("/instruments").await;
    assert_eq!(page.status, 200);
    let mentor = app
        .store
        .instruments()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.audience == "mentor")
        .unwrap();
    let url = format!("/instruments/{}/labels", mentor.id);
    let r = admin
        .post(
            &url,
            &[
                ("label_1", "Never"),
                ("label_2", ""),
                ("label_3", "Sometimes"),
                ("label_4", "never"),
                ("label_5", "Always"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Enter the label for 2."));
    assert!(
        r.body
            .contains("The label for 4 is the same as the label for 1")
    );
    assert_eq!(app.store.scale_labels_of("mentor").await.unwrap(), "");
    let r = admin
        .post(
            &url,
            &[
                ("label_1", "Never"),
                ("label_2", "Rarely"),
                ("label_3", "Sometimes"),
                ("label_4", "Often"),
                ("label_5", "Always"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let m = app.signed_in("m@tu.test").await;
    let form = m.get_ok(&format!("/surveys/{p}/pre")).await.body;
    assert!(
        form.contains("5 – Always") && !form.contains("Strongly agree"),
        "{form}"
    );
    // A scheme coordinator may not change the organisation's instruments.
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    assert_eq!(
        co.post(
            &url,
            &[
                ("label_1", "a"),
                ("label_2", "b"),
                ("label_3", "c"),
                ("label_4", "d"),
                ("label_5", "e")
            ]
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn the_demo_has_an_open_survey_for_its_mentor_and_dated_waves_last_year() {
    let app = TestApp::spawn_demo().await;
    let scheme = app
        .store
        .schemes()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == "institutional")
        .unwrap();
    let cycles = app.store.cycles_of(scheme.id).await.unwrap();
    let past = cycles.iter().find(|c| c.state == "closed").unwrap().id;
    let current = cycles.iter().find(|c| c.state != "closed").unwrap().id;
    // Seeding again reuses what is there.
    flipside_web::demo::surveys::seed(&app.store, past, current)
        .await
        .unwrap();
    assert_eq!(app.store.survey_waves(past).await.unwrap().len(), 3);
    let b = app.browser();
    b.post(
        "/sign-in",
        &[
            ("email", "mentor@demo.flipside.test"),
            ("password", "flipside-demo"),
        ],
    )
    .await;
    let list = b.get_ok("/surveys").await.body;
    assert!(
        list.contains("Reverse Mentoring at Northmoor 2026/27: survey before"),
        "{list}"
    );
    let user = app
        .store
        .user_by_email("mentor@demo.flipside.test")
        .await
        .unwrap();
    assert_eq!(
        app.store
            .open_surveys_of(user.id, today())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn inviting_enrols_accepted_students_and_staff_under_codes_with_their_own_consent() {
    use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
    use flipside_store::{NewApplication, NewInvitation};
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    wave(&app, s.cycle, Wave::Pre, 0, 10).await;
    // Two accepted students (one consenting to research use), one still waiting for a decision.
    let student = |email: &'static str, consents: &'static [ConsentKind], accept: bool| {
        let app = &app;
        async move {
            let id = app.person(email, &[]).await;
            let a = app
                .store
                .save_application(NewApplication {
                    cycle_id: s.cycle,
                    user_id: id,
                    label_ids: &[],
                    own_words: "",
                    course: "BSc Law",
                    level: "ug2",
                    interests: "belonging",
                    availability: "tue-pm",
                    hopes: "",
                    school_id: None,
                    consents,
                })
                .await
                .unwrap();
            if accept {
                app.store
                    .decide_application(a, ApplicationStatus::Accepted, "", None)
                    .await
                    .unwrap();
            }
            id
        }
    };
    let keen = student(
        "keen@tu.test",
        &[ConsentKind::TakePart, ConsentKind::Research],
        true,
    )
    .await;
    let private = student("private@tu.test", &[ConsentKind::TakePart], true).await;
    student(
        "waiting@tu.test",
        &[ConsentKind::TakePart, ConsentKind::Research],
        false,
    )
    .await;
    // A staff leader who accepted without research consent, and one who has not answered.
    for (email, accept) in [("lead@tu.test", true), ("later@tu.test", false)] {
        let (_, token) = app
            .store
            .create_invitation(NewInvitation {
                cycle_id: s.cycle,
                email,
                name: "Leader",
                school_id: None,
                invited_by: None,
                expires_at: flipside_store::now() + chrono::Duration::days(14),
            })
            .await
            .unwrap();
        if accept {
            app.store
                .accept_invitation(&token, "belonging", "tue-pm", false)
                .await
                .unwrap();
        }
    }
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    let invite = format!("/cycles/{}/surveys/pre/invite", s.cycle);
    let r = co.post(&invite, &[]).await;
    assert_eq!(r.status, 303);
    let enrolled = app.store.wave_recipients(s.cycle, Wave::Pre).await.unwrap();
    let mut emails: Vec<&str> = enrolled.iter().map(|r| r.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["keen@tu.test", "lead@tu.test", "private@tu.test"]);
    let lead = app.store.user_by_email("lead@tu.test").await.unwrap().id;
    for r in &enrolled {
        let p = app
            .store
            .survey_participant(r.participant_id)
            .await
            .unwrap();
        let (role, consent) = match p.user_id {
            Some(id) if id == keen => ("mentor", true),
            Some(id) if id == private => ("mentor", false),
            Some(id) if id == lead => ("mentee", false),
            other => panic!("unexpected participant {other:?}"),
        };
        assert_eq!(
            (p.role.as_str(), p.research_consent),
            (role, consent),
            "{}",
            r.email
        );
        let prefix = if role == "mentor" { "M-" } else { "S-" };
        assert!(
            p.code.starts_with(prefix) && p.code.len() == 8,
            "{}",
            p.code
        );
        assert!(!p.code.to_lowercase().contains("keen") && !p.code.to_lowercase().contains("lead"));
        assert_eq!(app.store.emails_to(&r.email).await.unwrap().len(), 1);
    }
    // Inviting again enrols nobody twice and sends nothing twice.
    co.post(&invite, &[]).await;
    assert_eq!(
        app.store
            .wave_recipients(s.cycle, Wave::Pre)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(app.store.emails_to("keen@tu.test").await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_on_the_schedule_set_for_a_wave_once_each_to_those_who_have_not_answered() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    app.store
        .set_wave_dates(
            s.cycle,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: d("2026-10-01"),
                closes_on: d("2026-10-21"),
            }],
        )
        .await
        .unwrap();
    let at = |day: u32| Utc.with_ymd_and_hms(2026, 10, day, 9, 0, 0).unwrap();
    app.clock.set(at(1));
    let (_, done) = respondent(&app, &s, "done@tu.test", "M01", true).await;
    respondent(&app, &s, "waiting@tu.test", "M02", true).await;
    let co = app
        .as_role(
            "co@tu.test",
            &[(Role::Coordinator, Scope::Scheme(s.scheme))],
        )
        .await;
    let page = format!("/cycles/{}/surveys", s.cycle);
    let url = format!("{page}/pre/reminders");
    assert!(
        co.get_ok(&page)
            .await
            .body
            .contains("No reminders go out on their own.")
    );

    // Bad input is refused beside its field, naming the wave; nothing is saved.
    let r = co
        .post(
            &url,
            &[
                ("pre_remind_every", "0"),
                ("pre_remind_dates", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"pre_remind_every-error\""));
    assert!(
        r.body
            .contains("<a href=\"#pre_remind_dates\">Before the cycle: 2026-11-02 is not a day")
    );
    assert!(
        r.body.contains("value=\"2026-11-02\""),
        "what was typed is kept"
    );
    assert_eq!(app.audited("survey_reminder_schedule_set").await, 0);

    // A mentor may not set it.
    let m = app.signed_in("waiting@tu.test").await;
    assert_eq!(m.post(&url, &[("pre_remind_every", "7")]).await.status, 403);

    // Every 7 days, and on the 20th.
    let r = co
        .post(
            &url,
            &[
                ("pre_remind_every", "7"),
                ("pre_remind_dates", "2026-10-20"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audited("survey_reminder_schedule_set").await, 1);
    let shown = co.get_ok(&page).await.body;
    assert!(
        shown.contains(
            "A reminder every 7 days while the wave is open, and on 2026-10-20. The next goes on 2026-10-08."
        ),
        "{shown}"
    );
    assert!(shown.contains("id=\"pre_remind_every\" name=\"pre_remind_every\" inputmode=\"numeric\" min=\"1\" max=\"60\" value=\"7\""));

    app.store
        .submit_answers(done, Wave::Pre, &[("belonging".into(), 3)])
        .await
        .unwrap();
    let reminders = || async { app.store.emails_to("waiting@tu.test").await.unwrap() };

    // Nothing before the first day on the schedule.
    app.clock.set(at(7));
    assert_eq!(app.queue_scheduled_survey_reminders().await, 0);
    // On the 8th, one reminder to the one who has not answered, however many workers try at
    // once and however often, with one audit entry.
    app.clock.set(at(8));
    let (a, b) = tokio::join!(
        app.queue_scheduled_survey_reminders(),
        app.queue_scheduled_survey_reminders()
    );
    assert_eq!(a + b, 1);
    assert_eq!(app.queue_scheduled_survey_reminders().await, 0);
    app.clock.set(at(9));
    assert_eq!(app.queue_scheduled_survey_reminders().await, 0);
    assert_eq!(app.audited("survey_reminders_scheduled").await, 1);
    let sent = reminders().await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].dedup_key.ends_with(":remind:2026-10-08"));
    assert!(
        sent[0].subject.starts_with("Reminder: survey before"),
        "{}",
        sent[0].subject
    );
    assert!(
        app.store
            .emails_to("done@tu.test")
            .await
            .unwrap()
            .is_empty()
    );

    // The 15th (7 days on) and the named 20th; nothing once the wave has closed.
    for (day, expected) in [(15, 1), (16, 0), (20, 1), (21, 0), (22, 0), (29, 0)] {
        app.clock.set(at(day));
        assert_eq!(
            app.queue_scheduled_survey_reminders().await,
            expected,
            "on the {day}th"
        );
    }
    assert_eq!(reminders().await.len(), 3);
    assert_eq!(app.audited("survey_reminders_scheduled").await, 3);
}
