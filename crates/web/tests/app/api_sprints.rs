//! Co-creation sprints over the API (issue 16): a lead creates a sprint and moves it on,
//! anyone adds items in the current stage, comments and supports, the lead promotes, and a
//! proposal is decided and followed to done, under the same rules as the sprint's page.
use crate::api::{get, post, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_sprint_runs_from_problems_to_a_decided_proposal_through_the_api() {
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
