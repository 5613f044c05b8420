//! The `Idempotency-Key` header on the API's POSTs (issue 16).
use crate::api::{client, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};

async fn scheme_count(app: &TestApp) -> usize {
    app.store.schemes().await.unwrap().len()
}

#[tokio::test]
async fn a_repeated_post_with_the_same_key_creates_once_and_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let before = scheme_count(&app).await;
    let create = |key: &str, name: &str| {
        client()
            .post(app.url("/api/v1/schemes"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"name": name, "kind": "institutional", "purpose": "Testing"}))
            .send()
    };
    let first = create("k-1", "Keyed scheme").await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();

    let again = create("k-1", "Keyed scheme").await.unwrap();
    assert_eq!(again.status(), 201, "the first answer, again");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/json");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(scheme_count(&app).await, before + 1, "created once");

    // The same key with another request is refused and creates nothing.
    let other = create("k-1", "Another scheme").await.unwrap();
    assert_eq!(problem(other, 422).await["field"], "Idempotency-Key");
    assert_eq!(scheme_count(&app).await, before + 1);

    // A new key is a new request; no key at all behaves as before.
    assert_eq!(
        create("k-2", "Second keyed scheme").await.unwrap().status(),
        201
    );
    assert_eq!(scheme_count(&app).await, before + 2);
}

#[tokio::test]
async fn a_repeated_resend_emails_once_and_keys_are_each_callers_own() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Keys", "{}").await;
    let grants = [(Role::Coordinator, Scope::Scheme(scheme))];
    let first = token_for(&app, "coord@tu.test", &grants).await;
    let second = token_for(&app, "other@tu.test", &grants).await;
    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{c}/invitations")))
        .bearer_auth(&first)
        .header("Idempotency-Key", "invite-dean")
        .json(&serde_json::json!({"name": "Dean Mills", "email": "dean@tu.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(app.drain_outbox().await.sent, 1);

    let resend = |token: &str, key: &str| {
        client()
            .post(app.url(&format!("/api/v1/cycles/{c}/invitations/{id}/resend")))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .send()
    };
    let sends = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 200);
        r.json::<serde_json::Value>().await.unwrap()["sends"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(sends(resend(&first, "resend-1").await.unwrap()).await, 2);
    assert_eq!(sends(resend(&first, "resend-1").await.unwrap()).await, 2);
    assert_eq!(app.drain_outbox().await.sent, 1, "one new link, one email");
    // The other coordinator's key of the same name is theirs: it runs.
    assert_eq!(sends(resend(&second, "resend-1").await.unwrap()).await, 3);
    assert_eq!(app.drain_outbox().await.sent, 1);
}

#[tokio::test]
async fn a_refused_request_gives_its_key_back_and_a_malformed_key_is_named() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let before = scheme_count(&app).await;
    let create = |key: &str, name: &str| {
        client()
            .post(app.url("/api/v1/schemes"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"name": name, "kind": "institutional", "purpose": "Testing"}))
            .send()
    };
    let refused = create("fix-and-retry", "").await.unwrap();
    assert_eq!(problem(refused, 422).await["field"], "name");
    let fixed = create("fix-and-retry", "Named at last").await.unwrap();
    assert_eq!(
        fixed.status(),
        201,
        "a refusal changed nothing, so the key is free"
    );
    assert_eq!(scheme_count(&app).await, before + 1);

    let bad = create("has space", "Spaced").await.unwrap();
    assert_eq!(problem(bad, 400).await["field"], "Idempotency-Key");
    let long = "k".repeat(256);
    let bad = create(&long, "Long").await.unwrap();
    assert_eq!(problem(bad, 400).await["field"], "Idempotency-Key");
    assert_eq!(scheme_count(&app).await, before + 1);
}

#[tokio::test]
async fn requests_racing_with_one_key_create_one_scheme() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let before = scheme_count(&app).await;
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (url, token) = (app.url("/api/v1/schemes"), token.clone());
        racing.spawn(async move {
            client()
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "race")
                .json(&serde_json::json!({"name": "Raced", "kind": "institutional", "purpose": "Testing"}))
                .send()
                .await
        });
    }
    let answers = racing.join_all().await;
    let mut created = 0;
    for r in answers {
        let r = r.unwrap();
        match r.status().as_u16() {
            201 if r.headers().get("idempotent-replayed").is_none() => created += 1,
            201 => {}
            409 => {
                problem(r, 409).await;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 1, "exactly one request ran");
    assert_eq!(scheme_count(&app).await, before + 1);
}

#[tokio::test]
async fn the_document_offers_the_header_on_every_post() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut posts = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        posts += 1;
        let params = post["parameters"].as_array().unwrap();
        assert!(
            params
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{path}"
        );
        assert!(post["responses"]["409"].is_object(), "{path}");
    }
    assert!(posts >= 9, "{posts}");
}
