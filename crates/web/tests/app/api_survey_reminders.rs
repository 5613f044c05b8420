//! A survey wave's reminder schedule over the API (SPEC §3.5), with ETag / If-Match and its
//! audit entry, through the same checks as the surveys page; and setting the waves' dates is
//! audited, on the page and over the API.
use crate::api::{client, get, problem, put, token_for};
use crate::fixtures::coordinator;
use crate::helpers::TestApp;
use flipside_core::evaluation::Wave;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

fn day(n: u64) -> String {
    let today = flipside_core::local_time::Zone::default().date_of(chrono::Utc::now());
    (today + chrono::Days::new(n)).to_string()
}

#[tokio::test]
async fn a_coordinator_sets_a_waves_reminder_schedule_with_if_match_and_it_is_audited() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let co = token_for(&app, "coord@tu.test", &coordinator(scheme)).await;
    let student = token_for(&app, "stu@tu.test", &[(Role::Student, Scope::Organisation)]).await;
    let at = format!("/cycles/{c}/surveys/pre/reminders");
    // A wave without dates has no schedule yet, and takes none.
    let r: Value = get(&app, &co, &at).await.json().await.unwrap();
    assert_eq!(r["dates_set"], false, "{r}");
    let r = put(&app, &co, &at, json!({"every_days": 3})).await;
    problem(r, 409).await;
    let r = put(
        &app,
        &co,
        &format!("/cycles/{c}/surveys"),
        json!({"pre": {"opens_on": day(0), "closes_on": day(20)},
               "post": {"opens_on": day(60), "closes_on": day(70)}}),
    )
    .await;
    assert_eq!(r.status(), 200);

    let r = get(&app, &co, &at).await;
    assert_eq!(r.status(), 200);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let schedule: Value = r.json().await.unwrap();
    assert_eq!(
        (&schedule["dates_set"], &schedule["every_days"]),
        (&json!(true), &Value::Null)
    );

    let set = |body: Value, if_match: Option<String>| {
        let mut r = client()
            .put(app.url(&format!("/api/v1{at}")))
            .bearer_auth(&co)
            .json(&body);
        if let Some(t) = if_match {
            r = r.header("If-Match", t);
        }
        r.send()
    };
    let r = set(
        json!({"every_days": 7, "dates": [day(3)]}),
        Some(tag.clone()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let new_tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(tag, new_tag);
    let schedule: Value = r.json().await.unwrap();
    assert_eq!(schedule["every_days"], 7);
    assert_eq!(schedule["dates"], json!([day(3)]));
    assert_eq!(schedule["next_reminder"], day(3));
    let stored = app.store.survey_wave(c, Wave::Pre).await.unwrap().unwrap();
    assert_eq!(stored.remind_every_days, Some(7));
    assert_eq!(app.audited("survey_reminder_schedule_set").await, 1);

    // A stale tag, a gap out of range, a day the wave is not open: refused, nothing changes.
    let r = set(json!({"every_days": 2}), Some(tag)).await.unwrap();
    problem(r, 412).await;
    let r = set(json!({"every_days": 0}), None).await.unwrap();
    assert_eq!(problem(r, 422).await["field"], "every_days");
    let r = set(json!({"dates": [day(40)]}), None).await.unwrap();
    assert_eq!(problem(r, 422).await["field"], "dates");
    let r = set(json!({"dates": ["soon"]}), None).await.unwrap();
    assert_eq!(problem(r, 422).await["field"], "dates");
    let r = get(&app, &co, &at).await;
    assert_eq!(r.headers()["etag"].to_str().unwrap(), new_tag);
    assert_eq!(app.audited("survey_reminder_schedule_set").await, 1);

    // Someone who does not manage the cycle's surveys may neither read nor set it.
    problem(get(&app, &student, &at).await, 403).await;
    let r = put(&app, &student, &at, json!({"every_days": 3})).await;
    problem(r, 403).await;

    // No such wave is found.
    problem(
        get(&app, &co, &format!("/cycles/{c}/surveys/midway/reminders")).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn setting_the_survey_dates_is_audited_on_the_page_and_over_the_api() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let co = token_for(&app, "coord@tu.test", &coordinator(scheme)).await;
    let r = put(
        &app,
        &co,
        &format!("/cycles/{c}/surveys"),
        json!({"pre": {"opens_on": day(0), "closes_on": day(20)},
               "post": {"opens_on": day(60), "closes_on": day(70)}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let entries = app
        .store
        .audit_entries(Some("survey_dates_set"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].subject_id, Some(c));
    assert!(
        entries[0]
            .detail
            .contains(&format!("pre: {} to {}", day(0), day(20))),
        "{}",
        entries[0].detail
    );
    // Refused dates write nothing.
    let r = put(
        &app,
        &co,
        &format!("/cycles/{c}/surveys"),
        json!({"pre": {"opens_on": day(20), "closes_on": day(0)},
               "post": {"opens_on": day(60), "closes_on": day(70)}}),
    )
    .await;
    problem(r, 422).await;
    assert_eq!(app.audited("survey_dates_set").await, 1);

    let page = app
        .as_role("page.coord@tu.test", &coordinator(scheme))
        .await;
    let r = page
        .post(
            &format!("/cycles/{c}/surveys/dates"),
            &[
                ("pre_opens", day(1).as_str()),
                ("pre_closes", day(21).as_str()),
                ("post_opens", day(61).as_str()),
                ("post_closes", day(71).as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.audited("survey_dates_set").await, 2);
}
