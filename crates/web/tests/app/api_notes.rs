//! A pair member's own notes and the cycle's meeting plan over the API (issue 16), under the
//! same rules as the pair's page and the plan page.
use crate::api::{client, get, patch, post, problem, put, token_for, token_of};
use crate::helpers::TestApp;
use crate::meetings::{COORDINATOR, setup};
use flipside_core::framework::Framework;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

fn bodies(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_note_is_read_by_its_author_and_the_partner_it_is_shared_with_and_nobody_else() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let (mentor, mentee) = (
        token_of(&app, s.mentor).await,
        token_of(&app, s.mentee).await,
    );
    let admin = token_for(&app, "admin@tu.test", &[(Role::Admin, Scope::Organisation)]).await;
    let coordinator = token_of(&app, app.store.user_by_email(COORDINATOR).await.unwrap().id).await;
    let notes = format!("/pairs/{}/notes", s.pair);

    // Written private, then one shared at once.
    let r = post(
        &app,
        &mentor,
        &notes,
        json!({"body": "  Ask about marking.  "}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let private: Value = r.json().await.unwrap();
    assert_eq!(private["body"], "Ask about marking.");
    assert_eq!(private["shared"], false);
    assert_eq!(private["mine"], true);
    let r = post(
        &app,
        &mentor,
        &notes,
        json!({"body": "We met in the library.", "shared": true}),
    )
    .await;
    assert_eq!(r.status(), 201);

    // The author reads both; the partner only the shared one, and that read is audited.
    let r = get(&app, &mentor, &notes).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        bodies(&r.json().await.unwrap()),
        ["Ask about marking.", "We met in the library."]
    );
    assert_eq!(
        app.audited("shared_notes_read").await,
        0,
        "reading one's own notes is not"
    );
    let r = get(&app, &mentee, &notes).await;
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(bodies(&page), ["We met in the library."]);
    assert_eq!(page["items"][0]["mine"], false);
    assert_eq!(app.audited("shared_notes_read").await, 1);

    // Administrators and coordinators read none of them, whatever their roles.
    for t in [&admin, &coordinator] {
        problem(get(&app, t, &notes).await, 403).await;
        problem(post(&app, t, &notes, json!({"body": "x"})).await, 403).await;
    }

    // Paged like every list.
    let r = get(&app, &mentor, &format!("{notes}?limit=1")).await;
    let first: Value = r.json().await.unwrap();
    assert_eq!(bodies(&first), ["Ask about marking."]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let r = get(&app, &mentor, &format!("{notes}?limit=1&cursor={cursor}")).await;
    let second: Value = r.json().await.unwrap();
    assert_eq!(bodies(&second), ["We met in the library."]);
    assert!(second["next_cursor"].is_null());

    // An empty note is refused naming the field; nothing is written.
    let body = problem(
        post(&app, &mentee, &notes, json!({"body": "   "})).await,
        422,
    )
    .await;
    assert_eq!(body["field"], "body");
    let body = problem(post(&app, &mentee, &notes, json!({"text": "x"})).await, 400).await;
    assert_eq!(body["field"], "text", "{body}");
    assert_eq!(app.store.notes_of_pair(s.pair).await.unwrap().len(), 2);

    // Only the author shares a note or takes it back.
    let id = private["id"].as_i64().unwrap();
    let one = format!("{notes}/{id}");
    problem(
        patch(&app, &mentee, &one, json!({"shared": true})).await,
        403,
    )
    .await;
    problem(
        patch(&app, &admin, &one, json!({"shared": true})).await,
        403,
    )
    .await;
    let body = problem(
        patch(&app, &mentor, &one, json!({"shared": "yes"})).await,
        400,
    )
    .await;
    assert_eq!(body["field"], "shared");
    assert!(!app.store.note(id).await.unwrap().shared);
    let r = patch(&app, &mentor, &one, json!({"shared": true})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["shared"], true);
    let r = get(&app, &mentee, &notes).await;
    assert_eq!(bodies(&r.json().await.unwrap()).len(), 2);
    let r = patch(&app, &mentor, &one, json!({"shared": false})).await;
    assert_eq!(r.status(), 200);
    let r = get(&app, &mentee, &notes).await;
    assert_eq!(bodies(&r.json().await.unwrap()), ["We met in the library."]);

    // A note of another pair is not found under this one.
    let r = patch(
        &app,
        &mentor,
        &format!("/pairs/{}/notes/{}", s.pair, id + 100),
        json!({"shared": true}),
    )
    .await;
    problem(r, 404).await;
}

#[tokio::test]
async fn the_meeting_plan_is_read_by_the_cycle_and_replaced_by_its_coordinators_audited() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = token_of(&app, s.mentor).await;
    let coordinator = token_of(&app, app.store.user_by_email(COORDINATOR).await.unwrap().id).await;
    let plan = format!("/cycles/{}/plan", s.cycle);

    // The pair reads the plan its cycle follows.
    let r = get(&app, &mentor, &plan).await;
    assert_eq!(r.status(), 200);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let read: Value = r.json().await.unwrap();
    let default = Framework::default_plan();
    assert_eq!(
        read["sessions"][0]["topic"],
        default.sessions[0].topic.as_str()
    );
    assert_eq!(
        read["expectations"].as_array().unwrap().len(),
        default.expectations.len()
    );
    assert_eq!(read["editable"], true);

    let new = json!({
        "sessions": [
            {"topic": "Belonging", "prompts": ["Where do you feel at home here?"], "pre_reading": "The belonging report"},
            {"topic": "Assessment", "prompts": ["What is feedback for?", "When did it help?"]}
        ],
        "expectations": ["Meet monthly", "Keep confidences"],
        "hours_target": 8
    });

    // Members may not change it; nothing changes.
    problem(put(&app, &mentor, &plan, new.clone()).await, 403).await;
    assert_eq!(app.audited("meeting_plan_updated").await, 0);

    // Each broken rule names its field; nothing is saved.
    let bad = json!({
        "sessions": [{"topic": "", "prompts": []}, {"topic": "Fine", "prompts": ["ok", "two\nlines"]}],
        "expectations": [],
        "hours_target": 0
    });
    let body = problem(put(&app, &coordinator, &plan, bad).await, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "sessions[0].topic",
        "sessions[0].prompts",
        "sessions[1].prompts[1]",
        "expectations",
        "hours_target",
    ] {
        assert!(fields.contains(&f), "{f} in {body}");
    }
    let body = problem(
        put(
            &app,
            &coordinator,
            &plan,
            json!({"sessions": [], "expectations": []}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(body["field"], "hours_target");
    assert_eq!(app.audited("meeting_plan_updated").await, 0);

    // Saved with the tag read: audited, and a stale tag then changes nothing.
    let r = client()
        .put(app.url(&format!("/api/v1{plan}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &tag)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["sessions"][1]["prompts"][1], "When did it help?");
    assert_eq!(saved["sessions"][0]["pre_reading"], "The belonging report");
    assert_eq!(saved["hours_target"], 8);
    assert_eq!(app.audited("meeting_plan_updated").await, 1);
    let cycle = app.store.cycle(s.cycle).await.unwrap();
    assert_eq!(cycle.hours_target, 8);
    let stored: Framework = serde_json::from_str(&cycle.framework).unwrap();
    assert_eq!(stored.expectations, ["Meet monthly", "Keep confidences"]);
    let r = client()
        .put(app.url(&format!("/api/v1{plan}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &tag)
        .json(&json!({"sessions": [{"topic": "Other", "prompts": ["p"]}], "expectations": ["e"], "hours_target": 9}))
        .send()
        .await
        .unwrap();
    problem(r, 412).await;
    assert_eq!(app.store.cycle(s.cycle).await.unwrap().hours_target, 8);
    // An invalid plan sent with a stale tag is refused as invalid, naming its field.
    let r = client()
        .put(app.url(&format!("/api/v1{plan}")))
        .bearer_auth(&coordinator)
        .header("If-Match", &tag)
        .json(&json!({"sessions": [{"topic": "Other", "prompts": ["p"]}], "expectations": ["e"], "hours_target": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["field"], "hours_target");

    // The plan page shows what the API saved.
    let page = app
        .signed_in(COORDINATOR)
        .await
        .get_ok(&format!("/cycles/{}/plan", s.cycle))
        .await;
    assert!(page.body.contains("## Assessment"), "{}", page.body);

    // Someone with no part in the cycle reads nothing.
    let nobody = token_for(&app, "nobody@tu.test", &[]).await;
    problem(get(&app, &nobody, &plan).await, 403).await;
}
