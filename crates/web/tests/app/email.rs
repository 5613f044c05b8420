//! The email outbox and its worker: queueing is idempotent, each email is sent once, transient
//! failures are retried with back-off, permanent ones are given up; SMTP and the file sink.
use crate::helpers::{QueueEmail, TestApp, fresh_store, temp_dir};
use flipside_store::{NewEmail, Store};
use flipside_web::Settings;
use flipside_web::mail::{MAX_ATTEMPTS, Mailer, deliver_due};
use flipside_web::settings::Secret;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

fn email<'a>(key: &'a str, to: &'a str) -> NewEmail<'a> {
    NewEmail {
        dedup_key: key,
        to_address: to,
        to_name: "Ada Okafor",
        subject: "Your mentoring meeting",
        body_text: "Tuesday at 10:00, in the library.",
        calendar: None,
    }
}

async fn migrated_store() -> Store {
    let (store, _) = fresh_store().await;
    store
}

fn file_mailer(dir: &std::path::Path) -> Mailer {
    let settings = Settings {
        mail_dir: Some(dir.to_path_buf()),
        ..Settings::default()
    };
    Mailer::from_settings(&settings).unwrap()
}

fn smtp_mailer(port: u16) -> Mailer {
    let settings = Settings {
        smtp_url: Some(Secret(format!("smtp://127.0.0.1:{port}"))),
        ..Settings::default()
    };
    Mailer::from_settings(&settings).unwrap()
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_running_app_sends_a_queued_email_once() {
    let app = TestApp::spawn().await;
    let to = "ada.okafor@example.ac.uk";
    assert!(
        app.store
            .enqueue_email(&email("meeting:1:confirmed", to))
            .await
            .unwrap()
    );
    // Asking again for the same event queues nothing more.
    assert!(
        !app.store
            .enqueue_email(&email("meeting:1:confirmed", to))
            .await
            .unwrap()
    );
    assert_eq!(app.drain_outbox().await.sent, 1);
    assert_eq!(
        app.drain_outbox().await.sent,
        0,
        "a sent email is not sent again"
    );
    let rows = app.store.emails_to(to).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempts, 1);
    assert!(rows[0].sent_at.is_some());
    let files = eml_files(&app.mail_dir);
    assert_eq!(files, vec![format!("{:08}.eml", rows[0].id)]);
    let text = std::fs::read_to_string(app.mail_dir.join(&files[0])).unwrap();
    assert!(text.contains("Subject: Your mentoring meeting"), "{text}");
    assert!(
        text.contains("To: \"Ada Okafor\" <ada.okafor@example.ac.uk>"),
        "{text}"
    );
    assert!(text.contains("Tuesday at 10:00"), "{text}");
}

#[tokio::test]
async fn the_worker_makes_a_pass_before_it_looks_at_the_stop_signal() {
    let store = migrated_store().await;
    let dir = temp_dir("mail");
    store
        .enqueue_email(&email("meeting:2:confirmed", "kay@example.ac.uk"))
        .await
        .unwrap();
    // Told to stop before it starts: it makes exactly one pass, then ends, with no waiting.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    stop.send(true).unwrap();
    flipside_web::mail::spawn_worker(
        store.clone(),
        std::sync::Arc::new(file_mailer(&dir)),
        url::Url::parse("http://127.0.0.1/").unwrap(),
        Duration::from_secs(3600),
        Default::default(),
        stopped,
    )
    .await
    .unwrap();
    let rows = store.emails_to("kay@example.ac.uk").await.unwrap();
    assert_eq!(rows[0].status, "sent");
    assert_eq!(eml_files(&dir).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn two_workers_at_once_send_every_email_exactly_once() {
    let store = migrated_store().await;
    let dir = temp_dir("mail");
    for i in 0..20 {
        let key = format!("survey:pre:{i}:invite");
        let to = format!("person{i}@example.ac.uk");
        store.enqueue_email(&email(&key, &to)).await.unwrap();
    }
    let (a, b) = (file_mailer(&dir), file_mailer(&dir));
    let at = flipside_store::now();
    let (one, two) = tokio::join!(deliver_due(&store, &a, at), deliver_due(&store, &b, at));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 20);
    assert_eq!(eml_files(&dir).len(), 20);
    // Nothing is due any more: a later pass sends nothing again.
    assert_eq!(deliver_due(&store, &a, at).await.unwrap().sent, 0);
    assert_eq!(eml_files(&dir).len(), 20);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unreachable_server_is_retried_with_back_off_then_given_up() {
    let store = migrated_store().await;
    // A port nobody listens on: bind one, then close it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mailer = smtp_mailer(port);
    store
        .enqueue_email(&email("invitation:7", "lead@example.ac.uk"))
        .await
        .unwrap();
    let start = flipside_store::now();
    let pass = deliver_due(&store, &mailer, start).await.unwrap();
    assert_eq!(pass.retrying, 1);
    let row = &store.emails_to("lead@example.ac.uk").await.unwrap()[0];
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(!row.last_error.is_empty());
    assert_eq!((row.next_attempt_at - start).num_seconds(), 30);
    // Not due again before the back-off has passed.
    assert_eq!(
        deliver_due(&store, &mailer, start).await.unwrap(),
        Default::default()
    );
    // Each later attempt waits twice as long, until the last one gives up.
    let mut at = row.next_attempt_at;
    for attempt in 2..=MAX_ATTEMPTS {
        deliver_due(&store, &mailer, at).await.unwrap();
        let row = &store.emails_to("lead@example.ac.uk").await.unwrap()[0];
        assert_eq!(row.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(row.status, "pending");
            assert_eq!(
                (row.next_attempt_at - at).to_std().unwrap(),
                flipside_web::mail::backoff(attempt)
            );
            at = row.next_attempt_at;
        } else {
            assert_eq!(row.status, "failed");
        }
    }
    assert_eq!(
        deliver_due(&store, &mailer, at + chrono::Duration::days(1))
            .await
            .unwrap(),
        Default::default()
    );
}

/// A small SMTP server for the tests: it accepts every message unless told to refuse
/// recipients, and hands each message's DATA to the test.
async fn smtp_server(
    refuse_recipients: bool,
) -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            let _ = tx.send(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "RCPT" if refuse_recipients => b"550 no such mailbox\r\n",
                        "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn smtp_delivers_the_message_with_its_calendar_attachment() {
    let store = migrated_store().await;
    let (port, mut received) = smtp_server(false).await;
    let calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    store
        .enqueue_email(&NewEmail {
            calendar: Some(calendar),
            ..email("meeting:3:confirmed", "mentor@example.ac.uk")
        })
        .await
        .unwrap();
    let pass = deliver_due(&store, &smtp_mailer(port), flipside_store::now())
        .await
        .unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let data = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(data.contains("Subject: Your mentoring meeting"), "{data}");
    assert!(data.contains("text/calendar"), "{data}");
    assert!(data.contains("meeting.ics"), "{data}");
    assert!(data.contains("Message-ID: <"), "{data}");
    let row = &store.emails_to("mentor@example.ac.uk").await.unwrap()[0];
    assert_eq!(row.status, "sent");
}

#[tokio::test]
async fn a_refused_recipient_or_a_malformed_address_is_given_up_at_once() {
    let store = migrated_store().await;
    let (port, _received) = smtp_server(true).await;
    store
        .enqueue_email(&email("a", "gone@example.ac.uk"))
        .await
        .unwrap();
    store
        .enqueue_email(&email("b", "not an address"))
        .await
        .unwrap();
    let pass = deliver_due(&store, &smtp_mailer(port), flipside_store::now())
        .await
        .unwrap();
    assert_eq!(pass.failed, 2, "{pass:?}");
    let gone = &store.emails_to("gone@example.ac.uk").await.unwrap()[0];
    assert_eq!((gone.status.as_str(), gone.attempts), ("failed", 1));
    assert!(
        gone.last_error.contains("550") || gone.last_error.contains("no such mailbox"),
        "{}",
        gone.last_error
    );
    let bad = &store.emails_to("not an address").await.unwrap()[0];
    assert_eq!(bad.status, "failed");
    assert!(
        bad.last_error.contains("is not an email address"),
        "{}",
        bad.last_error
    );
}

#[tokio::test]
async fn admins_see_how_emails_fared_but_never_what_they_say() {
    let app = TestApp::spawn().await;
    let secret_link = "https://flipside.example/invitations/single-use-token-123";
    app.store
        .enqueue_email(&NewEmail {
            body_text: secret_link,
            ..email("invitation:1", "leader at example")
        })
        .await
        .unwrap();
    // The worker gives the malformed address up at its first attempt.
    assert_eq!(app.drain_outbox().await.failed, 1);
    let admin = app
        .as_role(
            "admin@tu.test",
            &[(
                flipside_core::role::Role::Admin,
                flipside_core::role::Scope::Organisation,
            )],
        )
        .await;
    let page = admin.get("/admin/emails").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let row = &page.body[page
        .body
        .find("leader at example")
        .expect("the email is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Your mentoring meeting"), "{row}");
    assert!(row.contains("<td>failed</td>"), "{row}");
    assert!(row.contains("is not an email address"), "{row}");
    assert!(
        !page.body.contains("single-use-token-123"),
        "bodies are never shown"
    );
}

#[tokio::test]
async fn an_email_whose_worker_died_mid_send_is_sent_after_the_lease_and_not_before() {
    let store = migrated_store().await;
    let dir = temp_dir("mail");
    store
        .enqueue_email(&email("pair:1:published", "stranded@example.ac.uk"))
        .await
        .unwrap();
    let id = store.emails_to("stranded@example.ac.uk").await.unwrap()[0].id;
    // A worker claims it and is killed before it records anything.
    let at = flipside_store::now();
    assert!(store.claim_email(id, at).await.unwrap());
    let mailer = file_mailer(&dir);
    // Within the lease another pass leaves it alone: the first worker may still be sending.
    let soon = at + chrono::Duration::minutes(5);
    assert_eq!(deliver_due(&store, &mailer, soon).await.unwrap().sent, 0);
    assert_eq!(eml_files(&dir).len(), 0);
    assert_eq!(
        store.emails_to("stranded@example.ac.uk").await.unwrap()[0].status,
        "sending"
    );
    // After the lease the claim is released and the email goes out, once.
    let later = at
        + chrono::Duration::from_std(flipside_web::mail::CLAIM_LEASE).unwrap()
        + chrono::Duration::seconds(1);
    assert_eq!(deliver_due(&store, &mailer, later).await.unwrap().sent, 1);
    assert_eq!(deliver_due(&store, &mailer, later).await.unwrap().sent, 0);
    assert_eq!(eml_files(&dir).len(), 1);
    let row = &store.emails_to("stranded@example.ac.uk").await.unwrap()[0];
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 2, "the lost attempt counts");
    let _ = std::fs::remove_dir_all(dir);
}
