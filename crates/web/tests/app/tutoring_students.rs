//! Tutoring students for themselves (SPEC §3.10): a profile they control, and asking for a
//! change of tutor, which their School's lead decides.
use crate::helpers::TestApp;
use flipside_core::cycle::AcademicYear;
use flipside_core::role::{Role, Scope};

fn year() -> AcademicYear {
    AcademicYear::containing(chrono::Utc::now().date_naive())
}

pub(crate) fn year_key() -> i64 {
    i64::from(year().start_year())
}

/// Two Schools' worth of personal tutoring: a student with their tutor, a tutor with no
/// free place and one with room, and another student.
pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) school: i64,
    pub(crate) other_school: i64,
    pub(crate) student: i64,
    pub(crate) tutor: i64,
    pub(crate) full_tutor: i64,
    pub(crate) free_tutor: i64,
}

pub(crate) async fn world() -> World {
    let app = TestApp::spawn().await;
    let s = &app.store;
    let faculty = s.create_faculty("Faculty of Science").await.unwrap();
    let school = s
        .create_school(faculty, "School of Physics", "PHY")
        .await
        .unwrap();
    let other_school = s
        .create_school(faculty, "School of Chemistry", "CHE")
        .await
        .unwrap();
    let tutor = s
        .add_tutoring_tutor("T1", "Dr Rowan Hale", "rowan.hale@tu.test", school, 3)
        .await
        .unwrap();
    let full_tutor = s
        .add_tutoring_tutor("T2", "Dr Imre Full", "imre@tu.test", school, 1)
        .await
        .unwrap();
    let free_tutor = s
        .add_tutoring_tutor("T3", "Dr Nell Free", "nell@tu.test", school, 5)
        .await
        .unwrap();
    // The student's record email differs in case from their account's.
    let student = s
        .add_tutoring_student("S1", "Kit Student", "Kit.Student@TU.test", school)
        .await
        .unwrap();
    let other = s
        .add_tutoring_student("S2", "Lee Other", "lee@tu.test", school)
        .await
        .unwrap();
    s.assign_tutor(student, tutor, year_key(), "import")
        .await
        .unwrap();
    s.assign_tutor(other, full_tutor, year_key(), "import")
        .await
        .unwrap();
    World {
        app,
        school,
        other_school,
        student,
        tutor,
        full_tutor,
        free_tutor,
    }
}

const GOALS: &str = "Get a placement in industry";
const SUCCESS: &str = "Finishing without burning out";
const NOTE: &str = "I care for a parent at weekends";

#[tokio::test]
async fn a_student_chooses_what_their_tutor_sees_and_nobody_else_sees_anything() {
    let w = world().await;
    let student = w
        .app
        .as_role(
            "kit.student@tu.test",
            &[(Role::Student, Scope::Organisation)],
        )
        .await;
    let page = student.get("/tutoring/profile").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Dr Rowan Hale"));
    // Saved without ticking anything: nothing is shared.
    let r = student
        .post(
            "/tutoring/profile",
            &[("goals", GOALS), ("success", SUCCESS), ("tutor_note", NOTE)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let tutor = w
        .app
        .as_role("rowan.hale@tu.test", &[(Role::Tutor, Scope::Organisation)])
        .await;
    let path = format!("/tutoring/students/{}/profile", w.student);
    let page = tutor.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [GOALS, SUCCESS, NOTE] {
        assert!(!page.body.contains(text), "{text} shown unshared");
    }
    assert!(page.body.contains("Not shared with you."));
    // Sharing the goals only.
    student
        .post(
            "/tutoring/profile",
            &[
                ("goals", GOALS),
                ("goals_shared", "yes"),
                ("success", SUCCESS),
                ("tutor_note", NOTE),
            ],
        )
        .await;
    let page = tutor.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(GOALS));
    assert!(!page.body.contains(SUCCESS) && !page.body.contains(NOTE));
    // Only the read of shared fields is audited (none were shared at the first read).
    let reads = w
        .app
        .store
        .audit_entries(Some("tutoring_profile_read"), 10)
        .await
        .unwrap();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].subject_id, Some(w.student));
    assert!(!reads[0].detail.contains(GOALS));
    // The student sees all of it.
    let mine = student.get_ok("/tutoring/profile").await.body;
    assert!(mine.contains(GOALS) && mine.contains(SUCCESS) && mine.contains(NOTE));

    // Everyone else: refused, and the text never appears; admins and coordinators included.
    let others = [
        ("admin@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        (
            "coord@tu.test",
            vec![(Role::Coordinator, Scope::Organisation)],
        ),
        (
            "sl@tu.test",
            vec![(Role::SchoolLead, Scope::School(w.school))],
        ),
        (
            "apt@tu.test",
            vec![(Role::StudentLead, Scope::Organisation)],
        ),
        ("res@tu.test", vec![(Role::Researcher, Scope::Organisation)]),
        ("imre@tu.test", vec![(Role::Tutor, Scope::Organisation)]),
        ("lee@tu.test", vec![(Role::Student, Scope::Organisation)]),
        ("nobody@tu.test", vec![]),
    ];
    for (email, grants) in &others {
        let b = w.app.as_role(email, grants).await;
        let r = b.get(&path).await;
        assert_eq!(r.status, 403, "{email} read the tutee's profile");
        let own = b.get("/tutoring/profile").await;
        // Lee is another tutoring student and sees their own profile; nobody else has one.
        let expected = if *email == "lee@tu.test" { 200 } else { 403 };
        assert_eq!(own.status, expected, "{email}'s own profile");
        for text in [GOALS, SUCCESS, NOTE] {
            assert!(
                !r.body.contains(text) && !own.body.contains(text),
                "{email} saw {text}"
            );
        }
    }
    // A tutor who is not the tutor of record this year is refused too, even last year's.
    w.app
        .store
        .assign_tutor(w.student, w.free_tutor, year_key(), "allocation")
        .await
        .unwrap();
    assert_eq!(tutor.get(&path).await.status, 403);
}

#[tokio::test]
async fn the_profile_form_refuses_overlong_text_and_keeps_the_rest() {
    let w = world().await;
    let student = w.app.as_role("kit.student@tu.test", &[]).await;
    let long = "y".repeat(2001);
    let r = student
        .post(
            "/tutoring/profile",
            &[("goals", &long), ("success", "kept success")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Your goals is too long: at most 2000 characters, this has 2001."),
        "{}",
        r.body
    );
    assert!(r.body.contains("kept success"));
    assert!(
        w.app
            .store
            .tutoring_profile(w.student)
            .await
            .unwrap()
            .success
            .is_empty()
    );
}

#[tokio::test]
async fn a_change_of_tutor_is_asked_with_a_reason_and_decided_by_the_school_lead() {
    let w = world().await;
    let student = w.app.as_role("kit.student@tu.test", &[]).await;
    // The reason is required.
    let r = student
        .post("/tutoring/change-request", &[("reason", "  ")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The reason is required."));
    let r = student
        .post(
            "/tutoring/change-request",
            &[("reason", "We never find a time that works.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A second pending request is refused.
    let r = student
        .post("/tutoring/change-request", &[("reason", "Again")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("You already have a request for a change of tutor waiting for a decision."),
        "{}",
        r.body
    );
    let request = w.app.store.change_requests_of(w.student).await.unwrap()[0].id;

    // A School lead of another School sees nothing and cannot decide it.
    let outsider = w
        .app
        .as_role(
            "out@tu.test",
            &[(Role::SchoolLead, Scope::School(w.other_school))],
        )
        .await;
    assert!(
        !outsider
            .get_ok("/tutoring/change-requests")
            .await
            .body
            .contains("Kit Student")
    );
    let decide = format!("/tutoring/change-requests/{request}");
    assert_eq!(
        outsider
            .post(
                &decide,
                &[
                    ("outcome", "approve"),
                    ("tutor_id", &w.free_tutor.to_string())
                ]
            )
            .await
            .status,
        403
    );
    // Admins and coordinators are not School leads.
    let admin = w
        .app
        .as_role("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    assert_eq!(admin.get("/tutoring/change-requests").await.status, 403);

    let lead = w
        .app
        .as_role("sl@tu.test", &[(Role::SchoolLead, Scope::School(w.school))])
        .await;
    let queue = lead.get("/tutoring/change-requests").await;
    assert!(
        queue.body.contains("Kit Student")
            && queue.body.contains("We never find a time that works.")
    );
    // A tutor with no room is refused, by name.
    let r = lead
        .post(
            &decide,
            &[
                ("outcome", "approve"),
                ("tutor_id", &w.full_tutor.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Dr Imre Full has no room: 1 of 1 places are taken"),
        "{}",
        r.body
    );
    let r = lead
        .post(
            &decide,
            &[
                ("outcome", "approve"),
                ("tutor_id", &w.free_tutor.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let s = &w.app.store;
    let now = s
        .tutor_of_record(w.student, year_key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.id, w.free_tutor);
    assert_eq!(
        s.assignment_source(w.student, year_key())
            .await
            .unwrap()
            .as_deref(),
        Some("change_request")
    );
    let decided = s.change_request(request).await.unwrap();
    assert_eq!(
        (decided.status.as_str(), decided.from_tutor_id),
        ("approved", w.tutor),
        "history kept"
    );
    let emails = s.emails_to("Kit.Student@TU.test").await.unwrap();
    assert_eq!(emails.len(), 1);
    assert!(emails[0].body_text.contains("Dr Nell Free"));
    let page = student.get("/tutoring/change-request").await;
    assert!(
        page.body
            .contains("Approved: your new tutor is Dr Nell Free"),
        "{}",
        page.body
    );
    // Deciding again changes nothing.
    assert_eq!(
        lead.post(&decide, &[("outcome", "decline"), ("reason", "x")])
            .await
            .status,
        409
    );

    // A second request, declined with a reason (required).
    student
        .post(
            "/tutoring/change-request",
            &[("reason", "Different subject area.")],
        )
        .await;
    let second = s.change_requests_of(w.student).await.unwrap()[0].id;
    let decide = format!("/tutoring/change-requests/{second}");
    let r = lead
        .post(&decide, &[("outcome", "decline"), ("reason", "")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Give the student a reason for declining"));
    let r = lead
        .post(
            &decide,
            &[
                ("outcome", "decline"),
                ("reason", "Dr Free specialises in your area."),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        s.tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .unwrap()
            .id,
        w.free_tutor
    );
    assert!(
        student
            .get("/tutoring/change-request")
            .await
            .body
            .contains("Declined: Dr Free specialises in your area.")
    );
    assert_eq!(s.emails_to("Kit.Student@TU.test").await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_student_without_a_tutor_this_year_is_told_there_is_none_to_change() {
    let w = world().await;
    w.app
        .store
        .add_tutoring_student("S9", "New Student", "new@tu.test", w.school)
        .await
        .unwrap();
    let b = w.app.as_role("new@tu.test", &[]).await;
    let r = b
        .post("/tutoring/change-request", &[("reason", "I want a tutor")])
        .await;
    assert_eq!(r.status, 422);
    let expected = format!(
        "You have no personal tutor for {} yet, so there is no tutor to change.",
        year()
    );
    assert!(r.body.contains(&expected), "{}", r.body);
    assert!(
        w.app
            .store
            .change_requests_of(w.student)
            .await
            .unwrap()
            .is_empty()
    );
    // Someone who is not a tutoring student is refused outright.
    let stranger = w.app.as_role("stranger@tu.test", &[]).await;
    assert_eq!(stranger.get("/tutoring/change-request").await.status, 403);
}

#[tokio::test]
async fn two_approvals_into_a_tutors_last_place_at_once_do_not_both_apply() {
    let w = world().await;
    let s = &w.app.store;
    let last_place = s
        .add_tutoring_tutor("T4", "Dr Ola Last", "ola@tu.test", w.school, 1)
        .await
        .unwrap();
    let kit_request = s
        .request_tutor_change(w.student, year_key(), w.tutor, "Timetable clash.")
        .await
        .unwrap();
    let other = s
        .tutoring_students_of_school(w.school)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Lee Other")
        .unwrap()
        .id;
    let lee_request = s
        .request_tutor_change(other, year_key(), w.full_tutor, "Subject area.")
        .await
        .unwrap();
    // Two leads of the School, each on their own request, both choosing the last place.
    let grants = [(Role::SchoolLead, Scope::School(w.school))];
    let one = w.app.as_role("sl1@tu.test", &grants).await;
    let two = w.app.as_role("sl2@tu.test", &grants).await;
    let tutor = last_place.to_string();
    let approve = [("outcome", "approve"), ("tutor_id", tutor.as_str())];
    let (kit, lee) = (
        format!("/tutoring/change-requests/{kit_request}"),
        format!("/tutoring/change-requests/{lee_request}"),
    );
    let (a, b) = tokio::join!(one.post(&kit, &approve), two.post(&lee, &approve));
    // Whichever comes second is refused: by the page's check when the first has committed
    // before it reads (422), or by the operation's own check under the lock (409).
    let (won, refused) = if a.status == 303 { (&a, &b) } else { (&b, &a) };
    assert_eq!(won.status, 303, "{}", won.body);
    assert!([409, 422].contains(&refused.status), "{}", refused.body);
    assert!(
        refused.body.contains("Dr Ola Last has no room"),
        "{}",
        refused.body
    );
    let mut on_last_place = 0;
    for st in [w.student, other] {
        if s.tutor_of_record(st, year_key())
            .await
            .unwrap()
            .map(|t| t.id)
            == Some(last_place)
        {
            on_last_place += 1;
        }
    }
    assert_eq!(on_last_place, 1, "one place, one student");
    let pending = s.pending_change_requests().await.unwrap();
    assert_eq!(pending.len(), 1, "the refused request still waits");
}

#[tokio::test]
async fn approving_re_checks_the_new_tutors_room_inside_its_transaction() {
    let w = world().await;
    let s = &w.app.store;
    // Dr Imre Full's one place is taken: a page checked that before; the approval itself
    // must refuse too, since a check outside its transaction can be overtaken.
    let request = s
        .request_tutor_change(w.student, year_key(), w.tutor, "Timetable clash.")
        .await
        .unwrap();
    let lead = w.app.person("sl@tu.test", &[]).await;
    let mut tx = s.begin().await.unwrap();
    let err = tx
        .approve_change_request(request, w.full_tutor, lead)
        .await
        .unwrap_err();
    drop(tx);
    assert!(
        format!("{err}").contains("Dr Imre Full has no room: 1 of 1 places are taken"),
        "{err}"
    );
    assert_eq!(
        s.tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .map(|t| t.id),
        Some(w.tutor),
        "nothing changed"
    );
    assert_eq!(s.change_request(request).await.unwrap().status, "pending");
}

#[tokio::test]
async fn a_corrupt_change_request_status_answers_500_instead_of_reading_as_declined() {
    let w = world().await;
    let student = w.app.as_role("kit.student@tu.test", &[]).await;
    let r = student
        .post(
            "/tutoring/change-request",
            &[("reason", "We never find a time that works.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = student.get_ok("/tutoring/change-request").await;
    assert!(
        page.body.contains("Waiting for a decision"),
        "{}",
        page.body
    );
    // A status no version of flipside writes: the page read it as "Declined" before.
    w.app
        .store
        .execute_admin("UPDATE tutoring_change_requests SET status = 'on hold'")
        .await
        .unwrap();
    let page = student.get("/tutoring/change-request").await;
    assert_eq!(page.status, 500, "{}", page.body);
    assert!(!page.body.contains("Declined"), "{}", page.body);
    let err = w.app.store.change_requests_of(w.student).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("change-of-tutor request status"),
        "{err:#}"
    );
}

#[tokio::test]
async fn asking_for_and_deciding_a_change_of_tutor_are_each_audited_without_the_reasons() {
    let w = world().await;
    let app = &w.app;
    let student = app.as_role("kit.student@tu.test", &[]).await;
    let lead = app
        .as_role("sl@tu.test", &[(Role::SchoolLead, Scope::School(w.school))])
        .await;
    let outsider = app
        .as_role(
            "ol@tu.test",
            &[(Role::SchoolLead, Scope::School(w.other_school))],
        )
        .await;
    let (student_id, lead_id) = (
        app.user_id("kit.student@tu.test").await,
        app.user_id("sl@tu.test").await,
    );
    let mut seen = 0;
    let unchanged = |seen: usize| async move {
        assert_eq!(app.audit_trail("tutor_change_").await.len(), seen);
    };

    // Refused: no reason. Then asked, audited without the reason.
    let r = student
        .post("/tutoring/change-request", &[("reason", " ")])
        .await;
    assert_eq!(r.status, 422);
    unchanged(seen).await;
    let reason = "We never find a time that works.";
    let r = student
        .post("/tutoring/change-request", &[("reason", reason)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let request = app.store.change_requests_of(w.student).await.unwrap()[0].id;
    let e = app
        .audited_once(
            &mut seen,
            "tutor_change_",
            student_id,
            "tutor_change_requested",
            ("tutor_change_request", request),
        )
        .await;
    assert!(!e.detail.contains("time"), "{e:?}");
    // A second request while one waits is refused, and not audited.
    let r = student
        .post("/tutoring/change-request", &[("reason", "Again.")])
        .await;
    assert_eq!(r.status, 422);
    unchanged(seen).await;

    // Refused by the policy and by the rules: nothing changes, nothing is audited.
    let decide = format!("/tutoring/change-requests/{request}");
    let free = w.free_tutor.to_string();
    let full = w.full_tutor.to_string();
    for (who, fields, status) in [
        (
            &outsider,
            vec![("outcome", "approve"), ("tutor_id", free.as_str())],
            403,
        ),
        (
            &student,
            vec![("outcome", "approve"), ("tutor_id", free.as_str())],
            403,
        ),
        (
            &lead,
            vec![("outcome", "approve"), ("tutor_id", full.as_str())],
            422,
        ),
        (&lead, vec![("outcome", "decline"), ("reason", "")], 422),
    ] {
        let r = who.post(&decide, &fields).await;
        assert_eq!(r.status, status, "{fields:?}: {}", r.body);
        unchanged(seen).await;
    }
    let s = &app.store;
    assert_eq!(
        s.tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .map(|t| t.id),
        Some(w.tutor)
    );
    assert!(s.emails_to("Kit.Student@TU.test").await.unwrap().is_empty());

    // Approved: the tutor of record changes, with one entry naming both tutors.
    let r = lead
        .post(&decide, &[("outcome", "approve"), ("tutor_id", &free)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "tutor_change_",
            lead_id,
            "tutor_change_approved",
            ("tutor_change_request", request),
        )
        .await;
    assert!(
        e.detail
            .ends_with(&format!("{} → {}", w.tutor, w.free_tutor)),
        "{e:?}"
    );
    // Deciding again is refused and not audited.
    assert_eq!(
        lead.post(&decide, &[("outcome", "decline"), ("reason", "x")])
            .await
            .status,
        409
    );
    unchanged(seen).await;

    // Declined: audited without the reason given to the student.
    student
        .post(
            "/tutoring/change-request",
            &[("reason", "Different subject.")],
        )
        .await;
    let second = s.change_requests_of(w.student).await.unwrap()[0].id;
    app.audited_once(
        &mut seen,
        "tutor_change_",
        student_id,
        "tutor_change_requested",
        ("tutor_change_request", second),
    )
    .await;
    let declined_because = "Dr Free specialises in your area.";
    let r = lead
        .post(
            &format!("/tutoring/change-requests/{second}"),
            &[("outcome", "decline"), ("reason", declined_because)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "tutor_change_",
            lead_id,
            "tutor_change_declined",
            ("tutor_change_request", second),
        )
        .await;
    assert!(!e.detail.contains("specialises"), "{e:?}");
}

#[tokio::test]
async fn a_change_of_tutor_whose_audit_entry_cannot_be_written_is_not_made_and_not_emailed() {
    let w = world().await;
    let app = &w.app;
    let student = app.as_role("kit.student@tu.test", &[]).await;
    let lead = app
        .as_role("sl@tu.test", &[(Role::SchoolLead, Scope::School(w.school))])
        .await;
    let request = app
        .store
        .request_tutor_change(w.student, year_key(), w.tutor, "Timetable clash.")
        .await
        .unwrap();
    app.refuse_inserts_into("audit_log").await;
    let free = w.free_tutor.to_string();
    let r = lead
        .post(
            &format!("/tutoring/change-requests/{request}"),
            &[("outcome", "approve"), ("tutor_id", &free)],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    app.allow_inserts_into("audit_log").await;
    let s = &app.store;
    assert_eq!(
        s.tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .map(|t| t.id),
        Some(w.tutor)
    );
    assert_eq!(s.change_request(request).await.unwrap().status, "pending");
    assert!(s.emails_to("Kit.Student@TU.test").await.unwrap().is_empty());

    // Nor is a request whose entry cannot be written.
    s.execute_admin(&format!(
        "UPDATE tutoring_change_requests SET status = 'declined' WHERE id = {request}"
    ))
    .await
    .unwrap();
    // (Read once first: the student's record is linked to them, audited, on their first page.)
    student.get_ok("/tutoring/change-request").await;
    app.refuse_inserts_into("audit_log").await;
    let r = student
        .post("/tutoring/change-request", &[("reason", "Still a clash.")])
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    app.allow_inserts_into("audit_log").await;
    assert_eq!(s.change_requests_of(w.student).await.unwrap().len(), 1);
    let r = student
        .post("/tutoring/change-request", &[("reason", "Still a clash.")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}
