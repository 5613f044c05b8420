//! The access matrix over HTTP: every page answers each role as the policy says.
use crate::helpers::TestApp;
use flipside_core::cycle::AcademicYear;
use flipside_core::role::{Role, Scope};
use flipside_store::NewScheme;

#[tokio::test]
async fn every_page_answers_each_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let new = |name| NewScheme {
        name,
        kind: flipside_core::scheme::SchemeKind::Institutional,
        purpose: "p",
        school_id: None,
        created_by: None,
    };
    let s = app.store.create_scheme(new("Mine")).await.unwrap();
    let other = app.store.create_scheme(new("Other")).await.unwrap();
    let c = app
        .store
        .create_cycle(
            s,
            AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    let oc = app
        .store
        .create_cycle(
            other,
            AcademicYear::parse("2026/27").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    app.open_call(c).await;
    app.open_call(oc).await;

    let owner = app.person("owner@tu.test", &[]).await;
    let participant = app
        .store
        .add_survey_participant(c, "M01", "mentor", Some(owner), true)
        .await
        .unwrap();
    let faculty = app.store.create_faculty("Science").await.unwrap();
    let school = app
        .store
        .create_school(faculty, "Physics", "PHY")
        .await
        .unwrap();
    let sprint = app
        .store
        .create_sprint(flipside_store::NewSprint {
            faculty_id: faculty,
            title: "Sprint",
            question: "Q",
            starts_on: "2026-11-01",
            ends_on: "2026-12-01",
            created_by: None,
        })
        .await
        .unwrap();
    let tutee = app
        .store
        .add_tutoring_student("S1", "Tutee", "tutee@elsewhere.test", school)
        .await
        .unwrap();

    let roles: Vec<(&str, Vec<(Role, Scope)>)> = vec![
        ("admin", vec![(Role::Admin, Scope::Organisation)]),
        ("coordinator", vec![(Role::Coordinator, Scope::Scheme(s))]),
        ("mentor", vec![(Role::Mentor, Scope::Cycle(c))]),
        ("mentee", vec![(Role::Mentee, Scope::Cycle(c))]),
        ("tutor", vec![(Role::Tutor, Scope::Organisation)]),
        ("student", vec![(Role::Student, Scope::Organisation)]),
        ("lead", vec![(Role::StudentLead, Scope::Organisation)]),
        ("researcher", vec![(Role::Researcher, Scope::Organisation)]),
        ("nobody", vec![]),
    ];
    // (path, roles answered 200; every other signed-in role gets 403)
    let pages: Vec<(String, &[&str])> = vec![
        ("/".into(), &["*"]),
        ("/schemes".into(), &["*"]),
        (format!("/schemes/{s}"), &["*"]),
        ("/schemes/new".into(), &["admin"]),
        (format!("/schemes/{s}/cycles/new"), &["coordinator"]),
        (format!("/schemes/{other}/cycles/new"), &[]),
        ("/schemes/archived".into(), &["*"]),
        (format!("/schemes/{s}/edit"), &["coordinator"]),
        (format!("/schemes/{other}/edit"), &[]),
        (format!("/schemes/{s}/archive"), &["coordinator"]),
        (format!("/schemes/{other}/archive"), &[]),
        (format!("/cycles/{c}/advance?to=matching"), &["coordinator"]),
        (format!("/cycles/{oc}/advance?to=matching"), &[]),
        (
            format!("/cycles/{c}"),
            &["admin", "coordinator", "mentor", "mentee", "researcher"],
        ),
        (format!("/cycles/{oc}"), &["admin", "researcher"]),
        (format!("/cycles/{c}/invitations"), &["coordinator"]),
        (format!("/cycles/{oc}/invitations"), &[]),
        (format!("/cycles/{c}/matching"), &["coordinator"]),
        (format!("/cycles/{oc}/matching"), &[]),
        (format!("/cycles/{c}/pairs"), &["coordinator"]),
        (format!("/cycles/{oc}/pairs"), &[]),
        (format!("/cycles/{c}/meetings"), &["coordinator"]),
        (format!("/cycles/{c}/concerns"), &["coordinator"]),
        (format!("/cycles/{oc}/meetings"), &[]),
        (format!("/cycles/{oc}/concerns"), &[]),
        (
            format!("/schemes/{s}/you-said-we-did"),
            &["coordinator", "mentor", "mentee"],
        ),
        (format!("/schemes/{other}/you-said-we-did"), &[]),
        (format!("/cycles/{c}/plan"), &["coordinator"]),
        (format!("/cycles/{c}/report"), &["coordinator"]),
        (format!("/cycles/{oc}/report"), &[]),
        // The year across schemes: admins and organisation-wide coordinators.
        ("/years/2026/report".into(), &["admin"]),
        (format!("/cycles/{oc}/plan"), &[]),
        ("/admin/people".into(), &["admin"]),
        ("/admin/organisation".into(), &["admin"]),
        ("/admin/organisation/population".into(), &["admin"]),
        ("/admin/audit".into(), &["admin"]),
        ("/admin/emails".into(), &["admin"]),
        ("/admin/webhooks".into(), &["admin"]),
        ("/account".into(), &["*"]),
        ("/account/data".into(), &["*"]),
        ("/account/data.json".into(), &["*"]),
        ("/privacy".into(), &["*"]),
        ("/admin/privacy".into(), &["admin"]),
        ("/admin/privacy/retention".into(), &["admin"]),
        // Organisation-wide coordinators only (the coordinator here runs one scheme).
        ("/tutoring/allocation".into(), &[]),
        ("/tutoring/dashboard".into(), &["admin", "lead"]),
        // Nobody here is a tutor or student of record (matched by email).
        ("/tutoring/tutees".into(), &[]),
        ("/surveys".into(), &["*"]),
        (format!("/cycles/{c}/surveys"), &["coordinator"]),
        (format!("/cycles/{oc}/surveys"), &[]),
        (
            format!("/cycles/{c}/export/answers.csv"),
            &["coordinator", "researcher"],
        ),
        (
            format!("/cycles/{c}/export/codebook.md"),
            &["coordinator", "researcher"],
        ),
        (format!("/cycles/{oc}/export/answers.csv"), &["researcher"]),
        ("/instruments".into(), &["admin"]),
        ("/sprints".into(), &["*"]),
        (format!("/sprints/{sprint}"), &["*"]),
        ("/sprints/new".into(), &["lead"]),
        // Nobody here is a tutoring student, tutor of record or School lead.
        ("/tutoring/profile".into(), &[]),
        (format!("/tutoring/students/{tutee}/profile"), &[]),
        ("/tutoring/change-request".into(), &[]),
        ("/tutoring/change-requests".into(), &[]),
    ];
    let mut wrong = Vec::new();
    for (who, grants) in &roles {
        let b = app.as_role(&format!("{who}@tu.test"), grants).await;
        for (path, allowed) in &pages {
            let expected = if allowed.contains(&"*") || allowed.contains(who) {
                200
            } else {
                403
            };
            let got = b.get(path).await.status;
            if got != expected {
                wrong.push(format!("{who} GET {path}: expected {expected}, got {got}"));
            }
        }
        // Moving someone else's cycle on is refused, and changes nothing.
        let r = b
            .post(
                &format!("/cycles/{oc}/advance"),
                &[("from", "recruiting"), ("to", "matching")],
            )
            .await;
        if r.status != 403 {
            wrong.push(format!(
                "{who} advanced another scheme's cycle: {}",
                r.status
            ));
        }
        // Inviting to, matching or publishing another scheme's cycle is refused.
        for (path, fields) in [
            (
                format!("/cycles/{oc}/invitations"),
                vec![("name", "X"), ("email", "x@tu.test")],
            ),
            (format!("/cycles/{oc}/matching/publish"), vec![]),
            (format!("/cycles/{oc}/invitations/1/resend"), vec![]),
            (
                format!("/cycles/{oc}/pairs/1/end"),
                vec![("reason", "r"), ("leaving", "neither")],
            ),
            (
                format!("/cycles/{oc}/pairs/rematch/e1"),
                vec![("expect", "m1:e1")],
            ),
            (
                format!("/cycles/{oc}/matching/settings"),
                vec![("interests_weight", "1")],
            ),
            (format!("/cycles/{oc}/report/publish"), vec![]),
            (
                format!("/cycles/{oc}/report"),
                vec![("introduction", "I"), ("recommendations", "R")],
            ),
        ] {
            let r = b.post(&path, &fields).await;
            if r.status != 403 {
                wrong.push(format!("{who} POST {path}: {}", r.status));
            }
        }
    }
    assert_eq!(app.store.cycle(oc).await.unwrap().state, "recruiting");
    assert!(app.store.invitations_of(oc).await.unwrap().is_empty());
    assert!(app.store.matching_settings(oc).await.unwrap().is_none());
    let other_report = flipside_core::annual_report::ReportScope::Cycle(oc);
    assert!(
        app.store
            .report_versions(other_report)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .report_draft(other_report)
            .await
            .unwrap()
            .is_none()
    );
    // Nobody answers a survey that is not theirs, whatever their roles.
    let survey = format!("/surveys/{participant}/pre");
    for (who, _) in &roles {
        let b = app.signed_in(&format!("{who}@tu.test")).await;
        let status = b.get(&survey).await.status;
        if status != 403 {
            wrong.push(format!("{who} GET {survey}: expected 403, got {status}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Signed out, every page but home, sign-in and the public privacy notice sends you to
    // sign in, and back to the page afterwards.
    let anon = app.browser();
    for (path, _) in &pages {
        let r = anon.get(path).await;
        if path == "/" || path == "/privacy" {
            assert_eq!(r.status, 200, "{path}");
        } else {
            let back = format!(
                "/sign-in?{}",
                serde_urlencoded::to_string([("next", path.as_str())]).unwrap()
            );
            assert_eq!((r.status, r.location()), (303, back.as_str()), "{path}");
        }
    }
    // An invitation link is answered signed out; an unknown token is simply not found.
    assert_eq!(
        anon.get(&format!("/invitations/{}", "0".repeat(64)))
            .await
            .status,
        404
    );
}

/// The main navigation's links on a page.
fn nav_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav aria-label=\"Main\">") else {
        return Vec::new();
    };
    let nav = &html[start..start + html[start..].find("</nav>").unwrap_or(0)];
    nav.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn every_navigation_link_shown_to_each_role_opens_its_page() {
    let app = TestApp::spawn().await;
    let faculty = app.store.create_faculty("Science").await.unwrap();
    let school = app
        .store
        .create_school(faculty, "Physics", "PHY")
        .await
        .unwrap();
    // A tutor and a student of record, matched by email to the people below.
    let tutor = app
        .store
        .add_tutoring_tutor("T1", "Tutor", "recorded-tutor@tu.test", school, 5)
        .await
        .unwrap();
    let student = app
        .store
        .add_tutoring_student("S1", "Student", "recorded-student@tu.test", school)
        .await
        .unwrap();
    let year = AcademicYear::containing(chrono::Utc::now().date_naive());
    app.store
        .assign_tutor(student, tutor, i64::from(year.start_year()), "import")
        .await
        .unwrap();

    let people: Vec<(&str, Vec<(Role, Scope)>)> = vec![
        ("admin", vec![(Role::Admin, Scope::Organisation)]),
        (
            "org-coordinator",
            vec![(Role::Coordinator, Scope::Organisation)],
        ),
        ("researcher", vec![(Role::Researcher, Scope::Organisation)]),
        ("lead", vec![(Role::StudentLead, Scope::Organisation)]),
        (
            "school-lead",
            vec![(Role::SchoolLead, Scope::School(school))],
        ),
        // Holding the role is not being in the records: no link may lead to a refusal.
        ("tutor", vec![(Role::Tutor, Scope::Organisation)]),
        ("student", vec![(Role::Student, Scope::Organisation)]),
        ("recorded-tutor", vec![(Role::Tutor, Scope::Organisation)]),
        (
            "recorded-student",
            vec![(Role::Student, Scope::Organisation)],
        ),
        ("nobody", vec![]),
    ];
    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (who, grants) in &people {
        let b = app.as_role(&format!("{who}@tu.test"), grants).await;
        let home = b.get("/").await;
        assert_eq!(home.status, 200, "{who}: {}", home.body);
        let links = nav_links(&home.body);
        assert!(links.contains(&"/account".to_string()), "{who}: {links:?}");
        for link in links {
            let mut page = b.get(&link).await;
            // "My tutor" sends a student on to their record.
            if page.status == 303 {
                page = b.follow(&page).await;
            }
            if page.status != 200 {
                wrong.push(format!("{who}: {link} answered {}", page.status));
            }
            seen.insert(link);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The test reached the tutoring links it is about.
    for link in [
        "/tutoring/profile",
        "/tutoring/me",
        "/tutoring/tutees",
        "/tutoring/dashboard",
        "/tutoring/change-requests",
        "/admin/organisation",
    ] {
        assert!(seen.contains(link), "{link} was never shown: {seen:?}");
    }
}
