//! Design sprints (SPEC §3.11): a lead runs a sprint per faculty; staff and students add items
//! in the current stage, comment and support; the lead promotes; a proposal is decided and
//! followed to done.
use crate::helpers::{Browser, Page, TestApp};
use flipside_core::role::{Role, Scope};

/// The id in the location a form redirected to (`/sprints/{id}#...`).
fn sprint_id(r: &Page) -> i64 {
    r.location()
        .trim_start_matches("/sprints/")
        .split('#')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The item id a form redirected to (`...#item-{id}`).
fn item_id(r: &Page) -> i64 {
    r.location()
        .split("#item-")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// A form a test expects refused: who sends it, where, its fields and the status expected.
type Refused<'a> = (&'a Browser, String, Vec<(&'a str, &'a str)>, u16);

struct World {
    app: TestApp,
    lead: Browser,
    student: Browser,
    staff: Browser,
    faculty: i64,
    school: i64,
}

/// A problem a student puts to sprint `id`: its id.
async fn student_problem(w: &World, id: i64) -> i64 {
    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[("stage", "problems"), ("title", "P"), ("body", "B")],
        )
        .await;
    item_id(&r)
}

/// A student's problem in sprint `id`, promoted by the lead to an idea and that to a
/// proposal: the three items' ids.
async fn problem_to_proposal(w: &World, id: i64) -> (i64, i64, i64) {
    let problem = student_problem(w, id).await;
    let idea = item_id(
        &w.lead
            .post(&format!("/sprints/{id}/items/{problem}/promote"), &[])
            .await,
    );
    let proposal = item_id(
        &w.lead
            .post(&format!("/sprints/{id}/items/{idea}/promote"), &[])
            .await,
    );
    (problem, idea, proposal)
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let faculty = app
        .store
        .create_faculty("Faculty of Science")
        .await
        .unwrap();
    let school = app
        .store
        .create_school(faculty, "School of Physics", "PHY")
        .await
        .unwrap();
    let lead = app
        .as_role(
            "ada.lead@tu.test",
            &[(Role::StudentLead, Scope::Organisation)],
        )
        .await;
    let student = app
        .as_role(
            "sam.student@tu.test",
            &[(Role::Student, Scope::Organisation)],
        )
        .await;
    let staff = app.as_role("tom.staff@tu.test", &[]).await;
    World {
        app,
        lead,
        student,
        staff,
        faculty,
        school,
    }
}

async fn new_sprint(w: &World) -> i64 {
    let r = w
        .lead
        .post(
            "/sprints",
            &[
                ("title", "Meeting your tutor"),
                ("faculty_id", &w.faculty.to_string()),
                (
                    "question",
                    "What gets in the way of meeting your personal tutor?",
                ),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    sprint_id(&r)
}

#[tokio::test]
async fn a_sprint_runs_from_problem_to_decided_proposal_with_support_and_comments() {
    let w = world().await;
    let id = new_sprint(&w).await;
    let page = w.lead.get(&format!("/sprints/{id}")).await;
    assert!(page.body.contains("collecting <strong>problems</strong>"));
    assert!(
        w.student
            .get("/sprints")
            .await
            .body
            .contains("Meeting your tutor")
    );

    // A student adds a problem.
    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[
                ("stage", "problems"),
                ("title", "Office hours clash with labs"),
                ("body", "Tutors' office hours are when we are in the lab."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let problem = item_id(&r);

    // Staff support it (twice counts once) and comment.
    let support = format!("/sprints/{id}/items/{problem}/support");
    assert_eq!(
        w.staff.post(&support, &[("support", "yes")]).await.status,
        303
    );
    assert_eq!(
        w.staff.post(&support, &[("support", "yes")]).await.status,
        303
    );
    assert_eq!(
        w.student.post(&support, &[("support", "yes")]).await.status,
        303
    );
    let r = w
        .staff
        .post(
            &format!("/sprints/{id}/items/{problem}/comments"),
            &[("body", "Same in chemistry.")],
        )
        .await;
    assert_eq!(r.status, 303);
    let item = w.app.store.sprint_item(problem).await.unwrap();
    assert_eq!(item.supporters, 2);
    let page = w.staff.get(&format!("/sprints/{id}")).await;
    assert!(page.body.contains("Same in chemistry."));
    assert!(page.body.contains("Withdraw my support"));
    // Support can be withdrawn.
    assert_eq!(
        w.student.post(&support, &[("support", "no")]).await.status,
        303
    );
    assert_eq!(
        w.app.store.sprint_item(problem).await.unwrap().supporters,
        1
    );

    // Students and staff cannot promote; the lead promotes to idea, then to proposal.
    let promote = format!("/sprints/{id}/items/{problem}/promote");
    assert_eq!(w.student.post(&promote, &[]).await.status, 403);
    let r = w.lead.post(&promote, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let idea = item_id(&r);
    // Promoting twice is refused with a message.
    let again = w.lead.post(&promote, &[]).await;
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("already been promoted"),
        "{}",
        again.body
    );
    let r = w
        .lead
        .post(&format!("/sprints/{id}/items/{idea}/promote"), &[])
        .await;
    let proposal = item_id(&r);
    let p = w.app.store.sprint_item(proposal).await.unwrap();
    assert_eq!((p.stage.as_str(), p.parent_id), ("proposals", Some(idea)));
    // A proposal is not promoted further.
    let r = w
        .lead
        .post(&format!("/sprints/{id}/items/{proposal}/promote"), &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("A proposal is the last stage"));

    // The lead cannot decide; a coordinator can, and an accepted proposal needs its action.
    let decide = format!("/sprints/{id}/items/{proposal}/decision");
    let accept = [
        ("decision", "accepted"),
        ("reasons", "Cheap and asked for by many."),
        ("action_title", "Move office hours to Wednesday afternoons"),
        ("action_owner", "Head of School"),
    ];
    assert_eq!(w.lead.post(&decide, &accept).await.status, 403);
    let coord = w
        .app
        .as_role(
            "cora.coord@tu.test",
            &[(Role::Coordinator, Scope::Organisation)],
        )
        .await;
    let r = coord
        .post(
            &decide,
            &[
                ("decision", "accepted"),
                ("reasons", "Good."),
                ("action_title", ""),
                ("action_owner", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("The action is required."), "{}", r.body);
    assert!(
        w.app
            .store
            .sprint_item(proposal)
            .await
            .unwrap()
            .decision
            .is_none()
    );
    let r = coord.post(&decide, &accept).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let p = w.app.store.sprint_item(proposal).await.unwrap();
    assert_eq!(p.decision.map(|d| d.as_str()), Some("accepted"));
    assert_eq!(p.action_status.map(|s| s.as_str()), Some("not_started"));
    assert_eq!(
        coord.post(&decide, &accept).await.status,
        422,
        "decided once"
    );

    // The implementation status moves on and everyone sees it.
    let r = coord
        .post(
            &format!("/sprints/{id}/items/{proposal}/status"),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = w.student.get(&format!("/sprints/{id}")).await;
    assert!(page.body.contains("Decision: Accepted"));
    assert!(
        page.body
            .contains("Move office hours to Wednesday afternoons")
    );
    assert!(page.body.contains("In progress"));
}

#[tokio::test]
async fn a_school_lead_decides_proposals_of_their_faculty_only() {
    let w = world().await;
    let id = new_sprint(&w).await;
    let (_, idea, proposal) = problem_to_proposal(&w, id).await;
    let other_faculty = w.app.store.create_faculty("Faculty of Arts").await.unwrap();
    let other_school = w
        .app
        .store
        .create_school(other_faculty, "School of History", "HIS")
        .await
        .unwrap();
    let outsider = w
        .app
        .as_role(
            "olga@tu.test",
            &[(Role::SchoolLead, Scope::School(other_school))],
        )
        .await;
    let decline = [
        ("decision", "not_taken_forward"),
        ("reasons", "Already covered by the timetable review."),
    ];
    let decide = format!("/sprints/{id}/items/{proposal}/decision");
    assert_eq!(outsider.post(&decide, &decline).await.status, 403);
    let lead = w
        .app
        .as_role("sl@tu.test", &[(Role::SchoolLead, Scope::School(w.school))])
        .await;
    // Deciding an idea is refused as the wrong stage.
    let r = lead
        .post(&format!("/sprints/{id}/items/{idea}/decision"), &decline)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Only a proposal can be decided"));
    let r = lead
        .post(
            &decide,
            &[("decision", "not_taken_forward"), ("reasons", " ")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Reasons is required."));
    assert_eq!(lead.post(&decide, &decline).await.status, 303);
    let p = w.app.store.sprint_item(proposal).await.unwrap();
    assert_eq!(p.decision.map(|d| d.as_str()), Some("not_taken_forward"));
    assert!(
        p.action_status.is_none(),
        "only an accepted proposal gets an action"
    );
}

#[tokio::test]
async fn sprint_forms_say_what_is_wrong_and_change_nothing() {
    let w = world().await;
    // Creating: only leads and coordinators; empty and bad fields are named.
    assert_eq!(w.student.get("/sprints/new").await.status, 403);
    let r = w
        .student
        .post(
            "/sprints",
            &[
                ("title", "x"),
                ("faculty_id", &w.faculty.to_string()),
                ("question", "q"),
                ("starts_on", "2026-11-01"),
                ("ends_on", "2026-11-02"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let long = "x".repeat(121);
    let r = w
        .lead
        .post(
            "/sprints",
            &[
                ("title", &long),
                ("faculty_id", "999"),
                ("question", " "),
                ("starts_on", "soon"),
                ("ends_on", "0001-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    for m in [
        "Title is too long: at most 120 characters, this has 121.",
        "Choose the faculty the sprint runs in.",
        "The question is required.",
        "Start date: Enter the date as year-month-day, for example 2026-10-05.",
        "End date: Enter a date between 2000 and 2100: 0001-01-01 is too far from today to be right.",
    ] {
        assert!(r.body.contains(m), "missing {m}: {}", r.body);
    }
    let r = w
        .lead
        .post(
            "/sprints",
            &[
                ("title", "T"),
                ("faculty_id", &w.faculty.to_string()),
                ("question", "Q"),
                ("starts_on", "2026-12-01"),
                ("ends_on", "2026-11-01"),
            ],
        )
        .await;
    assert!(
        r.body
            .contains("End date must be on or after the start date.")
    );
    assert!(w.app.store.sprints().await.unwrap().is_empty());

    // Items: empty, and the wrong stage once the sprint has moved on.
    let id = new_sprint(&w).await;
    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[("stage", "problems"), ("title", ""), ("body", "kept body")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Title is required."));
    assert!(r.body.contains("kept body"), "input kept");
    assert_eq!(
        w.student
            .post(&format!("/sprints/{id}/advance"), &[("from", "problems")])
            .await
            .status,
        403
    );
    assert_eq!(
        w.lead
            .post(&format!("/sprints/{id}/advance"), &[("from", "problems")])
            .await
            .status,
        303
    );
    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[("stage", "problems"), ("title", "Late"), ("body", "B")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains(
            "This sprint is collecting ideas now; a problem cannot be added at this stage."
        ),
        "{}",
        r.body
    );
    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[("stage", "ideas"), ("title", "An idea"), ("body", "B")],
        )
        .await;
    assert_eq!(r.status, 303);
    let idea = item_id(&r);
    // An empty comment.
    let r = w
        .staff
        .post(
            &format!("/sprints/{id}/items/{idea}/comments"),
            &[("body", "   ")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Comment is required."));
    assert!(w.app.store.sprint_comments(id).await.unwrap().is_empty());
    let items = w.app.store.sprint_items(id).await.unwrap();
    assert_eq!(items.len(), 1, "only the valid idea was added");
    // User text is escaped.
    w.student
        .post(
            &format!("/sprints/{id}/items"),
            &[
                ("stage", "ideas"),
                ("title", "<script>x</script>"),
                ("body", "B"),
            ],
        )
        .await;
    let page = w.staff.get(&format!("/sprints/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>x"));
    assert!(
        page.body.contains("&lt;script&gt;x") || page.body.contains("&#60;script&#62;x"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_corrupt_sprint_stage_or_state_is_an_error_page_not_a_default() {
    let w = world().await;
    let id = new_sprint(&w).await;
    let page = format!("/sprints/{id}");
    assert_eq!(w.staff.get(&page).await.status, 200);
    let item = w
        .staff
        .post(
            &format!("/sprints/{id}/items"),
            &[
                ("stage", "problems"),
                ("title", "Office hours clash with labs"),
                ("body", "Every week."),
            ],
        )
        .await;
    assert_eq!(item.status, 303, "{}", item.body);

    // "voting" is no stage any version writes: not read as problems (which would open the
    // form to add items), but an error.
    w.app
        .store
        .execute_admin(&format!(
            "UPDATE sprints SET stage = 'voting' WHERE id = {id}"
        ))
        .await
        .unwrap();
    let r = w.staff.get(&page).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        !r.body.contains("Office hours clash with labs"),
        "{}",
        r.body
    );
    let err = w.app.store.sprint(id).await.unwrap_err();
    assert!(format!("{err:#}").contains("sprint stage"), "{err:#}");
    let r = w
        .staff
        .post(
            &format!("/sprints/{id}/items"),
            &[("stage", "problems"), ("title", "Another"), ("body", "")],
        )
        .await;
    assert_eq!(r.status, 500, "nothing is added to a corrupt sprint");

    w.app
        .store
        .execute_admin(&format!(
            "UPDATE sprints SET stage = 'problems', state = 'paused' WHERE id = {id}"
        ))
        .await
        .unwrap();
    assert_eq!(w.lead.get("/sprints").await.status, 500);
    w.app
        .store
        .execute_admin(&format!(
            "UPDATE sprints SET state = 'open' WHERE id = {id}"
        ))
        .await
        .unwrap();
    w.app
        .store
        .execute_admin("UPDATE sprint_items SET stage = 'drafts'")
        .await
        .unwrap();
    assert_eq!(w.staff.get(&page).await.status, 500);
    // A decision no version writes was shown as undecided.
    w.app
        .store
        .execute_admin("UPDATE sprint_items SET stage = 'problems', decision = 'maybe'")
        .await
        .unwrap();
    let r = w.staff.get(&page).await;
    assert_eq!(r.status, 500, "{}", r.body);
}

#[tokio::test]
async fn each_sprint_change_on_the_pages_leaves_one_audit_entry_naming_who_did_it_to_what() {
    let w = world().await;
    let app = &w.app;
    let (lead, student, staff) = (
        app.user_id("ada.lead@tu.test").await,
        app.user_id("sam.student@tu.test").await,
        app.user_id("tom.staff@tu.test").await,
    );
    let coord = app
        .as_role(
            "cora.coord@tu.test",
            &[(Role::Coordinator, Scope::Organisation)],
        )
        .await;
    let coord_id = app.user_id("cora.coord@tu.test").await;
    let mut seen = 0;

    let id = new_sprint(&w).await;
    app.audited_once(&mut seen, "sprint_", lead, "sprint_created", ("sprint", id))
        .await;

    let r = w
        .student
        .post(
            &format!("/sprints/{id}/items"),
            &[
                ("stage", "problems"),
                ("title", "Office hours clash with labs"),
                ("body", "Tutors' office hours are when we are in the lab."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let problem = item_id(&r);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            student,
            "sprint_item_added",
            ("sprint_item", problem),
        )
        .await;
    assert!(!e.detail.contains("lab"), "no typed words: {e:?}");

    let r = w
        .staff
        .post(
            &format!("/sprints/{id}/items/{problem}/comments"),
            &[("body", "Same in chemistry.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            staff,
            "sprint_item_commented",
            ("sprint_item", problem),
        )
        .await;
    assert!(!e.detail.contains("chemistry"), "no typed words: {e:?}");

    let support = format!("/sprints/{id}/items/{problem}/support");
    assert_eq!(
        w.staff.post(&support, &[("support", "yes")]).await.status,
        303
    );
    app.audited_once(
        &mut seen,
        "sprint_",
        staff,
        "sprint_item_supported",
        ("sprint_item", problem),
    )
    .await;
    // Supporting again changes nothing, so records nothing.
    assert_eq!(
        w.staff.post(&support, &[("support", "yes")]).await.status,
        303
    );
    assert_eq!(app.audit_trail("sprint_").await.len(), seen);
    assert_eq!(
        w.staff.post(&support, &[("support", "no")]).await.status,
        303
    );
    app.audited_once(
        &mut seen,
        "sprint_",
        staff,
        "sprint_item_support_withdrawn",
        ("sprint_item", problem),
    )
    .await;

    let r = w
        .lead
        .post(&format!("/sprints/{id}/items/{problem}/promote"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let idea = item_id(&r);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            lead,
            "sprint_item_promoted",
            ("sprint_item", problem),
        )
        .await;
    assert!(e.detail.contains(&format!("item {idea}")), "{e:?}");

    let r = w
        .lead
        .post(&format!("/sprints/{id}/advance"), &[("from", "problems")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            lead,
            "sprint_advanced",
            ("sprint", id),
        )
        .await;
    assert_eq!(e.detail, "problems → ideas");

    let r = w
        .lead
        .post(&format!("/sprints/{id}/items/{idea}/promote"), &[])
        .await;
    let proposal = item_id(&r);
    app.audited_once(
        &mut seen,
        "sprint_",
        lead,
        "sprint_item_promoted",
        ("sprint_item", idea),
    )
    .await;

    let r = coord
        .post(
            &format!("/sprints/{id}/items/{proposal}/decision"),
            &[
                ("decision", "accepted"),
                ("reasons", "Cheap and asked for by many."),
                ("action_title", "Move office hours to Wednesday afternoons"),
                ("action_owner", "Head of School"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            coord_id,
            "sprint_proposal_decided",
            ("sprint_item", proposal),
        )
        .await;
    assert!(e.detail.contains("accepted"), "{e:?}");
    for typed in ["Cheap", "Wednesday", "Head of School"] {
        assert!(!e.detail.contains(typed), "{typed} in {e:?}");
    }

    let r = coord
        .post(
            &format!("/sprints/{id}/items/{proposal}/status"),
            &[("status", "in_progress")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            coord_id,
            "sprint_action_status_set",
            ("sprint_item", proposal),
        )
        .await;
    assert!(e.detail.ends_with("not_started → in_progress"), "{e:?}");

    for (from, action) in [("ideas", "sprint_advanced"), ("proposals", "sprint_closed")] {
        let r = w
            .lead
            .post(&format!("/sprints/{id}/advance"), &[("from", from)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        app.audited_once(&mut seen, "sprint_", lead, action, ("sprint", id))
            .await;
    }
}

#[tokio::test]
async fn a_sprint_change_refused_by_a_rule_or_the_policy_leaves_no_audit_entry_and_changes_nothing()
{
    let w = world().await;
    let app = &w.app;
    let faculty = w.faculty.to_string();
    let refs = [
        ("title", "Refused"),
        ("faculty_id", faculty.as_str()),
        ("question", "Q"),
        ("starts_on", "2026-11-01"),
        ("ends_on", "2026-11-30"),
    ];
    assert_eq!(w.student.post("/sprints", &refs).await.status, 403);
    let mut bad = refs;
    bad[0] = ("title", " ");
    assert_eq!(w.lead.post("/sprints", &bad).await.status, 422);
    assert!(app.store.sprints().await.unwrap().is_empty());
    assert!(app.audit_trail("sprint_").await.is_empty());

    let id = new_sprint(&w).await;
    let (problem, idea, proposal) = problem_to_proposal(&w, id).await;
    let before = app.audit_trail("sprint_").await.len();
    assert_eq!(before, 4, "created, added, promoted twice");
    let items = app.store.sprint_items(id).await.unwrap().len();

    let coord = app
        .as_role(
            "cora.coord@tu.test",
            &[(Role::Coordinator, Scope::Organisation)],
        )
        .await;
    let items_path = format!("/sprints/{id}/items");
    let accept = [
        ("decision", "accepted"),
        ("reasons", "Good."),
        ("action_title", "Do it"),
        ("action_owner", "Someone"),
    ];
    let refused: Vec<Refused> = vec![
        // Rules: empty text, the wrong stage, promoting twice, a stale step, an undecided
        // proposal's status, an idea decided, an accepted proposal without its action.
        (
            &w.student,
            items_path.clone(),
            vec![("stage", "problems"), ("title", ""), ("body", "B")],
            422,
        ),
        (
            &w.student,
            items_path.clone(),
            vec![("stage", "ideas"), ("title", "T"), ("body", "B")],
            422,
        ),
        (
            &w.staff,
            format!("{items_path}/{problem}/comments"),
            vec![("body", "  ")],
            422,
        ),
        (
            &w.lead,
            format!("{items_path}/{problem}/promote"),
            vec![],
            422,
        ),
        (
            &w.lead,
            format!("{items_path}/{proposal}/promote"),
            vec![],
            422,
        ),
        (
            &w.lead,
            format!("/sprints/{id}/advance"),
            vec![("from", "ideas")],
            409,
        ),
        (
            &coord,
            format!("{items_path}/{proposal}/status"),
            vec![("status", "done")],
            422,
        ),
        (
            &coord,
            format!("{items_path}/{idea}/decision"),
            accept.to_vec(),
            422,
        ),
        (
            &coord,
            format!("{items_path}/{proposal}/decision"),
            vec![("decision", "accepted"), ("reasons", "Good.")],
            422,
        ),
        (
            &w.staff,
            format!("{items_path}/{problem}/support"),
            vec![("support", "maybe")],
            400,
        ),
        // The policy: only a lead promotes and moves the sprint on; only a decider decides.
        (
            &w.student,
            format!("{items_path}/{problem}/promote"),
            vec![],
            403,
        ),
        (
            &w.student,
            format!("/sprints/{id}/advance"),
            vec![("from", "problems")],
            403,
        ),
        (
            &w.lead,
            format!("{items_path}/{proposal}/decision"),
            accept.to_vec(),
            403,
        ),
        (
            &w.student,
            format!("{items_path}/{proposal}/status"),
            vec![("status", "done")],
            403,
        ),
    ];
    for (who, path, fields, status) in refused {
        let r = who.post(&path, &fields).await;
        assert_eq!(r.status, status, "{path} {fields:?}: {}", r.body);
        assert_eq!(
            app.audit_trail("sprint_").await.len(),
            before,
            "{path} {fields:?} was audited"
        );
    }
    let s = app.store.sprint(id).await.unwrap();
    assert_eq!((s.stage.as_str(), s.state.as_str()), ("problems", "open"));
    assert_eq!(app.store.sprint_items(id).await.unwrap().len(), items);
    assert!(app.store.sprint_comments(id).await.unwrap().is_empty());
    let p = app.store.sprint_item(proposal).await.unwrap();
    assert!(p.decision.is_none() && p.action_status.is_none());
}

#[tokio::test]
async fn a_sprint_change_whose_audit_entry_cannot_be_written_does_not_happen() {
    let w = world().await;
    let app = &w.app;
    let id = new_sprint(&w).await;
    let problem = student_problem(&w, id).await;

    app.refuse_inserts_into("audit_log").await;
    let promote = format!("/sprints/{id}/items/{problem}/promote");
    assert_eq!(w.lead.post(&promote, &[]).await.status, 500);
    let support = format!("/sprints/{id}/items/{problem}/support");
    assert_eq!(
        w.staff.post(&support, &[("support", "yes")]).await.status,
        500
    );
    let advance = format!("/sprints/{id}/advance");
    assert_eq!(
        w.lead.post(&advance, &[("from", "problems")]).await.status,
        500
    );
    app.allow_inserts_into("audit_log").await;

    assert_eq!(app.store.sprint_items(id).await.unwrap().len(), 1);
    let item = app.store.sprint_item(problem).await.unwrap();
    assert_eq!((item.promoted_to, item.supporters), (None, 0));
    assert_eq!(
        app.store.sprint(id).await.unwrap().stage.as_str(),
        "problems"
    );
    // Once the entry can be written, the same steps go through.
    assert_eq!(w.lead.post(&promote, &[]).await.status, 303);
    assert_eq!(
        w.lead.post(&advance, &[("from", "problems")]).await.status,
        303
    );
}

#[tokio::test]
async fn two_closes_that_both_read_the_sprint_open_close_it_once() {
    let w = world().await;
    let id = new_sprint(&w).await;
    let sprint = w.app.store.sprint(id).await.unwrap();
    let from = sprint.stage.get();
    let lead = w.app.user_id("ada.lead@tu.test").await;
    let actor = flipside_web::operations::cycles::Actor {
        id: lead,
        address: "127.0.0.1",
    };
    // Both requests read the sprint open at this stage and were allowed to close it; the
    // second reaches the database after the first has closed it.
    let close = || {
        flipside_web::operations::sprints::advance(
            &w.app.state,
            actor,
            id,
            from,
            flipside_core::sprint::Advance::Close,
        )
    };
    close().await.unwrap();
    let again = close().await;
    assert!(
        matches!(again, Err(flipside_web::error::AppError::Conflict(_))),
        "{again:?}"
    );
    assert_eq!(w.app.audit_trail("sprint_closed").await.len(), 1);
    let sprint = w.app.store.sprint(id).await.unwrap();
    assert_eq!(
        sprint.state.get(),
        flipside_core::sprint::SprintState::Closed
    );
}
