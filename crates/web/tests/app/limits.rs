//! Limits on hostile or careless clients (issue 15), over real HTTP: body sizes per route
//! (413 before anything reads the rest), headers that trickle in or are too large (the
//! connection closed, 431), bodies that trickle in (408), requests beyond those answered at
//! once (503), and writes beyond a person's or an address's allowance (429 with
//! `Retry-After`).
use crate::api::token_for;
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes on a new connection and reads until the server closes it (or `within`
/// passes); returns what was read and how long it took.
async fn raw(app: &TestApp, request: &[u8], within: Duration) -> (String, Duration) {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_until_closed(&mut stream, within).await
}

async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tokio::time::timeout_at((started + within).into(), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "the server kept the connection open for {within:?}; read so far: {}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

#[tokio::test]
async fn a_form_larger_than_a_form_may_be_is_refused_with_413_and_nothing_is_saved() {
    let app = TestApp::spawn_with(|s| s.max_form_kib = 64).await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let long = "x".repeat(100 * 1024);
    let page = admin
        .post(
            "/admin/organisation/labels",
            &[("name", "Care experienced"), ("description", &long)],
        )
        .await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert!(page.body.contains("<html"), "a page: {}", page.body);
    assert!(
        page.body.contains("at most 64 KB") && page.body.contains("nothing was saved"),
        "{}",
        page.body
    );
    let labels = app.store.identity_labels().await.unwrap();
    assert!(!labels.iter().any(|l| l.name == "Care experienced"));
    // Within the limit the same form is saved.
    let page = admin
        .post(
            "/admin/organisation/labels",
            &[("name", "Care experienced"), ("description", "x")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_with_413_where_it_passes_the_limit() {
    let app = TestApp::spawn_with(|s| s.max_form_kib = 16).await;
    // No Content-Length: the body says how long it is only by arriving. The CSRF check reads
    // it first, and reading stops at the limit.
    let mut request = b"POST /sign-in HTTP/1.1\r\nHost: flipside\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = "a".repeat(4096);
    for _ in 0..8 {
        request.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let (response, _) = raw(&app, &request, Duration::from_secs(10)).await;
    assert_eq!(status_of(&response), 413, "{response}");
    assert!(response.contains("at most 16 KB"), "{response}");
}

#[tokio::test]
async fn uploads_may_be_larger_than_forms_but_only_where_the_route_takes_files() {
    let app = TestApp::spawn_with(|s| {
        s.max_form_kib = 64;
        s.max_file_mib = 1;
    })
    .await;
    let coordinator = app
        .as_role("co@tu.test", &[(Role::Coordinator, Scope::Organisation)])
        .await;
    let transcript = "Mentor: hello\n".repeat(200 * 1024 / 14);
    let files = [("transcript", "chat.txt", transcript.as_str())];
    // A transcript of 200 KB reaches the chat page's own checks (there is no cycle 999)...
    let page = coordinator
        .post_multipart("/cycles/999/chats", &[], &files, true)
        .await;
    assert_ne!(page.status, 413, "{}", page.body);
    assert_eq!(page.status, 404, "{}", page.body);
    // ...but not a form's route.
    let page = coordinator
        .post_multipart("/admin/organisation", &[], &files, true)
        .await;
    assert_eq!(page.status, 413, "{}", page.body);
    // A file over the file limit is refused with the limit named.
    let big = "Mentor: hello\n".repeat(1100 * 1024 / 14);
    let page = coordinator
        .post_multipart(
            "/cycles/999/chats",
            &[],
            &[("transcript", "chat.txt", big.as_str())],
            true,
        )
        .await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert!(page.body.contains("at most 1 MB"), "{}", page.body);
}

#[tokio::test]
async fn an_api_body_over_the_limit_is_refused_as_problem_details() {
    let app = TestApp::spawn_with(|s| s.max_form_kib = 8).await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let purpose = "p".repeat(16 * 1024);
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Big", "kind": "institutional", "purpose": purpose}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:flipside:problem:payload-too-large");
    assert!(
        body["detail"].as_str().unwrap().contains("at most 8 KB"),
        "{body}"
    );
}

#[tokio::test]
async fn headers_that_trickle_in_are_cut_off_and_too_large_ones_refused() {
    let app = TestApp::spawn_with(|s| {
        s.header_timeout_seconds = 1;
        s.max_header_kib = 4;
    })
    .await;
    // Half a request, then nothing: the server closes the connection after the header
    // timeout rather than wait for ever.
    let (response, took) = raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: flipside\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );
    assert!(!response.contains("200 OK"), "{response}");
    // A whole request on a new connection is answered.
    let (response, _) = raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: flipside\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(status_of(&response), 200, "{response}");
    // Headers over 4 KB are refused.
    let cookie = "a".repeat(8 * 1024);
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: flipside\r\nCookie: big={cookie}\r\nConnection: close\r\n\r\n"
    );
    let (response, _) = raw(&app, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(status_of(&response), 431, "{response}");
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_with_408() {
    let app = TestApp::spawn_with(|s| s.request_timeout_seconds = 1).await;
    let (response, took) = raw(
        &app,
        b"POST /sign-in HTTP/1.1\r\nHost: flipside\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(status_of(&response), 408, "{response}");
    assert!(
        response.contains("did not arrive within 1 seconds"),
        "{response}"
    );
    assert!(took < Duration::from_secs(5), "cut off after {took:?}");
}

#[tokio::test]
async fn requests_beyond_those_answered_at_once_are_refused_with_503_until_one_ends() {
    let app = TestApp::spawn_with(|s| s.max_concurrent_requests = 1).await;
    // One request stays in flight: its body never arrives.
    let mut held = TcpStream::connect(app.addr).await.unwrap();
    held.write_all(b"POST /sign-in HTTP/1.1\r\nHost: flipside\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        let r = client.get(app.url("/healthz")).send().await.unwrap();
        if r.status() == 503 || Instant::now() > deadline {
            break r;
        }
    };
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("as many requests as it can at once")
    );
    // The held request ends (its client goes): the next is answered.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = client.get(app.url("/healthz")).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {}", r.status());
    }
}

#[tokio::test]
async fn a_person_who_changes_things_too_often_is_asked_to_wait_and_no_one_else_is() {
    let app = TestApp::spawn_with(|s| s.writes_per_minute_per_person = 3).await;
    let admin = app
        .as_role("morgan@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let other = app
        .as_role("ruth@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    for n in 0..3 {
        let name = format!("Label {n}");
        let page = admin
            .post(
                "/admin/organisation/labels",
                &[("name", &name), ("description", "")],
            )
            .await;
        assert_eq!(page.status, 303, "write {n}: {}", page.body);
    }
    let page = admin
        .post(
            "/admin/organisation/labels",
            &[("name", "One too many"), ("description", "")],
        )
        .await;
    assert_eq!(page.status, 429, "{}", page.body);
    // Three a minute: the next write is due in twenty seconds.
    let retry: u64 = page.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((19..=20).contains(&retry), "Retry-After: {retry}");
    assert!(
        page.body.contains("this one was not made") && page.body.contains("seconds"),
        "{}",
        page.body
    );
    let labels = app.store.identity_labels().await.unwrap();
    assert!(!labels.iter().any(|l| l.name == "One too many"));
    // Reading goes on; another person writes as usual.
    assert_eq!(admin.get("/admin/organisation").await.status, 200);
    let page = other
        .post(
            "/admin/organisation/labels",
            &[("name", "Someone else's"), ("description", "")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
}

#[tokio::test]
async fn signed_out_writes_are_counted_per_address() {
    let app = TestApp::spawn_with(|s| {
        s.trust_proxy_headers = true;
        s.writes_per_minute_per_address = 2;
    })
    .await;
    let here = app.browser_at("192.0.2.1");
    for _ in 0..2 {
        let page = here
            .post("/password/forgot", &[("email", "ada@tu.test")])
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
    }
    let page = here
        .post("/password/forgot", &[("email", "ada@tu.test")])
        .await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(page.headers.contains_key("retry-after"));
    let elsewhere = app.browser_at("192.0.2.2");
    let page = elsewhere
        .post("/password/forgot", &[("email", "ada@tu.test")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
}

#[tokio::test]
async fn api_writes_over_the_allowance_are_refused_as_problem_details_with_retry_after() {
    let app = TestApp::spawn_with(|s| s.writes_per_minute_per_person = 1).await;
    let token = token_for(
        &app,
        "priya@tu.test",
        &[(Role::Coordinator, Scope::Organisation)],
    )
    .await;
    let create = |name: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/schemes"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": name, "kind": "institutional", "purpose": "Limits"}))
            .send()
    };
    assert_eq!(create("First").await.unwrap().status(), 201);
    let r = create("Second").await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "60");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "urn:flipside:problem:too-many-requests");
    // Reading is not counted.
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
