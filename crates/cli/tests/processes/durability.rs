//! Crashes (issue 15): many writers at once, the server killed with SIGKILL mid-flight and
//! started again. Every write the server acknowledged (2xx) is there after the restart, and no
//! operation is half-done: an invitation exists exactly when its email is queued (one
//! transaction). On SQLite and on PostgreSQL.
use super::common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 8;

fn json(r: &Response) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

/// Every invitation of the cycle through the API, following the cursor: id → email.
fn all_invitations(addr: &str, token: &str, cycle: i64) -> BTreeMap<i64, String> {
    let mut found = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/cycles/{cycle}/invitations?limit=100{cursor}");
        let r = api(addr, token, "GET", &path, "").unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        let page = json(&r);
        for item in page["items"].as_array().unwrap() {
            found.insert(
                item["id"].as_i64().unwrap(),
                item["email"].as_str().unwrap().to_string(),
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return found,
        }
    }
}

async fn killed_mid_write_loses_nothing_acknowledged(backend: &str) {
    let db = Database::fresh(backend, &format!("durability_{backend}")).await;
    db.create_user(
        "coordinator@example.ac.uk",
        "Ada Okafor",
        Some("coordinator"),
    );
    let server = Instance::start(&db, &format!("durability-{backend}"));
    let session = sign_in(&server.addr, "coordinator@example.ac.uk");
    let token = api_token(&server.addr, &session);
    let scheme = api(
        &server.addr,
        &token,
        "POST",
        "/schemes",
        r#"{"name":"Durability","kind":"institutional","purpose":"Crash test"}"#,
    )
    .unwrap();
    assert_eq!(scheme.status, 201, "{}", scheme.body);
    let scheme = json(&scheme)["id"].as_i64().unwrap();
    let cycle = api(
        &server.addr,
        &token,
        "POST",
        &format!("/schemes/{scheme}/cycles"),
        r#"{"academic_year":"2026/27"}"#,
    )
    .unwrap();
    assert_eq!(cycle.status, 201, "{}", cycle.body);
    let cycle = json(&cycle)["id"].as_i64().unwrap();

    // Writers invite leaders as fast as they can until the connection fails.
    let acknowledged = Arc::new(Mutex::new(BTreeMap::<i64, String>::new()));
    let attempted = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (addr, token) = (server.addr.clone(), token.clone());
            let (acknowledged, attempted) = (acknowledged.clone(), attempted.clone());
            let count = count.clone();
            std::thread::spawn(move || {
                // Writing goes on until the server is gone, so that the kill meets requests
                // in flight.
                for n in 0.. {
                    let email = format!("leader{w}-{n}@example.ac.uk");
                    attempted.lock().unwrap().insert(email.clone());
                    let body = format!(r#"{{"name":"Leader {w} {n}","email":"{email}"}}"#);
                    let path = format!("/cycles/{cycle}/invitations");
                    match api(&addr, &token, "POST", &path, &body) {
                        Ok(r) if r.status == 201 => {
                            // A response cut off by the kill is no acknowledgement.
                            let Ok(body) = serde_json::from_str::<serde_json::Value>(&r.body)
                            else {
                                return;
                            };
                            let id = body["id"].as_i64().unwrap();
                            acknowledged.lock().unwrap().insert(id, email);
                            count.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(r) => panic!("a write was refused: {} {}", r.status, r.body),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::SeqCst) < 80 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGKILL, with writes in flight.
    drop(server);
    for w in writers {
        w.join().expect("a writer panicked");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 80, "the writers got going");

    let server = Instance::start(&db, &format!("durability-{backend}-again"));
    let present = all_invitations(&server.addr, &token, cycle);
    for (id, email) in &acknowledged {
        assert_eq!(
            present.get(id),
            Some(email),
            "acknowledged invitation {id} survived the crash"
        );
    }
    drop(server);

    // No half-done operation: every invitation has its one email, and every email queued for
    // a leader belongs to an invitation that exists.
    let store = db.open().await;
    let invited: BTreeSet<&String> = present.values().collect();
    let attempted = attempted.lock().unwrap().clone();
    for email in &attempted {
        let queued = store.emails_to(email).await.unwrap();
        if invited.contains(email) {
            assert_eq!(queued.len(), 1, "{email}: an invitation without its email");
        } else {
            assert!(
                queued.is_empty(),
                "{email}: an email without its invitation"
            );
        }
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_killed_mid_write_loses_nothing_acknowledged() {
    killed_mid_write_loses_nothing_acknowledged("sqlite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_killed_mid_write_loses_nothing_acknowledged() {
    killed_mid_write_loses_nothing_acknowledged("postgres").await;
}
