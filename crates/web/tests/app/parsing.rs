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
    // A NUL is refused before any form is read (by the request guard, for every form).
    let r = admin
        .post(
            "/admin/people",
            &[
                ("email", "ruth@tu.test"),
                ("display_name", "Ruth\u{0}Adeyemi"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("NUL character"), "{}", r.body);
    assert!(app.store.user_by_email("ruth@tu.test").await.is_err());
    for bad in ["Ruth\nAdeyemi", "Ruth\r\nAdeyemi", "Ruth\u{7}Adeyemi"] {
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
    // Ruth sets her password from the link she was sent, then signs in however she types it.
    let link = app.password_link_sent_to("ruth.adeyemi@tu.test").await;
    let r = app
        .browser()
        .post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.signed_in("RUTH.ADEYEMI@tu.test").await;
}

/// Writes a value no version of flipside writes, behind the store's back.
async fn corrupt(app: &TestApp, sql: &str) {
    app.store.execute_admin(sql).await.unwrap();
}

#[tokio::test]
async fn a_corrupt_stored_status_answers_500_instead_of_passing_for_a_default() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let mentor = app.person("sam@tu.test", &[]).await;
    let mentee = app.person("lee@tu.test", &[]).await;
    let pair = app
        .publish_pairs(
            c,
            &[flipside_store::NewPair {
                mentor_id: mentor,
                mentee_id: mentee,
                reason: String::new(),
                cost: 0,
            }],
            None,
        )
        .await
        .unwrap()[0];
    let application = app
        .store
        .save_application(flipside_store::NewApplication {
            cycle_id: c,
            user_id: mentor,
            label_ids: &[],
            own_words: "",
            course: "BSc Law",
            level: "ug2",
            interests: "",
            availability: "",
            hopes: "",
            school_id: None,
            consents: &[flipside_core::recruitment::ConsentKind::TakePart],
        })
        .await
        .unwrap();
    let sam = app.signed_in("sam@tu.test").await;
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
                ("name", "Prof Rhea Okafor"),
                ("email", "r.okafor@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let pages = [
        format!("/pairs/{pair}"),
        format!("/cycles/{c}/my-application"),
    ];
    for page in &pages {
        let r = sam.get(page).await;
        assert_eq!(r.status, 200, "{page}: {}", r.body);
    }
    let invitations = format!("/cycles/{c}/invitations");
    assert_eq!(coord.get(&invitations).await.status, 200);

    // A paused pair is no pair flipside knows: the page must not show it as active.
    corrupt(
        &app,
        &format!("UPDATE pairs SET status = 'paused' WHERE id = {pair}"),
    )
    .await;
    let r = sam.get(&pages[0]).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(!r.body.contains("Active"), "{}", r.body);
    let err = app.store.pair(pair).await.unwrap_err();
    assert!(format!("{err:#}").contains("pair status"), "{err:#}");
    assert!(app.store.pair_counts(c).await.is_err());
    // The coordinators' hours per pair neither show it as active nor leave its state blank.
    let hours = coord.get(&format!("/cycles/{c}/meetings")).await;
    assert_eq!(hours.status, 500, "{}", hours.body);

    corrupt(
        &app,
        &format!("UPDATE applications SET status = 'Accepted' WHERE id = {application}"),
    )
    .await;
    let r = sam.get(&pages[1]).await;
    assert_eq!(r.status, 500, "{}", r.body);

    corrupt(&app, "UPDATE staff_invitations SET status = 'opened'").await;
    let r = coord.get(&invitations).await;
    assert_eq!(r.status, 500, "{}", r.body);

    // A kind no version writes was shown as "Other".
    assert_eq!(coord.get("/schemes").await.status, 200);
    corrupt(&app, "UPDATE schemes SET kind = 'secret'").await;
    let r = coord.get("/schemes").await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(!r.body.contains("Other"), "{}", r.body);
}

#[tokio::test]
async fn the_store_refuses_to_decode_a_corrupt_cycle_state_or_survey_wave() {
    use flipside_core::evaluation::Wave;
    use flipside_core::surveys::WaveDates;
    let app = TestApp::spawn().await;
    let (_, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    app.store
        .set_wave_dates(
            c,
            &[WaveDates {
                wave: Wave::Post,
                opens_on: day,
                closes_on: day,
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        app.store.survey_waves(c).await.unwrap()[0].wave(),
        Wave::Post
    );
    assert!(app.store.cycle(c).await.unwrap().state().is_ok());

    // Not a word any version writes: an error, never the first wave or any other state.
    corrupt(&app, "UPDATE survey_waves SET wave = 'mid'").await;
    let err = app.store.survey_waves(c).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("'mid' is not a survey wave"),
        "{err:#}"
    );
    corrupt(
        &app,
        &format!("UPDATE cycles SET state = '' WHERE id = {c}"),
    )
    .await;
    let err = app.store.cycle(c).await.unwrap_err();
    assert!(format!("{err:#}").contains("cycle state"), "{err:#}");
}
