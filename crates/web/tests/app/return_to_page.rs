//! Back to the page that asked (issue 14): a signed-out person who follows a link from an
//! email is sent to sign in and, once signed in by password or by an emailed sign-in link,
//! lands on that page; only same-site paths are followed, whatever `next` says.
use crate::helpers::{PASSWORD, TestApp};
use crate::meetings::{MENTEE, MENTOR, both_accept, setup};

/// The path (with query and fragment) of the first link in an email's `body`.
fn emailed_path(body: &str) -> String {
    let at = body.find("://").expect("a link") + 3;
    let rest = &body[at..];
    let path = &rest[rest.find('/').unwrap()..];
    path.split_whitespace().next().unwrap().to_string()
}

fn encoded(next: &str) -> String {
    serde_urlencoded::to_string([("next", next)]).unwrap()
}

#[tokio::test]
async fn a_link_in_an_email_followed_signed_out_returns_to_its_page_after_signing_in() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let date = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let r = mentor
        .post(
            &format!("/pairs/{}/meetings", s.pair),
            &[
                ("date", &date),
                ("time", "14:00"),
                ("minutes", "60"),
                ("session", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let m = app.store.meetings_of_pair(s.pair).await.unwrap()[0].id;

    // The email links to the meeting on the pair's page.
    let mail = app.store.emails_to(MENTEE).await.unwrap();
    let link = emailed_path(&mail[0].body_text);
    assert_eq!(link, format!("/pairs/{}#meeting-{m}", s.pair));

    // Signed out, it leads to sign-in, which remembers the page (browsers keep the fragment
    // out of the request).
    let guest = app.browser();
    let page = format!("/pairs/{}", s.pair);
    let r = guest.get(&page).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/sign-in?{}", encoded(&page)));
    let sign_in = guest.follow(&r).await;
    assert_eq!(sign_in.status, 200);
    assert!(
        sign_in
            .body
            .contains(&format!(r#"name="next" value="{page}""#)),
        "{}",
        sign_in.body
    );
    let r = guest
        .post(
            "/sign-in",
            &[("email", MENTEE), ("password", PASSWORD), ("next", &page)],
        )
        .await;
    assert_eq!((r.status, r.location()), (303, page.as_str()));
    let there = guest.follow(&r).await;
    assert_eq!(there.status, 200);
    assert!(there.body.contains(&format!(r#"id="meeting-{m}""#)));

    // A query string comes back too.
    let guest = app.browser();
    let r = guest.get("/surveys?from=email").await;
    assert_eq!(
        r.location(),
        format!("/sign-in?{}", encoded("/surveys?from=email"))
    );
}

#[tokio::test]
async fn hostile_next_values_lead_home_and_never_off_the_site() {
    let app = TestApp::spawn().await;
    app.person("ada@tu.test", &[]).await;
    for hostile in [
        "https://evil.test/",
        "//evil.test",
        "/\\evil.test",
        "\\\\evil.test",
        "/\t/evil.test",
        "/\n/evil.test",
        "javascript:alert(1)",
        "evil.test",
        "/sign-in",
    ] {
        let guest = app.browser();
        // The sign-in page keeps nothing of it...
        let page = guest
            .get_ok(&format!("/sign-in?{}", encoded(hostile)))
            .await
            .body;
        assert!(
            page.contains(r#"name="next" value="/""#),
            "{hostile:?}: {page}"
        );
        // ...and a sign-in that carries it anyway goes home.
        let r = guest
            .post(
                "/sign-in",
                &[
                    ("email", "ada@tu.test"),
                    ("password", PASSWORD),
                    ("next", hostile),
                ],
            )
            .await;
        assert_eq!((r.status, r.location()), (303, "/"), "{hostile:?}");
    }
}

#[tokio::test]
async fn an_emailed_sign_in_link_returns_to_the_page_that_asked() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = app
        .as_role(
            "morgan@tu.test",
            &[(
                flipside_core::role::Role::Admin,
                flipside_core::role::Scope::Organisation,
            )],
        )
        .await;
    admin
        .post(
            "/admin/organisation/email-sign-in",
            &[("email_sign_in", "on")],
        )
        .await;
    let page = format!("/pairs/{}", s.pair);
    let guest = app.browser();
    let r = guest.get(&page).await;
    let sign_in = guest.follow(&r).await.body;
    assert!(sign_in.contains("Email me a sign-in link"));
    // The link form carries the page as well as the password form.
    assert_eq!(
        sign_in
            .matches(&format!(r#"name="next" value="{page}""#))
            .count(),
        2
    );
    let r = guest
        .post("/sign-in/email", &[("email", MENTEE), ("next", &page)])
        .await;
    assert_eq!(r.status, 303);
    let mail = app.store.emails_to(MENTEE).await.unwrap();
    let link = emailed_path(&mail.last().unwrap().body_text);
    assert!(link.ends_with(&format!("?{}", encoded(&page))), "{link}");
    let confirm = guest.get_ok(&link).await.body;
    assert!(confirm.contains(&format!(r#"name="next" value="{page}""#)));
    let action = link.split('?').next().unwrap();
    let r = guest.post(action, &[("next", &page)]).await;
    assert_eq!((r.status, r.location()), (303, page.as_str()), "{}", r.body);
    assert_eq!(guest.follow(&r).await.status, 200);
    // A hostile page in the link's form is ignored.
    let r = guest
        .post(
            "/sign-in/email",
            &[("email", MENTEE), ("next", "//evil.test")],
        )
        .await;
    assert_eq!(r.status, 303);
    let mail = app.store.emails_to(MENTEE).await.unwrap();
    let link = emailed_path(&mail.last().unwrap().body_text);
    assert!(!link.contains('?'), "{link}");
}
