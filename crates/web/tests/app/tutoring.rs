//! Personal tutoring in the app: allocation (preview, moves, publishing, history), contacts
//! and the privacy of their notes, the no-contact-by listing, and the dashboard's suppression.
use crate::helpers::{Browser, TestApp};
use flipside_core::cycle::AcademicYear;
use flipside_core::import::{Files, Source, read_institution};
use flipside_core::role::{Role, Scope};
use flipside_store::NewContact;

fn this_year() -> AcademicYear {
    AcademicYear::containing(chrono::Utc::now().date_naive())
}

fn last_year() -> AcademicYear {
    AcademicYear::from_start_year(this_year().start_year() - 1)
}

const SCHOOLS: &str = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts\nGEO,School of Geography,Faculty of Arts\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,Ada.Quill@example.ac.uk,LAW,1\nT2,Ben Sorrel,ben.sorrel@example.ac.uk,LAW,3\nT3,Cy Holt,cy.holt@example.ac.uk,HIS,5\nT4,Dee Vale,dee.vale@example.ac.uk,LAW,3\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study\nS1,Cat Marsh,cat.marsh@example.ac.uk,LAW,LLB Law,2\nS2,Dan Reed,dan.reed@example.ac.uk,LAW,LLB Law,2\nS3,Eve Lark,eve.lark@example.ac.uk,LAW,LLB Law,1\nS4,Fay Moss,fay.moss@example.ac.uk,HIS,BA History,3\nS5,Gus Hale,gus.hale@example.ac.uk,GEO,BSc Geography,1\n";

/// Imports the schools, tutors and students above with these assignments.
async fn institution(app: &TestApp, assignments: &str) {
    institution_with(app, SCHOOLS, TUTORS, STUDENTS, assignments).await;
}

async fn institution_with(
    app: &TestApp,
    schools: &str,
    tutors: &str,
    students: &str,
    assignments: &str,
) {
    let assignments = format!("student_id,tutor_id,academic_year\n{assignments}");
    let read = read_institution(
        Files {
            schools: Some(Source::new("schools.csv", schools.as_bytes())),
            tutors: Some(Source::new("tutors.csv", tutors.as_bytes())),
            students: Some(Source::new("students.csv", students.as_bytes())),
            assignments: Some(Source::new("assignments.csv", assignments.as_bytes())),
        },
        &app.store.tutoring_known().await.unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    app.store
        .import_institution(&read, false, &|_| {})
        .await
        .unwrap();
}

async fn coordinator(app: &TestApp) -> Browser {
    app.as_role(
        "coord@example.ac.uk",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await
}

async fn student_id(app: &TestApp, external: &str) -> i64 {
    app.store
        .tutoring_student_by_external_id(external)
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_coordinator_runs_adjusts_and_publishes_an_allocation_and_everyone_concerned_sees_the_history()
 {
    let app = TestApp::spawn().await;
    let last = last_year();
    institution(&app, &format!("S1,T1,{last}\nS2,T2,{last}\nS4,T3,{last}\n")).await;
    let year = this_year().to_string();
    let c = coordinator(&app).await;

    let ran = c.post("/tutoring/allocation/run", &[("year", &year)]).await;
    assert_eq!(ran.status, 303, "{}", ran.body);
    let page = c.follow(&ran).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("a draft of 5 students"), "{}", page.body);
    // S1, S2 and S4 keep last year's tutor; S3 is new; S5's School has no tutors.
    assert!(
        page.body
            .contains("Keep last year&#39;s tutor</th><td>3</td>")
            || page.body.contains("Keep last year's tutor</th><td>3</td>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Unplaced</th><td>1</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Gus Hale (S5)"), "{}", page.body);
    assert!(
        page.body.contains("the student&#39;s School has no tutors")
            || page.body.contains("the student's School has no tutors")
    );
    // Nothing is published yet.
    assert_eq!(
        app.store
            .tutor_loads(this_year().start_year())
            .await
            .unwrap()
            .iter()
            .map(|l| l.assigned)
            .sum::<i64>(),
        0
    );

    // A tutor of another School is refused, naming them.
    let other = c
        .post(
            "/tutoring/allocation/move",
            &[("year", &year), ("student", "S3"), ("tutor", "T3")],
        )
        .await;
    assert_eq!(other.status, 422);
    assert!(
        other
            .body
            .contains("Not moved: Cy Holt (T3) is not allowed"),
        "{}",
        other.body
    );
    // A full tutor is refused, naming them (Ada has room for one and keeps Cat).
    let full = c
        .post(
            "/tutoring/allocation/move",
            &[("year", &year), ("student", "S3"), ("tutor", "T1")],
        )
        .await;
    assert_eq!(full.status, 422);
    assert!(
        full.body
            .contains("Ada Quill (T1) is at capacity (1 of 1 places taken)"),
        "{}",
        full.body
    );
    let unknown = c
        .post(
            "/tutoring/allocation/move",
            &[("year", &year), ("student", "S99"), ("tutor", "T4")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.body.contains("There is no student &#39;S99&#39;")
            || unknown.body.contains("There is no student 'S99'"),
        "{}",
        unknown.body
    );

    // A move the rules allow.
    let moved = c
        .post(
            "/tutoring/allocation/move",
            &[("year", &year), ("student", "S2"), ("tutor", "T4")],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let after = c.follow(&moved).await;
    assert!(
        after.body.contains("Dan Reed (S2) moved to Dee Vale (T4)"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Moved by hand</th><td>1</td>"));
    assert!(after.body.contains("Change tutor</th><td>1</td>"));

    let published = c
        .post("/tutoring/allocation/publish", &[("year", &year)])
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let s2 = student_id(&app, "S2").await;
    let history = app.store.tutor_history(s2).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0].tutor_external_id.as_str(),
            history[0].source.as_str()
        ),
        ("T4", "allocation")
    );
    assert_eq!(history[1].tutor_external_id, "T2");
    // Four placed students are written; the unplaced one is not.
    let loads = app
        .store
        .tutor_loads(this_year().start_year())
        .await
        .unwrap();
    assert_eq!(loads.iter().map(|l| l.assigned).sum::<i64>(), 4);

    // The history is visible to the coordinator, the student and their tutor, and nobody else.
    let record = format!("/tutoring/students/{s2}");
    let seen = c.get(&record).await;
    assert_eq!(seen.status, 200);
    assert!(
        seen.body.contains("Dee Vale (T4)") && seen.body.contains("Ben Sorrel (T2)"),
        "{}",
        seen.body
    );
    let dan = app
        .as_role(
            "Dan.Reed@example.ac.uk",
            &[(Role::Student, Scope::Organisation)],
        )
        .await;
    assert_eq!(dan.get(&record).await.status, 200);
    assert_eq!(dan.get("/tutoring/me").await.location(), record);
    let dee = app
        .as_role(
            "dee.vale@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;
    assert_eq!(dee.get(&record).await.status, 200);
    let ada = app
        .as_role(
            "ada.quill@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;
    assert_eq!(ada.get(&record).await.status, 403);
    let admin = app
        .as_role("admin@example.ac.uk", &[(Role::Admin, Scope::Organisation)])
        .await;
    assert_eq!(admin.get(&record).await.status, 403);
    assert_eq!(admin.get("/tutoring/allocation").await.status, 403);
    assert_eq!(
        admin
            .post("/tutoring/allocation/publish", &[("year", &year)])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_school_requiring_continuity_refuses_a_new_tutor_and_reports_who_cannot_be_placed() {
    let app = TestApp::spawn().await;
    let last = last_year();
    institution(&app, &format!("S1,T1,{last}\nS2,T1,{last}\n")).await;
    let law = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LAW")
        .unwrap();
    let c = coordinator(&app).await;
    let bad = c
        .post(
            &format!("/tutoring/schools/{}/rules", law.school_id),
            &[
                ("continuity", "yes"),
                ("load_slack", "x"),
                ("no_contact_weeks", "60"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("from 0 to 50") && bad.body.contains("from 1 to 52"),
        "{}",
        bad.body
    );
    assert!(
        !app.store
            .tutoring_school_rules()
            .await
            .unwrap()
            .iter()
            .any(|s| s.continuity_required)
    );
    let saved = c
        .post(
            &format!("/tutoring/schools/{}/rules", law.school_id),
            &[
                ("continuity", "yes"),
                ("load_slack", "2"),
                ("no_contact_weeks", "8"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let year = this_year().to_string();
    c.post("/tutoring/allocation/run", &[("year", &year)]).await;
    let page = c.get(&format!("/tutoring/allocation?year={year}")).await;
    // Ada (capacity 1) keeps one of her two; the other may not change tutor: unplaced, by name.
    assert!(
        page.body.contains("Unplaced</th><td>2</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("requires continuity"), "{}", page.body);
    let unplaced = app
        .store
        .draft_unplaced(this_year().start_year(), 10)
        .await
        .unwrap();
    let law_student = unplaced
        .iter()
        .find(|u| u.school == "School of Law")
        .unwrap();
    assert!(page.body.contains(&format!(
        "{} ({})",
        law_student.name, law_student.external_id
    )));
    let refused = c
        .post(
            "/tutoring/allocation/move",
            &[
                ("year", &year),
                ("student", &law_student.external_id),
                ("tutor", "T2"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Ben Sorrel (T2) is not allowed: the School requires"),
        "{}",
        refused.body
    );
}

async fn log(
    b: &Browser,
    student: &str,
    date: &str,
    duration: &str,
    note: &str,
) -> crate::helpers::Page {
    b.post(
        "/tutoring/contacts",
        &[
            ("student", student),
            ("date", date),
            ("mode", "online"),
            ("duration", duration),
            ("initiated_by", "tutor"),
            ("note", note),
        ],
    )
    .await
}

#[tokio::test]
async fn contacts_are_validated_and_their_notes_are_readable_by_the_tutor_and_student_only() {
    let app = TestApp::spawn().await;
    let now = this_year();
    institution(&app, &format!("S1,T1,{now}\nS2,T2,{now}\n")).await;
    let today = chrono::Utc::now().date_naive();
    let date = today.format("%Y-%m-%d").to_string();
    let ada = app
        .as_role(
            "ada.quill@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;

    let logged = log(&ada, "S1", &date, "30", "Worried about rent <b>").await;
    assert_eq!(logged.status, 303, "{}", logged.body);
    let page = ada.follow(&logged).await;
    assert!(page.body.contains("Contact with Cat Marsh logged."));
    assert!(
        page.body.contains("Worried about rent &#60;b&#62;"),
        "{}",
        page.body
    );

    // Not her tutee: refused without naming the student, in the same words as an ID nobody
    // holds, so trying IDs one after another tells her nothing. Bad fields: each said next to
    // the field.
    for id in ["S2", "S3", "S999"] {
        let not_mine = log(&ada, id, &date, "30", "x").await;
        assert_eq!(not_mine.status, 422, "{id}");
        let expected = format!("None of your tutees in {now} has the ID {id}.");
        assert!(not_mine.body.contains(&expected), "{}", not_mine.body);
        assert!(!not_mine.body.contains("Dan Reed"), "{}", not_mine.body);
    }
    let tomorrow = (today + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let bad = log(&ada, "S1", &tomorrow, "601", "x").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("The date cannot be in the future."));
    assert!(bad.body.contains("from 1 to 600"));
    assert_eq!(log(&ada, "S1", &date, "0", "x").await.status, 422);
    assert_eq!(app.store.count_contacts(None).await.unwrap(), 1);

    // The student logs one too.
    let cat = app
        .as_role(
            "cat.marsh@example.ac.uk",
            &[(Role::Student, Scope::Organisation)],
        )
        .await;
    let by_cat = log(&cat, "S1", &date, "15", "Asked about a reference").await;
    assert_eq!(by_cat.status, 303, "{}", by_cat.body);
    let s1 = student_id(&app, "S1").await;
    let contacts = app.store.contacts_of_student(s1).await.unwrap();
    assert_eq!(contacts.len(), 2);
    assert!(
        contacts
            .iter()
            .any(|c| c.logged_by == "student" && c.tutor_name == "Ada Quill")
    );
    let first = contacts
        .iter()
        .find(|c| c.note.starts_with("Worried"))
        .unwrap()
        .id;

    // The note: Ada and Cat read it; coordinators, admins and other tutors do not.
    let path = format!("/tutoring/contacts/{first}");
    assert!(ada.get(&path).await.body.contains("Worried about rent"));
    assert!(cat.get(&path).await.body.contains("Worried about rent"));
    let reads = app
        .store
        .audit_entries(Some("contact_notes_read"), 50)
        .await
        .unwrap();
    let of_note: Vec<_> = reads
        .iter()
        .filter(|e| e.subject_kind == "tutoring_contact" && e.subject_id == Some(first))
        .collect();
    assert_eq!(of_note.len(), 2, "both reads are audited: {reads:?}");
    assert!(reads.iter().all(|e| !e.detail.contains("Worried")));
    let c = coordinator(&app).await;
    let admin = app
        .as_role(
            "admin@example.ac.uk",
            &[
                (Role::Admin, Scope::Organisation),
                (Role::Coordinator, Scope::Organisation),
            ],
        )
        .await;
    let ben = app
        .as_role(
            "ben.sorrel@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;
    for (who, b) in [
        ("coordinator", &c),
        ("admin", &admin),
        ("other tutor", &ben),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, 403, "{who} read the contact");
        assert!(!r.body.contains("Worried about rent"), "{who}");
    }
    // The coordinator sees the student's record, but not the notes.
    let record = c.get(&format!("/tutoring/students/{s1}")).await;
    assert_eq!(record.status, 200);
    assert!(
        !record.body.contains("Worried about rent")
            && !record.body.contains("Asked about a reference")
    );
}

#[tokio::test]
async fn tutees_without_a_contact_by_their_schools_date_are_listed_for_their_tutor() {
    let app = TestApp::spawn().await;
    let now = this_year();
    institution(&app, &format!("S1,T2,{now}\nS2,T2,{now}\nS3,T2,{now}\n")).await;
    let law = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LAW")
        .unwrap();
    // One week after 1 August: already past (unless the suite runs in the first week of August).
    app.store
        .set_tutoring_school_rules(
            law.school_id,
            flipside_core::tutoring::SchoolRules {
                no_contact_weeks: 1,
                ..law.rules()
            },
        )
        .await
        .unwrap();
    let ben = app
        .as_role(
            "ben.sorrel@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;
    let early = format!("{}-08-02", now.start_year());
    assert_eq!(log(&ben, "S1", &early, "20", "").await.status, 303);
    // A contact after the date does not count as one by it.
    let late = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(log(&ben, "S2", &late, "20", "").await.status, 303);
    let page = ben.get("/tutoring/tutees").await;
    assert_eq!(page.status, 200);
    let section =
        &page.body[page.body.find("id=\"overdue\"").unwrap()..page.body.find("<table>").unwrap()];
    assert!(
        section.contains("Dan Reed (S2)") && section.contains("Eve Lark (S3)"),
        "{section}"
    );
    assert!(!section.contains("Cat Marsh"), "{section}");
    // Nobody else has a tutee list.
    let c = coordinator(&app).await;
    assert_eq!(c.get("/tutoring/tutees").await.status, 403);
}

#[tokio::test]
async fn the_dashboard_suppresses_small_counts_and_shows_a_school_lead_their_school_only() {
    let app = TestApp::spawn().await;
    let now = this_year();
    let mut students = String::from("student_id,name,email,school_code,programme,year_of_study\n");
    let mut assignments = String::new();
    // Law 6 students, History 7, Geography 2 (each School has one tutor).
    for (school, n, tutor, from) in [
        ("LAW", 6, "T1", 0),
        ("HIS", 7, "T3", 100),
        ("GEO", 2, "T5", 200),
    ] {
        for i in 0..n {
            let id = format!("S{}", from + i);
            students.push_str(&format!(
                "{id},Student {id},{id}@example.ac.uk,{school},Programme,2\n"
            ));
            assignments.push_str(&format!("{id},{tutor},{now}\n"));
        }
    }
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,10\nT3,Cy Holt,cy@example.ac.uk,HIS,10\nT5,Eli Roe,eli@example.ac.uk,GEO,10\n";
    institution_with(&app, SCHOOLS, tutors, &students, &assignments).await;
    // Every student had one contact.
    contacts_for(
        &app,
        (0..6)
            .chain(100..107)
            .chain(200..202)
            .map(|i| format!("S{i}")),
    )
    .await;

    let lead = app
        .as_role(
            "lead@example.ac.uk",
            &[(Role::StudentLead, Scope::Organisation)],
        )
        .await;
    let page = lead.get("/tutoring/dashboard").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Counts under 5 suppressed (internal rule)"),
        "{}",
        page.body
    );
    let row = |body: &str, school: &str| -> String {
        let at = body
            .find(&format!("<th scope=\"row\">{school}</th>"))
            .unwrap_or_else(|| panic!("no row {school}"));
        body[at..at + body[at..].find("</tr>").unwrap()].to_string()
    };
    // History is large enough to show; Geography (2) is hidden, and so is Law, so that
    // Geography cannot be worked out from the total.
    assert!(
        row(&page.body, "School of History").contains("<td>7</td>"),
        "{}",
        row(&page.body, "School of History")
    );
    let geo = row(&page.body, "School of Geography");
    assert!(
        !geo.contains("<td>2</td>") && geo.contains("<td>–</td>"),
        "{geo}"
    );
    assert!(!row(&page.body, "School of Law").contains("<td>6</td>"));
    assert!(row(&page.body, "Whole institution").contains("<td>15</td>"));
    assert!(page.body.contains("<td>100%</td>"));

    let geo_id = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "GEO")
        .unwrap()
        .school_id;
    let school_lead = app
        .as_role(
            "geo.lead@example.ac.uk",
            &[(Role::SchoolLead, Scope::School(geo_id))],
        )
        .await;
    let own = school_lead.get("/tutoring/dashboard").await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("School of Geography"));
    assert!(!own.body.contains("School of History") && !own.body.contains("Whole institution"));
    let tutor = app
        .as_role("ada@example.ac.uk", &[(Role::Tutor, Scope::Organisation)])
        .await;
    assert_eq!(tutor.get("/tutoring/dashboard").await.status, 403);
}

/// Contacts on 20 September for these students, logged by their tutor.
async fn contacts_for(app: &TestApp, students: impl IntoIterator<Item = String>) {
    let now = this_year();
    let mut contacts = Vec::new();
    for external in students {
        let s = student_id(app, &external).await;
        let tutor = app
            .store
            .tutor_of(s, now.start_year())
            .await
            .unwrap()
            .unwrap();
        contacts.push(NewContact {
            student_id: s,
            tutor_id: tutor,
            academic_year: now.start_year(),
            date: format!("{}-09-20", now.start_year()),
            year_day: 50,
            mode: "in_person".into(),
            duration_minutes: 30,
            initiated_by: "tutor".into(),
            logged_by: "tutor".into(),
            note: String::new(),
        });
    }
    app.store.add_contacts(&contacts).await.unwrap();
}

/// A tutor's tutees are rendered once per day and kept (issue 15); every change behind them
/// shows on the next request: a contact logged, the School's rules, and the day passing the
/// School's no-contact-by date.
#[tokio::test]
async fn a_tutors_tutees_kept_in_memory_show_every_change_behind_them() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let now = this_year();
    let y = now.start_year();
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(y, 9, 1, 12, 0, 0).unwrap());
    institution(&app, &format!("S1,T2,{now}\nS2,T2,{now}\n")).await;
    let law = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "LAW")
        .unwrap();
    let weeks = |no_contact_weeks| {
        let app = &app;
        let rules = flipside_core::tutoring::SchoolRules {
            no_contact_weeks,
            ..law.rules()
        };
        async move {
            app.store
                .set_tutoring_school_rules(law.school_id, rules)
                .await
                .unwrap()
        }
    };
    weeks(6).await;
    let ben = app
        .as_role(
            "ben.sorrel@example.ac.uk",
            &[(Role::Tutor, Scope::Organisation)],
        )
        .await;
    let overdue = || async {
        let page = ben.get_ok("/tutoring/tutees").await.body;
        let section = &page[page.find("id=\"overdue\"").unwrap()..page.find("<table>").unwrap()];
        (section.to_string(), page)
    };
    let (section, page) = overdue().await;
    assert!(section.contains("Every tutee whose School's"), "{section}");
    assert!(page.contains(&format!("{y}-09-12")) && !page.contains(&format!("{y}-08-20")));

    assert_eq!(
        log(&ben, "S1", &format!("{y}-08-20"), "20", "")
            .await
            .status,
        303
    );
    let (_, page) = overdue().await;
    assert!(
        page.contains(&format!("{y}-08-20")),
        "the contact shows: {page}"
    );

    weeks(2).await;
    let (section, page) = overdue().await;
    assert!(
        section.contains("Cat Marsh (S1)") && section.contains("Dan Reed (S2)"),
        "the School's new date shows: {section}"
    );
    assert!(page.contains(&format!("{y}-08-15")));

    weeks(6).await;
    let (section, _) = overdue().await;
    assert!(section.contains("Every tutee whose School's"), "{section}");
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(y, 9, 20, 12, 0, 0).unwrap());
    let (section, _) = overdue().await;
    assert!(
        section.contains("Dan Reed (S2)") && !section.contains("Cat Marsh"),
        "the day passing the date shows: {section}"
    );
}

/// The dashboard is kept in memory per year, set of Schools, disclosure setting and day
/// (issue 15); every change behind it shows on the next request: contacts logged, a School's
/// rules, the disclosure rule, and the day passing the School's no-contact-by date.
#[tokio::test]
async fn the_dashboard_kept_in_memory_shows_every_change_behind_it() {
    use chrono::TimeZone;
    let app = TestApp::spawn().await;
    let now = this_year();
    let y = now.start_year();
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(y, 9, 1, 12, 0, 0).unwrap());
    let mut students = String::from("student_id,name,email,school_code,programme,year_of_study\n");
    let mut assignments = String::new();
    // Twenty students in each School, one tutor each; every cell below is at least the
    // internal rule's five until the rule is raised.
    for (school, tutor, from) in [("LAW", "T1", 0), ("HIS", "T3", 100)] {
        for i in 0..20 {
            let id = format!("S{}", from + i);
            students.push_str(&format!(
                "{id},Student {id},{id}@example.ac.uk,{school},Programme,2\n"
            ));
            assignments.push_str(&format!("{id},{tutor},{now}\n"));
        }
    }
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,30\nT3,Cy Holt,cy@example.ac.uk,HIS,30\n";
    // Two Schools only: a School with no students would hide its neighbours' counts too.
    let schools = "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\nHIS,School of History,Faculty of Arts\n";
    institution_with(&app, schools, tutors, &students, &assignments).await;
    contacts_for(&app, (0..12).chain(100..110).map(|i| format!("S{i}"))).await;
    let lead = app
        .as_role(
            "lead@example.ac.uk",
            &[(Role::StudentLead, Scope::Organisation)],
        )
        .await;
    let history = || async {
        let page = lead.get("/tutoring/dashboard").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let at = page
            .body
            .find("<th scope=\"row\">School of History</th>")
            .expect("History's row");
        let row = &page.body[at..];
        row[..row.find("</tr>").unwrap()].to_string()
    };
    let first = history().await;
    assert!(
        first.contains("<td>20</td>\n<td>10</td>\n<td>50%</td>")
            && first.contains(&format!("Not yet due ({y}-10-10)")),
        "{first}"
    );
    assert_eq!(
        history().await,
        first,
        "the same page while nothing changed"
    );

    // Contacts logged: the counts move.
    contacts_for(&app, (110..115).map(|i| format!("S{i}"))).await;
    let contacted = history().await;
    assert!(
        contacted.contains("<td>20</td>\n<td>15</td>\n<td>75%</td>"),
        "{contacted}"
    );

    // The School's rules: its no-contact-by date comes before today, so its count is due
    // (every contact came after it).
    let his = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code == "HIS")
        .unwrap()
        .school_id;
    let rules = |weeks| flipside_core::tutoring::SchoolRules {
        no_contact_weeks: weeks,
        ..Default::default()
    };
    app.store
        .set_tutoring_school_rules(his, rules(2))
        .await
        .unwrap();
    let due = history().await;
    assert!(
        due.contains(&format!("<td>20 <span class=\"hint\">(by {y}-08-15)")),
        "{due}"
    );

    // The day passes the date: back to ten weeks, then the clock moves past 10 October.
    app.store
        .set_tutoring_school_rules(his, rules(10))
        .await
        .unwrap();
    assert!(
        history()
            .await
            .contains(&format!("Not yet due ({y}-10-10)"))
    );
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(y, 10, 12, 12, 0, 0).unwrap());
    let later = history().await;
    assert!(
        later.contains(&format!("<td>5 <span class=\"hint\">(by {y}-10-10)")),
        "{later}"
    );

    // The disclosure rule: a smallest cell of 16 hides the fifteen contacted.
    let org = app.store.organisation().await.unwrap().unwrap();
    app.store
        .update_organisation(&org.name, 16, "internal", org.hours_target)
        .await
        .unwrap();
    let hidden = history().await;
    assert!(
        hidden.contains("<td>20</td>\n<td>–</td>") && !hidden.contains("<td>15</td>"),
        "{hidden}"
    );
}

#[tokio::test]
async fn concurrent_moves_into_a_tutor_with_one_free_place_move_exactly_one_student() {
    let app = TestApp::spawn().await;
    let last = last_year();
    // Ada has one place and nobody; Ben keeps the six students he had last year.
    let tutors = "tutor_id,name,email,school_code,capacity\nT1,Ada Quill,ada@example.ac.uk,LAW,1\nT2,Ben Sorrel,ben@example.ac.uk,LAW,10\n";
    let mut students = String::from("student_id,name,email,school_code,programme,year_of_study\n");
    let mut assignments = String::new();
    for i in 1..=6 {
        students.push_str(&format!(
            "S{i},Student {i},s{i}@example.ac.uk,LAW,LLB Law,2\n"
        ));
        assignments.push_str(&format!("S{i},T2,{last}\n"));
    }
    institution_with(&app, SCHOOLS, tutors, &students, &assignments).await;
    // Loads may differ widely, so the allocation keeps every student with Ben.
    let law = app
        .store
        .tutoring_school_rules()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "LAW")
        .unwrap();
    app.store
        .set_tutoring_school_rules(
            law.school_id,
            flipside_core::tutoring::SchoolRules {
                continuity_required: false,
                load_slack: 50,
                no_contact_weeks: 10,
            },
        )
        .await
        .unwrap();
    let year = this_year().to_string();
    let c = coordinator(&app).await;
    let ran = c.post("/tutoring/allocation/run", &[("year", &year)]).await;
    assert_eq!(ran.status, 303, "{}", ran.body);
    let y = this_year().start_year();
    let ada = app.store.tutor_by_external_id("T1").await.unwrap();
    assert_eq!(app.store.draft_tutor_load(y, ada.id).await.unwrap(), 0);

    let mv = |s: &'static str| {
        let c = &c;
        let year = year.clone();
        async move {
            c.post(
                "/tutoring/allocation/move",
                &[("year", &year), ("student", s), ("tutor", "T1")],
            )
            .await
        }
    };
    let (a, b, d, e, f, g) =
        tokio::join!(mv("S1"), mv("S2"), mv("S3"), mv("S4"), mv("S5"), mv("S6"));
    let answers = [a, b, d, e, f, g];
    let moved = answers.iter().filter(|p| p.status == 303).count();
    assert_eq!(moved, 1, "exactly one move fits in Ada's one place");
    for refused in answers.iter().filter(|p| p.status != 303) {
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("Not moved: Ada Quill (T1) is at capacity (1 of 1 places taken)"),
            "{}",
            refused.body
        );
    }
    assert_eq!(app.store.draft_tutor_load(y, ada.id).await.unwrap(), 1);
}
