//! The annual report in the web app (issue 12): the coordinator's text, preview, frozen
//! versions and their downloads; the report's figures against the results page's; the demo's
//! closed cycle as a full report; quotes after a withdrawal of consent.
use crate::helpers::{Browser, TestApp};
use flipside_core::annual_report::ReportScope;
use flipside_core::cycle::AcademicYear;
use flipside_core::disclosure::Cell;
use flipside_core::recruitment::ConsentKind;
use flipside_report::Disclosure;
use flipside_report::figures::Figure;
use flipside_web::annual_report;
use flipside_web::handlers::evaluation::results;

/// The demo, signed in as its (organisation-wide) coordinator, and its closed 2025/26 cycle.
async fn demo(app: &TestApp) -> (Browser, i64) {
    let b = app.demo_coordinator().await;
    (b, app.demo_past_cycle().await.id)
}

/// The report of `scope` as it would be published on 14 July 2026.
async fn gather(app: &TestApp, scope: ReportScope) -> annual_report::Gathered {
    annual_report::gather(
        &app.store,
        scope,
        Disclosure::publication(),
        chrono::NaiveDate::from_ymd_opt(2026, 7, 14).unwrap(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_coordinator_writes_previews_publishes_and_downloads_the_report() {
    let app = TestApp::spawn_demo().await;
    let (b, cycle) = demo(&app).await;
    let base = format!("/cycles/{cycle}/report");
    let page = b.get(&base).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("No version has been published yet"));

    let saved = b
        .post(
            &base,
            &[
                (
                    "introduction",
                    "This year **every** pair met.\n\n<script>alert(1)</script>",
                ),
                ("recommendations", "- Keep the scheme\n- Recruit earlier"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = b.follow(&saved).await;
    assert!(page.body.contains("are saved"), "the flash says so");
    assert!(
        page.body.contains("Recruit earlier"),
        "the form shows the saved text"
    );
    assert!(
        !page.body.contains("<script>alert") && page.body.contains("&#60;script&#62;alert"),
        "the saved text is escaped in the form"
    );

    let preview = b.get(&format!("{base}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("<strong>every</strong>"),
        "Markdown-like text is formatted"
    );
    assert!(preview.body.contains("<li>Recruit earlier</li>"));
    assert!(
        !preview.body.contains("<script>alert"),
        "user HTML is never passed through"
    );

    let published = b.post(&format!("{base}/publish"), &[]).await;
    assert_eq!(published.status, 303, "{}", published.body);
    let page = b.follow(&published).await;
    assert!(
        page.body.contains("Version 1 is published"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Publish version 2"));
    assert!(
        page.body
            .contains(&format!("{base}/versions/1/report.html"))
    );
    assert_eq!(app.audited("report_published").await, 1);
    assert_eq!(app.audited("report_text_saved").await, 1);

    let html = b.get(&format!("{base}/versions/1/report.html")).await;
    assert_eq!(html.status, 200);
    assert!(
        html.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("annual-report-cycle-"),
        "downloaded as a file"
    );
    assert!(html.body.contains("<li>Recruit earlier</li>"));
    assert_eq!(
        b.get(&format!("{base}/versions/2/report.html"))
            .await
            .status,
        404
    );

    #[cfg(feature = "pdf")]
    {
        let pdf = b.get(&format!("{base}/versions/1/report.pdf")).await;
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"));
    }
}

#[tokio::test]
async fn a_published_version_does_not_change_when_the_data_or_the_text_changes() {
    let app = TestApp::spawn_demo().await;
    let (b, cycle) = demo(&app).await;
    let base = format!("/cycles/{cycle}/report");
    b.post(
        &base,
        &[("introduction", "First words."), ("recommendations", "")],
    )
    .await;
    b.post(&format!("{base}/publish"), &[]).await;
    let before = b.get(&format!("{base}/versions/1/report.html")).await.body;

    // The data moves on: five more mentors are invited to the surveys (26 become 31, printed
    // 30), the organisation is renamed, and the coordinator rewrites the introduction.
    for i in 0..5 {
        app.store
            .add_survey_participant(cycle, &format!("LATE{i}"), "mentor", None, true)
            .await
            .unwrap();
    }
    app.store
        .update_organisation("Renamed University", 5, "internal", 20)
        .await
        .unwrap();
    b.post(
        &base,
        &[("introduction", "Second words."), ("recommendations", "")],
    )
    .await;

    let preview = b.get(&format!("{base}/preview")).await.body;
    assert!(preview.contains("Renamed University") && preview.contains("Second words."));
    let thirty = "<data class=\"fig fig-count\" value=\"30\">30</data>";
    assert!(
        preview.matches(thirty).count() > before.matches(thirty).count(),
        "the new invitations are counted"
    );
    let after = b.get(&format!("{base}/versions/1/report.html")).await.body;
    assert_eq!(before, after, "version 1 is frozen");
    assert!(after.contains("First words.") && !after.contains("Renamed University"));
}

/// A figure's value as shown (None when hidden), for comparing the report with the page.
fn shown(f: &impl Figure) -> Option<f64> {
    f.value()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

fn cell_u(c: Cell<u64>) -> Option<f64> {
    c.shown().map(|v| v as f64)
}

#[tokio::test]
async fn the_report_prints_the_results_pages_numbers_under_the_same_rule() {
    let app = TestApp::spawn_demo().await;
    let (_, cycle) = demo(&app).await;
    let counts = app.store.survey_participant_counts(cycle).await.unwrap();
    let answers = app.store.survey_answers(cycle).await.unwrap();
    let org = app.store.organisation().await.unwrap().unwrap();
    for rule in [
        results::rule_of(&org).unwrap(),
        flipside_core::disclosure::DisclosureRule::publication(),
    ] {
        let page = results::build(&counts, &answers, &rule, &Default::default());
        let report =
            annual_report::survey_results(&counts, &answers, &Disclosure::new(rule.clone()));
        let mut compared = 0;
        for role in &page {
            let pre_post = &role.comparisons[0];
            for row in &pre_post.rows {
                let st = report
                    .aims
                    .iter()
                    .flat_map(|a| &a.statements)
                    .find(|s| s.text == row.text)
                    .unwrap_or_else(|| panic!("the report lacks {}", row.text));
                let wave = |w: flipside_report::Wave| st.waves.iter().find(|x| x.wave == w);
                let (pre, post) = (
                    wave(flipside_report::Wave::Pre).unwrap(),
                    wave(flipside_report::Wave::Post).unwrap(),
                );
                let p = &st.paired;
                let pairs = [
                    ("n before", shown(&pre.n), cell_u(row.n_shown[0])),
                    ("mean before", shown(&pre.mean), row.mean_from.shown()),
                    ("n after", shown(&post.n), cell_u(row.n_shown[1])),
                    ("mean after", shown(&post.mean), row.mean_to.shown()),
                    ("paired n", shown(&p.n), cell_u(row.n_shown[2])),
                    ("change", shown(&p.mean_change), row.mean_change.shown()),
                    ("moved up", shown(&p.moved_up_pct), row.moved.up.shown()),
                    ("same", shown(&p.same_pct), row.moved.same.shown()),
                    (
                        "moved down",
                        shown(&p.moved_down_pct),
                        row.moved.down.shown(),
                    ),
                    ("p", shown(&p.p_value), row.p_value),
                    ("r", shown(&p.effect_size_r), row.effect_r),
                ];
                for (what, report_value, page_value) in pairs {
                    assert!(
                        close(report_value, page_value),
                        "{} ({}): {what} is {report_value:?} in the report, {page_value:?} on the page",
                        row.text,
                        rule.name()
                    );
                }
                compared += 1;
            }
        }
        assert!(compared >= 6, "only {compared} statements compared");
    }
}

#[tokio::test]
async fn the_demos_closed_cycle_makes_a_full_report_under_the_publication_rule() {
    let app = TestApp::spawn_demo().await;
    let (b, cycle) = demo(&app).await;
    let gathered = gather(&app, ReportScope::Cycle(cycle)).await;
    let r = &gathered.report;
    let s = &r.schemes[0];
    use flipside_report::figures::Printed::Shown;
    assert_eq!(
        s.participation.matched_pairs.printed(),
        Shown("25".into()),
        "26 pairs, rounded"
    );
    let rate = |role: &str, wave| {
        s.evaluation
            .response_rates
            .iter()
            .find(|x| x.role == role && x.wave == wave)
            .unwrap()
            .responded
            .printed()
    };
    use flipside_report::Wave::{Post, Pre};
    assert_eq!(
        rate("Mentors", Pre),
        Shown("25".into()),
        "25 of 26 mentors before"
    );
    assert_eq!(rate("Mentors", Post), Shown("20".into()), "20 after");
    assert_eq!(
        rate("Mentees", Pre),
        Shown("15".into()),
        "16 staff, rounded"
    );
    assert_eq!(rate("Mentees", Post), Shown("5".into()), "7 staff, rounded");
    assert!(!s.evaluation.aims.is_empty(), "results by aim");
    let findings = s.findings.as_ref().expect("the demo's chats were analysed");
    assert!(
        findings.iter().any(|f| !f.quotes.is_empty()),
        "approved quotes"
    );
    assert!(!gathered.quote_ids.is_empty());
    assert!(!s.actions.you_said_we_did.is_empty(), "you said, we did");
    assert!(!r.methods.invited.is_empty());

    // The page's rendering of it: every count a multiple of 5, and none of the raw 26 or 7.
    let page = b.get(&format!("/cycles/{cycle}/report/preview")).await.body;
    let counts: Vec<u64> = page
        .split("<data class=\"fig fig-count\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect();
    assert!(counts.len() > 20);
    assert!(counts.iter().all(|n| n % 5 == 0), "{counts:?}");
    assert!(!page.contains(">26<") && !page.contains(">7<"));

    // The year across schemes holds every scheme's cycle of 2025/26.
    let year = gather(&app, ReportScope::Year(AcademicYear::from_start_year(2025))).await;
    assert!(!year.report.schemes.is_empty());
    assert_eq!(b.get("/years/2025/report").await.status, 200);
    assert_eq!(b.get("/years/2025/report/preview").await.status, 200);
    assert_eq!(b.get("/years/1999/report").await.status, 404);
}

#[tokio::test]
async fn a_withdrawn_quote_leaves_the_preview_and_flags_the_published_version() {
    let app = TestApp::spawn_demo().await;
    let (b, cycle) = demo(&app).await;
    let base = format!("/cycles/{cycle}/report");
    b.post(&format!("{base}/publish"), &[]).await;
    let page = b.get(&base).await.body;
    assert!(page.contains("All consents stand"), "{page}");

    // The speaker of a printed quote withdraws their consent to be quoted.
    let gathered = gather(&app, ReportScope::Cycle(cycle)).await;
    let quotes = app.store.quotes_of_cycle(cycle).await.unwrap();
    let quote = quotes
        .iter()
        .find(|q| gathered.quote_ids.contains(&q.id))
        .unwrap();
    let application = app
        .store
        .applications_of(cycle)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.user_id == quote.participant_user_id)
        .expect("the speaker applied to the cycle");
    app.store
        .withdraw_consent(application.id, ConsentKind::Quotes)
        .await
        .unwrap();

    let page = b.get(&base).await.body;
    assert!(
        page.contains("Consent withdrawn since"),
        "version 1 is flagged"
    );
    let preview = b.get(&format!("{base}/preview")).await.body;
    // The longest stretch of the quote that HTML escaping leaves as it is.
    let words = quote
        .edited
        .split(|c: char| !(c.is_alphanumeric() || c == ' '))
        .max_by_key(|s| s.len())
        .unwrap()
        .to_owned();
    assert!(words.len() > 15, "{words}");
    assert!(
        !preview.contains(&words),
        "the quote has left the unpublished report"
    );
    let frozen = b.get(&format!("{base}/versions/1/report.html")).await.body;
    assert!(
        frozen.contains(&words),
        "the published version is never changed"
    );
}

#[tokio::test]
async fn the_coordinator_chooses_the_internal_rule_for_a_report_that_stays_inside() {
    let app = TestApp::spawn_demo().await;
    let (b, cycle) = demo(&app).await;
    let base = format!("/cycles/{cycle}/report");
    let org = app.store.organisation().await.unwrap().unwrap();
    let internal = results::rule_of(&org).unwrap().name();
    let publication = flipside_core::disclosure::DisclosureRule::publication().name();
    assert_ne!(internal, publication);

    // By default a report follows the publication rule; asked, the internal one.
    let page = b.get_ok(&base).await;
    assert!(page.body.contains("?rule=internal"), "{}", page.body);
    let default = b.get_ok(&format!("{base}/preview")).await;
    assert!(default.body.contains(&publication), "{}", default.body);
    assert!(!default.body.contains(&internal));
    let inside = b.get_ok(&format!("{base}/preview?rule=internal")).await;
    assert!(inside.body.contains(&internal), "{}", inside.body);
    assert!(!inside.body.contains(&publication));
    // A rule that is neither is refused, not quietly the publication rule.
    assert_eq!(
        b.get(&format!("{base}/preview?rule=none")).await.status,
        400
    );

    // Each published version keeps the rule it was published under.
    let r = b
        .post(&format!("{base}/publish"), &[("rule", "internal")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = b.post(&format!("{base}/publish"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let first = b.get_ok(&format!("{base}/versions/1/report.html")).await;
    assert!(first.body.contains(&internal), "{}", first.body);
    let second = b.get_ok(&format!("{base}/versions/2/report.html")).await;
    assert!(second.body.contains(&publication), "{}", second.body);
}
