//! Administration over the API (people, roles, settings, the audit and email logs) and
//! `ETag` / `If-Match` on updates (issue 16).
use crate::api::{admin_token, client, get, org_coordinator_token, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

#[tokio::test]
async fn two_coordinators_racing_on_a_cycle_the_second_with_a_stale_etag_gets_412_and_changes_nothing()
 {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Race", "{}").await;
    let grants = [(Role::Coordinator, Scope::Scheme(scheme))];
    let first = token_for(&app, "first@tu.test", &grants).await;
    let second = token_for(&app, "second@tu.test", &grants).await;
    let path = format!("/api/v1/cycles/{c}");

    // Both read the cycle: the same strong tag, derived from what they read.
    let read = |t: String| {
        let url = app.url(&path);
        async move {
            let r = client().get(url).bearer_auth(t).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.headers()["etag"].to_str().unwrap().to_string()
        }
    };
    let tag = read(first.clone()).await;
    assert_eq!(read(second.clone()).await, tag);
    assert!(tag.starts_with('"') && tag.len() == 34, "{tag}");

    let transition = |t: &str, to: &str, if_match: Option<&str>| {
        let mut r = client()
            .post(app.url(&format!("{path}/transition")))
            .bearer_auth(t)
            .json(&json!({ "to": to }));
        if let Some(m) = if_match {
            r = r.header("If-Match", m);
        }
        r.send()
    };
    let events_before = app.store.cycle_events(c).await.unwrap().len();
    // The call is open (recruiting); the first moves it on to matching.
    let moved = transition(&first, "matching", Some(&tag)).await.unwrap();
    assert_eq!(moved.status(), 200);
    let new_tag = moved.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_tag, tag, "the state changed, so the tag did");
    assert_eq!(
        read(second.clone()).await,
        new_tag,
        "the answer's tag is the resource's"
    );

    // The second coordinator still holds the first tag: refused, and nothing changes, even
    // though their move (matching → running) would now be a legal step.
    let stale = transition(&second, "running", Some(&tag)).await.unwrap();
    let body = problem(stale, 412).await;
    assert_eq!(body["type"], "urn:flipside:problem:precondition-failed");
    let stored = app.store.cycle(c).await.unwrap();
    assert_eq!(
        stored.state.to_string(),
        "matching",
        "the first's update stands"
    );
    assert_eq!(
        app.store.cycle_events(c).await.unwrap().len(),
        events_before + 1
    );

    // A header that is no entity tag names no current state either: 412, nothing changes.
    let bad = transition(&second, "running", Some("not-a-tag"))
        .await
        .unwrap();
    problem(bad, 412).await;
    assert_eq!(
        app.store.cycle(c).await.unwrap().state.to_string(),
        "matching"
    );

    // With the current tag (or *, or no If-Match at all) the update goes ahead.
    let fresh = transition(&second, "running", Some(&new_tag))
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    assert_eq!(
        transition(&second, "evaluating", Some("*"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        transition(&second, "closed", None).await.unwrap().status(),
        200
    );
}

fn settings(name: &str, min_cell: i64) -> Value {
    json!({
        "name": name,
        "min_cell": min_cell,
        "disclosure_preset": "internal",
        "hours_target": 20,
        "time_zone": "Europe/London",
        "stale_pair_weeks": 6,
    })
}

#[tokio::test]
async fn two_admins_racing_on_the_settings_the_second_with_a_stale_etag_gets_412_and_the_first_stands()
 {
    let app = TestApp::spawn().await;
    let first = admin_token(&app, "first@tu.test").await;
    let second = admin_token(&app, "second@tu.test").await;
    let r = get(&app, &first, "/organisation/settings").await;
    assert_eq!(r.status(), 200);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let before: Value = r.json().await.unwrap();
    assert!(before["min_cell"].as_i64().is_some(), "{before}");

    let put = |token: &str, body: Value, if_match: &str| {
        client()
            .put(app.url("/api/v1/organisation/settings"))
            .bearer_auth(token)
            .header("If-Match", if_match)
            .json(&body)
            .send()
    };
    let saved = put(&first, settings("First University", 7), &tag)
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let saved_tag = saved.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(
        saved.json::<Value>().await.unwrap()["name"],
        "First University"
    );

    let stale = put(&second, settings("Second University", 9), &tag)
        .await
        .unwrap();
    problem(stale, 412).await;
    let org = app.store.organisation().await.unwrap().unwrap();
    assert_eq!((org.name.as_str(), org.min_cell), ("First University", 7));
    let audits = app
        .store
        .audit_entries(Some("organisation_updated"), 10)
        .await
        .unwrap();
    assert_eq!(audits.len(), 1, "one update, audited once");

    // Bad values: every one named, nothing saved.
    let mut bad = settings("  ", 1);
    bad["time_zone"] = json!("Mars/Olympus");
    let refused = put(&second, bad, &saved_tag).await.unwrap();
    let body = problem(refused, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["name", "min_cell", "time_zone"] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    assert_eq!(
        app.store.organisation().await.unwrap().unwrap().name,
        "First University"
    );

    // Only admins read or change the settings.
    let coordinator = org_coordinator_token(&app, "coord@tu.test").await;
    problem(get(&app, &coordinator, "/organisation/settings").await, 403).await;
    problem(
        put(&coordinator, settings("Coordinated", 7), "*")
            .await
            .unwrap(),
        403,
    )
    .await;
    assert_eq!(
        app.store.organisation().await.unwrap().unwrap().name,
        "First University"
    );
}

#[tokio::test]
async fn admins_list_and_search_people_by_cursor_and_grant_and_revoke_roles_with_an_audit_entry() {
    let app = TestApp::spawn().await;
    let token = admin_token(&app, "root@tu.test").await;
    for i in 0..5 {
        app.person(&format!("staff{i}@tu.test"), &[]).await;
    }
    let other = app.person("zed.quill@tu.test", &[]).await;

    // Search by name or email, any case.
    let r = get(&app, &token, "/people?q=QUILL").await;
    assert_eq!(r.status(), 200);
    let found: Value = r.json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["items"][0]["email"], "zed.quill@tu.test");

    // Every person once across pages of two.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = get(&app, &token, &format!("/people?limit=2&cursor={cursor}"))
            .await
            .json()
            .await
            .unwrap();
        for p in page["items"].as_array().unwrap() {
            seen.push(p["id"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    problem(get(&app, &token, "/people?limit=0").await, 400).await;

    // Grant: 201 with the grant, on the record; a bad scope is named and grants nothing.
    let grant = |body: Value| {
        client()
            .post(app.url(&format!("/api/v1/people/{other}/roles")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let r = grant(json!({"role": "coordinator", "scope": "organisation"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.unwrap();
    assert_eq!(g["role"], "coordinator");
    assert_eq!(g["scope"], "organisation");
    let again = grant(json!({"role": "coordinator", "scope": "organisation"}))
        .await
        .unwrap();
    problem(again, 409).await;
    let bad = grant(json!({"role": "coordinator", "scope": "scheme:999"}))
        .await
        .unwrap();
    assert_eq!(problem(bad, 422).await["field"], "scope");
    let bad = grant(json!({"role": "wizard", "scope": "organisation"}))
        .await
        .unwrap();
    assert_eq!(problem(bad, 422).await["field"], "role");
    assert_eq!(app.store.grants_of(other).await.unwrap().len(), 1);
    assert_eq!(
        app.store
            .audit_entries(Some("role_granted"), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // Revoke: 204 and gone; an admin cannot remove their own admin role.
    let r = client()
        .delete(app.url(&format!("/api/v1/people/{other}/roles/{}", g["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(app.store.grants_of(other).await.unwrap().is_empty());
    let me: Value = get(&app, &token, "/me").await.json().await.unwrap();
    let my_id = me["id"].as_i64().unwrap();
    let mine = app.store.grants_of(my_id).await.unwrap()[0].id;
    let r = client()
        .delete(app.url(&format!("/api/v1/people/{my_id}/roles/{mine}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    assert_eq!(app.store.grants_of(my_id).await.unwrap().len(), 1);

    // Others may not list people or grant roles.
    let coordinator = org_coordinator_token(&app, "coord@tu.test").await;
    problem(get(&app, &coordinator, "/people").await, 403).await;
    let r = client()
        .post(app.url(&format!("/api/v1/people/{other}/roles")))
        .bearer_auth(&coordinator)
        .json(&json!({"role": "admin", "scope": "organisation"}))
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    assert!(app.store.grants_of(other).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_audit_log_is_paged_newest_first_and_filtered_and_the_email_log_hides_bodies() {
    let app = TestApp::spawn().await;
    let token = admin_token(&app, "root@tu.test").await;
    let subject = app.person("someone@tu.test", &[]).await;
    for _ in 0..3 {
        for role in ["coordinator", "researcher"] {
            let r = client()
                .post(app.url(&format!("/api/v1/people/{subject}/roles")))
                .bearer_auth(&token)
                .json(&json!({"role": role, "scope": "organisation"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let g: Value = r.json().await.unwrap();
            let r = client()
                .delete(app.url(&format!("/api/v1/people/{subject}/roles/{}", g["id"])))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204);
        }
    }
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = get(
            &app,
            &token,
            &format!("/audit-entries?action=role_granted&limit=4&cursor={cursor}"),
        )
        .await;
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        for e in page["items"].as_array().unwrap() {
            assert_eq!(e["action"], "role_granted");
            ids.push(e["id"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let revoked: Value = get(&app, &token, "/audit-entries?action=role_revoked")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["items"].as_array().unwrap().len(), 6);
    let r = get(&app, &token, "/audit-entries?actor_id=abc").await;
    assert_eq!(problem(r, 400).await["field"], "actor_id");

    // The email log: what was queued, never the body.
    let mut tx = app.store.begin().await.unwrap();
    tx.enqueue_email(&flipside_store::NewEmail {
        dedup_key: "test-1",
        to_address: "someone@tu.test",
        to_name: "Someone",
        subject: "Hello",
        body_text: "a secret link",
        calendar: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = get(&app, &token, "/emails?status=pending").await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("\"subject\":\"Hello\""), "{text}");
    assert!(!text.contains("secret"), "{text}");
    let r = get(&app, &token, "/emails?status=lost").await;
    assert_eq!(problem(r, 400).await["field"], "status");

    let coordinator = org_coordinator_token(&app, "coord@tu.test").await;
    problem(get(&app, &coordinator, "/audit-entries").await, 403).await;
    problem(get(&app, &coordinator, "/emails").await, 403).await;
}

/// The schema an operation's document gives for a request or response body, resolved.
fn body_schema(doc: &Value, path: &str, method: &str, response: Option<&str>) -> Value {
    let op = &doc["paths"][path][method];
    let content = match response {
        Some(status) => &op["responses"][status]["content"],
        None => &op["requestBody"]["content"],
    };
    let schema = &content["application/json"]["schema"];
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            doc["components"]["schemas"][name].clone()
        }
        None => schema.clone(),
    }
}

fn property_names(schema: &Value) -> Vec<String> {
    let mut names: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_documented_settings_body_is_the_one_the_settings_update_accepts() {
    let app = TestApp::spawn().await;
    let doc: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schema = body_schema(&doc, "/api/v1/organisation/settings", "put", None);
    let mut expected: Vec<String> = settings("x", 5)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    expected.sort();
    assert_eq!(property_names(&schema), expected, "{schema}");
    let read = body_schema(&doc, "/api/v1/organisation/settings", "get", Some("200"));
    assert_eq!(property_names(&read), expected, "{read}");

    // And a body built from the document alone is accepted.
    let token = admin_token(&app, "doc@tu.test").await;
    let r = client()
        .put(app.url("/api/v1/organisation/settings"))
        .bearer_auth(&token)
        .json(&settings("Documented University", 5))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Tutoring's publish answers the shape documented for it.
    let published = body_schema(
        &doc,
        "/api/v1/tutoring/allocation/publish",
        "post",
        Some("200"),
    );
    assert_eq!(
        property_names(&published),
        ["assignments", "year"],
        "{published}"
    );
    // Matching's publish keeps its own.
    let pairs = body_schema(
        &doc,
        "/api/v1/cycles/{id}/matching/publish",
        "post",
        Some("200"),
    );
    assert_eq!(property_names(&pairs), ["published"], "{pairs}");
}

#[tokio::test]
async fn a_transition_to_no_state_is_refused_as_invalid_before_its_if_match_is_weighed() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Order", "{}").await;
    let token = token_for(
        &app,
        "order@tu.test",
        &[(Role::Coordinator, Scope::Scheme(scheme))],
    )
    .await;
    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{c}/transition")))
        .bearer_auth(&token)
        .header("If-Match", "W/\"\", \"stale\"")
        .json(&json!({ "to": "\u{9e}5>" }))
        .send()
        .await
        .unwrap();
    let body = problem(r, 422).await;
    assert_eq!(body["field"], "to", "{body}");
    assert_eq!(
        app.store.cycle(c).await.unwrap().state.to_string(),
        "recruiting"
    );
}
