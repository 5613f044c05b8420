//! The JSON API's common behaviour (authentication, the document, problem details, paging),
//! and the helpers every API test file uses: tokens, requests and problem details.
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::Value;

/// A token for a new person with these roles.
pub(crate) async fn token_for(app: &TestApp, email: &str, grants: &[(Role, Scope)]) -> String {
    let id = app.person(email, grants).await;
    token_of(app, id).await
}

/// A token for someone who already has an account.
pub(crate) async fn token_of(app: &TestApp, id: i64) -> String {
    app.store
        .create_api_token(id, "test", chrono::Duration::days(90))
        .await
        .unwrap()
        .0
}

/// A token for a new administrator.
pub(crate) async fn admin_token(app: &TestApp, email: &str) -> String {
    token_for(app, email, &[(Role::Admin, Scope::Organisation)]).await
}

/// A token for a new organisation-wide coordinator.
pub(crate) async fn org_coordinator_token(app: &TestApp, email: &str) -> String {
    token_for(app, email, &[(Role::Coordinator, Scope::Organisation)]).await
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A request to `path` under `/api/v1` as the bearer of `token`, with a JSON body if any.
pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = client()
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

/// GET `path` under `/api/v1`.
pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    send(app, reqwest::Method::GET, token, path, None).await
}

/// POST `body` to `path` under `/api/v1`.
pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, token, path, Some(body)).await
}

/// PUT `body` to `path` under `/api/v1`.
pub(crate) async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    send(app, reqwest::Method::PUT, token, path, Some(body)).await
}

/// PATCH `body` to `path` under `/api/v1`.
pub(crate) async fn patch(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
) -> reqwest::Response {
    send(app, reqwest::Method::PATCH, token, path, Some(body)).await
}

/// Asserts that `r` is RFC 9457 problem details with this status, and returns the body.
pub(crate) async fn problem(r: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(r.status(), status, "status of {}", r.url());
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "{}",
        r.url()
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:flipside:problem:"),
        "{body}"
    );
    assert!(!body["title"].as_str().unwrap().is_empty(), "{body}");
    assert!(!body["detail"].as_str().unwrap().is_empty(), "{body}");
    body
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
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let body = problem(r, 401).await;
    assert_eq!(body["type"], "urn:flipside:problem:unauthenticated");
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
    assert_eq!(cycle["state"], "draft", "a new cycle starts as a draft");
    assert_eq!(
        cycle["hours_target"], 20,
        "the organisation's default target"
    );
    let cid = cycle["id"].as_i64().unwrap();
    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{cid}/transition")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": "recruiting"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the call opens");

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
    assert_eq!(moved["history"].as_array().unwrap().len(), 3);

    let listed: serde_json::Value = client()
        .get(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["academic_year"], "2026/27");
    assert!(listed["next_cursor"].is_null());
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
    let body = problem(r, 400).await;
    assert_eq!(body["type"], "urn:flipside:problem:bad-request");
    let r = post(r#"{"name": "X", "kind": "galaxy", "purpose": "p"}"#)
        .await
        .unwrap();
    let body = problem(r, 422).await;
    assert_eq!(body["type"], "urn:flipside:problem:invalid");
    assert_eq!(body["field"], "kind");
    assert_eq!(body["errors"][0]["field"], "kind");
    assert!(body["errors"][0]["detail"].as_str().unwrap().len() > 3);
    let r = post(r#"{"name": "X", "kind": "institutional", "purpose": "p", "colour": "red"}"#)
        .await
        .unwrap();
    let body = problem(r, 400).await;
    assert_eq!(
        body["field"], "colour",
        "unknown fields are refused, by name"
    );
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
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_under_a_unique_operation_id() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let routes = flipside_web::router::api_operations();
    let mut ids = std::collections::BTreeSet::new();
    let mut documented = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented += 1;
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(
                id.len() > 3 && id.chars().next().unwrap().is_ascii_lowercase(),
                "{method} {path}: a meaningful operationId, not {id:?}"
            );
            assert!(ids.insert(id.to_string()), "operationId {id} used twice");
            assert!(
                routes.iter().any(|(m, p, _)| {
                    m.as_str().eq_ignore_ascii_case(method) && format!("/api/v1{p}") == *path
                }),
                "{method} {path} is documented but not routed"
            );
            for (status, response) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{id} {status} is problem details"
                    );
                }
            }
            if id != "getOpenApiDocument" {
                assert!(op["responses"]["401"].is_object(), "{id} can answer 401");
            }
            if method == "post" {
                assert!(op["responses"]["403"].is_object(), "{id} can answer 403");
            }
            if op["requestBody"].is_object() {
                for status in ["400", "413", "415"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{id} can answer {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(op["responses"]["404"].is_object(), "{id} can answer 404");
            }
        }
    }
    for (method, path, _) in &routes {
        let op = &doc["paths"][format!("/api/v1{path}")][method.as_str().to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{method} /api/v1{path} is routed but not documented"
        );
    }
    assert_eq!(documented, routes.len());
    for id in [
        "listSchemes",
        "getScheme",
        "createScheme",
        "listCycles",
        "createCycle",
        "getCycle",
        "transitionCycle",
        "getMe",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
}

#[tokio::test]
async fn unknown_routes_and_methods_under_the_api_answer_problem_details() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let r = client()
        .get(app.url("/api/v1/no/such/thing"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = problem(r, 404).await;
    assert_eq!(body["type"], "urn:flipside:problem:not-found");
    let r = client()
        .delete(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = problem(r, 405).await;
    assert_eq!(body["type"], "urn:flipside:problem:method-not-allowed");
    let r = client()
        .get(app.url("/api/v1/cycles/4040"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(r, 404).await;
}

#[tokio::test]
async fn malformed_paths_and_bodies_answer_problem_details_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let r = client()
        .get(app.url("/api/v1/cycles/abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = problem(r, 400).await;
    assert_eq!(body["type"], "urn:flipside:problem:malformed");
    assert_eq!(body["field"], "id");

    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .body(r#"{"name": "X", "kind": "institutional", "purpose": "p"}"#)
        .send()
        .await
        .unwrap();
    let body = problem(r, 415).await;
    assert_eq!(body["type"], "urn:flipside:problem:unsupported-media-type");

    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    let body = problem(r, 400).await;
    assert_eq!(body["field"], "name", "a missing field is named");
    assert_eq!(body["errors"][0]["field"], "name");

    let scheme = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "S", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(scheme.status(), 201);
    let id = scheme.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = client()
        .post(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"academic_year": "2026/27", "hours_target": "lots"}))
        .send()
        .await
        .unwrap();
    let body = problem(r, 400).await;
    assert_eq!(
        body["field"], "hours_target",
        "a value of the wrong type is named"
    );
    assert!(app.store.cycles_of(id).await.unwrap().is_empty());
    // A fraction is no whole number of hours, and is named too.
    let r = client()
        .post(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"academic_year": "2026/27", "hours_target": 12.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 400).await["field"], "hours_target");
    assert!(app.store.cycles_of(id).await.unwrap().is_empty());
    // JSON Schema counts 24.0 as an integer, and so does the API.
    let r = client()
        .post(app.url(&format!("/api/v1/schemes/{id}/cycles")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"academic_year": "2026/27", "hours_target": 24.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(app.store.cycles_of(id).await.unwrap()[0].hours_target, 24);
}

#[tokio::test]
async fn refusals_and_csrf_failures_under_the_api_are_problem_details() {
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
    let body = problem(r, 403).await;
    assert_eq!(body["type"], "urn:flipside:problem:forbidden");

    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let r = b
        .client
        .post(app.url("/api/v1/schemes"))
        .json(&serde_json::json!({"name": "X", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    let body = problem(r, 403).await;
    assert_eq!(body["type"], "urn:flipside:problem:csrf");
}

#[tokio::test]
async fn a_coordinator_lists_pairs_and_ends_one_early_through_the_api_and_others_are_refused() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Pairs API", "{}").await;
    let coordinator = token_for(
        &app,
        "coord@tu.test",
        &[(Role::Coordinator, Scope::Scheme(scheme))],
    )
    .await;
    let mentor = app
        .person("ada@tu.test", &[(Role::Mentor, Scope::Cycle(c))])
        .await;
    let mentee = app
        .person("kay@tu.test", &[(Role::Mentee, Scope::Cycle(c))])
        .await;
    let member = token_of(&app, mentor).await;
    let ids = app
        .publish_pairs(
            c,
            &[flipside_store::NewPair {
                mentor_id: mentor,
                mentee_id: mentee,
                reason: "shared interest in assessment".into(),
                cost: 3,
            }],
            None,
        )
        .await
        .unwrap();
    let pair = ids[0];

    let r = client()
        .get(app.url(&format!("/api/v1/cycles/{c}/pairs")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    let listed: serde_json::Value = client()
        .get(app.url(&format!("/api/v1/cycles/{c}/pairs")))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["id"], pair);
    assert_eq!(listed["items"][0]["status"], "active");

    let end = |token: String, body: serde_json::Value| {
        client()
            .post(app.url(&format!("/api/v1/cycles/{c}/pairs/{pair}/end")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = end(
        member.clone(),
        serde_json::json!({"reason": "Moved abroad"}),
    )
    .await
    .unwrap();
    problem(r, 403).await;
    let r = end(coordinator.clone(), serde_json::json!({"reason": "  "}))
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["field"], "reason");
    let r = end(
        coordinator.clone(),
        serde_json::json!({"reason": "Moved abroad", "leaving": "sideways"}),
    )
    .await
    .unwrap();
    assert_eq!(problem(r, 400).await["field"], "leaving");
    assert_eq!(app.audited("pair_ended_early").await, 0);

    let r = end(
        coordinator.clone(),
        serde_json::json!({"reason": "Moved abroad", "leaving": "mentor"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let ended: serde_json::Value = r.json().await.unwrap();
    assert_eq!(ended["status"], "ended_early");
    assert_eq!(ended["ended_reason"], "Moved abroad");
    assert_eq!(app.audited("pair_ended_early").await, 1);
    assert_eq!(app.store.leavers_of(c).await.unwrap(), vec![mentor]);
    let r = end(coordinator, serde_json::json!({"reason": "Again"}))
        .await
        .unwrap();
    problem(r, 409).await;
}

#[tokio::test]
async fn a_coordinator_invites_and_reinvites_staff_through_the_api_and_others_are_refused() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Invitations API", "{}").await;
    let coordinator = token_for(
        &app,
        "coord@tu.test",
        &[(Role::Coordinator, Scope::Scheme(scheme))],
    )
    .await;
    let mentor = token_for(&app, "ada@tu.test", &[(Role::Mentor, Scope::Cycle(c))]).await;
    let invite = |token: &str, body: serde_json::Value| {
        client()
            .post(app.url(&format!("/api/v1/cycles/{c}/invitations")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let dean = serde_json::json!({"name": "Dean Mills", "email": "dean@tu.test"});

    let r = invite(&mentor, dean.clone()).await.unwrap();
    problem(r, 403).await;
    let r = client()
        .get(app.url(&format!("/api/v1/cycles/{c}/invitations")))
        .bearer_auth(&mentor)
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    let r = invite(
        &coordinator,
        serde_json::json!({"name": "Dean", "email": "not-an-address"}),
    )
    .await
    .unwrap();
    assert_eq!(problem(r, 422).await["field"], "email");
    assert_eq!(app.drain_outbox().await.sent, 0, "refusals queue no email");

    let r = invite(&coordinator, dean.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let inv: serde_json::Value = r.json().await.unwrap();
    assert_eq!(inv["status"], "invited");
    assert_eq!(inv["sends"], 1);
    assert_eq!(app.drain_outbox().await.sent, 1, "the link's email");
    let r = invite(&coordinator, dean).await.unwrap();
    problem(r, 409).await;

    let id = inv["id"].as_i64().unwrap();
    let resend = |token: &str| {
        client()
            .post(app.url(&format!("/api/v1/cycles/{c}/invitations/{id}/resend")))
            .bearer_auth(token)
            .send()
    };
    problem(resend(&mentor).await.unwrap(), 403).await;
    let r = resend(&coordinator).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["sends"], 2);
    assert_eq!(app.drain_outbox().await.sent, 1, "the new link's email");
    let listed: serde_json::Value = client()
        .get(app.url(&format!("/api/v1/cycles/{c}/invitations")))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["email"], "dean@tu.test");
}

#[tokio::test]
async fn members_propose_and_answer_meetings_through_the_api_and_others_are_refused() {
    let app = TestApp::spawn().await;
    let s = crate::meetings::setup(&app).await;
    let mentor = token_of(&app, s.mentor).await;
    let mentee = token_of(&app, s.mentee).await;
    let coordinator = token_for(
        &app,
        "coord2@tu.test",
        &[(Role::Coordinator, Scope::Scheme(s.scheme))],
    )
    .await;
    crate::meetings::both_accept(
        &s,
        &app.signed_in(crate::meetings::MENTOR).await,
        &app.signed_in(crate::meetings::MENTEE).await,
    )
    .await;
    let date = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let propose = |token: &str, body: serde_json::Value| {
        client()
            .post(app.url(&format!("/api/v1/pairs/{}/meetings", s.pair)))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let good = serde_json::json!({"date": date, "time": "14:00", "minutes": 60, "session": 2});

    problem(propose(&coordinator, good.clone()).await.unwrap(), 403).await;
    let r = propose(
        &mentor,
        serde_json::json!({"date": date, "time": "14:00", "minutes": 1, "session": 99}),
    )
    .await
    .unwrap();
    let body = problem(r, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"minutes") && fields.contains(&"session"),
        "{body}"
    );
    assert_eq!(app.drain_outbox().await.sent, 0);

    let r = propose(&mentor, good).await.unwrap();
    assert_eq!(r.status(), 201);
    let meeting: serde_json::Value = r.json().await.unwrap();
    assert_eq!(meeting["status"], "proposed");
    assert_eq!(meeting["session"], 2);
    assert_eq!(app.drain_outbox().await.sent, 1, "the partner is asked");

    let id = meeting["id"].as_i64().unwrap();
    let respond = |token: &str, decision: &str| {
        client()
            .post(app.url(&format!("/api/v1/meetings/{id}/respond")))
            .bearer_auth(token)
            .json(&serde_json::json!({ "decision": decision }))
            .send()
    };
    problem(respond(&coordinator, "confirm").await.unwrap(), 403).await;
    problem(respond(&mentor, "confirm").await.unwrap(), 409).await;
    assert_eq!(
        problem(respond(&mentee, "maybe").await.unwrap(), 400).await["field"],
        "decision"
    );
    let r = respond(&mentee, "confirm").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "confirmed"
    );
    assert_eq!(
        app.drain_outbox().await.sent,
        2,
        "both members get the calendar"
    );
}

#[tokio::test]
async fn a_member_raises_a_concern_through_the_api_and_others_are_refused() {
    let app = TestApp::spawn().await;
    let s = crate::meetings::setup(&app).await;
    let mentee = token_of(&app, s.mentee).await;
    let outsider = token_for(
        &app,
        "other@tu.test",
        &[(Role::Mentor, Scope::Cycle(s.cycle))],
    )
    .await;
    let raise = |token: &str, concern: &str| {
        client()
            .post(app.url(&format!("/api/v1/pairs/{}/concerns", s.pair)))
            .bearer_auth(token)
            .json(&serde_json::json!({ "concern": concern }))
            .send()
    };
    problem(raise(&outsider, "Not my pair").await.unwrap(), 403).await;
    assert_eq!(
        problem(raise(&mentee, "   ").await.unwrap(), 422).await["field"],
        "concern"
    );
    assert_eq!(app.audited("concern_raised").await, 0);

    let r = raise(&mentee, "We keep missing each other").await.unwrap();
    assert_eq!(r.status(), 201);
    let raised: serde_json::Value = r.json().await.unwrap();
    assert_eq!(raised["pair_id"], s.pair);
    assert_eq!(app.audited("concern_raised").await, 1);
    assert_eq!(
        app.drain_outbox().await.sent,
        1,
        "the scheme's coordinator is emailed"
    );
}

#[tokio::test]
async fn lists_are_paged_by_cursor_and_bad_paging_parameters_are_named() {
    let app = TestApp::spawn().await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    for name in ["First", "Second", "Third"] {
        app.scheme_with_cycle(name, "{}").await;
    }
    let get = |query: &str| {
        client()
            .get(app.url(&format!("/api/v1/schemes{query}")))
            .bearer_auth(&token)
            .send()
    };
    let first: serde_json::Value = get("?limit=2").await.unwrap().json().await.unwrap();
    let names: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["First", "Second"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: serde_json::Value = get(&format!("?limit=2&cursor={cursor}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["name"], "Third");
    assert!(
        second["next_cursor"].is_null(),
        "the last page has no cursor"
    );

    assert_eq!(
        problem(get("?limit=many").await.unwrap(), 400).await["field"],
        "limit"
    );
    assert_eq!(
        problem(get("?limit=0").await.unwrap(), 400).await["field"],
        "limit"
    );
    assert_eq!(
        problem(get("?cursor=zz").await.unwrap(), 400).await["field"],
        "cursor"
    );
    assert_eq!(
        problem(get("?colour=red").await.unwrap(), 400).await["field"],
        "colour"
    );
}
