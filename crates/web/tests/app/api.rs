use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};

async fn token_for(app: &TestApp, email: &str, grants: &[(Role, Scope)]) -> String {
    let id = app.person(email, grants).await;
    app.store.create_api_token(id, "test").await.unwrap().0
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn the_api_says_who_is_signed_in_with_a_bearer_token() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["email"], "priya@tu.test");
    assert_eq!(me["roles"][0]["role"], "coordinator");
    assert_eq!(me["roles"][0]["scope"], "organisation");

    let r = client().get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
    let r = client()
        .get(app.url("/api/v1/me"))
        .bearer_auth("fs_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn schemes_and_cycles_are_created_and_moved_through_the_api() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "API scheme", "kind": "institutional", "purpose": "Testing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let scheme: serde_json::Value = r.json().await.unwrap();
    let id = scheme["id"].as_i64().unwrap();

    let r = client()
        .post(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"academic_year": "2026/27"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let cycle: serde_json::Value = r.json().await.unwrap();
    assert_eq!(cycle["state"], "recruiting");
    assert_eq!(
        cycle["hours_target"], 20,
        "the organisation's default target"
    );
    let cid = cycle["id"].as_i64().unwrap();

    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{cid}/transition")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": "running"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "skipping a state is a conflict");
    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{cid}/transition")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": "matching"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let moved: serde_json::Value = r.json().await.unwrap();
    assert_eq!(moved["state"], "matching");
    assert_eq!(moved["history"].as_array().unwrap().len(), 2);

    let listed: serde_json::Value = client()
        .get(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["academic_year"], "2026/27");
}

#[tokio::test]
async fn bad_api_input_gets_a_json_error_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let post = |body: &'static str| {
        client()
            .post(app.url("/api/v1/schemes"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post("{not json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"],
        "bad_request"
    );
    let r = post(r#"{"name": "X", "kind": "galaxy", "purpose": "p"}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["field"], "kind");
    let r = post(r#"{"name": "X", "kind": "institutional", "purpose": "p", "colour": "red"}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "unknown fields are refused");
    assert!(app.store.schemes().await.unwrap().is_empty());
}

#[tokio::test]
async fn api_writes_respect_the_policy() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "amara@tu.test",
        &[(Role::Mentor, Scope::Organisation)],
    )
    .await;
    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "X", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(app.store.schemes().await.unwrap().is_empty());
}

#[tokio::test]
async fn session_authenticated_api_writes_need_the_csrf_header() {
    let app = TestApp::spawn().await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let body = serde_json::json!({"name": "Via session", "kind": "institutional", "purpose": "p"});
    let r = b
        .client
        .post(app.url("/api/v1/schemes"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let token = b.csrf().await;
    let r = b
        .client
        .post(app.url("/api/v1/schemes"))
        .header("x-csrf-token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = b.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(
        r.status(),
        200,
        "reads with the session cookie need no token"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/me",
        "/api/v1/schemes",
        "/api/v1/schemes/{id}",
        "/api/v1/schemes/{id}/cycles",
        "/api/v1/cycles/{id}",
        "/api/v1/cycles/{id}/transition",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
