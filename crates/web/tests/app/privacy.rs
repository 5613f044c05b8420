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

/// The store's one-of-every-kind seed (person 9001, partner 9002 in pair 9001, administrator
/// 9003): see the file's comment.
const SEED: &str = include_str!("../../../store/tests/privacy_seed.sql");
const NAME: &str = "Zephyrine Quillfeather";
const EMAIL: &str = "zephyrine.q@uni.example";
const CODE: &str = "ZQCODE77";
const PARTNER: &str = "partner@uni.example";

/// Seeds one row of every kind for person 9001 and lets 9001 and the partner 9002 sign in
/// with the test password.
async fn seed_every_kind(app: &TestApp) {
    let sql = SEED
        .replace("{EMAIL}", EMAIL)
        .replace("{NAME}", NAME)
        .replace("{CODE}", CODE)
        .replace("{CLOSED}", "2025-07-31T12:00:00+00:00")
        .replace("{T}", "2025-01-15T09:00:00+00:00");
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        app.store
            .execute_admin(statement)
            .await
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{statement}"));
    }
    // The pages read the cycle's framework as JSON (the store's tests need none).
    app.store
        .execute_admin("UPDATE cycles SET framework = '{}' WHERE id = 9001")
        .await
        .unwrap();
    app.person("password.donor@tu.test", &[]).await;
    app.store
        .execute_admin(
            "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'password.donor@tu.test') WHERE id IN (9001, 9002)",
        )
        .await
        .unwrap();
}

fn admin_grant() -> [(flipside_core::role::Role, flipside_core::role::Scope); 1] {
    [(
        flipside_core::role::Role::Admin,
        flipside_core::role::Scope::Organisation,
    )]
}

#[tokio::test]
async fn the_download_holds_every_row_the_registry_says_is_theirs_as_json_and_as_a_page() {
    use flipside_store::privacy::REGISTRY;
    use std::collections::BTreeSet;
    let app = TestApp::spawn().await;
    seed_every_kind(&app).await;
    let me = app.signed_in(EMAIL).await;
    // Signing in clears the account's failed attempts; one more comes after.
    app.store
        .execute_admin(&format!(
            "INSERT INTO login_failures (account, address, at) VALUES ('{EMAIL}', '10.0.0.9', '2025-01-15T09:00:00+00:00')"
        ))
        .await
        .unwrap();
    let data = me.get("/account/data.json").await.json();
    let kinds = data["kinds"].as_array().unwrap();
    let exported: BTreeSet<&str> = kinds
        .iter()
        .flat_map(|k| k["tables"].as_object().unwrap().keys())
        .map(String::as_str)
        .collect();
    let registered: BTreeSet<&str> = REGISTRY
        .iter()
        .filter(|e| e.export.is_some())
        .map(|e| e.table)
        .collect();
    assert_eq!(
        exported, registered,
        "a row of every table the registry exports"
    );
    let registered_kinds: BTreeSet<String> = REGISTRY
        .iter()
        .map(|e| {
            serde_json::to_value(e.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let kinds_present: BTreeSet<String> = kinds
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds_present, registered_kinds);
    let notes = kinds
        .iter()
        .find_map(|k| k["tables"].get("pair_notes"))
        .unwrap();
    assert_eq!(
        notes.as_array().unwrap().len(),
        3,
        "their two notes and the one shared with them"
    );
    let text = data.to_string();
    for held in [
        CODE,
        "my private thought",
        "partner shared note",
        "Better signage",
        "identity_read",
        "care leaver",
        "I felt listened to.",
        "a comment",
    ] {
        assert!(text.contains(held), "the JSON lacks {held:?}");
    }
    for not_theirs in ["partner private note", "secret-hash", "token-hash"] {
        assert!(!text.contains(not_theirs), "the JSON holds {not_theirs:?}");
    }

    let page = me.get("/account/data").await;
    assert_eq!(page.status, 200);
    for table in &registered {
        assert!(page.body.contains(table), "the page lacks {table}");
    }
    for held in [
        CODE,
        "my private thought",
        "partner shared note",
        "care leaver",
    ] {
        assert!(page.body.contains(held), "the page lacks {held:?}");
    }
    assert!(!page.body.contains("partner private note"));
}

#[tokio::test]
async fn erasing_over_http_is_one_audited_transaction_that_leaves_nothing_identifying() {
    let app = TestApp::spawn().await;
    seed_every_kind(&app).await;
    let admin = app.as_role("admin@tu.test", &admin_grant()).await;
    let partner = app.signed_in(PARTNER).await;
    let before = partner.get("/pairs/9001").await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(
        before.body.contains(&format!("shared by {NAME}")),
        "{}",
        before.body
    );

    let preview = admin.get("/admin/people/9001/erase").await;
    assert_eq!(preview.status, 200);
    for said in ["Deleted", "Kept", "Anonymised", "pair_notes", "audit_log"] {
        assert!(
            preview.body.to_lowercase().contains(&said.to_lowercase()),
            "the preview lacks {said}: {}",
            preview.body
        );
    }

    // The audit entry cannot be written: nothing is erased.
    app.refuse_inserts_into("audit_log").await;
    assert_eq!(
        admin.post("/admin/people/9001/erase", &[]).await.status,
        500
    );
    app.allow_inserts_into("audit_log").await;
    assert_eq!(app.store.user(9001).await.unwrap().email, EMAIL);

    let done = admin.post("/admin/people/9001/erase", &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);

    let after = partner.get("/pairs/9001").await;
    assert_eq!(after.status, 200);
    assert!(
        !after.body.contains("shared by"),
        "the erased person's shared note is gone from the partner's view"
    );
    assert!(after.body.contains("partner shared note"));
    assert!(after.body.contains("partner private note"));

    let erased = app
        .store
        .audit_entries(Some("person_erased"), 10)
        .await
        .unwrap();
    assert_eq!(erased.len(), 1);
    assert!(!erased[0].detail.contains(EMAIL) && !erased[0].detail.contains("Quillfeather"));

    let found = app
        .store
        .text_left_behind(&[NAME, EMAIL, CODE, "Quillfeather", "zephyrine"])
        .await
        .unwrap();
    assert!(found.is_empty(), "left behind: {found:?}");
}

/// The figure a retention page or report gives a rule.
fn rows_of(body: &str, rule: &str) -> u64 {
    let cell = format!("<td>{rule}</td><td>");
    let at = body
        .find(&cell)
        .unwrap_or_else(|| panic!("no {rule}: {body}"))
        + cell.len();
    body[at..at + body[at..].find('<').unwrap()]
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_dry_run_page_shows_what_the_next_run_deletes_at_the_edge_of_a_period() {
    let app = TestApp::spawn().await;
    seed_every_kind(&app).await;
    let admin = app.as_role("admin@tu.test", &admin_grant()).await;
    // Unsuccessful applications go a year after the cycle closed (noon, 31 July 2025).
    let year_after = Utc.with_ymd_and_hms(2026, 7, 31, 12, 0, 0).unwrap();

    app.clock.set(year_after - Duration::seconds(1));
    let inside = admin.get("/admin/privacy/retention").await;
    assert_eq!(rows_of(&inside.body, "unsuccessful_applications"), 0);
    assert_eq!(rows_of(&inside.body, "private_notes"), 0);

    app.clock.set(year_after);
    let outside = admin.get("/admin/privacy/retention").await;
    assert_eq!(rows_of(&outside.body, "unsuccessful_applications"), 1);
    assert_eq!(rows_of(&outside.body, "private_notes"), 4);
    assert!(outside.body.contains("the cycle closed on 2025-07-31"));
    let total = |body: &str| -> u64 {
        let at = body.find("In all: ").unwrap() + "In all: ".len();
        body[at..at + body[at..].find(' ').unwrap()]
            .parse()
            .unwrap()
    };
    let promised = total(&outside.body);
    assert!(app.store.retention_runs().await.unwrap().is_empty());

    let report = run_daily(&app.store, &RetentionSettings::default(), year_after)
        .await
        .unwrap()
        .expect("the day's run");
    assert_eq!(
        report.total(),
        promised,
        "the run deletes what the page showed"
    );
    let runs = app.store.retention_runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].deleted, i64::try_from(promised).unwrap());
    let summary: serde_json::Value = serde_json::from_str(&runs[0].summary).unwrap();
    assert_eq!(summary["unsuccessful_applications"], 1, "{summary}");
    assert_eq!(summary["private_notes"], 4, "{summary}");

    let after = admin.get("/admin/privacy/retention").await;
    assert_eq!(total(&after.body), 0, "nothing left to delete");
    let next_day = run_daily(
        &app.store,
        &RetentionSettings::default(),
        year_after + Duration::days(1),
    )
    .await
    .unwrap()
    .expect("the next day's run");
    assert_eq!(next_day.total(), 0, "a second run deletes nothing");
    assert_eq!(app.store.retention_runs().await.unwrap().len(), 2);
    let page = admin.get("/admin/privacy").await;
    assert!(
        page.body.contains(&promised.to_string()),
        "recorded runs listed"
    );
}
