//! Matching and results in plain words (issue 14): the cost explained from the weights in
//! force, weights as named levels, the student's School on the application and pairs allowed
//! across the same-School rule with a reason; results that open with sentences under the
//! disclosure rule.
use crate::fixtures::{answered, coordinator, mentee_of as mentee, mentor};
use crate::helpers::TestApp;
use flipside_core::recruitment::ApplicationStatus;
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn the_matching_page_explains_the_cost_from_the_weights_and_saves_them_as_named_levels() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada.lovelace@tu.test", "climate, music", "mon-am").await;
    mentor(&app, c, "ben.okri@tu.test", "music", "wed-pm").await;
    mentee(&app, c, "kay.hill@tu.test", None, ("climate", "mon-am")).await;
    mentee(&app, c, "lou.reed@tu.test", None, ("music", "wed-pm")).await;

    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    // The default levels ("some" = 2) in words, with the figures the engine uses.
    assert!(page.body.contains("Lower is a better fit"), "{}", page.body);
    assert!(page.body.contains("a pair who share no interest adds 200"));
    assert!(
        page.body
            .contains("(so by 50 when they named 4 between them)")
    );
    assert!(page.body.contains("no weekly slot in common adds 200"));
    assert!(!page.body.contains("0 to 1000"));
    assert!(!page.body.contains("preferences_weight"));
    // Each pair's cost in parts; the swap menu names both people of the other pair.
    assert!(
        page.body.contains("interests 100 + availability 0"),
        "{}",
        page.body
    );
    assert!(page.body.contains("lou reed, mentored by"), "{}", page.body);
    assert!(
        page.body.contains(
            "id=\"interests_weight-some\" name=\"interests_weight\" value=\"some\" checked"
        )
    );

    let r = coord
        .post(
            &format!("/cycles/{c}/matching/settings"),
            &[
                ("interests_weight", "a_lot"),
                ("availability_weight", "off"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let s = app.store.matching_settings(c).await.unwrap().unwrap();
    assert_eq!(
        (
            s.interests_weight,
            s.availability_weight,
            s.preferences_weight
        ),
        (4, 0, 0)
    );
    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    assert!(page.body.contains("a pair who share no interest adds 400"));
    assert!(page.body.contains("Shared availability is off"));
    assert!(page.body.contains(
        "id=\"interests_weight-a_lot\" name=\"interests_weight\" value=\"a_lot\" checked"
    ));

    // A number (the old form) or a missing level is refused next to its field; nothing saved.
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/settings"),
            &[("interests_weight", "500"), ("availability_weight", "some")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"interests_weight-error\""));
    assert!(r.body.contains("Choose how much shared interests count"));
    let s = app.store.matching_settings(c).await.unwrap().unwrap();
    assert_eq!((s.interests_weight, s.availability_weight), (4, 0));
}

#[tokio::test]
async fn a_students_school_on_the_application_keeps_a_leader_of_that_school_away_unless_the_coordinator_allows_the_pair_with_a_reason()
 {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let faculty = app.store.create_faculty("Social Sciences").await.unwrap();
    let law = app
        .store
        .create_school(faculty, "Law", "LAW")
        .await
        .unwrap();
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;

    // The student names their School on the application; a School not in the list is refused.
    let student = app.as_role("sam.student@tu.test", &[]).await;
    let form = |school: String| {
        vec![
            ("course".to_string(), "LLB Law".to_string()),
            ("level".into(), "ug2".into()),
            ("school".into(), school),
            ("interests".into(), "assessment".into()),
            ("availability".into(), "mon-am".into()),
            ("hopes".into(), "Fairer marking.".into()),
            ("consent".into(), "take_part".into()),
        ]
    };
    let call = student.get_ok(&format!("/cycles/{c}/apply")).await;
    assert!(
        call.body
            .contains("<label for=\"school\">Your School (optional)</label>")
    );
    let bad = form("999999".into());
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = student.post(&format!("/cycles/{c}/apply"), &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"school-error\""));
    let good = form(law.to_string());
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = student.post(&format!("/cycles/{c}/apply"), &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let sam = app
        .store
        .user_by_email("sam.student@tu.test")
        .await
        .unwrap()
        .id;
    let application = app.store.application_of(c, sam).await.unwrap().unwrap();
    assert_eq!(application.school_id, Some(law));
    // The form shows it again when the student comes back.
    let again = student.get_ok(&format!("/cycles/{c}/apply")).await;
    assert!(
        again
            .body
            .contains(&format!("<option value=\"{law}\" selected>Law</option>"))
    );
    app.store
        .decide_application(application.id, ApplicationStatus::Accepted, "", None)
        .await
        .unwrap();
    let kay = mentee(
        &app,
        c,
        "kay.hill@tu.test",
        Some(law),
        ("assessment", "mon-am"),
    )
    .await;

    // The rule holds for the student's School from the application (their account has none).
    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    assert!(
        page.body.contains("No matching is possible"),
        "{}",
        page.body
    );
    assert!(page.body.contains("same School (Law)"));

    // Allowing the pair needs a reason; without one nothing is written.
    let pair = [("mentor", format!("m{sam}")), ("mentee", format!("e{kay}"))];
    let mut fields: Vec<(&str, &str)> = pair.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields.push(("reason", "  "));
    let r = coord
        .post(&format!("/cycles/{c}/matching/same-school"), &fields)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"ss_reason-error\""));
    assert_eq!(app.audited("same_school_pair_allowed").await, 0);
    // What the coordinator typed and chose is kept when one of the fields is wrong.
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/same-school"),
            &[
                ("mentor", format!("m{sam}").as_str()),
                ("mentee", ""),
                ("reason", "Typed once & kept."),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"ss_mentee-error\""));
    assert!(
        r.body.contains(">Typed once &#38; kept.</textarea>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(&format!("<option value=\"m{sam}\" selected>")),
        "{}",
        r.body
    );

    fields.pop();
    fields.push((
        "reason",
        "Kay teaches only postgraduates; Sam is in year 2.",
    ));
    let r = coord
        .post(&format!("/cycles/{c}/matching/same-school"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audited("same_school_pair_allowed").await, 1);
    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    assert!(
        !page.body.contains("No matching is possible"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("both in Law, which the coordinator allowed")
    );
    assert!(
        page.body
            .contains("Kay teaches only postgraduates; Sam is in year 2.")
    );

    // Withdrawing it is audited and the rule applies again.
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/same-school/remove"),
            &[
                ("mentor_id", &sam.to_string()),
                ("mentee_id", &kay.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.audited("same_school_pair_disallowed").await, 1);
    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    assert!(page.body.contains("No matching is possible"));
}

#[tokio::test]
async fn a_pair_not_in_one_school_needs_no_exception() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let m = mentor(&app, c, "ada@tu.test", "x", "mon-am").await;
    let e = mentee(&app, c, "kay@tu.test", None, ("x", "mon-am")).await;
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/same-school"),
            &[
                ("mentor", &format!("m{m}")),
                ("mentee", &format!("e{e}")),
                ("reason", "Because."),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("no exception is needed"));
    assert_eq!(app.audited("same_school_pair_allowed").await, 0);
}

#[tokio::test]
async fn results_open_with_sentences_that_hide_what_the_tables_hide_and_say_too_few_once() {
    let app = TestApp::spawn().await;
    // 13 mentors: 6 move up, 5 stay, 2 move down. 3 staff answer both.
    let mut people: Vec<(&str, Option<i64>, Option<i64>)> = Vec::new();
    people.extend(std::iter::repeat_n(("mentor", Some(2), Some(4)), 6));
    people.extend(std::iter::repeat_n(("mentor", Some(3), Some(3)), 5));
    people.extend(std::iter::repeat_n(("mentor", Some(4), Some(3)), 2));
    people.extend(std::iter::repeat_n(("mentee", Some(3), Some(4)), 3));
    let (s, c) = answered(&app, &people).await;
    let b = app
        .as_role("co@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let page = b.get_ok(&format!("/cycles/{c}/results")).await;
    let body = &page.body;

    let opening = "13 of 13 student mentors answered both before and after";
    assert!(body.contains(opening), "{body}");
    // 2 moved down is under the minimum of 5: said only together with the 5 who stayed.
    assert!(
        body.contains("6 moved up and 7 stayed the same or moved down"),
        "{body}"
    );
    assert!(!body.contains("2 moved down") && !body.contains("5 stayed the same"));
    let table = body
        .find("<caption>Student mentors: before → after</caption>")
        .unwrap();
    assert!(
        body.find(opening).unwrap() < body.find("<table").unwrap(),
        "the sentences come before any table"
    );
    // Beside the paired 13, the share of the 5 who stayed the same would give away the 2 who
    // moved down: the table hides both, as the sentence tells them only together.
    let after_table = &body[table..];
    let row = &after_table[..after_table.find("</tbody>").unwrap()];
    assert!(row.contains("<td>46% / – / –</td>"), "{row}");
    // Standard deviations beside the means; the tests in a details section with their method.
    assert!(body.contains("Mean (SD), first"));
    let details = body[table..].find("<details>").unwrap() + table;
    assert!(body[details..].find("Mann–Whitney U (p)").is_some());
    assert!(!body[table..details].contains("Mann–Whitney"));
    assert!(body.contains("zero method “wilcox”"));
    // The disclosure rule is said once, not in every caption.
    assert_eq!(body.matches("Counts under 5 suppressed").count(), 1);

    // Staff: 3 answered both; one sentence says so, no table of dashes, no hidden bars.
    let staff =
        &body[body.find("<h2>Staff mentees</h2>").unwrap()..body.find("<h2>By aim</h2>").unwrap()];
    assert_eq!(
        staff
            .matches("Too few of the 3 staff mentees answered both before and after")
            .count(),
        1,
        "{staff}"
    );
    assert!(!staff.contains("<table"), "{staff}");
    assert!(!staff.contains("hidden"), "{staff}");

    // By aim, too: the staff's aims are said once to be hidden, not shown as rows of dashes.
    let by_aim = &body[body.find("<h2>By aim</h2>").unwrap()..];
    assert!(by_aim.contains("<caption>Student mentors: before → after, by aim</caption>"));
    assert_eq!(
        by_aim
            .matches("Staff mentees: too few answered both waves for the change on any aim")
            .count(),
        1,
        "{by_aim}"
    );
    assert!(!by_aim.contains("Staff mentees: before → after, by aim"));
}
