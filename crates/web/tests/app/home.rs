//! Home pages by role, as to-do lists (issue 14): each item a count that links to the page
//! where it is dealt with, counts that change when the thing is done, only what applies to
//! the person, the organisation's stale-pairs setting, the navigation per role, and the cycle
//! page's stages.
use crate::helpers::{Browser, TestApp};
use crate::meetings::{MENTEE, MENTOR, setup};
use crate::recruitment::{apply, recruiting, student};
use chrono::{Duration, TimeZone, Utc};
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::evaluation::Wave;
use flipside_core::meetings::Slot;
use flipside_core::role::{Role, Scope};
use flipside_core::surveys::WaveDates;
use flipside_store::{NewFollowUpAction, NewInvitation, NewPair};

/// The links of a page's main content (not the navigation): (href, text).
fn main_links(html: &str) -> Vec<(String, String)> {
    let main = html.split_once("<main").map_or(html, |(_, m)| m);
    main.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, after) = rest.split_once('"')?;
            let text = after.split_once('>')?.1.split("</a>").next()?;
            Some((href.to_string(), text.to_string()))
        })
        .collect()
}

/// Whether the page links `href` with exactly `text`.
fn links_to(html: &str, href: &str, text: &str) -> bool {
    main_links(html).iter().any(|(h, t)| h == href && t == text)
}

/// The navigation's links.
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

async fn settings(admin: &Browser, stale: &str) -> crate::helpers::Page {
    admin
        .post(
            "/admin/organisation",
            &[
                ("name", "Test University"),
                ("min_cell", "5"),
                ("disclosure_preset", "internal"),
                ("hours_target", "20"),
                ("time_zone", "Europe/London"),
                ("stale_pair_weeks", stale),
            ],
        )
        .await
}

#[tokio::test]
async fn a_coordinators_home_counts_what_waits_and_each_count_leads_to_its_page() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    recruiting(&app, "Law School Pilot").await;
    let coordinator = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let home = coordinator.get_ok("/").await.body;
    assert!(
        links_to(
            &home,
            &format!("/cycles/{cycle}"),
            "2026/27 cycle<span class=\"visually-hidden\"> of Reverse Mentoring</span>"
        ),
        "{home}"
    );
    assert!(home.contains("Nothing waits for you in this cycle."));
    assert!(
        !home.contains("Law School Pilot"),
        "a scheme others run is not listed"
    );

    // Two students apply: two applications to decide; one decided, one left.
    for email in ["amara@tu.test", "tom@tu.test"] {
        let b = app.as_role(email, &student()).await;
        assert_eq!(apply(&b, cycle, &[], "", &["take_part"]).await.status, 303);
    }
    let applications = format!("/cycles/{cycle}/applications");
    let home = coordinator.get_ok("/").await.body;
    assert!(
        links_to(&home, &applications, "2 applications to decide"),
        "{home}"
    );
    let first = app.store.applications_of(cycle).await.unwrap()[0].id;
    let r = coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{first}/decision"),
            &[("decision", "accepted"), ("message", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let home = coordinator.get_ok("/").await.body;
    assert!(links_to(&home, &applications, "1 application to decide"));
    assert!(!home.contains("2 applications to decide"));

    // Invitations: one waiting for an answer, one whose link expired.
    let now = Utc::now();
    for (email, expires_at) in [
        ("dean@tu.test", now + Duration::days(60)),
        ("late@tu.test", now - Duration::days(1)),
    ] {
        app.store
            .create_invitation(NewInvitation {
                cycle_id: cycle,
                email,
                name: email,
                school_id: None,
                invited_by: None,
                expires_at,
            })
            .await
            .unwrap();
    }
    let invitations = format!("/cycles/{cycle}/invitations");
    let home = coordinator.get_ok("/").await.body;
    assert!(links_to(
        &home,
        &invitations,
        "1 invited leader yet to answer"
    ));
    assert!(links_to(
        &home,
        &invitations,
        "1 invitation link expired unanswered"
    ));

    // A published pair: its agreement waits until both accept.
    let mentor = app
        .person("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let mentee = app
        .person("mentee@tu.test", &[(Role::Mentee, Scope::Cycle(cycle))])
        .await;
    let pair = app
        .publish_pairs(
            cycle,
            &[NewPair {
                mentor_id: mentor,
                mentee_id: mentee,
                reason: String::new(),
                cost: 0,
            }],
            None,
        )
        .await
        .unwrap()[0];
    let nudge = format!("/cycles/{cycle}/pairs#nudge");
    let agreement = "1 pair yet to accept the expectations agreement";
    assert!(links_to(
        &coordinator.get_ok("/").await.body,
        &nudge,
        agreement
    ));
    app.store.accept_agreement(pair, mentor).await.unwrap();
    assert!(links_to(
        &coordinator.get_ok("/").await.body,
        &nudge,
        agreement
    ));
    app.store.accept_agreement(pair, mentee).await.unwrap();
    assert!(!coordinator.get_ok("/").await.body.contains(agreement));

    // Five weeks on, the pair has not met for the default four.
    let later = now + Duration::weeks(5);
    app.clock.set(later);
    let meetings = format!("/cycles/{cycle}/meetings");
    let stale = "1 pair has not met for 4 weeks";
    let home = coordinator.get_ok("/").await.body;
    assert!(links_to(&home, &meetings, stale), "{home}");
    let hours = coordinator.get_ok(&meetings).await.body;
    assert!(
        hours.contains("<span class=\"tag\">not met for 4 weeks</span>"),
        "{hours}"
    );
    // A meeting held a week ago: the pair meets again.
    let met = app
        .store
        .propose_meeting(
            pair,
            0,
            Slot {
                start: later - Duration::weeks(1),
                minutes: 60,
            },
            mentor,
        )
        .await
        .unwrap();
    app.store.respond_to_meeting(met, true).await.unwrap();
    app.store.mark_meeting_held(met, 60).await.unwrap();
    assert!(!coordinator.get_ok("/").await.body.contains(stale));
    assert!(
        !coordinator
            .get_ok(&meetings)
            .await
            .body
            .contains("not met for 4 weeks</span>")
    );

    // A new concern, until a coordinator answers it.
    let concern = app
        .store
        .raise_concern(pair, cycle, mentor, "We cannot find a time.")
        .await
        .unwrap();
    let concerns = format!("/cycles/{cycle}/concerns");
    assert!(links_to(
        &coordinator.get_ok("/").await.body,
        &concerns,
        "1 new concern"
    ));
    let r = coordinator
        .post(
            &format!("/concerns/{concern}/answer"),
            &[
                ("status", "acknowledged"),
                ("reply", "I will write to you both."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!coordinator.get_ok("/").await.body.contains("new concern"));

    // An open survey wave, with its response so far.
    let today = app
        .clock
        .today_in(flipside_core::local_time::Zone::parse("Europe/London").unwrap());
    app.store
        .set_wave_dates(
            cycle,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: today - Duration::days(1),
                closes_on: today + Duration::days(10),
            }],
        )
        .await
        .unwrap();
    let home = coordinator.get_ok("/").await.body;
    let wave = format!(
        "The survey before the cycle is open until {}: nobody has been invited yet",
        (today + Duration::days(10)).format("%-d %B %Y")
    );
    assert!(
        links_to(&home, &format!("/cycles/{cycle}/surveys"), &wave),
        "{home}"
    );

    // Every count leads to a page the coordinator may open.
    let items: Vec<String> = main_links(&home)
        .into_iter()
        .map(|(h, _)| h)
        .filter(|h| h.starts_with(&format!("/cycles/{cycle}/")))
        .chain([nudge, meetings, concerns])
        .collect();
    assert_eq!(items.len(), 7, "{items:?}");
    for href in items {
        let path = href.split('#').next().unwrap();
        assert_eq!(coordinator.get(path).await.status, 200, "{href}");
    }
}

#[tokio::test]
async fn the_stale_pairs_setting_is_validated_and_applied() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let page = admin.get_ok("/admin/organisation").await.body;
    assert!(page.contains("id=\"stale_pair_weeks\" name=\"stale_pair_weeks\" value=\"4\""));
    for bad in ["0", "27", "two", ""] {
        let r = settings(&admin, bad).await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(
            r.body.contains("<p class=\"field-error\" id=\"stale_pair_weeks-error\">Enter the weeks without a meeting as a whole number from 1 to 26.</p>"),
            "{bad}: {}",
            r.body
        );
        assert!(
            r.body.contains("href=\"#stale_pair_weeks\""),
            "the summary links the field"
        );
    }
    let org = app.store.organisation().await.unwrap().unwrap();
    assert_eq!(org.stale_pair_weeks, 4, "nothing was saved");

    // Three weeks after the pair was published: not yet stale at four weeks.
    app.clock.set(Utc::now() + Duration::weeks(3));
    let coordinator = app.signed_in(crate::meetings::COORDINATOR).await;
    let home = coordinator.get_ok("/").await.body;
    assert!(!home.contains("not met for"), "{home}");

    assert_eq!(settings(&admin, "2").await.status, 303);
    assert_eq!(
        app.store
            .organisation()
            .await
            .unwrap()
            .unwrap()
            .stale_pair_weeks,
        2
    );
    assert!(
        app.store
            .audit_entries(Some("organisation_updated"), 1)
            .await
            .unwrap()[0]
            .detail
            .contains("stale after 2 weeks")
    );
    let home = coordinator.get_ok("/").await.body;
    assert!(
        links_to(
            &home,
            &format!("/cycles/{}/meetings", s.cycle),
            "1 pair has not met for 2 weeks"
        ),
        "{home}"
    );
    let cycle_page = coordinator
        .get_ok(&format!("/cycles/{}", s.cycle))
        .await
        .body;
    assert!(cycle_page.contains("1 pair has not met for 2 weeks"));

    // A settings form without the field (an older page) leaves the setting alone.
    let r = admin
        .post(
            "/admin/organisation",
            &[
                ("name", "Test University"),
                ("min_cell", "5"),
                ("disclosure_preset", "internal"),
                ("hours_target", "20"),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.store
            .organisation()
            .await
            .unwrap()
            .unwrap()
            .stale_pair_weeks,
        2
    );
    assert_eq!(settings(&admin, "4").await.status, 303);
    assert!(!coordinator.get_ok("/").await.body.contains("not met for"));
}

#[tokio::test]
async fn each_role_sees_its_own_items_and_nothing_of_other_roles() {
    let app = TestApp::spawn().await;
    let (_, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let call = format!("/cycles/{cycle}/apply");
    let people = [
        ("admin@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        ("leader@tu.test", vec![(Role::Mentee, Scope::Organisation)]),
        ("tutor@tu.test", vec![(Role::Tutor, Scope::Organisation)]),
        (
            "researcher@tu.test",
            vec![(Role::Researcher, Scope::Organisation)],
        ),
        ("nobody@tu.test", vec![]),
    ];
    for (email, grants) in &people {
        let home = app.as_role(email, grants).await.get_ok("/").await.body;
        assert!(
            !home.contains(&call),
            "{email} is not offered the student call"
        );
        assert!(!home.contains("Open calls"), "{email}");
        assert!(!home.contains("being built"), "{email}");
        assert!(!home.contains("to decide"), "{email}");
        assert!(!home.contains("Your pair with"), "{email}");
    }
    // An administrator without a scheme role: administration, no scheme's or pair's items.
    let admin = app.signed_in("admin@tu.test").await.get_ok("/").await.body;
    assert!(links_to(&admin, "/admin/people", "People and roles"));
    assert!(links_to(&admin, "/admin/audit", "Audit log"));
    assert!(!admin.contains("Your mentoring"));
    assert!(
        !main_links(&admin)
            .iter()
            .any(|(h, _)| h.starts_with("/cycles/")),
        "{admin}"
    );
    // A researcher is pointed at the schemes they evaluate.
    let researcher = app
        .signed_in("researcher@tu.test")
        .await
        .get_ok("/")
        .await
        .body;
    assert!(researcher.contains("<h2>Evaluation</h2>"));
    assert!(!researcher.contains("Administration"));

    // A student is offered the call until they apply; then the application shows, with its
    // decision.
    let amara = app.as_role("amara@tu.test", &student()).await;
    let home = amara.get_ok("/").await.body;
    assert!(
        links_to(&home, &call, "Reverse Mentoring, 2026/27"),
        "{home}"
    );
    assert!(!home.contains("Administration"));
    assert!(!home.contains("Schemes you run"));
    assert_eq!(
        apply(&amara, cycle, &[], "", &["take_part"]).await.status,
        303
    );
    let home = amara.get_ok("/").await.body;
    assert!(!home.contains(&call), "no call to answer twice");
    assert!(
        home.contains("<strong>Received, not yet decided</strong>"),
        "{home}"
    );
}

#[tokio::test]
async fn a_pair_member_sees_their_pair_the_next_meeting_and_what_they_owe() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let pair = format!("/pairs/{}", s.pair);
    let home = mentor.get_ok("/").await.body;
    assert!(
        links_to(&home, &pair, "Your pair with helen marsh"),
        "{home}"
    );
    assert!(home.contains("Reverse Mentoring 2026/27 · Active"));
    assert!(links_to(
        &home,
        &format!("{pair}#agreement"),
        "Accept the expectations agreement"
    ));
    assert!(!home.contains("Schemes you run"), "no coordinator's items");
    assert!(
        !home.contains("Open calls"),
        "a mentor already in a pair of the only cycle"
    );

    app.store.accept_agreement(s.pair, s.mentor).await.unwrap();
    let home = mentor.get_ok("/").await.body;
    assert!(!home.contains("Accept the expectations agreement"));
    assert!(home.contains("Waiting for helen marsh to accept the expectations agreement."));
    app.store.accept_agreement(s.pair, s.mentee).await.unwrap();
    let home = mentor.get_ok("/").await.body;
    assert!(links_to(
        &home,
        &format!("{pair}#meetings"),
        "Propose a meeting"
    ));

    // The partner proposes a meeting: it is the next one, and the mentor's to answer.
    let start = Utc.with_ymd_and_hms(2099, 3, 2, 14, 0, 0).unwrap();
    let meeting = app
        .store
        .propose_meeting(s.pair, 0, Slot { start, minutes: 60 }, s.mentee)
        .await
        .unwrap();
    let home = mentor.get_ok("/").await.body;
    assert!(
        home.contains(&format!(
            "Next meeting: <a href=\"{pair}#meetings\">2 March 2099, 14:00 GMT</a> (proposed, not yet confirmed)"
        )),
        "{home}"
    );
    assert!(links_to(
        &home,
        &format!("{pair}#meetings"),
        "1 proposed meeting to answer"
    ));
    // The proposer has nothing to answer.
    let mentee = app.signed_in(MENTEE).await.get_ok("/").await.body;
    assert!(!mentee.contains("to answer"), "{mentee}");
    app.store.respond_to_meeting(meeting, true).await.unwrap();
    let home = mentor.get_ok("/").await.body;
    assert!(home.contains("2 March 2099, 14:00 GMT</a> (confirmed)"));
    assert!(!home.contains("to answer"));

    // An action the mentor owns, until it is done.
    let action = app
        .store
        .raise_action(&NewFollowUpAction {
            pair_id: s.pair,
            cycle_id: s.cycle,
            raised_by: s.mentee,
            anonymous: false,
            owner_id: s.mentor,
            title: "Ask the library about opening hours",
            description: "",
        })
        .await
        .unwrap();
    let home = mentor.get_ok("/").await.body;
    assert!(links_to(
        &home,
        &format!("{pair}#actions"),
        "1 open action you own"
    ));
    assert!(
        !app.signed_in(MENTEE)
            .await
            .get_ok("/")
            .await
            .body
            .contains("open action")
    );
    for (from, to) in [
        ("proposed", "agreed"),
        ("agreed", "in_progress"),
        ("in_progress", "done"),
    ] {
        let r = mentor
            .post(
                &format!("/actions/{action}/status"),
                &[("from", from), ("to", to), ("reason", "")],
            )
            .await;
        assert_eq!(r.status, 303, "{to}: {}", r.body);
    }
    assert!(!mentor.get_ok("/").await.body.contains("open action"));
}

#[tokio::test]
async fn tutors_tutees_and_school_leads_see_what_personal_tutoring_asks_of_them() {
    let app = TestApp::spawn().await;
    // 30 November 2026: the default no-contact-by date (10 October) has passed.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap());
    let year = AcademicYear::parse("2026/27").unwrap();
    let faculty = app.store.create_faculty("Science").await.unwrap();
    let school = app
        .store
        .create_school(faculty, "Physics", "PHY")
        .await
        .unwrap();
    let tutor = app
        .store
        .add_tutoring_tutor("T1", "Dr Leila Haddad", "leila@tu.test", school, 5)
        .await
        .unwrap();
    let mut tutees = Vec::new();
    for (id, email) in [("S1", "jordan@tu.test"), ("S2", "sam@tu.test")] {
        let student = app
            .store
            .add_tutoring_student(id, email, email, school)
            .await
            .unwrap();
        app.store
            .assign_tutor(student, tutor, i64::from(year.start_year()), "import")
            .await
            .unwrap();
        tutees.push(student);
    }
    // Jordan had a contact in September; Sam none.
    app.store
        .add_contact(&flipside_store::NewContact {
            student_id: tutees[0],
            tutor_id: tutor,
            academic_year: year.start_year(),
            date: "2026-09-20".into(),
            year_day: flipside_core::tutoring::day_of_year(
                year,
                chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap(),
            ),
            mode: "in_person".into(),
            duration_minutes: 30,
            initiated_by: "tutor".into(),
            logged_by: "tutor".into(),
            note: String::new(),
        })
        .await
        .unwrap();
    app.store
        .request_tutor_change(
            tutees[1],
            i64::from(year.start_year()),
            tutor,
            "We never meet.",
        )
        .await
        .unwrap();

    let leila = app
        .as_role("leila@tu.test", &[(Role::Tutor, Scope::Organisation)])
        .await;
    let home = leila.get_ok("/").await.body;
    assert!(
        home.contains("2 students have you as their personal tutor this year."),
        "{home}"
    );
    assert!(
        links_to(
            &home,
            "/tutoring/tutees#overdue",
            "1 tutee without a contact by their School's date"
        ),
        "{home}"
    );
    assert!(!home.contains("Open calls") && !home.contains("Schemes you run"));
    // The count is the tutees page's own list.
    let page = leila.get_ok("/tutoring/tutees").await.body;
    assert!(
        page.contains("sam@tu.test (S2)</a>: no contact by 2026-10-10"),
        "{page}"
    );

    let sam = app
        .as_role("sam@tu.test", &[(Role::Student, Scope::Organisation)])
        .await;
    let home = sam.get_ok("/").await.body;
    assert!(
        home.contains("Dr Leila Haddad is your personal tutor this year."),
        "{home}"
    );
    assert!(links_to(
        &home,
        "/tutoring/profile",
        "Your profile: what you share with your tutor"
    ));

    let lead = app
        .as_role(
            "director@tu.test",
            &[(Role::SchoolLead, Scope::School(school))],
        )
        .await;
    let home = lead.get_ok("/").await.body;
    assert!(
        links_to(
            &home,
            "/tutoring/change-requests",
            "1 request for a change of tutor to decide"
        ),
        "{home}"
    );
    assert!(links_to(
        &home,
        "/tutoring/dashboard",
        "Who has had a contact with their tutor, School by School"
    ));
    // A lead of another School has none to decide.
    let other = app
        .store
        .create_school(faculty, "Chemistry", "CHE")
        .await
        .unwrap();
    let chemistry = app
        .as_role(
            "chem.director@tu.test",
            &[(Role::SchoolLead, Scope::School(other))],
        )
        .await
        .get_ok("/")
        .await
        .body;
    assert!(
        chemistry.contains("No request for a change of tutor waits for you."),
        "{chemistry}"
    );
    for b in [&leila, &sam, &lead] {
        assert!(!b.get_ok("/").await.body.contains("being built"));
    }
}

#[tokio::test]
async fn the_navigation_shows_each_role_only_what_it_may_use() {
    let app = TestApp::spawn().await;
    let faculty = app.store.create_faculty("Science").await.unwrap();
    let school = app
        .store
        .create_school(faculty, "Physics", "PHY")
        .await
        .unwrap();
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let tutor = app
        .store
        .add_tutoring_tutor("T1", "Tutor", "recorded.tutor@tu.test", school, 5)
        .await
        .unwrap();
    let student = app
        .store
        .add_tutoring_student("S1", "Student", "recorded.student@tu.test", school)
        .await
        .unwrap();
    let year = AcademicYear::containing(Utc::now().date_naive());
    app.store
        .assign_tutor(student, tutor, i64::from(year.start_year()), "import")
        .await
        .unwrap();
    // (who, their grants, the navigation links they see)
    type NavCase<'a> = (&'a str, Vec<(Role, Scope)>, Vec<&'a str>);
    let cases: Vec<NavCase> = vec![
        ("nobody", vec![], vec!["/", "/sprints", "/account"]),
        (
            "admin",
            vec![(Role::Admin, Scope::Organisation)],
            vec![
                "/",
                "/schemes",
                "/sprints",
                "/admin/people",
                "/admin/organisation",
                "/instruments",
                "/admin/import",
                "/tutoring/dashboard",
                "/admin/audit",
                "/account",
            ],
        ),
        (
            "org.coordinator",
            vec![(Role::Coordinator, Scope::Organisation)],
            vec![
                "/",
                "/schemes",
                "/sprints",
                "/instruments",
                "/admin/import",
                "/tutoring/allocation",
                "/tutoring/dashboard",
                "/account",
            ],
        ),
        (
            "coordinator",
            vec![(Role::Coordinator, Scope::Scheme(scheme))],
            vec!["/", "/schemes", "/sprints", "/account"],
        ),
        (
            "mentor",
            vec![(Role::Mentor, Scope::Cycle(cycle))],
            vec!["/", "/schemes", "/sprints", "/account"],
        ),
        (
            "mentee",
            vec![(Role::Mentee, Scope::Cycle(cycle))],
            vec!["/", "/schemes", "/sprints", "/account"],
        ),
        (
            "researcher",
            vec![(Role::Researcher, Scope::Organisation)],
            vec!["/", "/schemes", "/sprints", "/account"],
        ),
        (
            "unrecorded.tutor",
            vec![(Role::Tutor, Scope::Organisation)],
            vec!["/", "/sprints", "/account"],
        ),
        (
            "recorded.tutor",
            vec![(Role::Tutor, Scope::Organisation)],
            vec!["/", "/sprints", "/tutoring/tutees", "/account"],
        ),
        (
            "recorded.student",
            vec![(Role::Student, Scope::Organisation)],
            vec![
                "/",
                "/schemes",
                "/sprints",
                "/tutoring/profile",
                "/tutoring/me",
                "/account",
            ],
        ),
        (
            "student.lead",
            vec![(Role::StudentLead, Scope::Organisation)],
            vec![
                "/",
                "/schemes",
                "/sprints",
                "/tutoring/dashboard",
                "/account",
            ],
        ),
        (
            "school.lead",
            vec![(Role::SchoolLead, Scope::School(school))],
            vec![
                "/",
                "/sprints",
                "/tutoring/change-requests",
                "/tutoring/dashboard",
                "/account",
            ],
        ),
    ];
    for (who, grants, expected) in cases {
        let b = app.as_role(&format!("{who}@tu.test"), &grants).await;
        let home = b.get_ok("/").await.body;
        assert_eq!(nav_links(&home), expected, "{who}");
    }
    // Signed out: home only.
    assert_eq!(nav_links(&app.browser().get_ok("/").await.body), ["/"]);
}

#[tokio::test]
async fn the_cycle_page_groups_the_year_by_stage_with_what_is_done_and_what_is_next() {
    let app = TestApp::spawn().await;
    let (scheme, cycle) = recruiting(&app, "Reverse Mentoring").await;
    let coordinator = app
        .as_role(
            "priya@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    for email in ["amara@tu.test", "tom@tu.test"] {
        let b = app.as_role(email, &student()).await;
        assert_eq!(apply(&b, cycle, &[], "", &["take_part"]).await.status, 303);
    }
    let first = app.store.applications_of(cycle).await.unwrap()[0].id;
    coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{first}/decision"),
            &[("decision", "accepted"), ("message", "")],
        )
        .await;
    let path = format!("/cycles/{cycle}");
    let stage = |html: &str, id: &str| -> String {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no stage {id}: {html}"));
        let rest = &html[start..];
        rest[..rest.find("</section>").unwrap()].to_string()
    };
    let page = coordinator.get_ok(&path).await.body;
    let recruit = stage(&page, "recruit");
    assert!(
        recruit.contains("1. Recruit <span class=\"standing\">(now)</span>"),
        "{recruit}"
    );
    assert!(
        recruit.contains("<li>Call open: 2 applications (1 accepted, 1 undecided).</li>"),
        "{recruit}"
    );
    assert!(recruit.contains("<li>No staff leaders invited yet.</li>"));
    assert!(links_to(
        &recruit,
        &format!("/cycles/{cycle}/applications"),
        "1 application to decide"
    ));
    assert!(
        recruit.contains("Staff invitations</a>"),
        "the stage's own pages"
    );
    assert!(stage(&page, "match").contains("(later)"));
    assert!(stage(&page, "evaluate").contains("Surveys: dates, response rates"));

    // Decided and moved on: recruiting is done, matching is next.
    let second = app.store.applications_of(cycle).await.unwrap()[1].id;
    coordinator
        .post(
            &format!("/cycles/{cycle}/applications/{second}/decision"),
            &[("decision", "declined"), ("message", "")],
        )
        .await;
    let page = coordinator.get_ok(&path).await.body;
    assert!(
        stage(&page, "recruit").contains("Nothing waits here: the cycle can move to matching.")
    );
    app.transition_cycle(cycle, CycleState::Recruiting, CycleState::Matching, None)
        .await
        .unwrap();
    let page = coordinator.get_ok(&path).await.body;
    let recruit = stage(&page, "recruit");
    assert!(
        recruit.contains("(done)") && recruit.contains("Call closed: 2 applications (1 accepted)."),
        "{recruit}"
    );
    let matching = stage(&page, "match");
    assert!(matching.contains("(now)"));
    assert!(
        links_to(
            &matching,
            &format!("/cycles/{cycle}/matching"),
            "1 accepted student and 0 leaders to match"
        ),
        "{matching}"
    );

    // Someone taking part sees the stages, not the figures nor the coordinators' links.
    let mentor = app
        .as_role("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let page = mentor.get_ok(&path).await.body;
    assert!(stage(&page, "match").contains("2. Match"));
    assert!(!page.contains("applications"), "{page}");
    assert!(!page.contains("to match"));
}
