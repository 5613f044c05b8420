use crate::helpers::TestApp;

const METRICS_TOKEN: &str = "a-scraper-token-0123456789";

async fn scrape(app: &TestApp, token: Option<&str>) -> crate::helpers::Page {
    let b = app.browser();
    let mut r = b.client.get(app.url("/metrics"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    crate::helpers::Page {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

#[tokio::test]
async fn metrics_are_not_served_without_a_token_in_the_settings() {
    let app = TestApp::spawn().await;
    assert_eq!(scrape(&app, None).await.status, 404);
    assert_eq!(scrape(&app, Some("anything")).await.status, 404);
}

#[tokio::test]
async fn metrics_are_served_only_to_the_bearer_of_the_token_with_bounded_labels() {
    let app = TestApp::spawn_with(|s| {
        s.metrics_token = Some(flipside_web::settings::Secret(METRICS_TOKEN.into()))
    })
    .await;
    assert_eq!(scrape(&app, None).await.status, 401);
    assert_eq!(
        scrape(&app, Some("a-wrong-token-0123456789")).await.status,
        401
    );
    let b = app.browser();
    // Methods a client makes up, and paths nobody routes, add no series of their own (the
    // CSRF check refuses them before anything else).
    for method in ["FROBNICATE", "BREW", "X-1"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        b.client
            .request(m, app.url(&format!("/nowhere/{method}")))
            .send()
            .await
            .unwrap();
    }
    b.get("/tutoring/students/12345/profile").await;
    let m = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains(
            "flipside_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"403\"} 3"
        ),
        "{}",
        m.body
    );
    assert!(
        m.body.contains("route=\"/tutoring/students/{id}/profile\""),
        "{}",
        m.body
    );
    for raw in ["FROBNICATE", "BREW", "12345", "/nowhere"] {
        assert!(!m.body.contains(raw), "{raw} in {}", m.body);
    }
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = TestApp::spawn_with(|s| {
        s.metrics_token = Some(flipside_web::settings::Secret(METRICS_TOKEN.into()))
    })
    .await;
    let b = app.browser();
    let h = b.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    b.get("/sign-in").await;
    let m = scrape(&app, Some(METRICS_TOKEN)).await;
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains(
            "flipside_http_requests_total{method=\"GET\",route=\"/sign-in\",status=\"200\"} 1"
        ),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("flipside_http_request_duration_seconds_bucket")
    );
}

#[tokio::test]
async fn every_page_carries_strict_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/sign-in", "/nowhere", "/api/v1/openapi.json"] {
        let r = app.browser().get(path).await;
        let h = |n: &str| {
            r.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(
            h("content-security-policy").contains("default-src 'none'"),
            "{path}"
        );
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "same-origin", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(
            h("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
            "{path}"
        );
        assert_eq!(h("cross-origin-opener-policy"), "same-origin", "{path}");
        assert_eq!(h("cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_and_unknown_api_routes_json() {
    let app = TestApp::spawn().await;
    let r = app.browser().get("/nowhere").await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("This page does not exist."));
    let r = app.browser().get("/api/v1/nowhere").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["type"], "urn:flipside:problem:not-found");
    assert_eq!(r.json()["status"], 404);
}

#[tokio::test]
async fn the_layout_has_landmarks_a_skip_link_and_labelled_fields() {
    let app = TestApp::spawn().await;
    let page = app.browser().get_ok("/sign-in").await.body;
    assert!(page.contains("<html lang=\"en-GB\">"));
    assert!(page.contains("class=\"skip-link\" href=\"#main\""));
    assert!(page.contains("<main id=\"main\""));
    assert!(page.contains("<label for=\"email\">") && page.contains("id=\"email\""));
    assert!(page.contains("name=\"viewport\""));
}
