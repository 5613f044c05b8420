//! The cycle's path over the API: applications, invitations, matching, a pair, its meetings,
//! actions and concerns, survey waves, a respondent's survey and the results. Each area: what
//! succeeds (with its state change, audit entry and email, as on the pages), what the policy
//! refuses, and bad input answered 422 with the field named.
use crate::api::{get, post, problem, put, send, token_for, token_of};
use crate::helpers::TestApp;
use chrono::{Days, Utc};
use flipside_core::evaluation::Wave;
use flipside_core::meetings::Slot;
use flipside_core::role::{Role, Scope};
use flipside_core::surveys::WaveDates;
use flipside_store::NewPair;
use serde_json::{Value, json};

async fn json_of(r: reqwest::Response, status: u16) -> Value {
    let url = r.url().to_string();
    let got = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{url}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// Asserts a 422 naming `field` first.
async fn invalid(r: reqwest::Response, field: &str) -> Value {
    let body = problem(r, 422).await;
    assert_eq!(body["errors"][0]["field"], field, "{body}");
    body
}

struct Fx {
    cycle: i64,
    coordinator: String,
}

/// A scheme with a recruiting cycle and its coordinator's token.
async fn fixture(app: &TestApp) -> Fx {
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let coordinator = token_for(
        app,
        "coord@tu.test",
        &[(Role::Coordinator, Scope::Scheme(scheme))],
    )
    .await;
    Fx { cycle, coordinator }
}

fn application(level: &str) -> Value {
    json!({"course": "BSc History", "level": level, "hopes": "Fairer feedback.",
           "consents": ["take_part", "research"], "interests": "assessment",
           "availability": ["tue-pm"]})
}

#[tokio::test]
async fn applications_are_submitted_listed_read_and_decided_through_the_api() {
    let app = TestApp::spawn().await;
    let fx = fixture(&app).await;
    let c = fx.cycle;
    let ama = token_for(&app, "ama@tu.test", &[(Role::Student, Scope::Organisation)]).await;
    let ben = token_for(&app, "ben@tu.test", &[(Role::Student, Scope::Organisation)]).await;

    // Bad input: each field named, nothing stored.
    invalid(
        post(
            &app,
            &ama,
            &format!("/cycles/{c}/applications"),
            application("ug9"),
        )
        .await,
        "level",
    )
    .await;
    let mut no_consent = application("ug1");
    no_consent["consents"] = json!(["research"]);
    invalid(
        post(&app, &ama, &format!("/cycles/{c}/applications"), no_consent).await,
        "consents",
    )
    .await;
    assert!(app.store.applications_of(c).await.unwrap().is_empty());

    let a = json_of(
        post(
            &app,
            &ama,
            &format!("/cycles/{c}/applications"),
            application("ug2"),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(a["status"], "submitted");
    let b = json_of(
        post(
            &app,
            &ben,
            &format!("/cycles/{c}/applications"),
            application("ug3"),
        )
        .await,
        201,
    )
    .await;

    // Only the scheme's coordinators list and read them.
    problem(
        get(&app, &ama, &format!("/cycles/{c}/applications")).await,
        403,
    )
    .await;
    problem(
        get(&app, &ama, &format!("/cycles/{c}/applications/{}", a["id"])).await,
        403,
    )
    .await;
    let page = json_of(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications?limit=1"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], a["id"]);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let next = json_of(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications?cursor={cursor}"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(next["items"][0]["id"], b["id"]);
    assert!(next["next_cursor"].is_null());
    problem(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications?decision=maybe"),
        )
        .await,
        400,
    )
    .await;

    // Reading one shows the labels to the coordinator, and the read is audited.
    let before = app.audited("identity_read").await;
    let one = json_of(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications/{}", a["id"]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(one["course"], "BSc History");
    assert!(one["labels"].is_array(), "{one}");
    assert_eq!(one["consents"], json!(["take_part", "research"]));
    assert_eq!(app.audited("identity_read").await, before + 1);

    // Deciding: a message too long is refused; a decision is stored, audited and emailed.
    let decide = format!("/cycles/{c}/applications/{}/decision", a["id"]);
    invalid(
        post(
            &app,
            &fx.coordinator,
            &decide,
            json!({"decision": "accepted", "message": "x".repeat(2001)}),
        )
        .await,
        "message",
    )
    .await;
    problem(
        post(&app, &ama, &decide, json!({"decision": "accepted"})).await,
        403,
    )
    .await;
    let decided = json_of(
        post(
            &app,
            &fx.coordinator,
            &decide,
            json!({"decision": "accepted", "message": "Welcome."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(decided["status"], "accepted");
    assert_eq!(decided["message"], "Welcome.");
    assert_eq!(app.audited("application_decided").await, 1);
    assert!(
        app.store
            .emails_to("ama@tu.test")
            .await
            .unwrap()
            .iter()
            .any(|e| e.body_text.contains("Welcome."))
    );
    let accepted = json_of(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications?decision=accepted"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accepted["items"].as_array().unwrap().len(), 1);

    // Another scheme's cycle is refused to this coordinator.
    let (_, other) = app.scheme_with_cycle("Other", "{}").await;
    problem(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{other}/applications/{}", a["id"]),
        )
        .await,
        403,
    )
    .await;

    // A call that is not open refuses applications.
    app.transition_cycle(
        c,
        flipside_core::cycle::CycleState::Recruiting,
        flipside_core::cycle::CycleState::Matching,
        None,
    )
    .await
    .unwrap();
    problem(
        post(
            &app,
            &ben,
            &format!("/cycles/{c}/applications"),
            application("ug3"),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn invitations_are_created_all_or_nothing_and_cancelled_through_the_api() {
    let app = TestApp::spawn().await;
    let fx = fixture(&app).await;
    let c = fx.cycle;
    let path = format!("/cycles/{c}/invitations/batch");
    let body = |second: &str| {
        json!({"invitations": [
            {"name": "Prof Rhea Okafor", "email": "rhea@tu.test"},
            {"name": "Dr Sam Reyes", "email": second},
        ]})
    };
    invalid(
        post(&app, &fx.coordinator, &path, body("not-an-address")).await,
        "invitations[1].email",
    )
    .await;
    invalid(
        post(&app, &fx.coordinator, &path, body("RHEA@tu.test")).await,
        "invitations[1].email",
    )
    .await;
    invalid(
        post(&app, &fx.coordinator, &path, json!({"invitations": []})).await,
        "invitations",
    )
    .await;
    assert!(app.store.invitations_of(c).await.unwrap().is_empty());
    let student = token_for(&app, "ama@tu.test", &[(Role::Student, Scope::Organisation)]).await;
    problem(post(&app, &student, &path, body("sam@tu.test")).await, 403).await;

    let made = json_of(
        post(&app, &fx.coordinator, &path, body("sam@tu.test")).await,
        201,
    )
    .await;
    assert_eq!(made["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.store.emails_to("rhea@tu.test").await.unwrap().len(), 1);
    assert_eq!(app.store.emails_to("sam@tu.test").await.unwrap().len(), 1);
    assert_eq!(app.audited("invitations_sent_from_list").await, 1);

    let cancel = format!("/cycles/{c}/invitations/{}/cancel", made["items"][1]["id"]);
    problem(post(&app, &student, &cancel, json!({})).await, 403).await;
    let cancelled = json_of(post(&app, &fx.coordinator, &cancel, json!({})).await, 200).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(app.audited("invitation_cancelled").await, 1);
    problem(post(&app, &fx.coordinator, &cancel, json!({})).await, 409).await;
    problem(
        post(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/invitations/999999/cancel"),
            json!({}),
        )
        .await,
        404,
    )
    .await;
}

/// An accepted student mentor and a staff mentee who accepted: (mentor, mentee) user ids.
async fn matchable(app: &TestApp, fx: &Fx) -> (i64, i64) {
    let c = fx.cycle;
    let ama = token_for(app, "ama@tu.test", &[(Role::Student, Scope::Organisation)]).await;
    let a = json_of(
        post(
            app,
            &ama,
            &format!("/cycles/{c}/applications"),
            application("ug2"),
        )
        .await,
        201,
    )
    .await;
    json_of(
        post(
            app,
            &fx.coordinator,
            &format!("/cycles/{c}/applications/{}/decision", a["id"]),
            json!({"decision": "accepted"}),
        )
        .await,
        200,
    )
    .await;
    let (_, token) = app
        .store
        .create_invitation(flipside_store::NewInvitation {
            cycle_id: c,
            email: "rhea@tu.test",
            name: "Prof Rhea Okafor",
            school_id: None,
            invited_by: None,
            expires_at: Utc::now() + chrono::Duration::days(7),
        })
        .await
        .unwrap();
    let mentee = app
        .store
        .accept_invitation(&token, "assessment", "tue-pm", true)
        .await
        .unwrap();
    (a["user_id"].as_i64().unwrap(), mentee)
}

#[tokio::test]
async fn matching_is_read_ruled_and_published_through_the_api() {
    let app = TestApp::spawn().await;
    let fx = fixture(&app).await;
    let c = fx.cycle;
    let (mentor, mentee) = matchable(&app, &fx).await;
    let student = token_for(&app, "ben@tu.test", &[(Role::Student, Scope::Organisation)]).await;
    problem(
        get(&app, &student, &format!("/cycles/{c}/matching")).await,
        403,
    )
    .await;

    let settings = json_of(
        get(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/matching/settings"),
        )
        .await,
        200,
    )
    .await;
    // Weights are the matching page's named levels (0, 1, 2, 4); the preferences weight is 0.
    for (field, value) in [
        ("interests_weight", 5000),
        ("interests_weight", 3),
        ("availability_weight", -1),
        ("preferences_weight", 2),
    ] {
        let mut bad = settings.clone();
        bad[field] = json!(value);
        invalid(
            put(
                &app,
                &fx.coordinator,
                &format!("/cycles/{c}/matching/settings"),
                bad,
            )
            .await,
            field,
        )
        .await;
    }
    let mut levelled = settings.clone();
    levelled["interests_weight"] = json!(4);
    assert_eq!(
        json_of(
            put(
                &app,
                &fx.coordinator,
                &format!("/cycles/{c}/matching/settings"),
                levelled,
            )
            .await,
            200,
        )
        .await["interests_weight"],
        4
    );
    let mut relaxed = settings.clone();
    relaxed["allow_same_school"] = json!(true);
    let saved = json_of(
        put(
            &app,
            &fx.coordinator,
            &format!("/cycles/{c}/matching/settings"),
            relaxed,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(saved["allow_same_school"], true);
    assert!(
        app.store
            .matching_settings(c)
            .await
            .unwrap()
            .unwrap()
            .allow_same_school
    );

    let proposal = json_of(
        get(&app, &fx.coordinator, &format!("/cycles/{c}/matching")).await,
        200,
    )
    .await;
    assert_eq!(proposal["pairs"].as_array().unwrap().len(), 1, "{proposal}");
    assert_eq!(proposal["pairs"][0]["mentor_id"], mentor);
    assert_eq!(proposal["pairs"][0]["mentee_id"], mentee);
    let code = proposal["pairs"][0]["code"].clone();

    let rules = format!("/cycles/{c}/matching/do-not-pair");
    invalid(
        post(
            &app,
            &fx.coordinator,
            &rules,
            json!({"mentor_id": mentee, "mentee_id": mentee}),
        )
        .await,
        "mentor_id",
    )
    .await;
    json_of(
        post(
            &app,
            &fx.coordinator,
            &rules,
            json!({"mentor_id": mentor, "mentee_id": mentee}),
        )
        .await,
        201,
    )
    .await;
    let listed = json_of(get(&app, &fx.coordinator, &rules).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let blocked = json_of(
        get(&app, &fx.coordinator, &format!("/cycles/{c}/matching")).await,
        200,
    )
    .await;
    assert!(blocked["pairs"].as_array().unwrap().is_empty());
    // The proposal the caller saw has changed: nothing is published.
    let publish = format!("/cycles/{c}/matching/publish");
    problem(
        post(&app, &fx.coordinator, &publish, json!({"expect": [code]})).await,
        409,
    )
    .await;
    assert!(app.store.pairs_of_cycle(c).await.unwrap().is_empty());
    let remove = format!("{rules}/{mentor}/{mentee}");
    let r = send(
        &app,
        reqwest::Method::DELETE,
        &fx.coordinator,
        &remove,
        None,
    )
    .await;
    assert_eq!(r.status(), 204);
    problem(
        send(
            &app,
            reqwest::Method::DELETE,
            &fx.coordinator,
            &remove,
            None,
        )
        .await,
        404,
    )
    .await;

    problem(
        post(&app, &student, &publish, json!({"expect": [code]})).await,
        403,
    )
    .await;
    let done = json_of(
        post(&app, &fx.coordinator, &publish, json!({"expect": [code]})).await,
        200,
    )
    .await;
    assert_eq!(done["published"], 1);
    let pairs = app.store.pairs_of_cycle(c).await.unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(app.audited("pairs_published").await, 1);
    assert!(
        !app.store
            .emails_to("rhea@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    problem(
        post(&app, &fx.coordinator, &publish, json!({"expect": []})).await,
        409,
    )
    .await;
}

struct PairFx {
    fx: Fx,
    pair: i64,
    mentor: String,
    mentee: String,
    outsider: String,
}

/// A published pair whose members have tokens, and a student outside it.
async fn pair_fixture(app: &TestApp) -> PairFx {
    let fx = fixture(app).await;
    let mentor_id = app
        .person("ama@tu.test", &[(Role::Student, Scope::Organisation)])
        .await;
    let mentee_id = app.person("rhea@tu.test", &[]).await;
    let pair = app
        .publish_pairs(
            fx.cycle,
            &[NewPair {
                mentor_id,
                mentee_id,
                reason: "shared interests".into(),
                cost: 0,
            }],
            None,
        )
        .await
        .unwrap()[0];
    PairFx {
        mentor: token_of(app, mentor_id).await,
        mentee: token_of(app, mentee_id).await,
        outsider: token_for(app, "ben@tu.test", &[(Role::Student, Scope::Organisation)]).await,
        fx,
        pair,
    }
}

#[tokio::test]
async fn a_pair_agrees_and_its_meetings_are_held_and_exported_through_the_api() {
    let app = TestApp::spawn().await;
    let p = pair_fixture(&app).await;
    let pair = p.pair;

    problem(get(&app, &p.outsider, &format!("/pairs/{pair}")).await, 403).await;
    let seen = json_of(
        get(&app, &p.fx.coordinator, &format!("/pairs/{pair}")).await,
        200,
    )
    .await;
    assert_eq!(seen["status"], "active");
    assert_eq!(seen["agreed_by"], json!([]));
    problem(
        post(
            &app,
            &p.outsider,
            &format!("/pairs/{pair}/agreement"),
            json!({}),
        )
        .await,
        403,
    )
    .await;
    for t in [&p.mentor, &p.mentee] {
        json_of(
            post(&app, t, &format!("/pairs/{pair}/agreement"), json!({})).await,
            200,
        )
        .await;
    }
    let agreed = json_of(get(&app, &p.mentor, &format!("/pairs/{pair}")).await, 200).await;
    assert_eq!(agreed["agreed_by"].as_array().unwrap().len(), 2);
    assert_eq!(app.audited("agreement_accepted").await, 2);

    // A meeting proposed for later cannot be logged as held yet, nor exported unconfirmed.
    let day = flipside_core::local_time::Zone::default().date_of(Utc::now()) + Days::new(3);
    let proposed = json_of(
        post(
            &app,
            &p.mentor,
            &format!("/pairs/{pair}/meetings"),
            json!({"date": day.to_string(), "time": "10:00", "minutes": 60, "session": 1}),
        )
        .await,
        201,
    )
    .await;
    let m = proposed["id"].as_i64().unwrap();
    problem(
        get(&app, &p.mentor, &format!("/meetings/{m}/ics")).await,
        409,
    )
    .await;
    json_of(
        post(
            &app,
            &p.mentee,
            &format!("/meetings/{m}/respond"),
            json!({"decision": "confirm"}),
        )
        .await,
        200,
    )
    .await;
    invalid(
        post(
            &app,
            &p.mentee,
            &format!("/meetings/{m}/held"),
            json!({"held_minutes": 60}),
        )
        .await,
        "held_minutes",
    )
    .await;
    let r = get(&app, &p.mentor, &format!("/meetings/{m}/ics")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(r.text().await.unwrap().contains("BEGIN:VEVENT"));
    problem(
        get(&app, &p.outsider, &format!("/meetings/{m}/ics")).await,
        403,
    )
    .await;

    // A confirmed meeting that has started is logged as held.
    let past = app
        .store
        .propose_meeting(
            pair,
            0,
            Slot {
                start: Utc::now() - chrono::Duration::hours(2),
                minutes: 60,
            },
            agreed["mentor_id"].as_i64().unwrap(),
        )
        .await
        .unwrap();
    app.store.respond_to_meeting(past, true).await.unwrap();
    invalid(
        post(
            &app,
            &p.mentee,
            &format!("/meetings/{past}/held"),
            json!({"held_minutes": 0}),
        )
        .await,
        "held_minutes",
    )
    .await;
    problem(
        post(
            &app,
            &p.outsider,
            &format!("/meetings/{past}/held"),
            json!({"held_minutes": 50}),
        )
        .await,
        403,
    )
    .await;
    let held = json_of(
        post(
            &app,
            &p.mentee,
            &format!("/meetings/{past}/held"),
            json!({"held_minutes": 50}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(held["status"], "held");
    assert_eq!(held["held_minutes"], 50);
    let list = json_of(
        get(&app, &p.mentor, &format!("/pairs/{pair}/meetings")).await,
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    problem(
        get(&app, &p.outsider, &format!("/pairs/{pair}/meetings")).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn actions_are_raised_moved_on_and_evidenced_through_the_api() {
    let app = TestApp::spawn().await;
    let p = pair_fixture(&app).await;
    let pair = p.pair;
    let raise = format!("/pairs/{pair}/actions");
    invalid(
        post(
            &app,
            &p.mentor,
            &raise,
            json!({"title": "  ", "description": "Criteria a week early."}),
        )
        .await,
        "title",
    )
    .await;
    problem(
        post(
            &app,
            &p.outsider,
            &raise,
            json!({"title": "T", "description": "D"}),
        )
        .await,
        403,
    )
    .await;
    let a = json_of(
        post(
            &app,
            &p.mentor,
            &raise,
            json!({"title": "Publish criteria early", "description": "A week before.", "anonymous": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(a["status"], "proposed");
    // The raiser sees their own name on it.
    assert!(a["raiser_name"].is_string(), "{a}");
    assert_eq!(app.audited("action_raised").await, 1);
    assert!(
        !app.store
            .emails_to("rhea@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    // The owner sees an anonymous action without its raiser.
    let seen = json_of(get(&app, &p.mentee, &raise).await, 200).await;
    assert!(seen["items"][0]["raised_by"].is_null(), "{seen}");
    assert!(seen["items"][0]["raiser_name"].is_null());

    let id = a["id"].as_i64().unwrap();
    let status = format!("/actions/{id}/status");
    problem(
        post(
            &app,
            &p.mentor,
            &status,
            json!({"from": "proposed", "to": "agreed"}),
        )
        .await,
        403,
    )
    .await;
    invalid(
        post(
            &app,
            &p.mentee,
            &status,
            json!({"from": "proposed", "to": "declined"}),
        )
        .await,
        "reason",
    )
    .await;
    problem(
        post(
            &app,
            &p.mentee,
            &status,
            json!({"from": "agreed", "to": "in_progress"}),
        )
        .await,
        409,
    )
    .await;
    let moved = json_of(
        post(
            &app,
            &p.mentee,
            &status,
            json!({"from": "proposed", "to": "agreed"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["status"], "agreed");
    assert_eq!(
        app.store
            .follow_up_action(id)
            .await
            .unwrap()
            .status
            .get()
            .as_str(),
        "agreed"
    );

    let evidence = format!("/actions/{id}/evidence");
    invalid(
        post(&app, &p.mentee, &evidence, json!({"link": "not a link"})).await,
        "link",
    )
    .await;
    invalid(post(&app, &p.mentee, &evidence, json!({})).await, "body").await;
    problem(
        post(&app, &p.mentor, &evidence, json!({"body": "Done."})).await,
        403,
    )
    .await;
    let with = json_of(
        post(
            &app,
            &p.mentee,
            &evidence,
            json!({"body": "Criteria go out with the brief.", "link": "https://example.test/c"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(with["evidence"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concerns_are_listed_answered_and_resolved_through_the_api() {
    let app = TestApp::spawn().await;
    let p = pair_fixture(&app).await;
    let c = p.fx.cycle;
    json_of(
        post(
            &app,
            &p.mentor,
            &format!("/pairs/{}/concerns", p.pair),
            json!({"concern": "We keep rescheduling."}),
        )
        .await,
        201,
    )
    .await;
    problem(
        get(&app, &p.mentor, &format!("/cycles/{c}/concerns")).await,
        403,
    )
    .await;
    let list = json_of(
        get(&app, &p.fx.coordinator, &format!("/cycles/{c}/concerns")).await,
        200,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "new");
    assert_eq!(list["items"][0]["body"], "We keep rescheduling.");
    let id = list["items"][0]["id"].as_i64().unwrap();

    invalid(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/concerns/{id}/reply"),
            json!({"reply": " "}),
        )
        .await,
        "reply",
    )
    .await;
    invalid(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/concerns/{id}/resolve"),
            json!({"reply": "x".repeat(4001)}),
        )
        .await,
        "reply",
    )
    .await;
    problem(
        post(
            &app,
            &p.mentor,
            &format!("/concerns/{id}/reply"),
            json!({"reply": "Hi"}),
        )
        .await,
        403,
    )
    .await;
    let replied = json_of(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/concerns/{id}/reply"),
            json!({"reply": "Let us talk."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(replied["status"], "acknowledged");
    assert_eq!(replied["reply"], "Let us talk.");
    let resolved = json_of(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/concerns/{id}/resolve"),
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(app.audited("concern_resolved").await, 1);
    problem(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/concerns/{id}/resolve"),
            json!({}),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn survey_waves_are_dated_sent_answered_and_their_results_suppressed_through_the_api() {
    let app = TestApp::spawn().await;
    app.store.ensure_default_instruments().await.unwrap();
    let p = pair_fixture(&app).await;
    let c = p.fx.cycle;
    let today = flipside_core::local_time::Zone::default().date_of(Utc::now());
    let d = |n: u64| (today + Days::new(n)).to_string();
    let dates = |pre_opens: String| {
        json!({"pre": {"opens_on": pre_opens, "closes_on": d(10)},
               "post": {"opens_on": d(60), "closes_on": d(70)}})
    };
    invalid(
        put(
            &app,
            &p.fx.coordinator,
            &format!("/cycles/{c}/surveys"),
            dates("someday".into()),
        )
        .await,
        "pre.opens_on",
    )
    .await;
    problem(
        put(
            &app,
            &p.mentor,
            &format!("/cycles/{c}/surveys"),
            dates(d(0)),
        )
        .await,
        403,
    )
    .await;
    let waves = json_of(
        put(
            &app,
            &p.fx.coordinator,
            &format!("/cycles/{c}/surveys"),
            dates(d(0)),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(waves["items"][0]["status"], "open");
    problem(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/cycles/{c}/surveys/post/remind"),
            json!({}),
        )
        .await,
        409,
    )
    .await;
    problem(
        post(
            &app,
            &p.mentor,
            &format!("/cycles/{c}/surveys/pre/invite"),
            json!({}),
        )
        .await,
        403,
    )
    .await;
    // The pair's members are enrolled by the invitation (the published pair made them so).
    let sent = json_of(
        post(
            &app,
            &p.fx.coordinator,
            &format!("/cycles/{c}/surveys/pre/invite"),
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert!(
        sent["enrolled"].is_i64() && sent["queued"].is_i64(),
        "{sent}"
    );
    let user = app.store.user_by_email("ben@tu.test").await.unwrap().id;
    let participant = app
        .store
        .add_survey_participant(c, "M-TEST01", "mentor", Some(user), true)
        .await
        .unwrap();
    let me = json_of(get(&app, &p.outsider, "/surveys").await, 200).await;
    assert!(
        me["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["participant_id"] == participant && s["wave"] == "pre"),
        "{me}"
    );
    let url = format!("/surveys/{participant}/pre");
    problem(get(&app, &p.mentor, &url).await, 403).await;
    let survey = json_of(get(&app, &p.outsider, &url).await, 200).await;
    assert_eq!(survey["standing"], "open");
    let codes: Vec<String> = survey["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap().to_string())
        .collect();
    assert!(!codes.is_empty());
    invalid(
        put(
            &app,
            &p.outsider,
            &format!("{url}/draft"),
            json!({"answers": {codes[0].clone(): 7}}),
        )
        .await,
        &format!("answers.{}", codes[0]),
    )
    .await;
    invalid(
        put(
            &app,
            &p.outsider,
            &format!("{url}/draft"),
            json!({"answers": {"nonsense": 3}}),
        )
        .await,
        "answers.nonsense",
    )
    .await;
    let draft = json_of(
        put(
            &app,
            &p.outsider,
            &format!("{url}/draft"),
            json!({"answers": {codes[0].clone(): 4}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(draft["questions"][0]["answer"], 4);
    let refused = problem(
        post(
            &app,
            &p.outsider,
            &format!("{url}/submit"),
            json!({"answers": {codes[0].clone(): 4}}),
        )
        .await,
        422,
    )
    .await;
    let named: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        named.len(),
        codes.len() - 1,
        "each unanswered statement is named"
    );
    assert!(
        named.contains(&format!("answers.{}", codes[1]).as_str()),
        "{refused}"
    );
    let all: serde_json::Map<String, Value> = codes.iter().map(|c| (c.clone(), json!(3))).collect();
    let done = json_of(
        post(
            &app,
            &p.outsider,
            &format!("{url}/submit"),
            json!({"answers": all}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(done["standing"], "submitted");
    problem(
        post(
            &app,
            &p.outsider,
            &format!("{url}/submit"),
            json!({"answers": all}),
        )
        .await,
        409,
    )
    .await;

    // Closing the wave; the rates count the one respondent among those invited.
    app.store
        .set_wave_dates(
            c,
            &[WaveDates {
                wave: Wave::Pre,
                opens_on: today - Days::new(10),
                closes_on: today - Days::new(1),
            }],
        )
        .await
        .unwrap();
    let waves = json_of(
        get(&app, &p.fx.coordinator, &format!("/cycles/{c}/surveys")).await,
        200,
    )
    .await;
    assert_eq!(waves["items"][0]["status"], "closed");
    let mentors = waves["items"][0]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "mentor")
        .cloned()
        .unwrap();
    assert_eq!(mentors["responded"], 1);
    assert!(mentors["invited"].as_i64().unwrap() >= 1, "{mentors}");
    problem(
        post(
            &app,
            &p.outsider,
            &format!("{url}/submit"),
            json!({"answers": all}),
        )
        .await,
        409,
    )
    .await;

    // One respondent: every mean is suppressed, as on the results page.
    problem(
        get(&app, &p.mentor, &format!("/cycles/{c}/results")).await,
        403,
    )
    .await;
    let results = json_of(
        get(&app, &p.fx.coordinator, &format!("/cycles/{c}/results")).await,
        200,
    )
    .await;
    let mentor = results["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "mentor")
        .cloned()
        .unwrap();
    for s in mentor["comparisons"][0]["statements"].as_array().unwrap() {
        assert!(s["mean_from"]["value"].is_null(), "{s}");
        assert!(s["mean_from"]["suppressed"].is_string(), "{s}");
    }
}

#[tokio::test]
async fn every_reference_in_the_api_document_names_a_schema_it_holds() {
    let doc: Value = serde_json::from_str(&flipside_web::handlers::api::openapi_json()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or(&r);
        assert!(schemas.contains_key(name), "{r} names no schema");
    }
}
