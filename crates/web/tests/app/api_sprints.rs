//! Co-creation sprints over the API (issue 16): a lead creates a sprint and moves it on,
//! anyone adds items in the current stage, comments and supports, the lead promotes, and a
//! proposal is decided and followed to done, under the same rules as the sprint's page.
use crate::api::{get, post, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

/// The app with a faculty and its School of Physics, and API tokens for a Student APT Lead, a
/// student and the School's lead.
struct Tokens {
    app: TestApp,
    faculty: i64,
    lead: String,
    student: String,
    school_lead: String,
}

async fn tokens() -> Tokens {
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
    let lead = token_for(
        &app,
        "ada.lead@tu.test",
        &[(Role::StudentLead, Scope::Organisation)],
    )
    .await;
    let student = token_for(
        &app,
        "sam.student@tu.test",
        &[(Role::Student, Scope::Organisation)],
    )
    .await;
    let school_lead = token_for(
        &app,
        "sue.lead@tu.test",
        &[(Role::SchoolLead, Scope::School(school))],
    )
    .await;
    Tokens {
        app,
        faculty,
        lead,
        student,
        school_lead,
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_sprint_runs_from_problems_to_a_decided_proposal_through_the_api() {
    let Tokens {
        app,
        faculty,
        lead,
        student,
        school_lead,
    } = tokens().await;
    let new = json!({"faculty_id": faculty, "title": "Meeting your tutor", "question": "How could first meetings work better?", "starts_on": "2026-10-01", "ends_on": "2026-11-30"});

    // Only a lead creates one; each broken rule names its field; nothing is created.
    problem(post(&app, &student, "/sprints", new.clone()).await, 403).await;
    let body = problem(
        post(
            &app,
            &lead,
            "/sprints",
            json!({"faculty_id": faculty + 99, "title": " ", "question": "Q", "starts_on": "2026-10-01", "ends_on": "2026-09-01"}),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["title", "faculty_id", "ends_on"] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    assert!(app.store.sprints().await.unwrap().is_empty());
    let r = post(&app, &lead, "/sprints", new).await;
    assert_eq!(r.status(), 201);
    let sprint: Value = r.json().await.unwrap();
    assert_eq!(sprint["stage"], "problems");
    assert_eq!(sprint["state"], "open");
    let s = id(&sprint);

    // Everyone reads the list and the sprint.
    let r = get(&app, &student, "/sprints").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["items"][0]["id"], s);

    // Anyone adds a problem in the current stage; another stage is refused.
    let items = format!("/sprints/{s}/items");
    let body = problem(
        post(
            &app,
            &student,
            &items,
            json!({"stage": "problems", "title": "", "body": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["field"], "title");
    problem(
        post(
            &app,
            &student,
            &items,
            json!({"stage": "ideas", "title": "An idea", "body": "x"}),
        )
        .await,
        409,
    )
    .await;
    let r = post(&app, &student, &items, json!({"stage": "problems", "title": "First meetings feel formal", "body": "Nobody knows what to say."})).await;
    assert_eq!(r.status(), 201);
    let problem_item = id(&r.json::<Value>().await.unwrap());

    // Comments and support.
    let item = format!("{items}/{problem_item}");
    let body = problem(
        post(
            &app,
            &lead,
            &format!("{item}/comments"),
            json!({"body": ""}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["field"], "body");
    let r = post(
        &app,
        &lead,
        &format!("{item}/comments"),
        json!({"body": "Same in my School."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap()["comments"][0]["body"],
        "Same in my School."
    );
    let r = post(
        &app,
        &lead,
        &format!("{item}/support"),
        json!({"support": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let supported: Value = r.json().await.unwrap();
    assert_eq!(supported["supporters"], 1);
    assert_eq!(supported["supported"], true);
    let r = post(
        &app,
        &lead,
        &format!("{item}/support"),
        json!({"support": false}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["supporters"], 0);

    // Only a lead promotes and moves the sprint on; a stale view is refused.
    problem(
        post(&app, &student, &format!("{item}/promote"), json!({})).await,
        403,
    )
    .await;
    let r = post(&app, &lead, &format!("{item}/promote"), json!({})).await;
    assert_eq!(r.status(), 201);
    let idea: Value = r.json().await.unwrap();
    assert_eq!(idea["stage"], "ideas");
    assert_eq!(idea["parent_id"], problem_item);
    problem(
        post(&app, &lead, &format!("{item}/promote"), json!({})).await,
        409,
    )
    .await;
    let advance = format!("/sprints/{s}/advance");
    problem(
        post(&app, &student, &advance, json!({"from": "problems"})).await,
        403,
    )
    .await;
    problem(
        post(&app, &lead, &advance, json!({"from": "ideas"})).await,
        409,
    )
    .await;
    let r = post(&app, &lead, &advance, json!({"from": "problems"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["stage"], "ideas");
    let r = post(
        &app,
        &lead,
        &format!("{items}/{}/promote", id(&idea)),
        json!({}),
    )
    .await;
    let proposal = id(&r.json::<Value>().await.unwrap());
    let proposal_path = format!("{items}/{proposal}");

    // The School lead of the faculty decides; an accepted proposal needs its action.
    let decision = format!("{proposal_path}/decision");
    problem(
        post(
            &app,
            &lead,
            &decision,
            json!({"decision": "accepted", "reasons": "r"}),
        )
        .await,
        403,
    )
    .await;
    let body = problem(
        post(
            &app,
            &school_lead,
            &decision,
            json!({"decision": "accepted", "reasons": "Good."}),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["action_owner", "action_title"], "{body}");
    let body = problem(
        post(
            &app,
            &school_lead,
            &decision,
            json!({"decision": "maybe", "reasons": "Good."}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["field"], "decision");
    problem(
        post(
            &app,
            &school_lead,
            &format!("{item}/decision"),
            json!({"decision": "not_taken_forward", "reasons": "No."}),
        )
        .await,
        409,
    )
    .await;
    let r = post(&app, &school_lead, &decision, json!({"decision": "accepted", "reasons": "Good.", "action_title": "A first-meeting guide", "action_owner": "Student support"})).await;
    assert_eq!(r.status(), 200);
    let decided: Value = r.json().await.unwrap();
    assert_eq!(decided["decision"], "accepted");
    assert_eq!(decided["action_status"], "not_started");
    problem(
        post(
            &app,
            &school_lead,
            &decision,
            json!({"decision": "not_taken_forward", "reasons": "Changed."}),
        )
        .await,
        409,
    )
    .await;

    // Its implementation is followed to done, by the decider only.
    problem(
        post(
            &app,
            &student,
            &format!("{proposal_path}/status"),
            json!({"status": "done"}),
        )
        .await,
        403,
    )
    .await;
    let r = post(
        &app,
        &school_lead,
        &format!("{proposal_path}/status"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["action_status"], "done");

    // The sprint reads back as the page shows it, and closes after proposals.
    let r = post(&app, &lead, &advance, json!({"from": "ideas"})).await;
    assert_eq!(r.status(), 200);
    let r = post(&app, &lead, &advance, json!({"from": "proposals"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "closed");
    problem(
        post(
            &app,
            &student,
            &items,
            json!({"stage": "proposals", "title": "Late", "body": "x"}),
        )
        .await,
        409,
    )
    .await;
    let r = get(&app, &student, &format!("/sprints/{s}")).await;
    let detail: Value = r.json().await.unwrap();
    assert_eq!(detail["items"].as_array().unwrap().len(), 3);
    assert_eq!(detail["can_run"], false);
    assert_eq!(detail["can_decide"], false);
    let page = app
        .signed_in("sam.student@tu.test")
        .await
        .get_ok(&format!("/sprints/{s}"))
        .await;
    assert!(page.body.contains("A first-meeting guide"), "{}", page.body);

    // An item of another sprint is not found under this one.
    problem(
        post(
            &app,
            &lead,
            &format!("/sprints/{s}/items/{}/support", proposal + 50),
            json!({"support": true}),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn each_sprint_change_through_the_api_is_audited_as_on_the_pages_and_a_refused_one_is_not() {
    let Tokens {
        app,
        faculty,
        lead,
        student,
        school_lead: decider,
    } = tokens().await;
    let (lead_id, student_id, decider_id) = (
        app.user_id("ada.lead@tu.test").await,
        app.user_id("sam.student@tu.test").await,
        app.user_id("sue.lead@tu.test").await,
    );
    let mut seen = 0;
    let unchanged = |seen: usize| {
        let app = &app;
        async move { assert_eq!(app.audit_trail("sprint_").await.len(), seen) }
    };

    let new = json!({"faculty_id": faculty, "title": "Meeting your tutor", "question": "Q?", "starts_on": "2026-10-01", "ends_on": "2026-11-30"});
    problem(post(&app, &student, "/sprints", new.clone()).await, 403).await;
    let mut bad = new.clone();
    bad["title"] = json!("");
    problem(post(&app, &lead, "/sprints", bad).await, 422).await;
    unchanged(seen).await;
    let r = post(&app, &lead, "/sprints", new).await;
    assert_eq!(r.status(), 201);
    let s = id(&r.json::<Value>().await.unwrap());
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_created",
        ("sprint", s),
    )
    .await;

    let items = format!("/sprints/{s}/items");
    problem(
        post(
            &app,
            &student,
            &items,
            json!({"stage": "ideas", "title": "T", "body": "B"}),
        )
        .await,
        409,
    )
    .await;
    unchanged(seen).await;
    let r = post(
        &app,
        &student,
        &items,
        json!({"stage": "problems", "title": "First meetings feel formal", "body": "B"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let item = id(&r.json::<Value>().await.unwrap());
    app.audited_once(
        &mut seen,
        "sprint_",
        student_id,
        "sprint_item_added",
        ("sprint_item", item),
    )
    .await;

    let path = format!("{items}/{item}");
    problem(
        post(
            &app,
            &lead,
            &format!("{path}/comments"),
            json!({"body": ""}),
        )
        .await,
        422,
    )
    .await;
    unchanged(seen).await;
    let r = post(
        &app,
        &lead,
        &format!("{path}/comments"),
        json!({"body": "Same in my School."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            lead_id,
            "sprint_item_commented",
            ("sprint_item", item),
        )
        .await;
    assert!(!e.detail.contains("School"), "{e:?}");

    for (support, action) in [
        (true, "sprint_item_supported"),
        (false, "sprint_item_support_withdrawn"),
    ] {
        let r = post(
            &app,
            &student,
            &format!("{path}/support"),
            json!({"support": support}),
        )
        .await;
        assert_eq!(r.status(), 200);
        app.audited_once(
            &mut seen,
            "sprint_",
            student_id,
            action,
            ("sprint_item", item),
        )
        .await;
    }
    // Withdrawing support never given changes nothing and records nothing.
    let r = post(
        &app,
        &student,
        &format!("{path}/support"),
        json!({"support": false}),
    )
    .await;
    assert_eq!(r.status(), 200);
    unchanged(seen).await;

    problem(
        post(&app, &student, &format!("{path}/promote"), json!({})).await,
        403,
    )
    .await;
    unchanged(seen).await;
    let r = post(&app, &lead, &format!("{path}/promote"), json!({})).await;
    assert_eq!(r.status(), 201);
    let idea = id(&r.json::<Value>().await.unwrap());
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_item_promoted",
        ("sprint_item", item),
    )
    .await;
    problem(
        post(&app, &lead, &format!("{path}/promote"), json!({})).await,
        409,
    )
    .await;
    unchanged(seen).await;

    let advance = format!("/sprints/{s}/advance");
    problem(
        post(&app, &lead, &advance, json!({"from": "ideas"})).await,
        409,
    )
    .await;
    problem(
        post(&app, &student, &advance, json!({"from": "problems"})).await,
        403,
    )
    .await;
    unchanged(seen).await;
    let r = post(&app, &lead, &advance, json!({"from": "problems"})).await;
    assert_eq!(r.status(), 200);
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_advanced",
        ("sprint", s),
    )
    .await;
    let r = post(&app, &lead, &format!("{items}/{idea}/promote"), json!({})).await;
    let proposal = id(&r.json::<Value>().await.unwrap());
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_item_promoted",
        ("sprint_item", idea),
    )
    .await;

    let decision = format!("{items}/{proposal}/decision");
    let accept = json!({"decision": "accepted", "reasons": "Good.", "action_title": "A first-meeting guide", "action_owner": "Student support"});
    problem(post(&app, &lead, &decision, accept.clone()).await, 403).await;
    problem(
        post(
            &app,
            &decider,
            &decision,
            json!({"decision": "accepted", "reasons": "Good."}),
        )
        .await,
        422,
    )
    .await;
    problem(
        post(
            &app,
            &decider,
            &format!("{items}/{proposal}/status"),
            json!({"status": "done"}),
        )
        .await,
        409,
    )
    .await;
    unchanged(seen).await;
    let r = post(&app, &decider, &decision, accept.clone()).await;
    assert_eq!(r.status(), 200);
    let e = app
        .audited_once(
            &mut seen,
            "sprint_",
            decider_id,
            "sprint_proposal_decided",
            ("sprint_item", proposal),
        )
        .await;
    assert!(!e.detail.contains("guide"), "{e:?}");
    problem(post(&app, &decider, &decision, accept).await, 409).await;
    unchanged(seen).await;
    let r = post(
        &app,
        &decider,
        &format!("{items}/{proposal}/status"),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    app.audited_once(
        &mut seen,
        "sprint_",
        decider_id,
        "sprint_action_status_set",
        ("sprint_item", proposal),
    )
    .await;

    let r = post(&app, &lead, &advance, json!({"from": "ideas"})).await;
    assert_eq!(r.status(), 200);
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_advanced",
        ("sprint", s),
    )
    .await;
    let r = post(&app, &lead, &advance, json!({"from": "proposals"})).await;
    assert_eq!(r.status(), 200);
    app.audited_once(
        &mut seen,
        "sprint_",
        lead_id,
        "sprint_closed",
        ("sprint", s),
    )
    .await;
    problem(
        post(&app, &lead, &advance, json!({"from": "proposals"})).await,
        409,
    )
    .await;
    unchanged(seen).await;
}
