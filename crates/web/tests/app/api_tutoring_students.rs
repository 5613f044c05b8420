//! Tutoring students over the API (issue 16): their own profile and what their tutor sees of
//! it, and asking for a change of tutor, which their School's lead decides, under the same
//! rules as the pages.
use crate::api::{get, post, problem, put, token_for};
use crate::tutoring_students::{world, year_key};
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

const GOALS: &str = "Get a placement in industry";
const NOTE: &str = "I care for a parent at weekends";

#[tokio::test]
async fn a_student_keeps_a_profile_and_their_tutor_reads_only_what_is_shared_audited() {
    let w = world().await;
    let app = &w.app;
    let student = token_for(
        app,
        "kit.student@tu.test",
        &[(Role::Student, Scope::Organisation)],
    )
    .await;
    let tutor = token_for(
        app,
        "rowan.hale@tu.test",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    let admin = token_for(app, "admin@tu.test", &[(Role::Admin, Scope::Organisation)]).await;
    let other_tutor = token_for(app, "nell@tu.test", &[(Role::Tutor, Scope::Organisation)]).await;

    // A too-long text is refused naming the field; nothing is saved.
    let long = "x".repeat(2001);
    let body = problem(
        put(
            app,
            &student,
            "/tutoring/me/profile",
            json!({"goals": GOALS, "tutor_note": long}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["field"], "tutor_note");
    assert!(
        app.store
            .tutoring_profile(w.student)
            .await
            .unwrap()
            .goals
            .is_empty()
    );

    let r = put(
        app,
        &student,
        "/tutoring/me/profile",
        json!({"goals": GOALS, "goals_shared": true, "tutor_note": NOTE}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let own: Value = r.json().await.unwrap();
    assert_eq!(own["tutor_note"], NOTE);
    let r = get(app, &student, "/tutoring/me/profile").await;
    assert_eq!(r.json::<Value>().await.unwrap()["tutor_note"], NOTE);
    // Not a tutoring student: no profile of their own.
    problem(get(app, &tutor, "/tutoring/me/profile").await, 403).await;

    // The tutor of record reads the shared goals, not the note; the read is audited.
    let path = format!("/tutoring/students/{}/profile", w.student);
    let r = get(app, &tutor, &path).await;
    assert_eq!(r.status(), 200);
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen["goals"], GOALS);
    assert_eq!(seen["tutor_note"], "");
    assert_eq!(seen["tutor_note_shared"], false);
    assert_eq!(app.audited("tutoring_profile_read").await, 1);
    // Nobody else, administrators and other tutors included.
    for t in [&admin, &other_tutor] {
        problem(get(app, t, &path).await, 403).await;
    }
    assert_eq!(app.audited("tutoring_profile_read").await, 1);
    // The student reads their own in full, unaudited.
    let r = get(app, &student, &path).await;
    assert_eq!(r.json::<Value>().await.unwrap()["tutor_note"], NOTE);
    assert_eq!(app.audited("tutoring_profile_read").await, 1);
}

#[tokio::test]
async fn a_student_asks_for_a_change_of_tutor_and_the_school_lead_decides_it() {
    let w = world().await;
    let app = &w.app;
    let student = token_for(
        app,
        "kit.student@tu.test",
        &[(Role::Student, Scope::Organisation)],
    )
    .await;
    let lead = token_for(
        app,
        "lead@tu.test",
        &[(Role::SchoolLead, Scope::School(w.school))],
    )
    .await;
    let other_lead = {
        let faculty = app.store.create_faculty("Faculty of Arts").await.unwrap();
        let history = app
            .store
            .create_school(faculty, "School of History", "HIS")
            .await
            .unwrap();
        token_for(
            app,
            "other.lead@tu.test",
            &[(Role::SchoolLead, Scope::School(history))],
        )
        .await
    };
    let admin = token_for(app, "admin@tu.test", &[(Role::Admin, Scope::Organisation)]).await;
    let mine = "/tutoring/me/change-requests";

    // Only a student asks, with a reason.
    problem(post(app, &lead, mine, json!({"reason": "x"})).await, 403).await;
    let body = problem(
        post(app, &student, mine, json!({"reason": "  "})).await,
        422,
    )
    .await;
    assert_eq!(body["field"], "reason");
    let r = post(
        app,
        &student,
        mine,
        json!({"reason": "Our times never match."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let request: Value = r.json().await.unwrap();
    assert_eq!(request["status"], "pending");
    assert_eq!(request["from_tutor_id"], w.tutor);
    let id = request["id"].as_i64().unwrap();
    // A second one waits for the first.
    problem(
        post(app, &student, mine, json!({"reason": "Again."})).await,
        409,
    )
    .await;
    let r = get(app, &student, mine).await;
    assert_eq!(r.json::<Value>().await.unwrap()["items"][0]["id"], id);

    // The lead of the student's School sees it with the tutors it could move to; others not.
    let r = get(app, &lead, "/tutoring/change-requests").await;
    assert_eq!(r.status(), 200);
    let queue: Value = r.json().await.unwrap();
    assert_eq!(queue["items"][0]["id"], id);
    let candidates: Vec<i64> = queue["items"][0]["candidate_tutors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(candidates.contains(&w.free_tutor) && !candidates.contains(&w.tutor));
    let r = get(app, &other_lead, "/tutoring/change-requests").await;
    assert!(
        r.json::<Value>().await.unwrap()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    problem(get(app, &admin, "/tutoring/change-requests").await, 403).await;
    problem(get(app, &student, "/tutoring/change-requests").await, 403).await;

    // Deciding: only that lead; a full tutor, the same tutor, or a decline without a reason
    // is refused naming the field, and nothing changes.
    let decide = format!("/tutoring/change-requests/{id}/decision");
    for t in [&other_lead, &admin, &student] {
        problem(
            post(
                app,
                t,
                &decide,
                json!({"outcome": "approve", "tutor_id": w.free_tutor}),
            )
            .await,
            403,
        )
        .await;
    }
    for (body, field) in [
        (
            json!({"outcome": "approve", "tutor_id": w.full_tutor}),
            "tutor_id",
        ),
        (
            json!({"outcome": "approve", "tutor_id": w.tutor}),
            "tutor_id",
        ),
        (json!({"outcome": "approve"}), "tutor_id"),
        (json!({"outcome": "decline", "reason": ""}), "reason"),
    ] {
        let p = problem(post(app, &lead, &decide, body).await, 422).await;
        assert_eq!(p["field"], field, "{p}");
    }
    assert_eq!(
        app.store
            .tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .unwrap()
            .id,
        w.tutor
    );
    assert!(
        app.store
            .emails_to("kit.student@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    let r = post(
        app,
        &lead,
        &decide,
        json!({"outcome": "approve", "tutor_id": w.free_tutor}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["to_tutor_id"], w.free_tutor);
    assert_eq!(
        app.store
            .tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .unwrap()
            .id,
        w.free_tutor
    );
    assert_eq!(
        app.store
            .emails_to("kit.student@tu.test")
            .await
            .unwrap()
            .len(),
        1,
        "the student is emailed"
    );
    problem(
        post(
            app,
            &lead,
            &decide,
            json!({"outcome": "decline", "reason": "No."}),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_change_of_tutor_asked_and_decided_through_the_api_is_audited_as_on_the_pages() {
    let w = world().await;
    let app = &w.app;
    let student = token_for(app, "kit.student@tu.test", &[]).await;
    let lead = token_for(
        app,
        "lead@tu.test",
        &[(Role::SchoolLead, Scope::School(w.school))],
    )
    .await;
    let (student_id, lead_id) = (
        app.user_id("kit.student@tu.test").await,
        app.user_id("lead@tu.test").await,
    );
    let mut seen = 0;
    let mine = "/tutoring/me/change-requests";
    problem(post(app, &student, mine, json!({"reason": ""})).await, 422).await;
    assert!(app.audit_trail("tutor_change_").await.is_empty());
    let r = post(
        app,
        &student,
        mine,
        json!({"reason": "Our times never match."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let e = app
        .audited_once(
            &mut seen,
            "tutor_change_",
            student_id,
            "tutor_change_requested",
            ("tutor_change_request", id),
        )
        .await;
    assert!(!e.detail.contains("times"), "{e:?}");
    problem(
        post(app, &student, mine, json!({"reason": "Again."})).await,
        409,
    )
    .await;

    let decide = format!("/tutoring/change-requests/{id}/decision");
    problem(
        post(
            app,
            &lead,
            &decide,
            json!({"outcome": "approve", "tutor_id": w.full_tutor}),
        )
        .await,
        422,
    )
    .await;
    problem(
        post(
            app,
            &student,
            &decide,
            json!({"outcome": "approve", "tutor_id": w.free_tutor}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(app.audit_trail("tutor_change_").await.len(), seen);
    let r = post(
        app,
        &lead,
        &decide,
        json!({"outcome": "approve", "tutor_id": w.free_tutor}),
    )
    .await;
    assert_eq!(r.status(), 200);
    app.audited_once(
        &mut seen,
        "tutor_change_",
        lead_id,
        "tutor_change_approved",
        ("tutor_change_request", id),
    )
    .await;
    assert_eq!(
        app.store
            .tutor_of_record(w.student, year_key())
            .await
            .unwrap()
            .map(|t| t.id),
        Some(w.free_tutor)
    );
    problem(
        post(
            app,
            &lead,
            &decide,
            json!({"outcome": "decline", "reason": "No."}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(app.audit_trail("tutor_change_").await.len(), seen);
}
