//! Personal tutoring over the API (issue 16): imports, the allocation, tutees, contacts and the
//! dashboard, under the same rules as the pages.
use crate::api::{client, get, org_coordinator_token, post, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::cycle::AcademicYear;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

fn this_year() -> AcademicYear {
    AcademicYear::containing(chrono::Utc::now().date_naive())
}

fn last_year() -> AcademicYear {
    AcademicYear::from_start_year(this_year().start_year() - 1)
}

const SCHOOLS: &str = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada.quill@example.ac.uk,LAW,1\nT2,Ben Sorrel,ben.sorrel@example.ac.uk,LAW,3\nT3,Cy Holt,cy.holt@example.ac.uk,HIS,5\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat.marsh@example.ac.uk,LAW,LLB Law,2\nS2,Dan Reed,dan.reed@example.ac.uk,LAW,LLB Law,2\nS3,Eve Lark,eve.lark@example.ac.uk,HIS,BA History,1\n";

async fn import(app: &TestApp, token: &str, file: &str, csv: &str, dry: bool) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/tutoring/imports/{file}?dry_run={dry}")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

/// Imports the three files above and these assignments through the API.
async fn institution(app: &TestApp, token: &str, assignments: &str) {
    for (file, csv) in [
        ("schools", SCHOOLS),
        ("tutors", TUTORS),
        ("students", STUDENTS),
    ] {
        let r = import(app, token, file, csv, false).await;
        assert_eq!(r.status(), 200, "{file}: {}", r.text().await.unwrap());
    }
    let csv = format!("student_id,tutor_id,academic_year\n{assignments}");
    let r = import(app, token, "assignments", &csv, false).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn an_import_is_checked_by_a_dry_run_and_a_file_with_problems_lists_each_and_writes_nothing()
{
    let app = TestApp::spawn().await;
    let token = org_coordinator_token(&app, "coord@example.ac.uk").await;

    // A dry run says what would change and writes nothing.
    let r = import(&app, &token, "schools", SCHOOLS, true).await;
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["schools"]["added"], 2);
    assert!(app.store.tutoring_by_school().await.unwrap().is_empty());

    let r = import(&app, &token, "schools", SCHOOLS, false).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["schools"]["added"], 2);
    assert_eq!(app.store.tutoring_by_school().await.unwrap().len(), 2);

    // Every problem, by line and column; nothing of the file is kept.
    let bad = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,1\nT2,Ben Sorrel,not-an-email,LAW,3\nT3,Cy Holt,cy@example.ac.uk,NOPE,many\n";
    let r = import(&app, &token, "tutors", bad, false).await;
    let body = problem(r, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "tutors.csv:3:email",
        "tutors.csv:4:school_code",
        "tutors.csv:4:capacity",
    ] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    assert!(
        app.store
            .tutoring_known()
            .await
            .unwrap()
            .tutor_ids
            .is_empty()
    );

    // Not CSV, an unknown file, or a caller who may not import: refused.
    let r = client()
        .post(app.url("/api/v1/tutoring/imports/tutors"))
        .bearer_auth(&token)
        .json(&json!({"tutors": TUTORS}))
        .send()
        .await
        .unwrap();
    problem(r, 415).await;
    problem(import(&app, &token, "pets", TUTORS, false).await, 404).await;
    let tutor = token_for(
        &app,
        "t@example.ac.uk",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    problem(import(&app, &tutor, "tutors", TUTORS, false).await, 403).await;
    assert!(
        app.store
            .tutoring_known()
            .await
            .unwrap()
            .tutor_ids
            .is_empty()
    );
}

#[tokio::test]
async fn a_coordinator_runs_previews_moves_and_publishes_an_allocation_through_the_api() {
    let app = TestApp::spawn().await;
    let token = org_coordinator_token(&app, "coord@example.ac.uk").await;
    let last = last_year();
    institution(&app, &token, &format!("S1,T2,{last}\nS3,T3,{last}\n")).await;
    let year = this_year().to_string();

    let r = get(&app, &token, &format!("/tutoring/allocation?year={year}")).await;
    assert_eq!(r.status(), 200);
    let before: Value = r.json().await.unwrap();
    assert!(before["run_at"].is_null(), "{before}");

    let r = post(
        &app,
        &token,
        "/tutoring/allocation/run",
        json!({"year": year}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let run: Value = r.json().await.unwrap();
    assert_eq!(run["counts"]["students"], 3, "{run}");
    assert_eq!(run["counts"]["kept"], 2, "{run}");
    assert!(run["published_at"].is_null());

    // A move the rules allow, and one they refuse (Cy is in another School), named.
    let r = post(
        &app,
        &token,
        "/tutoring/allocation/moves",
        json!({"year": year, "student": "S2", "tutor": "T1"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = post(
        &app,
        &token,
        "/tutoring/allocation/moves",
        json!({"year": year, "student": "S1", "tutor": "T3"}),
    )
    .await;
    assert_eq!(problem(r, 422).await["field"], "tutor");
    let r = post(
        &app,
        &token,
        "/tutoring/allocation/moves",
        json!({"year": year, "student": "S9", "tutor": "T9"}),
    )
    .await;
    assert_eq!(problem(r, 422).await["errors"].as_array().unwrap().len(), 2);
    let r = post(
        &app,
        &token,
        "/tutoring/allocation/run",
        json!({"year": "2026/99"}),
    )
    .await;
    assert_eq!(problem(r, 422).await["field"], "year");

    let r = post(
        &app,
        &token,
        "/tutoring/allocation/publish",
        json!({"year": year}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["assignments"], 3);
    let s2 = app
        .store
        .tutoring_student_by_external_id("S2")
        .await
        .unwrap()
        .id;
    let t1 = {
        let mut tx = app.store.begin().await.unwrap();
        tx.tutor_by_external_id("T1").await.unwrap().id
    };
    assert_eq!(
        app.store
            .tutor_of(s2, this_year().start_year())
            .await
            .unwrap(),
        Some(t1)
    );
    assert_eq!(
        app.store
            .audit_entries(Some("tutoring_allocation_published"), 5)
            .await
            .unwrap()
            .len(),
        1
    );
    // Nothing to publish for a year never run.
    let r = post(
        &app,
        &token,
        "/tutoring/allocation/publish",
        json!({"year": "2001/02"}),
    )
    .await;
    problem(r, 409).await;

    // Only organisation-wide coordinators allocate.
    let tutor = token_for(
        &app,
        "t@example.ac.uk",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    problem(get(&app, &tutor, "/tutoring/allocation").await, 403).await;
    problem(
        post(&app, &tutor, "/tutoring/allocation/run", json!({})).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_tutor_lists_tutees_and_logs_and_reads_contacts_and_others_cannot_read_the_notes() {
    let app = TestApp::spawn().await;
    let token = org_coordinator_token(&app, "coord@example.ac.uk").await;
    let now = this_year();
    institution(&app, &token, &format!("S1,T1,{now}\nS2,T2,{now}\n")).await;
    let ada = token_for(
        &app,
        "ada.quill@example.ac.uk",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();

    let r = get(&app, &ada, "/tutoring/tutees").await;
    assert_eq!(r.status(), 200);
    let tutees: Value = r.json().await.unwrap();
    assert_eq!(tutees["items"].as_array().unwrap().len(), 1, "{tutees}");
    assert_eq!(tutees["items"][0]["external_id"], "S1");
    assert_eq!(tutees["items"][0]["contacts"], 0);

    let contact = |student: &str, minutes: i64| json!({"student": student, "date": today, "mode": "online", "duration_minutes": minutes, "initiated_by": "tutor", "note": "Worried about rent"});
    let r = post(&app, &ada, "/tutoring/contacts", contact("S1", 30)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let s1 = app
        .store
        .tutoring_student_by_external_id("S1")
        .await
        .unwrap()
        .id;
    // The list the tutees page keeps in memory: the contact just logged is in it.
    let tutees: Value = get(&app, &ada, "/tutoring/tutees")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tutees["items"][0]["contacts"], 1, "{tutees}");
    assert_eq!(tutees["items"][0]["last_contact"], today.as_str());
    let by = tutees["items"][0]["no_contact_by"].as_str().unwrap();
    assert!(
        chrono::NaiveDate::parse_from_str(by, "%Y-%m-%d").is_ok(),
        "{tutees}"
    );

    // Not her tutee, and a bad duration: each named; nothing logged.
    let r = post(&app, &ada, "/tutoring/contacts", contact("S2", 30)).await;
    let body = problem(r, 422).await;
    assert_eq!(body["field"], "student");
    assert!(!body.to_string().contains("Dan Reed"), "{body}");
    let r = post(&app, &ada, "/tutoring/contacts", contact("S1", 601)).await;
    assert_eq!(problem(r, 422).await["field"], "duration");
    assert_eq!(app.store.count_contacts(None).await.unwrap(), 1);

    // She reads the note, and the read is on the record.
    let r = get(&app, &ada, &format!("/tutoring/students/{s1}/contacts")).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["items"][0]["note"], "Worried about rent");
    assert!(
        !app.store
            .audit_entries(Some("contact_notes_read"), 5)
            .await
            .unwrap()
            .is_empty()
    );

    // Another tutor and an admin do not.
    let ben = token_for(
        &app,
        "ben.sorrel@example.ac.uk",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    let path = format!("/tutoring/students/{s1}/contacts");
    problem(get(&app, &ben, &path).await, 403).await;
    let root = token_for(
        &app,
        "root@example.ac.uk",
        &[(Role::Admin, Scope::Organisation)],
    )
    .await;
    problem(get(&app, &root, &path).await, 403).await;
    // A coordinator sees the record, but not the notes: nobody's contacts but the tutor's and
    // the student's own.
    let r = get(&app, &token, &path).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["items"].as_array().unwrap().is_empty(), "{body}");
    // Someone who is neither tutor nor student has no tutees and logs nothing.
    problem(get(&app, &root, "/tutoring/tutees").await, 403).await;
    problem(
        post(&app, &root, "/tutoring/contacts", contact("S1", 30)).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn the_dashboard_figures_suppress_small_cells_as_the_page_does() {
    let app = TestApp::spawn().await;
    let token = org_coordinator_token(&app, "coord@example.ac.uk").await;
    let now = this_year();
    let mut students = String::from("student_id,name,email,school_code,programme,year_of_study\n");
    let mut assignments = String::new();
    // Law 6 students, History 7, Geography 2 (as the page's test).
    for (school, n, tutor, from) in [
        ("LAW", 6, "T2", 0),
        ("HIS", 7, "T3", 100),
        ("GEO", 2, "T5", 200),
    ] {
        for i in 0..n {
            let id = format!("S{}", from + i);
            students.push_str(&format!(
                "{id},Student {id},{id}@example.ac.uk,{school},P,2\n"
            ));
            assignments.push_str(&format!("{id},{tutor},{now}\n"));
        }
    }
    let schools = format!("{SCHOOLS}GEO,School of Geography,Faculty of Arts\n");
    let tutors = format!("{TUTORS}T5,Eli Roe,eli@example.ac.uk,GEO,10\n");
    for (file, csv) in [
        ("schools", &schools),
        ("tutors", &tutors),
        ("students", &students),
    ] {
        assert_eq!(import(&app, &token, file, csv, false).await.status(), 200);
    }
    let csv = format!("student_id,tutor_id,academic_year\n{assignments}");
    assert_eq!(
        import(&app, &token, "assignments", &csv, false)
            .await
            .status(),
        200
    );

    let r = get(&app, &token, "/tutoring/dashboard").await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    let school = |name: &str| {
        d["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {d}"))
            .clone()
    };
    assert_eq!(school("School of History")["students"]["value"], 7.0);
    // Geography (2) is hidden, and so is Law, so that Geography cannot be worked out.
    for name in ["School of Geography", "School of Law"] {
        let row = school(name);
        assert_eq!(row["students"]["suppressed"], true, "{row}");
        assert!(row["students"]["value"].is_null(), "{row}");
    }
    assert_eq!(d["institution"]["students"]["value"], 15.0, "{d}");

    let r = get(&app, &token, "/tutoring/dashboard?year=2026/99").await;
    assert_eq!(problem(r, 422).await["field"], "year");
    let tutor = token_for(
        &app,
        "t@example.ac.uk",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    problem(get(&app, &tutor, "/tutoring/dashboard").await, 403).await;
}

#[tokio::test]
async fn a_file_sent_as_raw_bytes_is_imported_as_its_csv_would_be() {
    // Client generators send a file as `application/octet-stream`; the document offers it
    // beside `text/csv`, and both read the same bytes as the same CSV.
    let app = TestApp::spawn().await;
    let token = org_coordinator_token(&app, "coord@example.ac.uk").await;
    let r = client()
        .post(app.url("/api/v1/tutoring/imports/schools"))
        .bearer_auth(&token)
        .header("Content-Type", "application/octet-stream")
        .body(SCHOOLS.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        app.store.tutoring_known().await.unwrap().school_codes.len(),
        2
    );
    // Its problems are named as the CSV's are.
    let r = client()
        .post(app.url("/api/v1/tutoring/imports/tutors"))
        .bearer_auth(&token)
        .header("Content-Type", "application/octet-stream")
        .body(b"tutor_id,name,email,school_code,capacity\nT1,Ada,not-an-email,LAW,1\n".to_vec())
        .send()
        .await
        .unwrap();
    let body = problem(r, 422).await;
    assert_eq!(body["errors"][0]["field"], "tutors.csv:2:email", "{body}");

    let doc: Value = client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let content =
        &doc["paths"]["/api/v1/tutoring/imports/{file}"]["post"]["requestBody"]["content"];
    assert!(content["text/csv"].is_object(), "{content}");
    assert_eq!(
        content["application/octet-stream"]["schema"]["format"], "binary",
        "{content}"
    );
}
