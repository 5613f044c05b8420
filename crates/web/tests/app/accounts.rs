//! Accounts without single sign-on (issue 10): set-password links, resets, password changes,
//! disabled accounts, and emails that a name cannot break.
use crate::helpers::{PASSWORD, QueueEmail, TestApp};
use flipside_core::role::{Role, Scope};
use flipside_store::{NewEmail, NewInvitation};
use flipside_web::Settings;
use flipside_web::mail::{Mailer, deliver_due};

const NEW_PASSWORD: &str = "plum orchard tuesday lantern";

fn admin_grants() -> [(Role, Scope); 1] {
    [(Role::Admin, Scope::Organisation)]
}

#[tokio::test]
async fn an_added_person_sets_their_own_password_once_by_the_emailed_link_and_then_signs_in() {
    let app = TestApp::spawn().await;
    let admin = app.as_role("morgan@tu.test", &admin_grants()).await;
    let form = admin.get_ok("/admin/people").await;
    assert!(!form.body.contains("name=\"password\""), "{}", form.body);
    let r = admin
        .post(
            "/admin/people",
            &[
                ("email", "ruth@tu.test"),
                ("display_name", "Ruth Adeyemi"),
                // Ignored: administrators never choose another person's password.
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ruth = app.store.user_by_email("ruth@tu.test").await.unwrap();
    assert!(ruth.password_hash.is_none());
    let emails = app.store.emails_to("ruth@tu.test").await.unwrap();
    assert_eq!(emails.len(), 1);
    assert!(
        emails[0].body_text.contains("72 hours"),
        "{}",
        emails[0].body_text
    );
    let link = app.password_link_sent_to("ruth@tu.test").await;

    let guest = app.browser();
    let page = guest.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("ruth@tu.test"));
    // Too short, too common, too long, or not confirmed: refused next to the field.
    for (password, confirm, message) in [
        ("short", "short", "Use at least 10 characters."),
        ("1234567890", "1234567890", "most common"),
        (
            &"x".repeat(1025)[..],
            &"x".repeat(1025)[..],
            "Use at most 1024 characters.",
        ),
        (NEW_PASSWORD, "something else", "not the same"),
    ] {
        let r = guest
            .post(&link, &[("password", password), ("confirm", confirm)])
            .await;
        assert_eq!(r.status, 422, "{password}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    let r = guest
        .post(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/sign-in");
    assert!(
        r.set_cookies()
            .iter()
            .all(|c| !c.starts_with("flipside_session=")),
        "setting a password by link signs nobody in"
    );
    // Used once: the link is refused, and cannot set the password again.
    assert_eq!(guest.get(&link).await.status, 404);
    let r = guest
        .post(
            &link,
            &[
                ("password", "another good one"),
                ("confirm", "another good one"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);

    let r = guest
        .post(
            "/sign-in",
            &[
                ("email", "ruth@tu.test"),
                ("password", NEW_PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(guest.get("/account").await.status, 200);
    let actions: Vec<String> = app
        .store
        .audit_entries(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"password_set".to_string()), "{actions:?}");
}

#[tokio::test]
async fn an_expired_set_password_link_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.as_role("morgan@tu.test", &admin_grants()).await;
    admin
        .post(
            "/admin/people",
            &[("email", "ruth@tu.test"), ("display_name", "Ruth Adeyemi")],
        )
        .await;
    let link = app.password_link_sent_to("ruth@tu.test").await;
    app.store
        .execute_admin("UPDATE account_links SET expires_at = created_at")
        .await
        .unwrap();
    let guest = app.browser();
    let page = guest.get(&link).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Ask for a new link"), "{}", page.body);
    let r = guest
        .post(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 404);
    let ruth = app.store.user_by_email("ruth@tu.test").await.unwrap();
    assert!(ruth.password_hash.is_none());
}

#[tokio::test]
async fn a_reset_is_answered_the_same_whether_or_not_the_address_has_an_account() {
    let app = TestApp::spawn().await;
    app.person("ada@tu.test", &[]).await;
    let guest = app.browser();
    assert_eq!(guest.get("/password/forgot").await.status, 200);
    let known = guest
        .post("/password/forgot", &[("email", "Ada@tu.test")])
        .await;
    let unknown = guest
        .post("/password/forgot", &[("email", "nobody@tu.test")])
        .await;
    assert_eq!(known.status, 303);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.location(), known.location());
    assert_eq!(known.set_cookies(), unknown.set_cookies());
    let page = guest.follow(&known).await;
    assert!(
        page.body.contains("If that address has a flipside account"),
        "{}",
        page.body
    );

    assert!(
        app.store
            .emails_to("nobody@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    let sent = app.store.emails_to("ada@tu.test").await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].body_text.contains("for 1 hour.") && !sent[0].body_text.contains("1 hours"),
        "{}",
        sent[0].body_text
    );
    let link = app.password_link_sent_to("ada@tu.test").await;
    let r = guest
        .post(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = guest
        .post(
            "/sign-in",
            &[
                ("email", "ada@tu.test"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "the old password no longer works");
}

#[tokio::test]
async fn setting_a_password_by_link_ends_every_session_of_the_person() {
    let app = TestApp::spawn().await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    assert_eq!(ada.get("/account").await.status, 200);
    app.browser()
        .post("/password/forgot", &[("email", "ada@tu.test")])
        .await;
    let link = app.password_link_sent_to("ada@tu.test").await;
    let r = app
        .browser()
        .post(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = ada.get("/account").await;
    assert_eq!(after.status, 303, "the old session has ended");
    assert_eq!(after.location(), "/sign-in?next=%2Faccount");
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let here = app.as_role("ada@tu.test", &[]).await;
    let elsewhere = app.signed_in("ada@tu.test").await;
    let page = here.get("/account").await;
    assert!(page.body.contains("Change your password"));
    let r = here
        .post(
            "/account/password",
            &[
                ("current", "not my password"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("current password is not right"),
        "{}",
        r.body
    );
    let r = here
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", "password123"),
                ("confirm", "password123"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("most common"), "{}", r.body);
    let r = here
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(here.get("/account").await.status, 200, "this session stays");
    assert_eq!(
        elsewhere.get("/account").await.status,
        303,
        "the other one ends"
    );
    let r = app
        .browser()
        .post(
            "/sign-in",
            &[
                ("email", "ada@tu.test"),
                ("password", NEW_PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
}

#[tokio::test]
async fn a_disabled_account_loses_its_session_and_api_token_at_once_and_can_be_enabled_again() {
    let app = TestApp::spawn().await;
    let admin = app.as_role("morgan@tu.test", &admin_grants()).await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    let ada_id = app.store.user_by_email("ada@tu.test").await.unwrap().id;
    let token = app
        .store
        .create_api_token(ada_id, "script", chrono::Duration::days(90))
        .await
        .unwrap()
        .0;
    let api = reqwest::Client::new();
    let me = || api.get(app.url("/api/v1/me")).bearer_auth(&token).send();
    assert_eq!(me().await.unwrap().status(), 200);

    let r = admin
        .post(&format!("/admin/people/{ada_id}/disable"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.follow(&r).await.body.contains("account disabled"));
    assert_eq!(ada.get("/account").await.status, 303);
    let r = me().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:flipside:problem:unauthenticated");
    let r = app
        .browser()
        .post(
            "/sign-in",
            &[
                ("email", "ada@tu.test"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "a disabled account cannot sign in");
    // An administrator cannot lock themselves out.
    let me_id = app.store.user_by_email("morgan@tu.test").await.unwrap().id;
    assert_eq!(
        admin
            .post(&format!("/admin/people/{me_id}/disable"), &[])
            .await
            .status,
        409
    );

    let r = admin
        .post(&format!("/admin/people/{ada_id}/enable"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(me().await.unwrap().status(), 200);
    let actions: Vec<String> = app
        .store
        .audit_entries(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["user_disabled", "user_enabled"] {
        assert!(actions.contains(&a.to_string()), "{a}: {actions:?}");
    }
    // Only administrators may do it.
    let other = app.as_role("sam@tu.test", &[]).await;
    assert_eq!(
        other
            .post(&format!("/admin/people/{ada_id}/disable"), &[])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn an_invited_leader_without_sso_is_sent_a_set_password_link_when_accepting() {
    let app = TestApp::spawn().await;
    let (_, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let (_, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: cycle,
            email: "rhea@tu.test",
            name: "Rhea Okafor",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let guest = app.browser();
    let r = guest
        .post(
            &format!("/invitations/{token}/accept"),
            &[("interests", "assessment"), ("availability", "tue-pm")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let emails = app.store.emails_to("rhea@tu.test").await.unwrap();
    let link_email = emails
        .iter()
        .find(|e| e.dedup_key.starts_with("account-link:"))
        .expect("a set-password link was queued with the acceptance");
    assert_eq!(link_email.subject, "Choose your flipside password");
    let link = app.password_link_sent_to("rhea@tu.test").await;
    let r = guest
        .post(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = guest
        .post(
            "/sign-in",
            &[
                ("email", "rhea@tu.test"),
                ("password", NEW_PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn a_name_with_a_line_break_is_refused_where_it_is_typed() {
    let app = TestApp::spawn().await;
    let admin = app.as_role("morgan@tu.test", &admin_grants()).await;
    let r = admin
        .post(
            "/admin/people",
            &[
                ("email", "eve@tu.test"),
                ("display_name", "Eve\r\nBcc: all@tu.test"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("must be on one line"), "{}", r.body);
    assert!(app.store.user_by_email("eve@tu.test").await.is_err());

    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coord = app
        .as_role(
            "coord@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let r = coord
        .post(
            &format!("/cycles/{cycle}/invitations"),
            &[
                ("name", "Prof\nRhea"),
                ("email", "rhea@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("must be on one line"), "{}", r.body);
    assert!(
        app.store
            .emails_to("rhea@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_email_that_cannot_be_built_fails_alone_and_the_next_one_still_goes() {
    // A store without a running app, so that this test's worker pass is the only one.
    let (store, _dir) = crate::helpers::fresh_store().await;
    let email = |key, to, name| NewEmail {
        dedup_key: key,
        to_address: to,
        to_name: name,
        subject: "Your mentoring meeting",
        body_text: "Tuesday at 10:00.",
        calendar: None,
    };
    // Written straight into the outbox, as a name from before names were checked would be.
    store
        .enqueue_email(&email("bad", "bad@tu.test", "Eve\r\nBcc: all@tu.test"))
        .await
        .unwrap();
    store
        .enqueue_email(&email("good", "good@tu.test", "Ada Okafor"))
        .await
        .unwrap();
    let dir = crate::helpers::temp_dir("mail-bad-name");
    let mailer = Mailer::from_settings(&Settings {
        mail_dir: Some(dir),
        ..Settings::default()
    })
    .unwrap();
    let pass = deliver_due(&store, &mailer, flipside_store::now())
        .await
        .unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 1), "{pass:?}");
    let bad = &store.emails_to("bad@tu.test").await.unwrap()[0];
    let good = &store.emails_to("good@tu.test").await.unwrap()[0];
    assert_eq!(bad.status, "failed");
    // The reason is what `/admin/emails` shows (see `email::admins_see_how_emails_fared_...`).
    assert!(bad.last_error.contains("line break"), "{}", bad.last_error);
    assert_eq!(good.status, "sent");
}

#[tokio::test]
async fn api_tokens_are_listed_with_their_use_and_expiry_and_revoked_or_expired_ones_are_refused() {
    let app = TestApp::spawn().await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    let r = ada
        .post(
            "/account/tokens",
            &[("name", "weekly report"), ("days", "30"), ("scope", "read")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let at = r.body.find("fs_").expect("the new token is shown once");
    let token = r.body[at..at + 3 + 64].to_string();
    // A lifetime that is not offered is refused.
    let r = ada
        .post(
            "/account/tokens",
            &[("name", "forever"), ("days", "100000")],
        )
        .await;
    assert_eq!(r.status, 422);

    let api = reqwest::Client::new();
    let me = |t: String| api.get(app.url("/api/v1/me")).bearer_auth(t).send();
    assert_eq!(me(token.clone()).await.unwrap().status(), 200);
    let page = ada.get_ok("/account").await;
    assert!(page.body.contains("weekly report"), "{}", page.body);
    assert!(
        !page.body.contains(&token),
        "the token is never shown again"
    );
    let row = &page.body[page.body.find("<td>weekly report</td>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td>active</td>"), "{row}");
    assert!(
        !row.contains("<td>never</td>"),
        "its last use is shown: {row}"
    );

    let id = app
        .store
        .api_tokens_of(app.store.user_by_email("ada@tu.test").await.unwrap().id)
        .await
        .unwrap()[0]
        .id;
    // Nobody else can revoke it.
    let sam = app.as_role("sam@tu.test", &[]).await;
    assert_eq!(
        sam.post(&format!("/account/tokens/{id}/revoke"), &[])
            .await
            .status,
        404
    );
    assert_eq!(me(token.clone()).await.unwrap().status(), 200);
    let r = ada.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status, 303);
    let r = me(token).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(ada.get("/account").await.body.contains("<td>revoked</td>"));

    // An expired token is refused.
    let r = ada
        .post(
            "/account/tokens",
            &[("name", "old"), ("days", "7"), ("scope", "read")],
        )
        .await;
    let at = r.body.find("fs_").unwrap();
    let old = r.body[at..at + 3 + 64].to_string();
    assert_eq!(me(old.clone()).await.unwrap().status(), 200);
    app.store
        .execute_admin("UPDATE api_tokens SET expires_at = created_at")
        .await
        .unwrap();
    assert_eq!(me(old).await.unwrap().status(), 401);
    assert!(ada.get("/account").await.body.contains("<td>expired</td>"));
}

#[tokio::test]
async fn email_sign_in_links_are_off_until_an_admin_switches_them_on_and_then_work_once() {
    let app = TestApp::spawn().await;
    app.person("ada@tu.test", &[]).await;
    let guest = app.browser();
    assert!(
        !guest
            .get_ok("/sign-in")
            .await
            .body
            .contains("Email me a sign-in link")
    );
    let r = guest
        .post("/sign-in/email", &[("email", "ada@tu.test")])
        .await;
    assert_eq!(r.status, 404, "off by default");
    assert!(app.store.emails_to("ada@tu.test").await.unwrap().is_empty());

    let admin = app.as_role("morgan@tu.test", &admin_grants()).await;
    let r = admin
        .post(
            "/admin/organisation/email-sign-in",
            &[("email_sign_in", "on")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        guest
            .get("/sign-in")
            .await
            .body
            .contains("Email me a sign-in link")
    );

    let known = guest
        .post("/sign-in/email", &[("email", "ada@tu.test")])
        .await;
    let unknown = guest
        .post("/sign-in/email", &[("email", "nobody@tu.test")])
        .await;
    assert_eq!((known.status, known.location()), (303, "/sign-in"));
    assert_eq!(
        (unknown.status, unknown.location()),
        (known.status, known.location())
    );
    assert_eq!(known.set_cookies(), unknown.set_cookies());
    assert!(
        app.store
            .emails_to("nobody@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    let sent = app.store.emails_to("ada@tu.test").await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body_text.contains("15 minutes"));
    let at = sent[0].body_text.find("/sign-in/email/").unwrap();
    let link = sent[0].body_text[at..at + "/sign-in/email/".len() + 64].to_string();

    // Opening the link (as a mail scanner would) signs nobody in and does not use it up.
    let page = guest.get(&link).await;
    assert_eq!(page.status, 200);
    assert_eq!(guest.get("/account").await.status, 303);
    let r = guest.post(&link, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(guest.get("/account").await.status, 200);
    // Once only.
    let other = app.browser();
    assert_eq!(other.post(&link, &[]).await.status, 404);

    // Expired after its 15 minutes.
    guest
        .post("/sign-in/email", &[("email", "ada@tu.test")])
        .await;
    let sent = app.store.emails_to("ada@tu.test").await.unwrap();
    let last = &sent.last().unwrap().body_text;
    let at = last.find("/sign-in/email/").unwrap();
    let link = last[at..at + "/sign-in/email/".len() + 64].to_string();
    app.store
        .execute_admin("UPDATE account_links SET expires_at = created_at")
        .await
        .unwrap();
    assert_eq!(app.browser().post(&link, &[]).await.status, 404);
}

#[tokio::test]
async fn an_api_token_whose_audit_entry_cannot_be_written_is_neither_issued_nor_revoked() {
    let app = TestApp::spawn().await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    let ada_id = app.user_id("ada@tu.test").await;
    let issue = [("name", "weekly report"), ("days", "30"), ("scope", "read")];

    app.refuse_inserts_into("audit_log").await;
    let r = ada.post("/account/tokens", &issue).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(!r.body.contains("fs_"), "no token shown: {}", r.body);
    app.allow_inserts_into("audit_log").await;
    assert!(app.store.api_tokens_of(ada_id).await.unwrap().is_empty());

    let r = ada.post("/account/tokens", &issue).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut seen = 0;
    app.audited_once(
        &mut seen,
        "api_token_",
        ada_id,
        "api_token_created",
        ("user", ada_id),
    )
    .await;
    let at = r.body.find("fs_").unwrap();
    let token = r.body[at..at + 3 + 64].to_string();
    let id = app.store.api_tokens_of(ada_id).await.unwrap()[0].id;

    app.refuse_inserts_into("audit_log").await;
    let revoke = format!("/account/tokens/{id}/revoke");
    assert_eq!(ada.post(&revoke, &[]).await.status, 500);
    app.allow_inserts_into("audit_log").await;
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "still in force");

    assert_eq!(ada.post(&revoke, &[]).await.status, 303);
    app.audited_once(
        &mut seen,
        "api_token_",
        ada_id,
        "api_token_revoked",
        ("user", ada_id),
    )
    .await;
}
