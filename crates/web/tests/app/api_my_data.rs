//! A person's own data export over the API (issue 16): `GET /me/data` answers what the
//! account's data page offers as JSON, only their own, and the export is audited.
use crate::api::{client, problem, token_for};
use crate::helpers::TestApp;
use serde_json::Value;

#[tokio::test]
async fn a_person_exports_everything_held_on_them_and_only_that_audited() {
    let app = TestApp::spawn().await;
    let token = token_for(&app, "held.person@tu.test", &[]).await;
    app.person("someone.else@tu.test", &[]).await;
    let r = client()
        .get(app.url("/api/v1/me/data"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let data: Value = r.json().await.unwrap();
    assert_eq!(data["person"]["email"], "held.person@tu.test");
    let text = data.to_string();
    assert!(!text.contains("someone.else"), "only their own: {text}");
    assert!(
        data["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "account"),
        "{text}"
    );
    assert_eq!(app.audited("personal_data_exported").await, 1);
    // The same kinds of data as the page's download, read at the same moment.
    let browser = app.signed_in("held.person@tu.test").await;
    let page = browser.get("/account/data.json").await.json();
    let again: Value = client()
        .get(app.url("/api/v1/me/data"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds = |v: &Value| -> Vec<String> {
        v["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kind"].to_string())
            .collect()
    };
    assert_eq!(page["person"], again["person"]);
    assert_eq!(kinds(&page), kinds(&again));
    assert_eq!(app.audited("personal_data_exported").await, 3);
    // Signed out: nothing, and nothing audited.
    let r = client()
        .get(app.url("/api/v1/me/data"))
        .send()
        .await
        .unwrap();
    problem(r, 401).await;
    assert_eq!(app.audited("personal_data_exported").await, 3);
}
