use crate::helpers::{TestApp, h1};
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn a_coordinator_creates_a_scheme_and_sees_it_listed() {
    let app = TestApp::spawn().await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let r = b
        .post(
            "/schemes",
            &[
                ("name", "Reverse Mentoring"),
                ("kind", "institutional"),
                ("purpose", "Leaders learn from students."),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert_eq!(h1(&page.body), "Reverse Mentoring");
    assert!(
        page.body.contains("Reverse Mentoring&#39; created.")
            || page.body.contains("Reverse Mentoring&#x27; created."),
        "{}",
        page.body
    );
    assert!(b.get("/schemes").await.body.contains("Reverse Mentoring"));
    // The flash message is shown once.
    let again = b.get_ok(r.location()).await;
    assert!(!again.body.contains("created."), "flash shown twice");
}

#[tokio::test]
async fn a_scheme_form_with_errors_is_shown_again_with_each_error_and_the_input_kept() {
    let app = TestApp::spawn().await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let r = b
        .post(
            "/schemes",
            &[
                ("name", "  "),
                ("kind", "school"),
                ("purpose", "Keep this purpose"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Name is required."), "{}", r.body);
    assert!(r.body.contains("A School-level pilot needs its School."));
    assert!(r.body.contains("Keep this purpose"), "input kept");
    assert!(r.body.contains("There is a problem"));
    assert!(
        app.store.schemes().await.unwrap().is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn scheme_names_are_unique() {
    let app = TestApp::spawn().await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let form = [
        ("name", "Pilot"),
        ("kind", "institutional"),
        ("purpose", "p"),
        ("school_id", ""),
    ];
    assert_eq!(b.post("/schemes", &form).await.status, 303);
    let r = b.post("/schemes", &form).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("a scheme called &#39;Pilot&#39; already exists")
            || r.body.contains("already exists"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn user_text_is_escaped_on_scheme_pages() {
    let app = TestApp::spawn().await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let evil = "<script>alert('x')</script>";
    let r = b
        .post(
            "/schemes",
            &[
                ("name", evil),
                ("kind", "institutional"),
                ("purpose", evil),
                ("school_id", ""),
            ],
        )
        .await;
    let page = b.follow(&r).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>alert"), "raw script in page");
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
    let list = b.get_ok("/schemes").await;
    assert!(!list.body.contains("<script>alert"));
}

#[tokio::test]
async fn a_school_pilot_records_its_school() {
    let app = TestApp::spawn().await;
    let f = app.store.create_faculty("Social Sciences").await.unwrap();
    let law = app
        .store
        .create_school(f, "School of Law", "LAW")
        .await
        .unwrap();
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let r = b
        .post(
            "/schemes",
            &[
                ("name", "Law pilot"),
                ("kind", "school"),
                ("purpose", "p"),
                ("school_id", &law.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(page.body.contains("School of Law"));
    assert_eq!(app.store.schemes().await.unwrap()[0].school_id, Some(law));
}
