//! The security review's smaller findings over HTTP: transport security, where a form may be
//! posted from, the CSRF token at sign-in, NUL characters, and role grants in scopes that do
//! not exist.
use crate::helpers::{PASSWORD, TestApp, extract_csrf};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn browsers_are_told_to_keep_to_https_only_when_flipside_is_reached_over_https() {
    let plain = TestApp::spawn().await;
    let r = plain.browser().get("/sign-in").await;
    assert!(r.headers.get("strict-transport-security").is_none());

    let app = TestApp::spawn_with(|s| {
        s.public_url = url::Url::parse("https://flipside.example.test/").unwrap()
    })
    .await;
    for path in ["/sign-in", "/nowhere", "/api/v1/openapi.json"] {
        let r = app.browser().get(path).await;
        assert_eq!(
            r.headers
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_even_with_a_valid_token() {
    let app = TestApp::spawn().await;
    app.person("sam@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let b = app.signed_in("sam@tu.test").await;
    let token = b.csrf().await;
    let post = |origin: String| {
        b.client
            .post(app.url("/admin/people"))
            .header("origin", origin)
            .form(&[
                ("email", "x@tu.test"),
                ("display_name", "X"),
                ("csrf", token.as_str()),
            ])
            .send()
    };
    for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
        let r = post(origin.to_string()).await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{origin}");
    }
    assert!(app.store.user_by_email("x@tu.test").await.is_err());
    // Its own origin is fine.
    let r = post(format!("http://{}", app.addr)).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
}

#[tokio::test]
async fn the_csrf_token_changes_at_sign_in_and_the_old_one_stops_working() {
    let app = TestApp::spawn().await;
    app.person("sam@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let b = app.browser();
    let before = b.csrf().await;
    let r = b
        .post_raw(
            "/sign-in",
            &[
                ("email", "sam@tu.test"),
                ("password", PASSWORD),
                ("csrf", &before),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("flipside_csrf=")),
        "{:?}",
        r.set_cookies()
    );
    let stale = b
        .post_raw(
            "/admin/people",
            &[
                ("email", "x@tu.test"),
                ("display_name", "X"),
                ("csrf", &before),
            ],
        )
        .await;
    assert_eq!(
        stale.status, 403,
        "the token from before sign-in still works"
    );
    let page = b.get("/admin/people").await;
    let after = extract_csrf(&page.body).expect("a form");
    assert_ne!(after, before);
    let ok = b
        .post_raw(
            "/admin/people",
            &[
                ("email", "x@tu.test"),
                ("display_name", "X"),
                ("csrf", &after),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}

#[tokio::test]
async fn text_with_a_nul_character_is_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("sam@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let r = admin
        .post(
            "/admin/people",
            &[("email", "x@tu.test"), ("display_name", "X\0Y")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("NUL character"), "{}", r.body);
    assert!(app.store.user_by_email("x@tu.test").await.is_err());
}

#[tokio::test]
async fn roles_are_not_granted_in_scopes_that_do_not_exist() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("sam@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let ruth = app.person("ruth@tu.test", &[]).await;
    for (role, scope, message) in [
        ("mentor", "cycle:-1", "There is no cycle with the id -1."),
        (
            "school_lead",
            "school:987654",
            "There is no school with the id 987654.",
        ),
        (
            "coordinator",
            "scheme:42",
            "There is no scheme with the id 42.",
        ),
    ] {
        let r = admin
            .post(
                &format!("/admin/people/{ruth}/roles"),
                &[("role", role), ("scope", scope)],
            )
            .await;
        assert_eq!(r.status, 422, "{scope}: {}", r.body);
        assert!(r.body.contains(message), "{scope}: {}", r.body);
    }
    assert!(app.store.grants_of(ruth).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_internal_disclosure_threshold_cannot_go_below_three_and_every_change_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let before = app.store.organisation().await.unwrap().unwrap().min_cell;
    let settings = |min_cell: &'static str| {
        [
            ("name", "Test University"),
            ("min_cell", min_cell),
            ("disclosure_preset", "internal"),
            ("hours_target", "20"),
            ("time_zone", "Europe/London"),
        ]
    };
    for low in ["1", "2"] {
        let r = admin.post("/admin/organisation", &settings(low)).await;
        assert_eq!(r.status, 422, "{low}");
        assert!(r.body.contains("from 3 to 100"), "{}", r.body);
    }
    assert_eq!(
        app.store.organisation().await.unwrap().unwrap().min_cell,
        before
    );
    assert_eq!(app.audited("organisation_updated").await, 0);

    let r = admin.post("/admin/organisation", &settings("3")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let entries = app
        .store
        .audit_entries(Some("organisation_updated"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].detail.contains("min cell 3")
            && entries[0]
                .detail
                .contains(&format!("was min cell {before}")),
        "{}",
        entries[0].detail
    );
}
