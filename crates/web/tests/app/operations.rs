use crate::helpers::TestApp;

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    let h = b.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    b.get("/sign-in").await;
    let m = b.get("/metrics").await;
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
    assert_eq!(r.json()["error"], "not_found");
}

#[tokio::test]
async fn the_layout_has_landmarks_a_skip_link_and_labelled_fields() {
    let app = TestApp::spawn().await;
    let page = app.browser().get("/sign-in").await.body;
    assert!(page.contains("<html lang=\"en-GB\">"));
    assert!(page.contains("class=\"skip-link\" href=\"#main\""));
    assert!(page.contains("<main id=\"main\""));
    assert!(page.contains("<label for=\"email\">") && page.contains("id=\"email\""));
    assert!(page.contains("name=\"viewport\""));
}
