//! Importing an institution for personal tutoring through the upload page.
use crate::helpers::{Browser, TestApp};
use flipside_core::role::{Role, Scope};

const SCHOOLS: &str = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts and Humanities\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity,office\nT1,Ada Quill,ada.quill@example.ac.uk,LAW,12,B12\nT2,Ben Sorrel,ben.sorrel@example.ac.uk,HIS,8,\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study,entry_age,identity_labels,identity_consent\nS1,Cat Marsh,cat.marsh@example.ac.uk,LAW,LLB Law,2,24,Mature (21+) entry;International,yes\nS2,Dan Reed,dan.reed@example.ac.uk,HIS,BA History,1,,,no\nS3,Eve Lark,eve.lark@example.ac.uk,LAW,LLB Law,3,19,,\n";
const ASSIGNMENTS: &str = "student_id,tutor_id,academic_year\nS1,T1,2024/25\nS3,T1,2024/25\n";

fn all_files() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("schools", "schools.csv", SCHOOLS),
        ("tutors", "tutors.csv", TUTORS),
        ("students", "students.csv", STUDENTS),
        ("assignments", "assignments.csv", ASSIGNMENTS),
    ]
}

async fn admin(app: &TestApp) -> Browser {
    app.as_role("admin@example.ac.uk", &[(Role::Admin, Scope::Organisation)])
        .await
}

/// (tutors, students, capacity) summed over every School.
async fn totals(app: &TestApp) -> (i64, i64, i64) {
    app.store
        .tutoring_by_school()
        .await
        .unwrap()
        .iter()
        .fold((0, 0, 0), |(t, s, c), row| {
            (t + row.tutors, s + row.students, c + row.capacity)
        })
}

#[tokio::test]
async fn an_import_writes_everything_and_importing_it_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    let page = browser
        .post_multipart("/admin/import", &[], &all_files(), true)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h2>Imported</h2>"), "{}", page.body);
    assert_eq!(totals(&app).await, (2, 3, 20));
    let schools = app.store.schools().await.unwrap();
    assert_eq!(schools.len(), 2);
    assert_eq!(app.store.faculties().await.unwrap().len(), 2);
    // Labels are held only for the student who consented.
    assert_eq!(
        app.store.tutoring_student_labels("S1").await.unwrap(),
        vec!["International", "Mature (21+) entry"]
    );
    assert!(
        app.store
            .tutoring_student_labels("S2")
            .await
            .unwrap()
            .is_empty()
    );
    let loads = app.store.tutor_loads(2024).await.unwrap();
    let ada = loads.iter().find(|l| l.external_id == "T1").unwrap();
    assert_eq!(
        (ada.capacity, ada.assigned, ada.school_code.as_str()),
        (12, 2, "LAW")
    );

    let again = browser
        .post_multipart("/admin/import", &[], &all_files(), true)
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(
        again
            .body
            .contains("Nothing changed: every row matches what is stored."),
        "{}",
        again.body
    );
    // Every row of the second import is counted as unchanged.
    assert!(
        again
            .body
            .contains("<th scope=\"row\">Students</th><td>0</td><td>0</td><td>3</td>")
    );
    assert_eq!(totals(&app).await, (2, 3, 20));
    assert_eq!(app.store.tutor_loads(2024).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_changed_row_is_updated_and_withdrawn_consent_removes_labels() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    browser
        .post_multipart("/admin/import", &[], &all_files(), true)
        .await;
    let students = STUDENTS.replace("Mature (21+) entry;International,yes", ",no");
    let page = browser
        .post_multipart(
            "/admin/import",
            &[],
            &[("students", "students.csv", &students)],
            true,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<th scope=\"row\">Students</th><td>0</td><td>1</td><td>2</td>"),
        "{}",
        page.body
    );
    assert!(
        app.store
            .tutoring_student_labels("S1")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_file_with_one_bad_line_changes_nothing_and_the_page_names_line_and_column() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    let students = format!("{STUDENTS}S4,Finn Oake,finn.oake@example.ac.uk,LAWX,LLB Law,1,,,\n");
    let page = browser
        .post_multipart(
            "/admin/import",
            &[],
            &[
                ("schools", "schools.csv", SCHOOLS),
                ("tutors", "tutors.csv", TUTORS),
                ("students", "students.csv", &students),
            ],
            true,
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("<h3>students.csv</h3>"), "{}", page.body);
    assert!(
        page.body
            .contains("Line 5, column school_code: unknown School &#39;LAWX&#39;"),
        "{}",
        page.body
    );
    assert!(page.body.contains("nothing was imported"));
    // The valid Schools, tutors and earlier students were not written either.
    assert!(app.store.schools().await.unwrap().is_empty());
    assert_eq!(totals(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn a_conflict_found_while_writing_rolls_back_the_rows_written_before_it() {
    let app = TestApp::spawn().await;
    let faculty = app.store.create_faculty("Faculty of Arts").await.unwrap();
    app.store
        .create_school(faculty, "School of History", "HIS")
        .await
        .unwrap();
    let browser = admin(&app).await;
    // LAW is new and valid; HIST takes a name another School already has, which only the
    // database notices, after LAW and its faculty have been written in the transaction.
    let schools = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIST,School of History,Faculty of Arts\n";
    let page = browser
        .post_multipart(
            "/admin/import",
            &[],
            &[("schools", "schools.csv", schools)],
            true,
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("Nothing was imported"), "{}", page.body);
    let codes: Vec<String> = app
        .store
        .schools()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(codes, vec!["HIS"]);
    assert_eq!(app.store.faculties().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_dry_run_reports_what_would_change_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    let page = browser
        .post_multipart("/admin/import", &[("dry_run", "yes")], &all_files(), true)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("nothing was written"), "{}", page.body);
    assert!(
        page.body
            .contains("<th scope=\"row\">Students</th><td>3</td><td>0</td><td>0</td>")
    );
    assert!(app.store.schools().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_upload_without_the_csrf_field_is_refused() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    let page = browser
        .post_multipart("/admin/import", &[], &all_files(), false)
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(app.store.schools().await.unwrap().is_empty());
}

#[tokio::test]
async fn only_admins_and_organisation_wide_coordinators_may_import() {
    let app = TestApp::spawn().await;
    for (email, role, scope, status) in [
        ("admin@example.ac.uk", Role::Admin, Scope::Organisation, 200),
        (
            "coord@example.ac.uk",
            Role::Coordinator,
            Scope::Organisation,
            200,
        ),
        (
            "schemecoord@example.ac.uk",
            Role::Coordinator,
            Scope::Scheme(1),
            403,
        ),
        (
            "lead@example.ac.uk",
            Role::SchoolLead,
            Scope::School(1),
            403,
        ),
        ("tutor@example.ac.uk", Role::Tutor, Scope::Organisation, 403),
        (
            "student@example.ac.uk",
            Role::Student,
            Scope::Organisation,
            403,
        ),
    ] {
        let browser = app.as_role(email, &[(role, scope)]).await;
        assert_eq!(
            browser.get("/admin/import").await.status,
            status,
            "{email} GET"
        );
        let post = browser
            .post_multipart(
                "/admin/import",
                &[("dry_run", "yes")],
                &[("schools", "schools.csv", SCHOOLS)],
                true,
            )
            .await;
        assert_eq!(post.status, status, "{email} POST: {}", post.body);
    }
    // Signed out: sent to sign in, never shown the page.
    assert_ne!(app.browser().get("/admin/import").await.status, 200);
}

#[tokio::test]
async fn files_of_several_megabytes_upload_but_only_to_the_import_page() {
    let app = TestApp::spawn().await;
    let browser = admin(&app).await;
    // About 3 MB: over the ordinary form limit, as a large institution's students file is.
    let mut students = String::from("student_id,name,email,school_code,programme,year_of_study\n");
    for i in 0..30_000 {
        students.push_str(&format!(
            "S{i:06},Invented Student {i},s{i}@example.ac.uk,LAW,LLB Law with a long programme name,1\n"
        ));
    }
    assert!(students.len() > 2 * 1024 * 1024);
    let files = [
        ("schools", "schools.csv", SCHOOLS),
        ("students", "students.csv", students.as_str()),
    ];
    let page = browser
        .post_multipart("/admin/import", &[("dry_run", "yes")], &files, true)
        .await;
    assert_eq!(
        page.status,
        200,
        "{}",
        &page.body[..page.body.len().min(2000)]
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Students</th><td>30000</td>")
    );
    let elsewhere = browser
        .post_multipart("/admin/organisation", &[], &files, true)
        .await;
    assert_eq!(elsewhere.status, 413, "{}", elsewhere.body);
}
