use crate::fixtures::evaluated_cycle;
use crate::helpers::TestApp;
use flipside_core::evaluation::Wave;
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn the_demo_cycle_shows_the_published_response_rates_and_paired_results() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let past = app.demo_past_cycle().await;
    let page = b.get(&format!("/cycles/{}/results", past.id)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("25 of 26 before; 20 of 26 after"),
        "mentor rates: {}",
        page.body
    );
    assert!(
        page.body.contains("16 of 26 before; 7 of 26 after"),
        "staff rates"
    );
    assert!(
        page.body
            .contains("<strong>Disclosure rule</strong> (internal): Counts under 5 suppressed;"),
        "the table names its rule"
    );
    assert!(page.body.contains("Belonging") && page.body.contains("harder to engage"));
    // Five consenting mentors answered only before: enough for the mean over everyone who
    // answered before to be shown beside the paired change (four would give theirs away).
    let before = page
        .body
        .split("Belonging: before ")
        .nth(1)
        .expect("the mentors' chart describes a before mean");
    assert!(
        before.starts_with(|c: char| c.is_ascii_digit()),
        "the mentors' before mean is shown: {}",
        &before[..20]
    );
    assert!(
        page.body.find("Student mentors").unwrap() < page.body.find("Staff mentees").unwrap(),
        "students first"
    );
    assert_eq!(
        page.body
            .matches("Only 7 respondents answered both waves")
            .count(),
        1,
        "the small-n caveat is said once under its table"
    );
    assert!(
        page.body.contains("(exact)")
            || page.body.contains("(approx)")
            || page.body.contains("(permutation)"),
        "a Wilcoxon p is shown"
    );
}

#[tokio::test]
async fn under_the_publication_rule_averages_of_seven_or_fewer_people_are_hidden() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    app.store
        .update_organisation("Northmoor", 5, "publication", 20)
        .await
        .unwrap();
    let past = app.demo_past_cycle().await;
    let page = b.get(&format!("/cycles/{}/results", past.id)).await;
    assert!(
        page.body.contains("HESA") || page.body.contains("publication"),
        "{}",
        page.body
    );
    // Staff: at most 7 answered after, so their changes are hidden: the page says so once
    // instead of a table of dashes.
    let staff = &page.body[page.body.find("<h2>Staff mentees</h2>").unwrap()..];
    let staff = &staff[..staff.find("<h2>By aim</h2>").unwrap()];
    assert_eq!(
        staff.matches("Too few of the 26 staff mentees").count(),
        1,
        "{staff}"
    );
    assert!(!staff.contains("<table"), "{staff}");
}

#[tokio::test]
async fn answers_without_research_consent_count_in_rates_but_not_in_analysis() {
    let app = TestApp::spawn().await;
    let (s, c) = evaluated_cycle(&app).await;
    for i in 0..6 {
        let p = app
            .store
            .add_survey_participant(c, &format!("M{i}"), "mentor", None, i > 0)
            .await
            .unwrap();
        for wave in [Wave::Pre, Wave::Post] {
            app.store
                .record_answers(p, wave, &[("belonging", 2)])
                .await
                .unwrap();
        }
    }
    let b = app
        .as_role("co@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let page = b.get(&format!("/cycles/{c}/results")).await;
    assert!(
        page.body.contains("6 of 6 before; 6 of 6 after"),
        "{}",
        page.body
    );
    assert!(page.body.contains("5 consented to research use"));
    assert!(
        page.body.contains("<td>5</td><td>2.00 (0.00)</td>"),
        "analysis counts the 5 consenting: {}",
        page.body
    );
    // Bad answers are refused and change nothing.
    let p = app
        .store
        .add_survey_participant(c, "M9", "mentor", None, true)
        .await
        .unwrap();
    assert!(
        app.store
            .record_answers(p, Wave::Pre, &[("belonging", 3), ("valued", 9)])
            .await
            .is_err()
    );
    assert!(
        app.store
            .record_answers(p, Wave::Pre, &[("belonging", 3), ("not_a_statement", 2)])
            .await
            .is_err()
    );
    assert!(
        app.store
            .survey_answers(c)
            .await
            .unwrap()
            .iter()
            .all(|a| a.code != "M9")
    );
}

#[tokio::test]
async fn results_are_for_coordinators_researchers_and_admins_only() {
    let app = TestApp::spawn().await;
    let (s, c) = evaluated_cycle(&app).await;
    for (who, role, scope, status) in [
        ("co", Role::Coordinator, Scope::Scheme(s), 200),
        ("re", Role::Researcher, Scope::Organisation, 200),
        ("ad", Role::Admin, Scope::Organisation, 200),
        ("me", Role::Mentor, Scope::Cycle(c), 403),
        ("ot", Role::Coordinator, Scope::Scheme(s + 100), 403),
    ] {
        let b = app
            .as_role(&format!("{who}@tu.test"), &[(role, scope)])
            .await;
        assert_eq!(
            b.get(&format!("/cycles/{c}/results")).await.status,
            status,
            "{who}"
        );
    }
}

#[tokio::test]
async fn a_corrupt_disclosure_preset_answers_500_instead_of_showing_figures_under_the_internal_rule()
 {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let past = app.demo_past_cycle().await;
    let results = format!("/cycles/{}/results", past.id);
    assert_eq!(b.get(&results).await.status, 200);
    // A preset no version of flipside writes used to read as the internal rule.
    app.store
        .execute_admin("UPDATE organisation SET disclosure_preset = 'lenient'")
        .await
        .unwrap();
    let page = b.get(&results).await;
    assert_eq!(page.status, 500, "{}", page.body);
    assert!(!page.body.contains("2.92"), "{}", page.body);
}

/// A cycle's results are computed once and kept in memory while nothing behind them changes
/// (issue 15). Every kind of row they are computed from, written by hand in SQL (as another
/// tool or server process would), shows on the very next request: the cycle and its scheme,
/// the scheme's aims, the participants and their answers (and the identity labels respondents
/// chose: `surveys::results_show_a_chart_the_unpaired_test_and_respondents_by_label_under_the_rule`).
#[tokio::test]
async fn every_write_behind_the_results_page_shows_on_the_next_request() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let past = app.demo_past_cycle().await;
    let (scheme, cycle) = (past.scheme_id, past.id);
    let url = format!("/cycles/{cycle}/results");
    let first = b.get(&url).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("25 of 26 before; 20 of 26 after"));
    let mentor_answered_before = format!(
        "(SELECT MIN(p.id) FROM survey_participants p JOIN survey_responses r ON r.participant_id = p.id
          WHERE p.cycle_id = {cycle} AND p.role = 'mentor' AND r.wave = 'pre')"
    );
    let writes = [
        (
            "the scheme renamed",
            format!("UPDATE schemes SET name = 'Renamed Scheme' WHERE id = {scheme}"),
            "Renamed Scheme",
        ),
        (
            "the cycle's year changed",
            format!("UPDATE cycles SET academic_year = 2011 WHERE id = {cycle}"),
            "2011/12",
        ),
        (
            "an aim relabelled",
            format!(
                "UPDATE qual_aims SET label = 'Relabelled Aim' WHERE scheme_id = {scheme}
                 AND key = (SELECT MIN(key) FROM qual_aims WHERE scheme_id = {scheme})"
            ),
            "Relabelled Aim",
        ),
        (
            "a mentor's answers before withdrawn",
            format!(
                "DELETE FROM survey_responses WHERE wave = 'pre' AND participant_id = {mentor_answered_before}"
            ),
            "24 of 26 before; ",
        ),
        (
            "a mentor added to the evaluation",
            format!(
                "INSERT INTO survey_participants (cycle_id, code, role, research_consent)
                 VALUES ({cycle}, 'ADDED', 'mentor', TRUE)"
            ),
            "24 of 27 before; ",
        ),
    ];
    let mut before = first.body;
    for (what, sql, shows) in writes {
        assert!(!before.contains(shows), "{what}: not shown before");
        app.store.execute_admin(&sql).await.unwrap();
        let page = b.get(&url).await;
        assert_eq!(page.status, 200, "{what}: {}", page.body);
        assert!(page.body.contains(shows), "{what}: {}", page.body);
        before = page.body;
    }
}
