//! Personal data (issue 13) over the web layer: the daily retention job.
use crate::helpers::*;
use chrono::{Duration, TimeZone, Utc};
use flipside_core::privacy::RetentionSettings;
use flipside_web::operations::retention::run_daily;

#[tokio::test]
async fn the_daily_retention_job_runs_once_a_day_across_instances_and_is_recorded() {
    let app = TestApp::spawn().await;
    let settings = RetentionSettings::default();
    let morning = Utc.with_ymd_and_hms(2026, 3, 2, 3, 0, 0).unwrap();
    // Two instances waking at the same moment: exactly one applies the rules.
    let (a, b) = tokio::join!(
        run_daily(&app.store, &settings, morning),
        run_daily(&app.store, &settings, morning)
    );
    let ran = [a.unwrap(), b.unwrap()]
        .into_iter()
        .filter(Option::is_some)
        .count();
    assert_eq!(ran, 1, "one instance applies retention on a day");
    let later = morning + Duration::hours(20);
    assert!(
        run_daily(&app.store, &settings, later)
            .await
            .unwrap()
            .is_none(),
        "not twice on the same day"
    );
    assert_eq!(app.store.retention_runs().await.unwrap().len(), 1);
    let next_day = morning + Duration::days(1);
    let report = run_daily(&app.store, &settings, next_day).await.unwrap();
    assert!(
        report.is_some_and(|r| !r.dry_run),
        "the next day it runs again"
    );
    let runs = app.store.retention_runs().await.unwrap();
    assert_eq!(runs.len(), 2, "each applied run is recorded");
    assert_eq!(runs[0].ran_at, next_day);
}

#[tokio::test]
async fn a_person_downloads_everything_held_on_them_as_json_and_as_a_page() {
    let app = TestApp::spawn().await;
    let me = app.as_role("held.person@tu.test", &[]).await;
    app.person("someone.else@tu.test", &[]).await;
    let json = me.get("/account/data.json").await;
    assert_eq!(json.status, 200);
    assert!(
        json.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"),
    );
    let data = json.json();
    assert_eq!(data["person"]["email"], "held.person@tu.test");
    let text = data.to_string();
    assert!(
        !text.contains("someone.else"),
        "only their own data: {text}"
    );
    assert!(
        data["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "account"),
        "{text}"
    );
    let page = me.get("/account/data").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("held.person@tu.test"), "{}", page.body);
    assert!(!page.body.contains("someone.else"));
    assert_eq!(app.audited("personal_data_exported").await, 2);
    assert_eq!(
        app.browser().get("/account/data.json").await.status,
        303,
        "signed out: to the sign-in page"
    );
}

#[tokio::test]
async fn the_public_notice_and_the_admin_registry_are_generated_from_the_registry() {
    let app = TestApp::spawn_with(|s| s.retention.emails_months = 7).await;
    let public = app.browser().get("/privacy").await;
    assert_eq!(public.status, 200);
    for kind in flipside_core::privacy::DataKind::ALL {
        assert!(
            public.body.contains(&askama_escape(kind.info().name)),
            "{kind:?} missing from the notice"
        );
    }
    assert!(public.body.contains("sent or abandoned emails: 7 months"));
    let admin = app
        .as_role(
            "admin@tu.test",
            &[(
                flipside_core::role::Role::Admin,
                flipside_core::role::Scope::Organisation,
            )],
        )
        .await;
    let page = admin.get("/admin/privacy").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("sent or abandoned emails: 7 months"));
    let dry = admin.get("/admin/privacy/retention").await;
    assert_eq!(dry.status, 200);
    for rule in flipside_core::privacy::Rule::ALL {
        assert!(dry.body.contains(rule.key()), "{rule:?}");
    }
    assert!(
        app.store.retention_runs().await.unwrap().is_empty(),
        "a dry run deletes and records nothing"
    );
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('\'', "&#39;")
        .replace('"', "&#34;")
}

#[tokio::test]
async fn an_admin_previews_then_erases_a_person_in_one_audited_step() {
    let app = TestApp::spawn().await;
    let admin_grant = [(
        flipside_core::role::Role::Admin,
        flipside_core::role::Scope::Organisation,
    )];
    let admin = app.as_role("admin@tu.test", &admin_grant).await;
    let id = app.person("leaving.person@tu.test", &[]).await;
    let coordinator = app
        .as_role(
            "coord@tu.test",
            &[(
                flipside_core::role::Role::Coordinator,
                flipside_core::role::Scope::Organisation,
            )],
        )
        .await;
    let path = format!("/admin/people/{id}/erase");
    assert_eq!(coordinator.get(&path).await.status, 403);
    assert_eq!(coordinator.post(&path, &[]).await.status, 403);
    let preview = admin.get(&path).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("leaving.person@tu.test"));
    assert!(preview.body.contains("users"), "{}", preview.body);
    assert_eq!(
        app.store.user(id).await.unwrap().email,
        "leaving.person@tu.test",
        "a preview changes nothing"
    );
    let done = admin.post(&path, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let erased = app.store.user(id).await.unwrap();
    assert!(!erased.email.contains("leaving"), "{}", erased.email);
    assert_eq!(app.audited("person_erased").await, 1);
}
