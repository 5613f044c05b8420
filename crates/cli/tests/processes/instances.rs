//! Two `flipside serve` processes on one PostgreSQL database, as a university runs them behind
//! a load balancer (issue 15): both start at once (migrations and the organisation's creation
//! race safely), a session made on one works on the other (and, ended on one, soon ends on the
//! other), and their email workers, racing
//! over one outbox, send every email exactly once between them.
//!
//! Needs PostgreSQL (`FLIPSIDE_TEST_POSTGRES_URL`, default the local trust-auth server); an
//! unreachable server is a failure, not a skip.
use super::common::*;
use flipside_store::NewEmail;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_sessions_and_send_each_email_once() {
    let db = Database::fresh("postgres", "instances").await;
    // Both start at the same moment on an empty database: both run the migrations and both
    // find no organisation.
    let mut a = Instance::spawn(&db, "a");
    let mut b = Instance::spawn(&db, "b");
    a.wait_listening();
    b.wait_listening();
    db.create_user("coordinator@example.ac.uk", "Ada Okafor", None);

    // A session made on A works on B; signed out, B sends the person to sign in.
    let session = sign_in(&a.addr, "coordinator@example.ac.uk");
    let account = page(&b.addr, "GET", "/account", &session, "");
    assert_eq!(account.status, 200, "B honours A's session");
    assert!(
        account.body.contains("Ada Okafor"),
        "B shows the signed-in person"
    );
    assert_eq!(page(&b.addr, "GET", "/account", "", "").status, 303);
    // Signed out on A, the session is refused on A at once and on B once B has read the data
    // versions again: B keeps who is asking in memory, and trusts its reading of the versions
    // for at most `VERSION_STALENESS` (issue 15).
    let form = format!("csrf={}", form_encode(&csrf_of(&account.body)));
    assert_eq!(
        page(&a.addr, "POST", "/sign-out", &session, &form).status,
        303
    );
    assert_eq!(
        page(&a.addr, "GET", "/account", &session, "").status,
        303,
        "A refuses the ended session at once"
    );
    std::thread::sleep(flipside_store::VERSION_STALENESS + Duration::from_millis(50));
    assert_eq!(
        page(&b.addr, "GET", "/account", &session, "").status,
        303,
        "B refuses it within the bound"
    );

    // Queue 60 emails while both workers poll the one outbox every second.
    let store = db.open().await;
    let total = 60;
    let mut tx = store.begin().await.unwrap();
    for i in 0..total {
        let key = format!("instances:{i}");
        let to = format!("person{i}@example.ac.uk");
        tx.enqueue_email(&NewEmail {
            dedup_key: &key,
            to_address: &to,
            to_name: "Someone",
            subject: "Two instances",
            body_text: "One outbox.",
            calendar: None,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while eml_files(&a.mail_dir).len() + eml_files(&b.mail_dir).len() < total
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    // A few more polls: nothing is sent again later either.
    std::thread::sleep(Duration::from_secs(3));
    let (from_a, from_b) = (eml_files(&a.mail_dir), eml_files(&b.mail_dir));
    assert_eq!(
        from_a.len() + from_b.len(),
        total,
        "every email sent exactly once between the two instances (A {}, B {})",
        from_a.len(),
        from_b.len()
    );
    assert!(from_a.is_disjoint(&from_b), "no email was sent by both");
    for i in 0..total {
        let rows = store
            .emails_to(&format!("person{i}@example.ac.uk"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, "sent");
        assert_eq!(rows[0].attempts, 1, "claimed once");
    }
    store.close().await;
}
