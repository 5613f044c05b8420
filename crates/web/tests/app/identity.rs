//! Tutoring records are linked to the people they describe, not to whoever holds an email
//! (issue 10): a record is linked when the person signs in with its address, never to an
//! importer, and an import that changes a linked record's email unlinks it and tells them.
use crate::helpers::{Browser, TestApp};
use flipside_core::cycle::AcademicYear;
use flipside_core::role::{Role, Scope};

const SCHOOLS: &str =
    "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat.marsh@tu.test,LAW,LLB Law,2\n";

fn tutors(email: &str) -> String {
    format!("tutor_id,name,email,school_code,capacity\nT1,Ada Quill,{email},LAW,3\n")
}

fn assignments() -> String {
    let year = AcademicYear::containing(chrono::Utc::now().date_naive());
    format!("student_id,tutor_id,academic_year\nS1,T1,{year}\n")
}

/// Uploads the files through the import page as `importer`; answers the status.
async fn import(importer: &Browser, files: &[(&str, &str, &str)]) -> u16 {
    let page = importer
        .post_multipart("/admin/import", &[], files, true)
        .await;
    page.status
}

async fn ada_teaches_cat(app: &TestApp) -> Browser {
    let coordinator = app
        .as_role("coord@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let tutors = tutors("ada@tu.test");
    let assignments = assignments();
    let status = import(
        &coordinator,
        &[
            ("schools", "schools.csv", SCHOOLS),
            ("tutors", "tutors.csv", &tutors),
            ("students", "students.csv", STUDENTS),
            ("assignments", "assignments.csv", &assignments),
        ],
    )
    .await;
    assert_eq!(status, 200);
    coordinator
}

#[tokio::test]
async fn a_coordinator_who_imports_their_own_email_onto_a_tutors_record_cannot_read_that_tutors_tutees()
 {
    let app = TestApp::spawn().await;
    let coordinator = ada_teaches_cat(&app).await;
    // Ada signs in with her address: her record is linked to her, and she sees her tutee.
    let ada = app.as_role("ada@tu.test", &[]).await;
    let tutees = ada.get("/tutoring/tutees").await;
    assert_eq!(tutees.status, 200, "{}", tutees.body);
    assert!(tutees.body.contains("Cat Marsh"), "{}", tutees.body);
    assert_eq!(app.audited("tutoring_record_linked").await, 1);

    // The coordinator puts their own email on Ada's record.
    let theirs = tutors("coord@tu.test");
    assert_eq!(
        import(&coordinator, &[("tutors", "tutors.csv", &theirs)]).await,
        200
    );
    let cat = app
        .store
        .tutoring_student_by_external_id("S1")
        .await
        .unwrap()
        .id;
    // (An organisation's coordinator may see a student's record, never as their tutor.)
    for path in [
        "/tutoring/tutees".to_string(),
        format!("/tutoring/students/{cat}/profile"),
    ] {
        let page = coordinator.get(&path).await;
        assert!(matches!(page.status, 403 | 404), "{path}: {}", page.status);
        assert!(!page.body.contains("Cat Marsh"), "{path}: {}", page.body);
    }
    // Signing in afresh does not link the coordinator either.
    let again = app.signed_in("coord@tu.test").await;
    assert_eq!(again.get("/tutoring/tutees").await.status, 403);
    assert_eq!(app.audited("tutoring_record_linked").await, 1);

    // Ada's link was undone, audited, and she was told.
    assert_eq!(ada.get("/tutoring/tutees").await.status, 403);
    assert_eq!(app.audited("tutoring_record_unlinked").await, 1);
    let told = app.store.emails_to("ada@tu.test").await.unwrap();
    assert!(
        told.iter()
            .any(|e| e.subject == "Your tutor record on flipside was unlinked"),
        "{told:?}"
    );
}

#[tokio::test]
async fn an_import_that_cannot_tell_the_unlinked_person_changes_nothing() {
    let app = TestApp::spawn().await;
    let coordinator = ada_teaches_cat(&app).await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    assert_eq!(ada.get("/tutoring/tutees").await.status, 200);
    let imports = app.audited("tutoring_imported").await;

    app.refuse_emails().await;
    let other = tutors("someone.else@tu.test");
    assert_eq!(
        import(&coordinator, &[("tutors", "tutors.csv", &other)]).await,
        500
    );
    // The email, the link, the audit entries and the rows stand or fall together.
    assert_eq!(ada.get("/tutoring/tutees").await.status, 200);
    assert_eq!(app.audited("tutoring_imported").await, imports);
    assert_eq!(app.audited("tutoring_record_unlinked").await, 0);
}

#[tokio::test]
async fn a_schemes_coordinator_who_is_a_personal_tutor_is_linked_to_their_record() {
    let app = TestApp::spawn().await;
    ada_teaches_cat(&app).await;
    // Ada also coordinates a mentoring scheme: she cannot import, so her record is hers.
    let (scheme, _) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let ada = app
        .as_role("ada@tu.test", &[(Role::Coordinator, Scope::Scheme(scheme))])
        .await;
    let tutees = ada.get("/tutoring/tutees").await;
    assert_eq!(tutees.status, 200, "{}", tutees.body);
    assert!(tutees.body.contains("Cat Marsh"), "{}", tutees.body);
    assert_eq!(app.audited("tutoring_record_linked").await, 1);
}
