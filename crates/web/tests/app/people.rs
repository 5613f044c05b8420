use crate::helpers::{PASSWORD, TestApp};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn an_admin_adds_a_person_grants_a_scoped_role_and_revokes_it_with_each_change_audited() {
    let app = TestApp::spawn().await;
    let f = app.store.create_faculty("Social Sciences").await.unwrap();
    let law = app
        .store
        .create_school(f, "School of Law", "LAW")
        .await
        .unwrap();
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let r = admin
        .post(
            "/admin/people",
            &[("email", "ruth@tu.test"), ("display_name", "Ruth Adeyemi")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ruth = app.store.user_by_email("ruth@tu.test").await.unwrap();
    let r = admin
        .post(
            &format!("/admin/people/{}/roles", ruth.id),
            &[("role", "school_lead"), ("scope", &format!("school:{law}"))],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.follow(&r).await;
    assert!(page.body.contains("School: School of Law"), "{}", page.body);
    let grants = app.store.grants_of(ruth.id).await.unwrap();
    assert_eq!(grants[0].grant().unwrap().scope, Scope::School(law));

    // A role in a scope it cannot have is refused with a message next to the field.
    let r = admin
        .post(
            &format!("/admin/people/{}/roles", ruth.id),
            &[("role", "school_lead"), ("scope", "organisation")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("cannot be scoped"), "{}", r.body);

    let r = admin
        .post(
            &format!("/admin/people/{}/roles/{}/revoke", ruth.id, grants[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(app.store.grants_of(ruth.id).await.unwrap().is_empty());
    let actions: Vec<String> = app
        .store
        .audit_entries(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["user_created", "role_granted", "role_revoked"] {
        assert!(
            actions.contains(&a.to_string()),
            "{a} not audited: {actions:?}"
        );
    }
    // The new person chooses a password by the emailed link, signs in, and no longer holds
    // the revoked role.
    let link = app.password_link_sent_to("ruth@tu.test").await;
    let r = app
        .browser()
        .post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let b = app.signed_in("ruth@tu.test").await;
    assert!(b.get("/account").await.body.contains("None yet."));
}

#[tokio::test]
async fn adding_a_person_with_bad_input_names_each_field() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let r = admin
        .post(
            "/admin/people",
            &[("email", "not-an-email"), ("display_name", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The email address needs exactly one @"));
    assert!(
        r.body.contains("The person&#39;s name is required."),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("name=\"password\""),
        "an administrator never chooses another person's password"
    );
    assert!(r.body.contains("value=\"not-an-email\""));
    let r = admin
        .post(
            "/admin/people",
            &[("email", "MORGAN@tu.test"), ("display_name", "Dup")],
        )
        .await;
    assert!(
        r.body.contains("already exists"),
        "emails are unique regardless of case"
    );
}

#[tokio::test]
async fn an_admin_edits_organisation_settings_labels_and_schools() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let page = admin.get("/admin/organisation").await;
    for label in [
        "UK ethnically minoritised",
        "Mature (21+) entry",
        "International",
        "Widening participation background",
        "In my own words",
    ] {
        assert!(page.body.contains(label), "default label {label} missing");
    }
    let r = admin
        .post(
            "/admin/organisation",
            &[
                ("name", "Northmoor"),
                ("min_cell", "10"),
                ("disclosure_preset", "publication"),
                ("hours_target", "18"),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let org = app.store.organisation().await.unwrap().unwrap();
    assert_eq!(
        (
            org.min_cell,
            org.disclosure_preset.as_str(),
            org.hours_target
        ),
        (10, "publication", 18)
    );
    let r = admin
        .post(
            "/admin/organisation",
            &[
                ("name", "Northmoor"),
                ("min_cell", "0"),
                ("disclosure_preset", "secret"),
                ("hours_target", "18"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("from 3 to 100")
            && r.body
                .contains("Choose the internal or the publication rule.")
    );

    assert_eq!(
        admin
            .post(
                "/admin/organisation/labels",
                &[("name", "Care experienced"), ("description", "")]
            )
            .await
            .status,
        303
    );
    assert!(
        app.store
            .identity_labels()
            .await
            .unwrap()
            .iter()
            .any(|l| l.name == "Care experienced")
    );
    assert_eq!(
        admin
            .post("/admin/organisation/faculties", &[("name", "Arts")])
            .await
            .status,
        303
    );
    let arts = app.store.faculties().await.unwrap()[0].id;
    assert_eq!(
        admin
            .post(
                "/admin/organisation/schools",
                &[
                    ("name", "School of History"),
                    ("code", "HIS"),
                    ("faculty_id", &arts.to_string())
                ]
            )
            .await
            .status,
        303
    );
    let r = admin
        .post(
            "/admin/organisation/schools",
            &[
                ("name", "School of History"),
                ("code", "HIS2"),
                ("faculty_id", &arts.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "duplicate School");
    assert!(
        r.body.contains("already exists"),
        "the conflict is shown next to its field"
    );
    // Each addition is audited once; the refused duplicate is not.
    for action in ["identity_label_added", "faculty_added", "school_added"] {
        assert_eq!(
            app.store
                .audit_entries(Some(action), 10)
                .await
                .unwrap()
                .len(),
            1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn adding_a_faculty_or_a_school_commits_with_its_audit_entry_or_not_at_all() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    app.store.create_faculty("Sciences").await.unwrap();
    let sciences = app.store.faculties().await.unwrap()[0].id;
    app.refuse_inserts_into("audit_log").await;
    let r = admin
        .post("/admin/organisation/faculties", &[("name", "Arts")])
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    let sciences_id = sciences.to_string();
    let r = admin
        .post(
            "/admin/organisation/schools",
            &[
                ("name", "School of Physics"),
                ("code", "PHY"),
                ("faculty_id", sciences_id.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    // Without their audit entries, neither was kept.
    let faculties = app.store.faculties().await.unwrap();
    assert_eq!(faculties.len(), 1, "{faculties:?}");
    assert!(app.store.schools().await.unwrap().is_empty());

    app.allow_inserts_into("audit_log").await;
    let r = admin
        .post("/admin/organisation/faculties", &[("name", "Arts")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.store.faculties().await.unwrap().len(), 2);
    assert_eq!(app.audited("faculty_added").await, 1);
}

#[tokio::test]
async fn the_people_page_searches_by_name_or_email_and_shows_fifty_a_page() {
    let app = TestApp::spawn().await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    for i in 0..55 {
        app.store
            .create_user(flipside_store::NewUser {
                email: &format!("student{i:02}@tu.test"),
                display_name: &format!("Student Number {i:02}"),
                password_hash: None,
                school_id: None,
            })
            .await
            .unwrap();
    }
    app.store
        .create_user(flipside_store::NewUser {
            email: "h.marsh@tu.test",
            display_name: "Professor Helen Marsh",
            password_hash: None,
            school_id: None,
        })
        .await
        .unwrap();
    // 57 people (with the admin): two pages.
    let first = admin.get_ok("/admin/people").await.body;
    assert!(first.contains("Showing 1–50 of 57 people."), "{first}");
    assert!(first.contains("page 1 of 2"));
    assert!(first.contains("href=\"/admin/people?page=2\""), "{first}");
    assert_eq!(
        first.matches("<tr><td><a href=\"/admin/people/").count(),
        50
    );
    let second = admin.get_ok("/admin/people?page=2").await.body;
    assert!(second.contains("Showing 51–57 of 57 people."), "{second}");
    assert_eq!(
        second.matches("<tr><td><a href=\"/admin/people/").count(),
        7
    );
    assert!(second.contains("href=\"/admin/people?page=1\""));
    // A page past the end shows the last one.
    assert!(
        admin
            .get_ok("/admin/people?page=9")
            .await
            .body
            .contains("Showing 51–57")
    );

    // By name, in any case; by part of the email address.
    let by_name = admin.get_ok("/admin/people?q=helen+MARSH").await.body;
    assert!(
        by_name.contains("Showing 1–1 of 1 person matching “helen MARSH”."),
        "{by_name}"
    );
    assert!(by_name.contains("Professor Helen Marsh"));
    assert!(!by_name.contains("Student Number"));
    let by_email = admin.get_ok("/admin/people?q=student5").await.body;
    assert!(by_email.contains("Showing 1–5 of 5 people"), "{by_email}");
    // Paging keeps the search.
    let many = admin.get_ok("/admin/people?q=Student").await.body;
    assert!(
        many.contains("href=\"/admin/people?page=2&#38;q=Student\""),
        "{many}"
    );
    let none = admin.get_ok("/admin/people?q=nobody-here").await.body;
    assert!(none.contains("Nobody matches “nobody-here”."));
    assert!(!none.contains("<table>"));
}
