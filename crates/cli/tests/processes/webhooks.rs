//! Two `flipside serve` processes on one PostgreSQL database, their webhook workers racing over
//! one queue of deliveries: a receiver on this machine gets every delivery exactly once, each
//! signed with its subscription's secret and a fresh timestamp, none lost and none twice.
//!
//! Needs PostgreSQL (`FLIPSIDE_TEST_POSTGRES_URL`, default the local trust-auth server); an
//! unreachable server is a failure, not a skip.
use super::common::*;
use flipside_core::webhook::EventKind;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request a receiver got: its path, headers (lower-cased names) and body.
struct Received {
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// A plain HTTP/1.1 receiver on a free port of this machine, answering `200 ok` to every
/// POST; returns its address and what it got.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got = Arc::new(Mutex::new(Vec::new()));
    let inbox = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let inbox = inbox.clone();
            std::thread::spawn(move || {
                let _ = serve_connection(stream, &inbox);
            });
        }
    });
    (addr, got)
}

/// Answers the requests of one connection (keep-alive) until the client closes it.
fn serve_connection(stream: TcpStream, inbox: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let length = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        inbox.lock().unwrap().push(Received {
            path,
            headers,
            body,
        });
        writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")?;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_deliver_each_webhook_exactly_once() {
    let db = Database::fresh("postgres", "webhooks").await;
    // The receiver is on this machine: the deployment allows private targets.
    let allow = [("FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")];
    let mut a = Instance::spawn_with(&db, "hooks-a", &allow);
    let mut b = Instance::spawn_with(&db, "hooks-b", &allow);
    a.wait_listening();
    b.wait_listening();
    db.create_user("admin@example.ac.uk", "Ada Admin", Some("admin"));
    let token = api_token(&a.addr, &sign_in(&a.addr, "admin@example.ac.uk"));

    // Two subscriptions through the API, one on each instance, each with its own secret.
    let (receiver_addr, inbox) = receiver();
    let mut secrets = BTreeMap::new();
    for (instance, path, event) in [
        (&a, "/one", "action.status_changed"),
        (&b, "/two", "action.status_changed"),
    ] {
        let body = format!(r#"{{"url": "http://{receiver_addr}{path}", "events": ["{event}"]}}"#);
        let r = api(&instance.addr, &token, "POST", "/webhooks", &body).unwrap();
        assert_eq!(r.status, 201, "{}", r.body);
        let created: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        secrets.insert(
            path.to_string(),
            created["secret"].as_str().unwrap().to_string(),
        );
    }

    // Events recorded as operations record them, while both workers poll every second: two
    // deliveries each.
    let store = db.open().await;
    let events = 60;
    let mut tx = store.begin().await.unwrap();
    for i in 0..events {
        let queued = tx
            .record_event(
                &format!("two-instances:{i}"),
                EventKind::ActionStatusChanged,
                &format!(r#"{{"event":"action.status_changed","data":{{"action_id":{i}}}}}"#),
            )
            .await
            .unwrap();
        assert_eq!(queued, 2);
    }
    tx.commit().await.unwrap();
    let total = 2 * events;
    let deadline = Instant::now() + Duration::from_secs(90);
    while inbox.lock().unwrap().len() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more polls of both workers: nothing is sent again later either.
    tokio::time::sleep(Duration::from_secs(3)).await;

    let got = std::mem::take(&mut *inbox.lock().unwrap());
    assert_eq!(
        got.len(),
        total,
        "every delivery arrives exactly once between the two instances"
    );
    let now = chrono::Utc::now().timestamp();
    let mut seen = BTreeMap::new();
    for r in got.iter() {
        let secret = &secrets[&r.path];
        let signature = r.headers.get("flipside-signature").unwrap();
        let t = flipside_web::webhooks::verify(secret, signature, &r.body, now, 300)
            .unwrap_or_else(|e| panic!("{e}: {signature} on {}", r.path));
        assert!((now - t).abs() < 120, "a fresh timestamp: {t} at {now}");
        let delivery = r.headers.get("flipside-delivery").unwrap().clone();
        assert_eq!(
            r.headers.get("flipside-event").unwrap(),
            "action.status_changed"
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(
            seen.insert(
                delivery.clone(),
                (r.path.clone(), body["data"]["action_id"].clone())
            )
            .is_none(),
            "delivery {delivery} arrived twice"
        );
    }
    for path in ["/one", "/two"] {
        let mut actions: Vec<i64> = seen
            .values()
            .filter(|(p, _)| p == path)
            .map(|(_, id)| id.as_i64().unwrap())
            .collect();
        actions.sort();
        assert_eq!(
            actions,
            (0..events as i64).collect::<Vec<_>>(),
            "{path}: none lost"
        );
    }
    let stored = store.webhook_deliveries(None, 1000).await.unwrap();
    assert_eq!(stored.len(), total);
    for d in &stored {
        assert_eq!(
            (d.status.as_str(), d.attempts),
            ("delivered", 1),
            "delivery {} claimed once",
            d.id
        );
    }
    store.close().await;
}
