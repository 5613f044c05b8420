//! The annual report over the API (SPEC §3.9): the figures as JSON under the report's own
//! disclosure rule, the coordinator's text with ETag / If-Match, publishing (audited, with its
//! webhook event), the versions and their HTML and PDF downloads; the year's report across
//! schemes. The same policy as the report pages.
use crate::api::{client, get, post, problem, put, token_of};
use crate::helpers::TestApp;
use flipside_core::webhook::EventKind;
use serde_json::{Value, json};

/// The demo's (organisation-wide) coordinator's token, a demo mentor's, and the demo's closed
/// 2025/26 cycle.
async fn demo(app: &TestApp) -> (String, String, i64) {
    flipside_web::demo::ensure(&app.store).await.unwrap();
    let id = |who: &'static str| async move {
        app.store
            .user_by_email(&format!("{who}@demo.flipside.test"))
            .await
            .unwrap()
            .id
    };
    let coordinator = token_of(app, id("coordinator").await).await;
    let mentor = token_of(app, id("mentor").await).await;
    (coordinator, mentor, app.demo_past_cycle().await.id)
}

/// Every figure object (`value` / `suppressed`) in the JSON, with where it is.
fn figures<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(map) if map.contains_key("suppressed") => out.push((at, v)),
        Value::Object(map) => {
            for (k, x) in map {
                figures(x, format!("{at}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                figures(x, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_report_reads_as_json_under_the_publication_rule_with_small_cells_hidden() {
    let app = TestApp::spawn_demo().await;
    let (coordinator, mentor, c) = demo(&app).await;
    let r = get(&app, &coordinator, &format!("/cycles/{c}/report")).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        report["rule"],
        flipside_core::disclosure::DisclosureRule::publication().name()
    );
    assert_eq!(report["academic_year"], "2025/26");
    let s = &report["schemes"][0];
    assert_eq!(
        s["participation"]["matched_pairs"]["value"], 25.0,
        "26 pairs, rounded as on the page: {s}"
    );
    // Seven staff answered after the cycle: their averages are hidden, with the reason and
    // without the value.
    let staff_after: Vec<&Value> = s["aims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"] == "Mentees")
        .flat_map(|a| a["statements"].as_array().unwrap())
        .flat_map(|st| st["waves"].as_array().unwrap())
        .filter(|w| w["wave"] == "post")
        .collect();
    assert!(!staff_after.is_empty(), "{s}");
    for w in &staff_after {
        assert_eq!(w["mean"]["value"], Value::Null, "{w}");
        assert_eq!(w["mean"]["suppressed"], "small_mean_n", "{w}");
    }
    // No figure anywhere carries both a value and a reason to hide it, and every count shown
    // is rounded to a multiple of five.
    let mut all = Vec::new();
    figures(&report, String::new(), &mut all);
    assert!(all.len() > 50, "{}", all.len());
    for (at, f) in &all {
        assert!(
            f["value"].is_null() != f["suppressed"].is_null(),
            "{at}: {f}"
        );
    }
    // The internal rule, asked for, is named; a rule that is neither is refused naming it.
    let r = get(
        &app,
        &coordinator,
        &format!("/cycles/{c}/report?rule=internal"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let internal: Value = r.json().await.unwrap();
    assert_ne!(internal["rule"], report["rule"]);
    let r = get(&app, &coordinator, &format!("/cycles/{c}/report?rule=none")).await;
    assert_eq!(problem(r, 422).await["field"], "rule");
    // A mentor may not read it; a cycle that does not exist is not found.
    let r = get(&app, &mentor, &format!("/cycles/{c}/report")).await;
    problem(r, 403).await;
    let r = get(&app, &coordinator, "/cycles/999999/report").await;
    problem(r, 404).await;
}

#[tokio::test]
async fn a_coordinator_writes_the_text_publishes_and_downloads_versions_over_the_api() {
    let app = TestApp::spawn_demo().await;
    let (coordinator, mentor, c) = demo(&app).await;
    let mut tx = app.store.begin().await.unwrap();
    tx.create_webhook_subscription(
        "https://hooks.tu.test/reports",
        &[EventKind::ReportPublished],
        "whsec_reports",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let text = format!("/cycles/{c}/report/text");

    let r = get(&app, &coordinator, &text).await;
    assert_eq!(r.status(), 200);
    let first_tag = r.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["updated_at"], Value::Null);

    let new_text =
        json!({"introduction": "Every pair **met**.", "recommendations": "- Recruit earlier"});
    let r = client()
        .put(app.url(&format!("/api/v1{text}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &first_tag)
        .json(&new_text)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let second_tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(first_tag, second_tag);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["recommendations"], "- Recruit earlier");
    assert_eq!(app.audited("report_text_saved").await, 1);

    // A stale tag changes nothing; nor does a text that is too long, named by its field.
    let r = client()
        .put(app.url(&format!("/api/v1{text}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &first_tag)
        .json(&json!({"introduction": "Overwritten", "recommendations": ""}))
        .send()
        .await
        .unwrap();
    problem(r, 412).await;
    let long = "x".repeat(flipside_core::annual_report::MAX_TEXT_CHARS + 1);
    let r = put(
        &app,
        &coordinator,
        &text,
        json!({"introduction": long, "recommendations": ""}),
    )
    .await;
    assert_eq!(problem(r, 422).await["field"], "introduction");
    let r = put(
        &app,
        &mentor,
        &text,
        json!({"introduction": "Mine", "recommendations": ""}),
    )
    .await;
    problem(r, 403).await;
    let r = get(&app, &coordinator, &text).await;
    assert_eq!(r.headers()["etag"].to_str().unwrap(), second_tag);
    assert_eq!(app.audited("report_text_saved").await, 1);

    // Publishing: the version, its audit entry and the webhook event.
    let versions = format!("/cycles/{c}/report/versions");
    let r = post(&app, &mentor, &versions, json!({})).await;
    problem(r, 403).await;
    let r = post(&app, &coordinator, &versions, json!({"rule": "everyone"})).await;
    assert_eq!(problem(r, 422).await["field"], "rule");
    assert_eq!(app.audited("report_published").await, 0);
    let r = post(&app, &coordinator, &versions, json!({})).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["number"], 1);
    assert_eq!(v["flagged"], false);
    assert_eq!(app.audited("report_published").await, 1);
    let deliveries = app.store.webhook_deliveries(None, 10).await.unwrap();
    assert_eq!(
        deliveries
            .iter()
            .filter(|d| d.event == "report.published")
            .count(),
        1
    );

    let r = get(&app, &coordinator, &versions).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["html"],
        format!("/api/v1/cycles/{c}/report/versions/1/report.html")
    );
    let r = get(&app, &mentor, &versions).await;
    problem(r, 403).await;
    // A second version; the list comes a page at a time, by number.
    let r = post(&app, &coordinator, &versions, json!({})).await;
    assert_eq!(r.status(), 201);
    let numbers = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_i64().unwrap())
            .collect()
    };
    let first: Value = get(&app, &coordinator, &format!("{versions}?limit=1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(numbers(&first), [1]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest: Value = get(
        &app,
        &coordinator,
        &format!("{versions}?limit=1&cursor={cursor}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(numbers(&rest), [2]);
    assert!(rest["next_cursor"].is_null(), "{rest}");

    let r = get(&app, &coordinator, &format!("{versions}/1/report.html")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<li>Recruit earlier</li>"),
        "the saved text is in it"
    );
    assert!(html.contains("<strong>met</strong>"));
    let r = get(&app, &coordinator, &format!("{versions}/3/report.html")).await;
    problem(r, 404).await;
    let r = get(&app, &mentor, &format!("{versions}/1/report.html")).await;
    problem(r, 403).await;
    #[cfg(feature = "pdf")]
    {
        let r = get(&app, &coordinator, &format!("{versions}/1/report.pdf")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    }
}

#[tokio::test]
async fn the_years_report_across_schemes_is_for_organisation_coordinators_and_admins() {
    let app = TestApp::spawn_demo().await;
    let (coordinator, mentor, _) = demo(&app).await;
    let r = get(&app, &coordinator, "/years/2025/report").await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["academic_year"], "2025/26");
    assert!(
        !report["schemes"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let r = get(&app, &mentor, "/years/2025/report").await;
    problem(r, 403).await;
    let r = get(&app, &coordinator, "/years/1999/report").await;
    problem(r, 404).await;
}

#[tokio::test]
async fn an_organisation_coordinator_writes_publishes_and_downloads_the_years_report_over_the_api()
{
    let app = TestApp::spawn_demo().await;
    let (coordinator, mentor, _) = demo(&app).await;
    let mut tx = app.store.begin().await.unwrap();
    tx.create_webhook_subscription(
        "https://hooks.tu.test/reports",
        &[EventKind::ReportPublished],
        "whsec_reports",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let text = "/years/2025/report/text";

    let r = get(&app, &coordinator, text).await;
    assert_eq!(r.status(), 200);
    let first_tag = r.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["updated_at"], Value::Null);
    let r = get(&app, &mentor, text).await;
    problem(r, 403).await;

    let r = client()
        .put(app.url(&format!("/api/v1{text}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &first_tag)
        .json(&json!({"introduction": "Every scheme **grew**.", "recommendations": "- Fund the leads"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let second_tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(first_tag, second_tag);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["recommendations"], "- Fund the leads");
    let saved = app
        .store
        .audit_entries(Some("report_text_saved"), 10)
        .await
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (saved[0].subject_kind.as_str(), saved[0].subject_id),
        ("year_report", Some(2025))
    );
    // The cycle's report keeps its own text: the year's is another report.
    let c = app.demo_past_cycle().await.id;
    let cycle_text: Value = get(&app, &coordinator, &format!("/cycles/{c}/report/text"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cycle_text["updated_at"], Value::Null, "{cycle_text}");

    // A stale tag changes nothing; nor does a mentor, nor a text that is too long.
    let r = client()
        .put(app.url(&format!("/api/v1{text}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &first_tag)
        .json(&json!({"introduction": "Overwritten", "recommendations": ""}))
        .send()
        .await
        .unwrap();
    problem(r, 412).await;
    let r = put(
        &app,
        &mentor,
        text,
        json!({"introduction": "Mine", "recommendations": ""}),
    )
    .await;
    problem(r, 403).await;
    let long = "x".repeat(flipside_core::annual_report::MAX_TEXT_CHARS + 1);
    let r = put(
        &app,
        &coordinator,
        text,
        json!({"introduction": "", "recommendations": long}),
    )
    .await;
    assert_eq!(problem(r, 422).await["field"], "recommendations");
    let r = get(&app, &coordinator, text).await;
    assert_eq!(r.headers()["etag"].to_str().unwrap(), second_tag);
    assert_eq!(app.audited("report_text_saved").await, 1);

    // Publishing: version 1 of the year's report, its audit entry and the webhook event.
    let versions = "/years/2025/report/versions";
    let r = post(&app, &mentor, versions, json!({})).await;
    problem(r, 403).await;
    let r = post(&app, &coordinator, versions, json!({"rule": "everyone"})).await;
    assert_eq!(problem(r, 422).await["field"], "rule");
    assert_eq!(app.audited("report_published").await, 0);
    let r = post(&app, &coordinator, versions, json!({"rule": "publication"})).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["number"], 1);
    assert_eq!(v["flagged"], false);
    assert_eq!(
        v["pdf"], "/api/v1/years/2025/report/versions/1/report.pdf",
        "{v}"
    );
    let published = app
        .store
        .audit_entries(Some("report_published"), 10)
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(
        (
            published[0].subject_kind.as_str(),
            published[0].subject_id,
            published[0].detail.as_str()
        ),
        ("year_report", Some(2025), "version 1")
    );
    let events: Vec<Value> = app
        .store
        .claim_webhook_deliveries(flipside_store::now(), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.event == "report.published")
        .map(|d| serde_json::from_str(&d.payload).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["data"]["scope"], "year", "{}", events[0]);
    assert_eq!(events[0]["data"]["scope_id"], 2025);
    assert_eq!(events[0]["data"]["version"], 1);
    // The cycle's report has no version of its own.
    let cycle_versions: Value = get(&app, &coordinator, &format!("/cycles/{c}/report/versions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cycle_versions["items"], json!([]));

    let r = get(&app, &coordinator, versions).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    let numbers: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1]);
    assert_eq!(
        list["items"][0]["html"],
        "/api/v1/years/2025/report/versions/1/report.html"
    );
    assert!(list["next_cursor"].is_null(), "{list}");
    let r = get(&app, &mentor, versions).await;
    problem(r, 403).await;

    let r = get(&app, &coordinator, &format!("{versions}/1/report.html")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("<li>Fund the leads</li>"), "the saved text");
    assert!(html.contains("<strong>grew</strong>"));
    let r = get(&app, &coordinator, &format!("{versions}/2/report.html")).await;
    problem(r, 404).await;
    let r = get(&app, &mentor, &format!("{versions}/1/report.html")).await;
    problem(r, 403).await;
    let r = get(&app, &mentor, &format!("{versions}/1/report.pdf")).await;
    problem(r, 403).await;
    #[cfg(feature = "pdf")]
    {
        let r = get(&app, &coordinator, &format!("{versions}/1/report.pdf")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    }

    // A year flipside could not hold, or one without cycles, has no report to write,
    // publish or download.
    for year in ["1999", "2101", "99999999999", "2090"] {
        for path in [
            format!("/years/{year}/report/text"),
            format!("/years/{year}/report/versions"),
            format!("/years/{year}/report/versions/1/report.html"),
            format!("/years/{year}/report/versions/1/report.pdf"),
            format!("/years/{year}/report/preview.pdf"),
        ] {
            let r = get(&app, &coordinator, &path).await;
            problem(r, 404).await;
        }
        let r = put(
            &app,
            &coordinator,
            &format!("/years/{year}/report/text"),
            json!({"introduction": "", "recommendations": ""}),
        )
        .await;
        problem(r, 404).await;
        let r = post(
            &app,
            &coordinator,
            &format!("/years/{year}/report/versions"),
            json!({}),
        )
        .await;
        problem(r, 404).await;
    }
    assert_eq!(app.audited("report_published").await, 1);
    assert_eq!(app.audited("report_text_saved").await, 1);
}

/// The draft of a report (as it would be published now) as the PDF the page's preview
/// downloads: the same bytes, for a cycle's report and for a year's.
#[cfg(feature = "pdf")]
#[tokio::test]
async fn the_draft_downloads_as_the_pages_preview_pdf_for_a_cycle_and_a_year() {
    let app = TestApp::spawn_demo().await;
    let (coordinator, mentor, c) = demo(&app).await;
    let browser = app.demo_signed_in("coordinator").await;
    for base in [
        format!("/cycles/{c}/report"),
        "/years/2025/report".to_string(),
    ] {
        let r = get(
            &app,
            &coordinator,
            &format!("{base}/preview.pdf?rule=internal"),
        )
        .await;
        assert_eq!(r.status(), 200, "{base}");
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let api = r.bytes().await.unwrap();
        assert!(api.starts_with(b"%PDF-"), "{base}");
        let page = browser
            .client
            .get(app.url(&format!("{base}/preview.pdf?rule=internal")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{base}");
        assert!(
            page.bytes().await.unwrap() == api,
            "{base}: the page's bytes"
        );
        let r = get(&app, &coordinator, &format!("{base}/preview.pdf?rule=none")).await;
        assert_eq!(problem(r, 422).await["field"], "rule");
        let r = get(&app, &mentor, &format!("{base}/preview.pdf")).await;
        problem(r, 403).await;
    }
    // A draft is read, not kept: no version, no audit entry.
    assert_eq!(app.audited("report_published").await, 0);
    let list: Value = get(&app, &coordinator, "/years/2025/report/versions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));
}
