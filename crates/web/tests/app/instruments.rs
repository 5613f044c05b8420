//! Per-cycle, versioned instruments (issue 11): a new cycle copies the previous cycle's
//! statements; the scheme's coordinators add, reword and retire statements on the cycle's
//! instrument page only until its first wave opens; past cycles keep the words their
//! respondents saw; an added statement is asked and its answers count under its aim.
use crate::helpers::{Browser, TestApp};
use chrono::{Days, NaiveDate, Utc};
use flipside_core::cycle::AcademicYear;
use flipside_core::evaluation::Wave;
use flipside_core::role::{Role, Scope};
use flipside_core::surveys::WaveDates;

const BELONG: &str = "I feel I belong at the university.";
const AT_HOME: &str = "I feel at home at the university.";

fn today() -> NaiveDate {
    flipside_core::local_time::Zone::default().date_of(Utc::now())
}

fn day(offset: i64) -> NaiveDate {
    if offset >= 0 {
        today() + Days::new(offset as u64)
    } else {
        today() - Days::new((-offset) as u64)
    }
}

/// A scheme with its 2026/27 cycle and a coordinator of the scheme, signed in.
async fn coordinated_scheme(app: &TestApp, name: &str, email: &str) -> (i64, i64, Browser) {
    let (scheme, cycle) = app.scheme_with_cycle(name, "{}").await;
    let b = app
        .as_role(email, &[(Role::Coordinator, Scope::Scheme(scheme))])
        .await;
    (scheme, cycle, b)
}

async fn next_cycle(app: &TestApp, scheme: i64, year: &str) -> i64 {
    app.store
        .create_cycle(
            scheme,
            AcademicYear::parse(year).unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap()
}

async fn open_wave(app: &TestApp, cycle: i64, wave: Wave, opens: i64, closes: i64) {
    app.store
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave,
                opens_on: day(opens),
                closes_on: day(closes),
            }],
        )
        .await
        .unwrap();
}

fn reword(cycle: i64, code: &str) -> String {
    format!("/cycles/{cycle}/instrument/statements/{code}/reword")
}

fn retire(cycle: i64, code: &str) -> String {
    format!("/cycles/{cycle}/instrument/statements/{code}/retire")
}

fn add(cycle: i64) -> String {
    format!("/cycles/{cycle}/instrument/statements")
}

#[tokio::test]
async fn a_new_cycle_copies_the_previous_cycles_words_with_a_reword_and_without_a_retired_statement()
 {
    let app = TestApp::spawn().await;
    let (scheme, first, b) = coordinated_scheme(&app, "Reverse Mentoring", "co@tu.test").await;
    let page = b.get_ok(&format!("/cycles/{first}/instrument")).await;
    assert!(page.body.contains("version 1"), "{}", page.body);
    assert!(page.body.contains(BELONG));
    assert!(
        b.get_ok(&format!("/cycles/{first}"))
            .await
            .body
            .contains(&format!("href=\"/cycles/{first}/instrument\"")),
        "the cycle page links to its statements"
    );

    let r = b
        .post(&reword(first, "belonging"), &[("text", AT_HOME)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = b.post(&retire(first, "visibility"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audited("instrument_statement_reworded").await, 1);
    assert_eq!(app.audited("instrument_statement_retired").await, 1);

    let second = next_cycle(&app, scheme, "2027/28").await;
    let copied = app.store.cycle_instrument(second).await.unwrap();
    assert_eq!(copied.version, 2);
    assert_eq!(
        copied.statements.len(),
        6,
        "the retired statement stays behind"
    );
    assert!(copied.statements.iter().all(|s| s.code != "visibility"));
    let page = b.get_ok(&format!("/cycles/{second}/instrument")).await;
    assert!(page.body.contains("version 2"), "{}", page.body);
    assert!(page.body.contains(AT_HOME), "{}", page.body);
    assert!(!page.body.contains(BELONG));
    assert!(!page.body.contains("visible to the university"));
    // The first cycle's report prints the words it asked.
    let report = b.get_ok(&format!("/cycles/{first}/report/preview")).await;
    assert!(report.body.contains(AT_HOME), "{}", report.body);
    assert!(!report.body.contains(BELONG));
    assert!(!report.body.contains("visible to the university"));
    // The first cycle keeps its retired statement, marked so.
    let page = b.get_ok(&format!("/cycles/{first}/instrument")).await;
    assert!(
        page.body.contains("<strong>Retired</strong>"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn statements_are_fixed_once_the_first_wave_opens_and_past_cycles_keep_their_words() {
    let app = TestApp::spawn().await;
    let (scheme, first, b) = coordinated_scheme(&app, "Reverse Mentoring", "co@tu.test").await;
    open_wave(&app, first, Wave::Pre, -1, 10).await;
    let mut participants = Vec::new();
    for (i, email) in ["ama@tu.test", "ben@tu.test"].into_iter().enumerate() {
        let user = app
            .person(email, &[(Role::Mentor, Scope::Cycle(first))])
            .await;
        let p = app
            .store
            .add_survey_participant(first, &format!("M0{i}"), "mentor", Some(user), true)
            .await
            .unwrap();
        participants.push(p);
    }
    let ama = app.signed_in("ama@tu.test").await;
    let form = ama
        .get_ok(&format!("/surveys/{}/pre", participants[0]))
        .await;
    assert!(form.body.contains(BELONG), "{}", form.body);
    let r = ama
        .post(
            &format!("/surveys/{}/pre", participants[0]),
            &[
                ("q_belonging", "4"),
                ("q_valued", "3"),
                ("q_visibility", "2"),
                ("q_confidence_in_leaders", "5"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The wave opened yesterday: every edit is refused, saying why, and nothing changes.
    let r = b
        .post(&reword(first, "belonging"), &[("text", AT_HOME)])
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("The first wave opened on"), "{}", r.body);
    assert_eq!(b.post(&retire(first, "valued"), &[]).await.status, 409);
    let r = b
        .post(
            &add(first),
            &[
                ("code", "heard"),
                ("role", "mentor"),
                ("aim", "belonging"),
                ("text", "I am heard."),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    let page = b.get_ok(&format!("/cycles/{first}/instrument")).await;
    assert!(
        page.body.contains("These statements are fixed."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/reword\""), "no forms once fixed");
    assert_eq!(app.audited("instrument_statement_reworded").await, 0);

    // Moving the wave later does not unlock statements that have been answered.
    open_wave(&app, first, Wave::Pre, 5, 10).await;
    let r = b
        .post(&reword(first, "belonging"), &[("text", AT_HOME)])
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Answers are already saved"), "{}", r.body);
    open_wave(&app, first, Wave::Pre, -1, 10).await;

    // The next cycle rewords it; the first cycle's respondents still read their words.
    let second = next_cycle(&app, scheme, "2027/28").await;
    let r = b
        .post(&reword(second, "belonging"), &[("text", AT_HOME)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ben = app.signed_in("ben@tu.test").await;
    let form = ben
        .get_ok(&format!("/surveys/{}/pre", participants[1]))
        .await;
    assert!(form.body.contains(BELONG), "{}", form.body);
    assert!(!form.body.contains(AT_HOME));
    // With one answer the results page says "too few" once and shows no statement's words;
    // it must still never show the next cycle's.
    let results = b.get_ok(&format!("/cycles/{first}/results")).await;
    assert!(!results.body.contains(AT_HOME));
    let codebook = b
        .get_ok(&format!("/cycles/{first}/export/codebook.md"))
        .await;
    assert!(codebook.body.contains(BELONG), "{}", codebook.body);
    assert!(!codebook.body.contains(AT_HOME));
    assert!(
        b.get_ok(&format!("/cycles/{second}/export/codebook.md"))
            .await
            .body
            .contains(AT_HOME)
    );
}

#[tokio::test]
async fn an_added_statement_is_asked_and_its_answers_count_under_its_aim() {
    let app = TestApp::spawn().await;
    let (_, cycle, b) = coordinated_scheme(&app, "Reverse Mentoring", "co@tu.test").await;
    let heard = "Leaders listen when I speak.";
    let r = b
        .post(
            &add(cycle),
            &[
                ("code", "heard"),
                ("role", "mentor"),
                ("aim", "belonging"),
                ("text", heard),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audited("instrument_statement_added").await, 1);

    // The respondent is asked it, under its aim, and must answer it to submit.
    open_wave(&app, cycle, Wave::Pre, 0, 10).await;
    let user = app
        .person("ama@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let p = app
        .store
        .add_survey_participant(cycle, "M99", "mentor", Some(user), true)
        .await
        .unwrap();
    let ama = app.signed_in("ama@tu.test").await;
    let url = format!("/surveys/{p}/pre");
    let form = ama.get_ok(&url).await;
    assert_eq!(form.body.matches("type=\"radio\"").count(), 5 * 5);
    assert!(form.body.contains(heard), "{}", form.body);
    let mut fields = vec![
        ("q_belonging", "4"),
        ("q_valued", "3"),
        ("q_visibility", "2"),
        ("q_confidence_in_leaders", "5"),
        ("action", "submit"),
    ];
    assert_eq!(
        ama.post(&url, &fields).await.status,
        422,
        "q_heard is missing"
    );
    fields.push(("q_heard", "5"));
    let r = ama.post(&url, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Enough paired answers for the figures to show under the disclosure rule.
    for i in 0..8i64 {
        let p = app
            .store
            .add_survey_participant(cycle, &format!("M{i:02}"), "mentor", None, true)
            .await
            .unwrap();
        for (wave, score) in [(Wave::Pre, 2), (Wave::Post, 4)] {
            let s = score + i % 2;
            app.store
                .record_answers(p, wave, &[("belonging", s), ("heard", s)])
                .await
                .unwrap();
        }
    }
    let page = b.get_ok(&format!("/cycles/{cycle}/results")).await;
    assert!(
        page.body
            .contains(&format!("<span class=\"hint\">{heard}</span>")),
        "the statement has its row: {}",
        page.body
    );
    let by_aim = &page.body[page.body.find("<h2>By aim</h2>").unwrap()..];
    let row = &by_aim[by_aim.find("Belonging").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("mean over its 2 statements"), "{row}");
}

#[tokio::test]
async fn bad_statements_are_refused_naming_the_field_and_keeping_what_was_typed() {
    let app = TestApp::spawn().await;
    let (_, cycle, b) = coordinated_scheme(&app, "Reverse Mentoring", "co@tu.test").await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[
                ("code", "Not A Code"),
                ("role", "mentor"),
                ("aim", "belonging"),
                ("text", "Kept words."),
            ],
            "code",
        ),
        (
            &[
                ("code", "belonging"),
                ("role", "mentor"),
                ("aim", "belonging"),
                ("text", "Kept words."),
            ],
            "code",
        ),
        (
            &[
                ("code", "heard"),
                ("role", "mentor"),
                ("aim", "no_such_aim"),
                ("text", "Kept words."),
            ],
            "aim",
        ),
        (
            &[
                ("code", "heard"),
                ("role", "mentor"),
                ("aim", "understand_challenges"),
                ("text", "Kept words."),
            ],
            "aim",
        ),
        (
            &[
                ("code", "heard_code"),
                ("role", "mentor"),
                ("aim", "belonging"),
                ("text", "   "),
            ],
            "text",
        ),
    ];
    for (fields, field) in cases {
        let r = b.post(&add(cycle), fields).await;
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "{fields:?} names {field}: {}",
            r.body
        );
        let code = fields[0].1;
        assert!(
            r.body.contains(&format!("value=\"{code}\"")),
            "the code is kept: {}",
            r.body
        );
        if fields[3].1 == "Kept words." {
            assert!(r.body.contains(">Kept words.</textarea>"), "{}", r.body);
        }
    }
    let long = "a".repeat(301);
    let r = b.post(&reword(cycle, "valued"), &[("text", &long)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("href=\"#text_valued\""), "{}", r.body);
    assert!(
        r.body.contains(&format!(">{long}</textarea>")),
        "typed words are kept"
    );
    let r = b.post(&reword(cycle, "valued"), &[("text", "")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        b.post(&reword(cycle, "no_such_code"), &[("text", "x")])
            .await
            .status,
        404
    );
    let stored = app.store.cycle_instrument(cycle).await.unwrap();
    assert_eq!(stored.statements.len(), 7, "nothing was added");
    assert!(
        stored
            .statements
            .iter()
            .any(|s| s.code == "valued" && s.text == "I feel valued by the university.")
    );
}

#[tokio::test]
async fn only_the_schemes_coordinators_and_admins_change_the_statements() {
    let app = TestApp::spawn().await;
    let (scheme, cycle, _) = coordinated_scheme(&app, "Reverse Mentoring", "co@tu.test").await;
    let (_, _, other) = coordinated_scheme(&app, "Other scheme", "other@tu.test").await;
    let page = format!("/cycles/{cycle}/instrument");
    let words = [("text", AT_HOME)];

    // A coordinator of another scheme, and a participant of the cycle: neither sees nor edits.
    assert_eq!(other.get(&page).await.status, 403);
    assert_eq!(
        other.post(&reword(cycle, "belonging"), &words).await.status,
        403
    );
    let mentor = app
        .as_role("m@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    assert_eq!(mentor.get(&page).await.status, 403);
    assert_eq!(mentor.post(&retire(cycle, "valued"), &[]).await.status, 403);
    // A researcher of the scheme reads them, without the forms, and cannot edit.
    let researcher = app
        .as_role("r@tu.test", &[(Role::Researcher, Scope::Scheme(scheme))])
        .await;
    let seen = researcher.get_ok(&page).await;
    assert!(seen.body.contains(BELONG));
    assert!(!seen.body.contains("/reword\""));
    assert_eq!(
        researcher
            .post(&reword(cycle, "belonging"), &words)
            .await
            .status,
        403
    );
    assert_eq!(app.audited("instrument_statement_reworded").await, 0);
    // Admins, who keep the instruments' scale labels, edit them too.
    let admin = app
        .as_role("ad@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    assert!(admin.get_ok(&page).await.body.contains("/reword\""));
    assert_eq!(
        admin.post(&reword(cycle, "belonging"), &words).await.status,
        303
    );
    assert_eq!(app.audited("instrument_statement_reworded").await, 1);
}

#[tokio::test]
async fn the_migration_gives_every_existing_cycle_the_words_its_respondents_saw() {
    let (store, dir) = crate::helpers::empty_store().await;
    store.migrate_below(100).await.unwrap();
    store.ensure_default_instruments().await.unwrap();
    let scheme = store
        .create_scheme(flipside_store::NewScheme {
            name: "Older scheme",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap();
    for sql in [
        format!(
            "INSERT INTO cycles (scheme_id, academic_year, state, hours_target, framework, created_at)
             VALUES ({scheme}, 2025, 'recruiting', 20, '{{}}', '2025-08-01T09:00:00Z'),
                    ({scheme}, 2024, 'closed', 20, '{{}}', '2024-08-01T09:00:00Z')"
        ),
        format!(
            "INSERT INTO qual_statement_aims (scheme_id, statement_code, aim) VALUES ({scheme}, 'valued', 'belonging')"
        ),
        "INSERT INTO survey_participants (cycle_id, code, role, research_consent)
         SELECT id, 'M01', 'mentor', TRUE FROM cycles WHERE academic_year = 2024"
            .to_string(),
        "INSERT INTO survey_responses (participant_id, wave, statement_id, score, answered_at)
         SELECT p.id, 'pre', s.id, 4, '2024-10-01T09:00:00Z' FROM survey_participants p, instrument_statements s
         WHERE p.code = 'M01' AND s.code = 'valued'"
            .to_string(),
    ] {
        store.execute_admin(&sql).await.unwrap();
    }
    store.migrate().await.unwrap();

    let cycles = store.cycles_of(scheme).await.unwrap();
    let (newer, older) = (cycles[0].id, cycles[1].id);
    let old = store.cycle_instrument(older).await.unwrap();
    assert_eq!(old.version, 1);
    assert_eq!(old.statements.len(), 7);
    let valued = old.statements.iter().find(|s| s.code == "valued").unwrap();
    assert_eq!(valued.text, "I feel valued by the university.");
    assert_eq!(valued.aim, "belonging", "the scheme's chosen aim");
    assert_eq!(store.cycle_instrument(newer).await.unwrap().version, 2);
    let answers = store.survey_answers(older).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text, "I feel valued by the university.");
    assert_eq!(answers[0].aim, "Feeling valued");
    // The next cycle continues from the newest one.
    let next = store
        .create_cycle(
            scheme,
            AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(store.cycle_instrument(next).await.unwrap().version, 3);
    store.close().await;
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}
