//! Webhooks (issue 16): administrators subscribe an endpoint to events; operations record them
//! in their own transaction; the worker POSTs them signed, retries failures with back-off,
//! never delivers one twice from two workers, and sends nothing to a paused subscription.
use crate::api::{admin_token, client, org_coordinator_token, post, problem, put, token_of};
use crate::helpers::TestApp;
use crate::meetings::{COORDINATOR, MENTEE, MENTOR, both_accept, setup};
use axum::http::HeaderMap;
use flipside_core::role::{Role, Scope};
use flipside_core::webhook::EventKind;
use flipside_web::settings::WebhookSettings;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const ADMIN: &str = "ada.admin@tu.test";

/// What a receiver was sent: its headers and body, in order.
#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// Statuses to answer, one per request; 200 once they run out.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Inbox {
    fn all(&self) -> Vec<(HeaderMap, String)> {
        self.received.lock().unwrap().clone()
    }
}

/// A receiver on a free port of this machine: (its URL, what it gets).
async fn receiver(answers: &[u16]) -> (String, Inbox) {
    let inbox = Inbox {
        answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
        ..Inbox::default()
    };
    let state = inbox.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                state.received.lock().unwrap().push((headers, body));
                let status = state.answers.lock().unwrap().pop_front().unwrap_or(200);
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    if status == 200 {
                        "ok"
                    } else {
                        "boom: not today"
                    },
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), inbox)
}

/// Private targets allowed: the receivers of these tests are on this machine.
const PRIVATE_ALLOWED: WebhookSettings = WebhookSettings {
    allow_private_targets: true,
};

/// An app whose deployment allows private targets, as the demo's does.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|s| s.webhooks = PRIVATE_ALLOWED).await
}

/// One pass of the webhook worker at `at`, allowed to send to this machine.
async fn drain(
    app: &TestApp,
    at: chrono::DateTime<chrono::Utc>,
) -> flipside_web::webhooks::Delivery {
    drain_with(app, at, PRIVATE_ALLOWED).await
}

/// One pass of the webhook worker at `at`, sending where `targets` allows.
async fn drain_with(
    app: &TestApp,
    at: chrono::DateTime<chrono::Utc>,
    targets: WebhookSettings,
) -> flipside_web::webhooks::Delivery {
    flipside_web::webhooks::deliver_due(&app.store, &flipside_web::webhooks::client(targets), at)
        .await
        .expect("delivering webhooks")
}

/// Subscribes `url` through the API as an administrator; returns (id, secret).
async fn subscribe(app: &TestApp, admin: &str, url: &str, events: &[&str]) -> (i64, String) {
    let r = client()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(admin)
        .json(&serde_json::json!({ "url": url, "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: serde_json::Value = r.json().await.unwrap();
    (
        body["id"].as_i64().unwrap(),
        body["secret"].as_str().unwrap().to_string(),
    )
}

/// Records an event as an operation does, in a transaction of its own.
async fn record(app: &TestApp, key: &str, kind: EventKind) -> usize {
    let mut tx = app.store.begin().await.unwrap();
    let n = tx
        .record_event(
            key,
            kind,
            &format!(r#"{{"event":"{}","data":{{}}}}"#, kind.as_str()),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The keys a payload may hold anywhere in it: ids, states, dates and links.
const ALLOWED_KEYS: &[&str] = &[
    "event",
    "occurred_at",
    "data",
    "links",
    "application_id",
    "cycle_id",
    "status",
    "pair_ids",
    "pairs",
    "cycle",
    "meeting_id",
    "pair_id",
    "pair",
    "action_id",
    "from",
    "action",
    "wave_id",
    "wave",
    "opens_on",
    "closes_on",
    "surveys",
    "scope",
    "scope_id",
    "version",
    "report",
];

fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
    if let serde_json::Value::Object(map) = v {
        for (k, v) in map {
            out.push(k.clone());
            keys(v, out);
        }
    }
}

#[tokio::test]
async fn a_receiver_gets_each_event_signed_and_without_names_or_words() {
    let app = spawn().await;
    let s = setup(&app).await;
    let (url, inbox) = receiver(&[]).await;
    // The administrator subscribes on the page, which shows the secret once.
    let admin = app
        .as_role(ADMIN, &[(Role::Admin, Scope::Organisation)])
        .await;
    let r = admin
        .post(
            "/admin/webhooks",
            &[
                ("url", url.as_str()),
                ("event", "meeting.confirmed"),
                ("event", "action.status_changed"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let at = r.body.find("whsec_").expect("the secret is shown once");
    let secret = r.body[at..at + 6 + 48].to_string();
    assert!(!admin.get_ok("/admin/webhooks").await.body.contains(&secret));

    // A meeting confirmed through the API, an action moved on through the pages.
    both_accept(
        &s,
        &app.signed_in(MENTOR).await,
        &app.signed_in(MENTEE).await,
    )
    .await;
    let mentor = token_of(&app, s.mentor).await;
    let mentee = token_of(&app, s.mentee).await;
    let date = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let r = client()
        .post(app.url(&format!("/api/v1/pairs/{}/meetings", s.pair)))
        .bearer_auth(&mentor)
        .json(&serde_json::json!({"date": date, "time": "14:00", "minutes": 60, "session": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let meeting = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        drain(&app, flipside_store::now()).await.delivered,
        0,
        "a proposal is no event"
    );
    let r = client()
        .post(app.url(&format!("/api/v1/meetings/{meeting}/respond")))
        .bearer_auth(&mentee)
        .json(&serde_json::json!({"decision": "confirm"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    const TITLE: &str = "Quiet study space 7f3a";
    let r = app
        .signed_in(MENTOR)
        .await
        .post(
            &format!("/pairs/{}/actions", s.pair),
            &[
                ("action_title", TITLE),
                ("action_description", "Private words 9c1e."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let action = app.store.actions_of_pair(s.pair).await.unwrap().remove(0);
    let r = app
        .signed_in(MENTEE)
        .await
        .post(
            &format!("/actions/{}/status", action.id),
            &[("from", "proposed"), ("to", "agreed")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let done = drain(&app, flipside_store::now()).await;
    assert_eq!(done.delivered, 2, "{done:?}");
    let got = inbox.all();
    assert_eq!(got.len(), 2);
    let now = chrono::Utc::now().timestamp();
    let mut events = Vec::new();
    for (h, body) in &got {
        let signature = header(h, "flipside-signature");
        let t = flipside_web::webhooks::verify(&secret, signature, body.as_bytes(), now, 300)
            .unwrap_or_else(|e| panic!("{e}: {signature}"));
        assert!((now - t).abs() < 60, "a fresh timestamp");
        assert!(
            flipside_web::webhooks::verify("whsec_wrong", signature, body.as_bytes(), now, 300)
                .is_err()
        );
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(header(h, "flipside-event"), json["event"]);
        assert!(header(h, "flipside-delivery").parse::<i64>().is_ok());
        assert_eq!(header(h, "content-type"), "application/json");
        events.push(json["event"].as_str().unwrap().to_string());
        // Ids, states and links only: no names, addresses or words people wrote.
        for secret_text in [
            "amara", "Amara", "helen", "Helen", "tu.test", "7f3a", "9c1e", "Quiet",
        ] {
            assert!(!body.contains(secret_text), "{secret_text} in {body}");
        }
        let mut all = Vec::new();
        keys(&json, &mut all);
        for k in all {
            assert!(ALLOWED_KEYS.contains(&k.as_str()), "key {k} in {body}");
        }
    }
    events.sort();
    assert_eq!(events, ["action.status_changed", "meeting.confirmed"]);
    let confirmed = got
        .iter()
        .find(|(h, _)| header(h, "flipside-event") == "meeting.confirmed")
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&confirmed.1).unwrap();
    assert_eq!(json["data"]["meeting_id"], meeting);
    assert_eq!(json["data"]["pair_id"], s.pair);
    assert_eq!(
        drain(&app, flipside_store::now()).await.delivered,
        0,
        "each once"
    );
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_and_admins_see_the_failures() {
    let app = spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    let (url, inbox) = receiver(&[500, 503]).await;
    let (id, _) = subscribe(&app, &admin, &url, &["report.published"]).await;
    assert_eq!(
        record(&app, "report:1", EventKind::ReportPublished).await,
        1
    );
    assert_eq!(
        record(&app, "report:1", EventKind::ReportPublished).await,
        0,
        "recorded once"
    );
    assert_eq!(
        record(&app, "meeting:1", EventKind::MeetingConfirmed).await,
        0,
        "not subscribed"
    );

    let t0 = flipside_store::now();
    assert_eq!(drain(&app, t0).await.retrying, 1);
    let page = app.signed_in(ADMIN).await.get_ok("/admin/webhooks").await;
    assert!(
        page.body.contains("HTTP 500: boom: not today"),
        "{}",
        page.body
    );
    assert_eq!(
        drain(&app, t0 + chrono::Duration::seconds(10)).await,
        Default::default(),
        "not due yet"
    );
    let t1 = t0 + chrono::Duration::seconds(31);
    assert_eq!(
        drain(&app, t1).await.retrying,
        1,
        "the second attempt fails too"
    );
    let deliveries = |id: i64| {
        let admin = admin.clone();
        let url = app.url(&format!("/api/v1/webhooks/{id}/deliveries"));
        async move {
            let r = client().get(url).bearer_auth(admin).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<serde_json::Value>().await.unwrap()["items"][0].clone()
        }
    };
    let d = deliveries(id).await;
    assert_eq!(
        (
            d["status"].as_str(),
            d["attempts"].as_i64(),
            d["last_status"].as_i64()
        ),
        (Some("pending"), Some(2), Some(503))
    );
    assert!(
        d["last_error"].as_str().unwrap().starts_with("HTTP 503"),
        "{d}"
    );
    // Doubling: due 60 s after the second attempt.
    assert_eq!(
        drain(&app, t1 + chrono::Duration::seconds(59))
            .await
            .delivered,
        0
    );
    assert_eq!(
        drain(&app, t1 + chrono::Duration::seconds(61))
            .await
            .delivered,
        1
    );
    let d = deliveries(id).await;
    assert_eq!(
        (
            d["status"].as_str(),
            d["attempts"].as_i64(),
            d["last_error"].as_str()
        ),
        (Some("delivered"), Some(3), Some(""))
    );
    let got = inbox.all();
    assert_eq!(got.len(), 3);
    let ids: Vec<&str> = got
        .iter()
        .map(|(h, _)| header(h, "flipside-delivery"))
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "the same delivery id on every attempt: {ids:?}"
    );
}

#[tokio::test]
async fn a_paused_subscription_gets_nothing_until_it_resumes() {
    let app = spawn().await;
    let admin_token = admin_token(&app, ADMIN).await;
    let (paused_url, paused) = receiver(&[]).await;
    let (active_url, active) = receiver(&[]).await;
    let (p, _) = subscribe(&app, &admin_token, &paused_url, &["pairs.published"]).await;
    subscribe(&app, &admin_token, &active_url, &["pairs.published"]).await;
    let admin = app.signed_in(ADMIN).await;
    assert_eq!(
        admin
            .post(&format!("/admin/webhooks/{p}/pause"), &[])
            .await
            .status,
        303
    );
    assert!(
        admin
            .get_ok("/admin/webhooks")
            .await
            .body
            .contains("paused")
    );
    assert_eq!(
        record(&app, "pairs:1", EventKind::PairsPublished).await,
        1,
        "only the active one"
    );
    assert_eq!(drain(&app, flipside_store::now()).await.delivered, 1);
    assert_eq!((paused.all().len(), active.all().len()), (0, 1));

    // Paused after an event was queued for it: held back, then sent on resuming.
    let r = client()
        .post(app.url(&format!("/api/v1/webhooks/{p}/resume")))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["active"], true);
    assert_eq!(record(&app, "pairs:2", EventKind::PairsPublished).await, 2);
    assert_eq!(
        admin
            .post(&format!("/admin/webhooks/{p}/pause"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        drain(&app, flipside_store::now()).await.delivered,
        1,
        "the active one only"
    );
    assert_eq!(paused.all().len(), 0);
    assert_eq!(
        admin
            .post(&format!("/admin/webhooks/{p}/resume"), &[])
            .await
            .status,
        303
    );
    assert_eq!(drain(&app, flipside_store::now()).await.delivered, 1);
    assert_eq!(paused.all().len(), 1);
    // Deleted, it gets nothing more.
    assert_eq!(
        admin
            .post(&format!("/admin/webhooks/{p}/delete"), &[])
            .await
            .status,
        303
    );
    assert_eq!(record(&app, "pairs:3", EventKind::PairsPublished).await, 1);
    assert_eq!(app.audited("webhook_paused").await, 2);
    assert_eq!(app.audited("webhook_deleted").await, 1);
}

#[tokio::test]
async fn two_workers_racing_deliver_each_delivery_once() {
    let app = spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    let (url, inbox) = receiver(&[]).await;
    subscribe(&app, &admin, &url, &["action.status_changed"]).await;
    let total = 60;
    for i in 0..total {
        record(&app, &format!("race:{i}"), EventKind::ActionStatusChanged).await;
    }
    let at = flipside_store::now();
    let (a, b) = tokio::join!(drain(&app, at), drain(&app, at));
    assert_eq!(a.delivered + b.delivered, total, "{a:?} {b:?}");
    let mut ids: Vec<String> = inbox
        .all()
        .iter()
        .map(|(h, _)| header(h, "flipside-delivery").to_string())
        .collect();
    assert_eq!(ids.len(), total);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no delivery was sent twice");
}

#[tokio::test]
async fn only_administrators_manage_webhooks_and_bad_subscriptions_are_named() {
    let app = spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    let coordinator = org_coordinator_token(&app, "coord@tu.test").await;
    let r = client()
        .get(app.url("/api/v1/webhooks"))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    let r = client()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&coordinator)
        .json(&serde_json::json!({"url": "https://example.org/h", "events": ["pairs.published"]}))
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    let coordinator_page = app.signed_in("coord@tu.test").await;
    assert_eq!(coordinator_page.get("/admin/webhooks").await.status, 403);
    assert_eq!(
        coordinator_page
            .post(
                "/admin/webhooks",
                &[
                    ("url", "https://example.org/h"),
                    ("event", "pairs.published")
                ]
            )
            .await
            .status,
        403
    );
    let r = client()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"url": "http://example.org/h", "events": ["meeting.held"]}))
        .send()
        .await
        .unwrap();
    let body = problem(r, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "events"], "{body}");
    let page = app
        .signed_in(ADMIN)
        .await
        .post("/admin/webhooks", &[("url", "ftp://x")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("id=\"url-error\"") && page.body.contains("id=\"events-error\""));
    let r = client()
        .get(app.url("/api/v1/webhooks"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["items"],
        serde_json::json!([]),
        "nothing was added"
    );
}

/// By default (a real deployment) an endpoint must be a public https:// address: one on this
/// machine or a private network is refused on the page and over the API, naming `url`.
#[tokio::test]
async fn private_endpoints_are_refused_by_default_on_the_page_and_the_api() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    for url in [
        "http://127.0.0.1:9/h",
        "https://127.0.0.1/h",
        "https://localhost/h",
        "https://10.0.0.5/h",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/h",
        "https://[::ffff:127.0.0.1]/h",
        "https://[fd00::1]/h",
        "https://100.64.0.1/h",
        "https://0.0.0.0/h",
    ] {
        let r = client()
            .post(app.url("/api/v1/webhooks"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"url": url, "events": ["pairs.published"]}))
            .send()
            .await
            .unwrap();
        let body = problem(r, 422).await;
        assert_eq!(body["field"], "url", "{url}: {body}");
    }
    let page = app
        .signed_in(ADMIN)
        .await
        .post(
            "/admin/webhooks",
            &[
                ("url", "https://169.254.169.254/latest/meta-data"),
                ("event", "pairs.published"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("id=\"url-error\""), "{}", page.body);
    assert!(
        page.body.contains("169.254.169.254, a link-local address"),
        "{}",
        page.body
    );
    assert!(app.store.webhook_subscriptions().await.unwrap().is_empty());
    // A public https:// endpoint is accepted.
    subscribe(
        &app,
        &admin,
        "https://hooks.example.ac.uk/in",
        &["pairs.published"],
    )
    .await;
}

/// A subscription's name may later resolve to this machine (or answer one address to a check
/// and another to the connection): the worker checks the addresses it connects to, after
/// resolving, and refuses a private one unless the deployment allows private targets. The
/// administrators see why on the page and over the API.
#[tokio::test]
async fn a_name_resolving_to_this_machine_is_refused_at_delivery_unless_allowed() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    let (url, inbox) = receiver(&[]).await;
    // Subscriptions made when their names looked public: stored as they stand.
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let by_name = format!("http://localhost:{port}/hook");
    let mut tx = app.store.begin().await.unwrap();
    let named = tx
        .create_webhook_subscription(&by_name, &[EventKind::PairsPublished], "whsec_x", None)
        .await
        .unwrap();
    let literal = tx
        .create_webhook_subscription(&url, &[EventKind::ReportPublished], "whsec_y", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    record(&app, "pairs:1", EventKind::PairsPublished).await;
    record(&app, "report:1", EventKind::ReportPublished).await;

    let done = drain_with(&app, flipside_store::now(), WebhookSettings::default()).await;
    assert_eq!(
        (done.delivered, done.retrying, done.failed),
        (0, 0, 2),
        "refused, and given up at once"
    );
    assert!(inbox.all().is_empty(), "nothing reached the receiver");
    let last = |id: i64| {
        let admin = admin.clone();
        let url = app.url(&format!("/api/v1/webhooks/{id}/deliveries"));
        async move {
            let r = client().get(url).bearer_auth(admin).send().await.unwrap();
            r.json::<serde_json::Value>().await.unwrap()["items"][0].clone()
        }
    };
    let d = last(named).await;
    assert_eq!(d["status"], "failed", "{d}");
    let error = d["last_error"].as_str().unwrap();
    assert!(
        error.starts_with("refused: localhost resolves to")
            && error.contains("a loopback address")
            && error.contains("webhooks.allow_private_targets"),
        "{error}"
    );
    let d = last(literal).await;
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .starts_with("refused: 127.0.0.1 is a loopback address"),
        "{d}"
    );
    let page = app.signed_in(ADMIN).await.get_ok("/admin/webhooks").await;
    assert!(
        page.body.contains("refused: localhost resolves to"),
        "{}",
        page.body
    );

    // Once the deployment allows private targets, an administrator sends the refused
    // deliveries again: over the API, and with the page's button.
    let first = |id: i64| {
        let app = &app;
        async move { app.store.webhook_deliveries(Some(id), 1).await.unwrap()[0].clone() }
    };
    let (named_delivery, literal_delivery) = (first(named).await.id, first(literal).await.id);
    let redeliver = |token: String, subscription: i64, delivery: i64| {
        let url = app.url(&format!(
            "/api/v1/webhooks/{subscription}/deliveries/{delivery}/redeliver"
        ));
        async move { client().post(url).bearer_auth(token).send().await.unwrap() }
    };
    let coordinator = org_coordinator_token(&app, "org.coord@tu.test").await;
    let r = redeliver(coordinator, named, named_delivery).await;
    assert_eq!(r.status(), 403);
    let r = redeliver(admin.clone(), literal, named_delivery).await;
    assert_eq!(r.status(), 404, "a delivery of another subscription");
    let page = app.signed_in(ADMIN).await.get_ok("/admin/webhooks").await;
    let button = format!("/admin/webhooks/{named}/deliveries/{named_delivery}/redeliver");
    assert!(page.body.contains(&button), "{}", page.body);
    let r = redeliver(admin.clone(), named, named_delivery).await;
    assert_eq!(r.status(), 200);
    let d: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(0)),
        "{d}"
    );
    let again = redeliver(admin.clone(), named, named_delivery).await;
    let body = problem(again, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("is pending"),
        "{body}"
    );
    let page = app.signed_in(ADMIN).await;
    assert!(
        !page.get_ok("/admin/webhooks").await.body.contains(&button),
        "only a failed one has the button"
    );
    let sent = page
        .post(
            &format!("/admin/webhooks/{literal}/deliveries/{literal_delivery}/redeliver"),
            &[],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let audit = app
        .store
        .audit_entries(Some("webhook_redelivered"), 10)
        .await
        .unwrap();
    let mut audited: Vec<_> = audit.iter().map(|e| e.detail.clone()).collect();
    audited.sort();
    let mut want = vec![
        format!("delivery {named_delivery}"),
        format!("delivery {literal_delivery}"),
    ];
    want.sort();
    assert_eq!(audited, want);

    let done = drain(&app, flipside_store::now()).await;
    assert_eq!((done.delivered, done.failed), (2, 0));
    let mut ids: Vec<String> = inbox
        .all()
        .iter()
        .map(|(h, _)| header(h, "Flipside-Delivery").to_string())
        .collect();
    ids.sort();
    let mut want = vec![named_delivery.to_string(), literal_delivery.to_string()];
    want.sort();
    assert_eq!(ids, want, "the same deliveries, under their ids");
    let r = redeliver(admin.clone(), named, named_delivery).await;
    problem(r, 409).await;

    // New events to the same name go out too.
    record(&app, "pairs:2", EventKind::PairsPublished).await;
    assert_eq!(drain(&app, flipside_store::now()).await.delivered, 1);
    assert_eq!(inbox.all().len(), 3);
}

/// A name that already leads to this machine when an administrator subscribes it is refused
/// then, naming `url`, on the page and over the API, rather than at its first delivery; a
/// deployment that allows private targets accepts it.
#[tokio::test]
async fn a_name_already_leading_to_this_machine_is_refused_when_subscribing() {
    // The machine's own name: it resolves to this machine or its private network.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let addrs: Vec<_> = tokio::net::lookup_host((host.as_str(), 0))
        .await
        .unwrap_or_else(|e| panic!("this test needs the machine's name {host} to resolve: {e}"))
        .collect();
    assert!(
        addrs
            .iter()
            .any(|a| !flipside_core::webhook::address_kind(a.ip()).is_public()),
        "this test needs the machine's name {host} to resolve to a private address: {addrs:?}"
    );
    let url = format!("https://{host}/hook");
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, ADMIN).await;
    let r = client()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"url": url, "events": ["pairs.published"]}))
        .send()
        .await
        .unwrap();
    let body = problem(r, 422).await;
    assert_eq!(body["field"], "url", "{body}");
    let said = body.to_string();
    assert!(said.contains(&format!("{host} resolves to")), "{said}");
    let page = app
        .signed_in(ADMIN)
        .await
        .post(
            "/admin/webhooks",
            &[("url", url.as_str()), ("event", "pairs.published")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("id=\"url-error\""), "{}", page.body);
    assert!(
        page.body.contains(&format!("{host} resolves to")),
        "{}",
        page.body
    );
    assert!(app.store.webhook_subscriptions().await.unwrap().is_empty());

    let allowing = spawn().await;
    let admin = admin_token(&allowing, ADMIN).await;
    subscribe(&allowing, &admin, &url, &["pairs.published"]).await;
}

/// Opening a survey wave (its first invitations) records its event in the invitations' own
/// transaction, with their audit entry: an opening whose emails cannot be queued leaves no
/// event and no audit entry, and the opening that succeeds sends the event once.
#[tokio::test]
async fn a_survey_wave_opened_is_sent_only_when_its_invitations_commit() {
    let app = spawn().await;
    app.store.ensure_default_instruments().await.unwrap();
    let s = setup(&app).await;
    let admin = admin_token(&app, ADMIN).await;
    let (url, inbox) = receiver(&[]).await;
    subscribe(&app, &admin, &url, &["survey_wave.opened"]).await;
    let coordinator = token_of(&app, app.store.user_by_email(COORDINATOR).await.unwrap().id).await;
    let today = flipside_core::local_time::Zone::default().date_of(chrono::Utc::now());
    let day = |n: u64| (today + chrono::Days::new(n)).to_string();
    let r = put(
        &app,
        &coordinator,
        &format!("/cycles/{}/surveys", s.cycle),
        serde_json::json!({"pre": {"opens_on": day(0), "closes_on": day(10)},
                           "post": {"opens_on": day(60), "closes_on": day(70)}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    app.store
        .add_survey_participant(s.cycle, "M-OPENS1", "mentor", Some(s.mentor), true)
        .await
        .unwrap();
    let invite = format!("/cycles/{}/surveys/pre/invite", s.cycle);

    app.refuse_emails().await;
    let r = post(&app, &coordinator, &invite, serde_json::json!({})).await;
    assert_eq!(r.status(), 500, "the invitations cannot be queued");
    assert_eq!(
        drain(&app, flipside_store::now()).await,
        Default::default(),
        "a failed opening sends no event"
    );
    assert_eq!(
        app.audited("survey_invitations_sent").await,
        0,
        "nor audits it"
    );
    app.allow_inserts_into("outbox").await;
    let r = post(&app, &coordinator, &invite, serde_json::json!({})).await;
    assert_eq!(r.status(), 200);
    let sent: serde_json::Value = r.json().await.unwrap();
    assert_eq!(sent["queued"], 1, "{sent}");
    let r = post(&app, &coordinator, &invite, serde_json::json!({})).await;
    assert_eq!(r.status(), 200, "inviting again");
    assert_eq!(app.audited("survey_invitations_sent").await, 2);
    assert_eq!(drain(&app, flipside_store::now()).await.delivered, 1);
    let got = inbox.all();
    assert_eq!(got.len(), 1, "the wave opens once");
    let json: serde_json::Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(json["event"], "survey_wave.opened");
    assert_eq!(json["data"]["cycle_id"], s.cycle);
    assert_eq!(json["data"]["wave"], "pre");
}
