//! Parse once, into domain types: what a form refuses because it cannot be an `Email` or a
//! one-line name, and what a page does with a stored state no version of flipside writes.
use crate::helpers::{PASSWORD, TestApp};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn a_line_break_or_control_character_in_a_name_is_refused_wherever_a_person_is_named() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    for bad in ["Ruth\nAdeyemi", "Ruth\r\nAdeyemi", "Ruth\u{0}Adeyemi"] {
        let r = admin
            .post(
                "/admin/people",
                &[
                    ("email", "ruth@tu.test"),
                    ("display_name", bad),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{bad:?}: {}", r.body);
        assert!(r.body.contains("id=\"display_name-error\""), "{}", r.body);
        assert!(app.store.user_by_email("ruth@tu.test").await.is_err());
    }
    let r = admin
        .post(
            "/admin/people",
            &[
                ("email", "ruth@tu.test"),
                ("display_name", "Ruth\nAdeyemi"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(r.body.contains("must be on one line"), "{}", r.body);

    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coord = app
        .as_role(
            "coord@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let r = coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[
                ("name", "Prof Rhea\r\nBcc: everyone@tu.test"),
                ("email", "r.okafor@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Name must be on one line."), "{}", r.body);
    assert!(app.store.invitations_of(c).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_address_is_parsed_once_so_the_form_stores_what_the_sign_in_looks_up() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    for (bad, why) in [
        ("ruth", "needs exactly one @"),
        ("ruth@tu", "needs a domain after the @"),
        ("ru th@tu.test", "cannot contain spaces"),
        (
            "ruth@tu.test\u{7}",
            "cannot contain spaces or control characters",
        ),
    ] {
        let r = admin
            .post(
                "/admin/people",
                &[
                    ("email", bad),
                    ("display_name", "Ruth Adeyemi"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{bad:?}");
        assert!(r.body.contains(why), "{bad:?}: {}", r.body);
    }
    let r = admin
        .post(
            "/admin/people",
            &[
                ("email", "  Ruth.Adeyemi@TU.test "),
                ("display_name", " Ruth Adeyemi "),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ruth = app
        .store
        .user_by_email("ruth.adeyemi@tu.test")
        .await
        .unwrap();
    assert_eq!(ruth.email, "ruth.adeyemi@tu.test");
    assert_eq!(ruth.display_name, "Ruth Adeyemi");
    app.signed_in("RUTH.ADEYEMI@tu.test").await;
}
