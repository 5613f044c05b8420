use crate::helpers::{Browser, PASSWORD, TestApp};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn signing_in_with_the_right_password_starts_an_httponly_lax_session() {
    let app = TestApp::spawn().await;
    app.person("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let b = app.browser();
    let r = b
        .post(
            "/sign-in",
            &[
                ("email", "Priya@TU.test"),
                ("password", PASSWORD),
                ("next", "/schemes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/schemes");
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("flipside_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP deployments cannot use Secure cookies: {cookie}"
    );
    let home = b.get("/").await;
    assert!(home.body.contains("Welcome, priya"), "{}", home.body);
    let audit = app.store.audit_entries(Some("sign_in"), 10).await.unwrap();
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn cookies_are_secure_when_flipside_is_reached_over_https() {
    let app = TestApp::spawn_with(|s| {
        s.public_url = url::Url::parse("https://flipside.example.test/").unwrap()
    })
    .await;
    app.person("ruth@tu.test", &[]).await;
    let r = app
        .browser()
        .post(
            "/sign-in",
            &[("email", "ruth@tu.test"), ("password", PASSWORD)],
        )
        .await;
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("flipside_session="))
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn each_sign_in_gets_a_new_session_id_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    app.person("omar@tu.test", &[]).await;
    let b = app.browser();
    let first = b
        .post(
            "/sign-in",
            &[("email", "omar@tu.test"), ("password", PASSWORD)],
        )
        .await;
    let second = b
        .post(
            "/sign-in",
            &[("email", "omar@tu.test"), ("password", PASSWORD)],
        )
        .await;
    let id = |p: &crate::helpers::Page| {
        p.set_cookies()
            .into_iter()
            .find(|c| c.starts_with("flipside_session="))
            .unwrap()
    };
    assert_ne!(
        id(&first),
        id(&second),
        "the session id must rotate at sign-in"
    );

    let out = b.post("/sign-out", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(
        b.get("/schemes").await.status,
        303,
        "signed out: pages redirect to sign-in"
    );
    // The old token is gone from the server, not just from the browser.
    let token = id(&second)
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("flipside_session=")
        .to_string();
    assert!(app.store.session_user(&token).await.is_err());
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_email_kept_and_audited() {
    let app = TestApp::spawn().await;
    app.person("lena@tu.test", &[]).await;
    let r = app
        .browser()
        .post(
            "/sign-in",
            &[("email", "lena@tu.test"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("The email address or password is not right.")
    );
    assert!(
        r.body.contains("value=\"lena@tu.test\""),
        "the email is kept"
    );
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert_eq!(
        app.store
            .audit_entries(Some("sign_in_failed"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let r = app
        .browser()
        .post("/sign-in", &[("email", ""), ("password", "")])
        .await;
    assert!(
        r.body.contains("Enter your email address.") && r.body.contains("Enter your password.")
    );
}

/// Signs in from `b` and answers the status and the `Retry-After` header.
async fn try_sign_in(b: &Browser, email: &str, password: &str) -> (u16, Option<String>) {
    let r = b
        .post("/sign-in", &[("email", email), ("password", password)])
        .await;
    let retry = r
        .headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status, retry)
}

#[tokio::test]
async fn a_stranger_failing_to_sign_in_slows_only_themselves_and_never_locks_the_owner_out() {
    let app = TestApp::spawn_with(|s| s.trust_proxy_headers = true).await;
    let start = chrono::Utc::now();
    app.clock.set(start);
    app.person("kai@tu.test", &[]).await;
    let stranger = app.browser_at("203.0.113.9");
    for _ in 0..5 {
        assert_eq!(try_sign_in(&stranger, "kai@tu.test", "guess").await.0, 422);
    }
    // The pair (kai, the stranger's address) now waits, even with the right password...
    let (status, retry) = try_sign_in(&stranger, "kai@tu.test", PASSWORD).await;
    assert_eq!((status, retry.as_deref()), (429, Some("1")));
    // ...but Kai, from their own address, signs in at once.
    let owner = app.browser_at("198.51.100.7");
    assert_eq!(try_sign_in(&owner, "kai@tu.test", PASSWORD).await.0, 303);
    // The wait is over after a second by the app's clock, and doubles with the next failure.
    app.clock.set(start + chrono::Duration::seconds(1));
    assert_eq!(try_sign_in(&stranger, "kai@tu.test", "guess").await.0, 422);
    let (status, retry) = try_sign_in(&stranger, "kai@tu.test", "guess").await;
    assert_eq!((status, retry.as_deref()), (429, Some("2")));
    assert_eq!(try_sign_in(&owner, "kai@tu.test", PASSWORD).await.0, 303);
}

#[tokio::test]
async fn an_address_failing_against_many_accounts_is_slowed_for_its_own_attempts_only() {
    let app = TestApp::spawn_with(|s| {
        s.trust_proxy_headers = true;
        s.max_failures_per_address = 3;
    })
    .await;
    let start = chrono::Utc::now();
    app.clock.set(start);
    app.person("ada@tu.test", &[]).await;
    let sprayer = app.browser_at("203.0.113.9");
    for n in 0..3 {
        let (status, _) = try_sign_in(&sprayer, &format!("nobody{n}@tu.test"), "x").await;
        assert_eq!(status, 422);
    }
    let (status, retry) = try_sign_in(&sprayer, "ada@tu.test", PASSWORD).await;
    assert_eq!((status, retry.as_deref()), (429, Some("1")));
    // Ada elsewhere is not slowed.
    let ada = app.browser_at("198.51.100.7");
    assert_eq!(try_sign_in(&ada, "ada@tu.test", PASSWORD).await.0, 303);
    app.clock.set(start + chrono::Duration::seconds(1));
    assert_eq!(try_sign_in(&sprayer, "ada@tu.test", PASSWORD).await.0, 303);
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    app.person("sam@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let b = app.signed_in("sam@tu.test").await;
    let r = b
        .post_raw(
            "/admin/people",
            &[("email", "x@tu.test"), ("display_name", "X")],
        )
        .await;
    assert_eq!(r.status, 403, "no token");
    let r = b
        .post_raw(
            "/admin/people",
            &[
                ("email", "x@tu.test"),
                ("display_name", "X"),
                ("csrf", "00ff"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "forged token");
    // A token from another browser (another cookie) does not work either.
    let other = app.browser().csrf().await;
    let r = b
        .post_raw(
            "/admin/people",
            &[
                ("email", "x@tu.test"),
                ("display_name", "X"),
                ("csrf", &other),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "someone else's token");
    assert!(
        app.store.user_by_email("x@tu.test").await.is_err(),
        "nothing was written"
    );
    let r = b
        .post(
            "/admin/people",
            &[("email", "x@tu.test"), ("display_name", "X")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn sign_in_only_follows_same_site_next_paths() {
    let app = TestApp::spawn().await;
    app.person("jo@tu.test", &[]).await;
    let r = app
        .browser()
        .post(
            "/sign-in",
            &[
                ("email", "jo@tu.test"),
                ("password", PASSWORD),
                ("next", "https://evil.test/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}
