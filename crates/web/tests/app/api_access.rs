//! The access matrix over the JSON API: every operation answers each role (and owner or
//! non-owner) as the policy says, and each token scope as `flipside_core::api_scope` says.
//! Every operation of `router::api_operations()` needs a row here.
use crate::api::client;
use crate::helpers::TestApp;
use crate::meetings::{COORDINATOR, MENTEE, MENTOR, both_accept, setup};
use axum::http::Method;
use flipside_core::api_scope::{self, Area, Scope as TokenScope, Scopes};
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One operation, called on concrete resources.
struct Row {
    method: Method,
    /// As the route table declares it.
    route: &'static str,
    path: String,
    body: Option<Value>,
    /// The roles the policy lets through (answered anything but 401, 403 or 404); `*` for all.
    allowed: &'static [&'static str],
    /// Tokens asked besides the world's, for this row only (owner variants of people the
    /// world's roles do not cover, such as a tutoring student and their tutor).
    extra: Vec<(&'static str, String)>,
}

impl Row {
    fn also(mut self, tokens: &[(&'static str, &String)]) -> Row {
        self.extra = tokens.iter().map(|(r, t)| (*r, (*t).clone())).collect();
        self
    }
}

fn row(
    method: Method,
    route: &'static str,
    path: String,
    body: Option<Value>,
    allowed: &'static [&'static str],
) -> Row {
    Row {
        method,
        route,
        path,
        body,
        allowed,
        extra: Vec::new(),
    }
}

async fn call(app: &TestApp, token: &str, r: &Row) -> (u16, Value) {
    let mut req = client()
        .request(r.method.clone(), app.url(&format!("/api/v1{}", r.path)))
        .bearer_auth(token);
    if let Some(b) = &r.body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The resources the rows act on, and a token per role.
struct World {
    rows: Vec<Row>,
    tokens: Vec<(&'static str, String)>,
    admin: String,
}

async fn world(app: &TestApp) -> World {
    let s = setup(app).await;
    both_accept(
        &s,
        &app.signed_in(MENTOR).await,
        &app.signed_in(MENTEE).await,
    )
    .await;
    let other = app.scheme_with_cycle("Other scheme", "{}").await.0;
    let token = |id: i64| async move {
        app.store
            .create_api_token(id, "matrix", chrono::Duration::days(1))
            .await
            .unwrap()
            .0
    };
    let admin = token(
        app.person("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
            .await,
    )
    .await;
    let coordinator = token(app.store.user_by_email(COORDINATOR).await.unwrap().id).await;
    let other_coordinator = token(
        app.person(
            "other.coord@tu.test",
            &[(Role::Coordinator, Scope::Scheme(other))],
        )
        .await,
    )
    .await;
    let mentor = token(s.mentor).await;
    let mentee = token(s.mentee).await;
    let researcher = token(
        app.person(
            "researcher@tu.test",
            &[(Role::Researcher, Scope::Organisation)],
        )
        .await,
    )
    .await;
    let nobody = token(app.person("nobody@tu.test", &[]).await).await;
    let (c, p, sc) = (s.cycle, s.pair, s.scheme);

    // Resources the rows need: an invitation, a proposed meeting, a webhook.
    let r = client()
        .post(app.url(&format!("/api/v1/cycles/{c}/invitations")))
        .bearer_auth(&coordinator)
        .json(&json!({"name": "Dean Ray", "email": "dean@tu.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let inv = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let meeting_body = json!({"date": date, "time": "14:00", "minutes": 60, "session": 2});
    let r = client()
        .post(app.url(&format!("/api/v1/pairs/{p}/meetings")))
        .bearer_auth(&mentor)
        .json(&meeting_body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = client()
        .post(app.url("/api/v1/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": "https://hooks.tu.test/in", "events": ["pairs.published"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let w = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let more = more_resources(app, &s, &mentor).await;
    let tutoring = [
        ("student", &more.tokens[0]),
        ("tutor", &more.tokens[1]),
        ("other tutor", &more.tokens[2]),
        ("school lead", &more.tokens[3]),
    ];

    use Method as M;
    const MEMBERS: &[&str] = &["mentor", "mentee"];
    const ADMIN: &[&str] = &["admin"];
    const COORD: &[&str] = &["coordinator"];
    // Writes that end or move things come last: an allowed role may change what later rows see.
    let rows = vec![
        row(
            M::GET,
            "/openapi.json",
            "/openapi.json".into(),
            None,
            &["*"],
        ),
        row(M::GET, "/me", "/me".into(), None, &["*"]),
        row(M::GET, "/schemes", "/schemes".into(), None, &["*"]),
        row(
            M::GET,
            "/schemes/{id}",
            format!("/schemes/{sc}"),
            None,
            &["*"],
        ),
        row(
            M::GET,
            "/schemes/{id}/cycles",
            format!("/schemes/{sc}/cycles"),
            None,
            &["*"],
        ),
        row(
            M::GET,
            "/cycles/{id}",
            format!("/cycles/{c}"),
            None,
            &["admin", "coordinator", "mentor", "mentee", "researcher"],
        ),
        row(
            M::GET,
            "/cycles/{id}/pairs",
            format!("/cycles/{c}/pairs"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/invitations",
            format!("/cycles/{c}/invitations"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/invitations",
            format!("/cycles/{c}/invitations"),
            Some(json!({"name": "Eve Lam", "email": "eve@tu.test"})),
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/invitations/{invitation}/resend",
            format!("/cycles/{c}/invitations/{inv}/resend"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/pairs/{id}/meetings",
            format!("/pairs/{p}/meetings"),
            Some(meeting_body.clone()),
            MEMBERS,
        ),
        // The proposer's answer is a conflict, the partner's a decision: both past the policy.
        row(
            M::POST,
            "/meetings/{id}/respond",
            format!("/meetings/{m}/respond"),
            Some(json!({"decision": "decline"})),
            MEMBERS,
        ),
        row(
            M::POST,
            "/pairs/{id}/concerns",
            format!("/pairs/{p}/concerns"),
            Some(json!({"concern": "A matter to raise."})),
            MEMBERS,
        ),
        row(
            M::POST,
            "/schemes",
            "/schemes".into(),
            Some(
                json!({"name": "Matrix scheme", "kind": "institutional", "purpose": "Testing access."}),
            ),
            ADMIN,
        ),
        row(
            M::POST,
            "/schemes/{id}/cycles",
            format!("/schemes/{sc}/cycles"),
            Some(json!({"academic_year": "2027/28"})),
            COORD,
        ),
        row(M::GET, "/webhooks", "/webhooks".into(), None, ADMIN),
        row(
            M::POST,
            "/webhooks",
            "/webhooks".into(),
            Some(json!({"url": "https://hooks.tu.test/two", "events": ["report.published"]})),
            ADMIN,
        ),
        row(
            M::GET,
            "/webhooks/{id}",
            format!("/webhooks/{w}"),
            None,
            ADMIN,
        ),
        row(
            M::GET,
            "/webhooks/{id}/deliveries",
            format!("/webhooks/{w}/deliveries"),
            None,
            ADMIN,
        ),
        row(
            M::POST,
            "/webhooks/{id}/pause",
            format!("/webhooks/{w}/pause"),
            None,
            ADMIN,
        ),
        row(
            M::POST,
            "/webhooks/{id}/resume",
            format!("/webhooks/{w}/resume"),
            None,
            ADMIN,
        ),
        row(
            M::DELETE,
            "/webhooks/{id}",
            format!("/webhooks/{w}"),
            None,
            ADMIN,
        ),
        row(
            M::POST,
            "/cycles/{id}/pairs/{pair}/end",
            format!("/cycles/{c}/pairs/{p}/end"),
            Some(json!({"reason": "Moved away."})),
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/transition",
            format!("/cycles/{c}/transition"),
            Some(json!({"to": "matching"})),
            COORD,
        ),
        row(
            M::GET,
            "/pairs/{id}/notes",
            format!("/pairs/{p}/notes"),
            None,
            MEMBERS,
        ),
        row(
            M::POST,
            "/pairs/{id}/notes",
            format!("/pairs/{p}/notes"),
            Some(json!({"body": "A note."})),
            MEMBERS,
        ),
        // The mentor's note: only its author changes it, the partner included.
        row(
            M::PATCH,
            "/pairs/{id}/notes/{note}",
            format!("/pairs/{p}/notes/{}", more.note),
            Some(json!({"shared": true})),
            &["mentor"],
        ),
        row(
            M::GET,
            "/cycles/{id}/plan",
            format!("/cycles/{c}/plan"),
            None,
            &["admin", "coordinator", "mentor", "mentee", "researcher"],
        ),
        row(
            M::PUT,
            "/cycles/{id}/plan",
            format!("/cycles/{c}/plan"),
            Some(
                json!({"sessions": [{"topic": "T", "prompts": ["P"]}], "expectations": ["E"], "hours_target": 6}),
            ),
            COORD,
        ),
        // Sprints: everyone contributes; none of these roles runs one (a Student APT Lead or
        // an organisation-wide coordinator does); admins decide proposals.
        row(M::GET, "/sprints", "/sprints".into(), None, &["*"]),
        row(
            M::POST,
            "/sprints",
            "/sprints".into(),
            Some(
                json!({"faculty_id": more.faculty, "title": "T", "question": "Q", "starts_on": "2026-10-01", "ends_on": "2026-10-31"}),
            ),
            &[],
        ),
        row(
            M::GET,
            "/sprints/{id}",
            format!("/sprints/{}", more.sprint),
            None,
            &["*"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items",
            format!("/sprints/{}/items", more.sprint),
            Some(json!({"stage": "problems", "title": "A problem", "body": "B"})),
            &["*"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/comments",
            format!(
                "/sprints/{}/items/{}/comments",
                more.sprint, more.sprint_problem
            ),
            Some(json!({"body": "A comment."})),
            &["*"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/support",
            format!(
                "/sprints/{}/items/{}/support",
                more.sprint, more.sprint_problem
            ),
            Some(json!({"support": true})),
            &["*"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/promote",
            format!(
                "/sprints/{}/items/{}/promote",
                more.sprint, more.sprint_problem
            ),
            None,
            &[],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/decision",
            format!(
                "/sprints/{}/items/{}/decision",
                more.sprint, more.sprint_proposal
            ),
            Some(json!({"decision": "not_taken_forward", "reasons": "R."})),
            ADMIN,
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/status",
            format!(
                "/sprints/{}/items/{}/status",
                more.sprint, more.sprint_accepted
            ),
            Some(json!({"status": "in_progress"})),
            ADMIN,
        ),
        row(
            M::POST,
            "/sprints/{id}/advance",
            format!("/sprints/{}/advance", more.sprint),
            Some(json!({"from": "problems"})),
            &[],
        ),
        // A tutoring student's profile and change requests: the student, their tutor of
        // record (the profile as shared), and their School's lead (the requests); nobody else.
        row(
            M::GET,
            "/tutoring/me/profile",
            "/tutoring/me/profile".into(),
            None,
            &["student"],
        )
        .also(&tutoring),
        row(
            M::PUT,
            "/tutoring/me/profile",
            "/tutoring/me/profile".into(),
            Some(json!({"goals": "G", "goals_shared": true})),
            &["student"],
        )
        .also(&tutoring),
        row(
            M::GET,
            "/tutoring/students/{id}/profile",
            format!("/tutoring/students/{}/profile", more.tutee),
            None,
            &["student", "tutor"],
        )
        .also(&tutoring),
        row(
            M::GET,
            "/tutoring/me/change-requests",
            "/tutoring/me/change-requests".into(),
            None,
            &["student"],
        )
        .also(&tutoring),
        // The student's request is pending: another is a conflict, past the policy.
        row(
            M::POST,
            "/tutoring/me/change-requests",
            "/tutoring/me/change-requests".into(),
            Some(json!({"reason": "Another."})),
            &["student"],
        )
        .also(&tutoring),
        row(
            M::GET,
            "/tutoring/change-requests",
            "/tutoring/change-requests".into(),
            None,
            &["school lead"],
        )
        .also(&tutoring),
        row(
            M::POST,
            "/tutoring/change-requests/{id}/decision",
            format!("/tutoring/change-requests/{}/decision", more.change_request),
            Some(json!({"outcome": "decline", "reason": "Not this term."})),
            &["school lead"],
        )
        .also(&tutoring),
        // The research export: the scheme's researchers and coordinators, not admins.
        row(
            M::GET,
            "/cycles/{id}/research-export",
            format!("/cycles/{c}/research-export"),
            None,
            &["coordinator", "researcher"],
        ),
        row(
            M::GET,
            "/cycles/{id}/codebook",
            format!("/cycles/{c}/codebook"),
            None,
            &["coordinator", "researcher"],
        ),
        row(M::GET, "/me/data", "/me/data".into(), None, &["*"]).also(&tutoring),
    ];
    World {
        rows,
        tokens: vec![
            ("admin", admin.clone()),
            ("coordinator", coordinator),
            ("other coordinator", other_coordinator),
            ("mentor", mentor),
            ("mentee", mentee),
            ("researcher", researcher),
            ("nobody", nobody),
        ],
        admin,
    }
}

/// Operations whose refusals are tested in their own area's tests (`api_cycle.rs`,
/// `api_administration.rs`) but which do not yet have a row here: each needs its resources (an
/// application of a recruiting cycle, an action, a concern, a survey wave, a tutoring year) in
/// [`world`]. The list may only shrink.
const NOT_YET_IN_MATRIX: &[(&str, &str)] = &[
    ("POST", "/cycles/{id}/applications"),
    ("GET", "/cycles/{id}/applications"),
    ("GET", "/cycles/{id}/applications/{application}"),
    ("POST", "/cycles/{id}/applications/{application}/decision"),
    ("POST", "/cycles/{id}/invitations/batch"),
    ("POST", "/cycles/{id}/invitations/{invitation}/cancel"),
    ("GET", "/cycles/{id}/matching"),
    ("GET", "/cycles/{id}/matching/settings"),
    ("PUT", "/cycles/{id}/matching/settings"),
    ("GET", "/cycles/{id}/matching/do-not-pair"),
    ("POST", "/cycles/{id}/matching/do-not-pair"),
    (
        "DELETE",
        "/cycles/{id}/matching/do-not-pair/{mentor}/{mentee}",
    ),
    ("POST", "/cycles/{id}/matching/publish"),
    ("GET", "/pairs/{id}"),
    ("POST", "/pairs/{id}/agreement"),
    ("GET", "/pairs/{id}/meetings"),
    ("POST", "/meetings/{id}/held"),
    ("GET", "/meetings/{id}/ics"),
    ("GET", "/pairs/{id}/actions"),
    ("POST", "/pairs/{id}/actions"),
    ("POST", "/actions/{id}/status"),
    ("POST", "/actions/{id}/evidence"),
    ("GET", "/cycles/{id}/concerns"),
    ("POST", "/concerns/{id}/reply"),
    ("POST", "/concerns/{id}/resolve"),
    ("GET", "/cycles/{id}/surveys"),
    ("PUT", "/cycles/{id}/surveys"),
    ("POST", "/cycles/{id}/surveys/{wave}/invite"),
    ("POST", "/cycles/{id}/surveys/{wave}/remind"),
    ("GET", "/surveys"),
    ("GET", "/surveys/{participant}/{wave}"),
    ("PUT", "/surveys/{participant}/{wave}/draft"),
    ("POST", "/surveys/{participant}/{wave}/submit"),
    ("GET", "/cycles/{id}/results"),
    ("GET", "/people"),
    ("POST", "/people/{id}/roles"),
    ("DELETE", "/people/{id}/roles/{grant_id}"),
    ("GET", "/organisation/settings"),
    ("PUT", "/organisation/settings"),
    ("GET", "/audit-entries"),
    ("GET", "/emails"),
    ("POST", "/tutoring/imports/{file}"),
    ("GET", "/tutoring/allocation"),
    ("POST", "/tutoring/allocation/run"),
    ("POST", "/tutoring/allocation/moves"),
    ("POST", "/tutoring/allocation/publish"),
    ("GET", "/tutoring/tutees"),
    ("GET", "/tutoring/students/{id}/contacts"),
    ("POST", "/tutoring/contacts"),
    ("GET", "/tutoring/dashboard"),
];

fn operations() -> BTreeSet<(String, String)> {
    flipside_web::router::api_operations()
        .into_iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect()
}

#[test]
fn every_api_operation_needs_a_scope_from_the_one_table() {
    for (method, route) in operations() {
        assert!(
            api_scope::required(&method, &route).is_some(),
            "{method} {route} is under no prefix of flipside_core::api_scope::ROUTES: add its prefix there"
        );
    }
}

#[tokio::test]
async fn every_api_operation_answers_each_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let covered: BTreeSet<(String, String)> = w
        .rows
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    let pending: BTreeSet<(String, String)> = NOT_YET_IN_MATRIX
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert!(
        covered.is_disjoint(&pending),
        "an operation with a row here is no longer pending"
    );
    assert_eq!(
        covered.union(&pending).cloned().collect::<BTreeSet<_>>(),
        operations(),
        "every API operation has a row in this matrix (or is listed as pending), and no other"
    );
    let mut wrong = Vec::new();
    for r in &w.rows {
        for (role, token) in w.tokens.iter().chain(&r.extra) {
            let (status, body) = call(&app, token, r).await;
            let expected = r.allowed.contains(&"*") || r.allowed.contains(role);
            let refused = matches!(status, 401 | 403 | 404);
            if refused == expected || status >= 500 {
                wrong.push(format!(
                    "{} {} as {role}: {status} {body}",
                    r.method, r.path
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers against the policy:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn every_api_operation_answers_each_token_scope_as_the_scope_table_says() {
    // One administrator makes every write once per scope: more than a person's write limit.
    let app = TestApp::spawn_with(|s| s.writes_per_minute_per_person = 100_000).await;
    let w = world(&app).await;
    let admin = app.store.user_by_email("admin@tu.test").await.unwrap().id;
    let mut singles = vec![TokenScope::Read];
    singles.extend(Area::ALL.map(TokenScope::Write));
    let mut wrong = Vec::new();
    for scope in singles {
        let scopes = Scopes::from_names([scope.as_str()]).unwrap();
        let token = app
            .store
            .create_scoped_api_token(admin, scope.as_str(), chrono::Duration::days(1), &scopes)
            .await
            .unwrap()
            .0;
        for r in &w.rows {
            let need = api_scope::required(r.method.as_str(), r.route).unwrap();
            let (status, body) = call(&app, &token, r).await;
            let refused = body["type"] == "urn:flipside:problem:insufficient-scope";
            match scopes.check(need) {
                Ok(()) if refused => wrong.push(format!(
                    "{} {} with {scope}: refused {body}",
                    r.method, r.path
                )),
                Err(missing)
                    if !refused
                        || status != 403
                        || !body["detail"]
                            .as_str()
                            .unwrap_or("")
                            .contains(&format!("'{missing}'")) =>
                {
                    wrong.push(format!(
                        "{} {} with {scope}: {status} {body}, expected 403 naming '{missing}'",
                        r.method, r.path
                    ))
                }
                _ => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers against the scope table:\n{}",
        wrong.join("\n")
    );
    // A browser session is not limited by scopes.
    let admin_session = app.signed_in("admin@tu.test").await;
    assert_eq!(admin_session.get("/api/v1/webhooks").await.status, 200);
    let _ = w.admin;
}

#[tokio::test]
async fn a_read_token_reads_but_changes_nothing_and_the_refusal_names_the_scope() {
    let app = TestApp::spawn().await;
    let admin = app
        .person("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let read = app
        .store
        .create_scoped_api_token(
            admin,
            "dashboard",
            chrono::Duration::days(1),
            &Scopes::parse("read").unwrap(),
        )
        .await
        .unwrap()
        .0;
    let r = client()
        .get(app.url("/api/v1/schemes"))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&read)
        .json(&json!({"name": "Nope", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"mentoring\""
    );
    let body = crate::api::problem(r, 403).await;
    assert!(
        body["detail"].as_str().unwrap().contains("'mentoring'"),
        "{body}"
    );
    assert!(
        app.store.schemes().await.unwrap().is_empty(),
        "nothing was created"
    );
    // Tokens made before scopes existed (and `create_api_token`) hold every scope.
    let all = app
        .store
        .create_api_token(admin, "old", chrono::Duration::days(1))
        .await
        .unwrap()
        .0;
    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&all)
        .json(&json!({"name": "Yes", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_token_is_made_with_the_scopes_checked_on_the_account_page_and_lists_them() {
    let app = TestApp::spawn().await;
    let ada = app.as_role("ada@tu.test", &[]).await;
    let form = ada.get_ok("/account").await;
    assert!(
        form.body.contains(r#"name="scope" value="read" checked"#),
        "read is offered, checked"
    );
    assert!(form.body.contains(r#"name="scope" value="tutoring">"#));
    let r = ada
        .post("/account/tokens", &[("name", "none"), ("days", "7")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"scopes-error\""), "{}", r.body);
    let r = ada
        .post(
            "/account/tokens",
            &[
                ("name", "sync"),
                ("days", "7"),
                ("scope", "read"),
                ("scope", "tutoring"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let at = r.body.find("fs_").unwrap();
    let token = r.body[at..at + 3 + 64].to_string();
    assert!(
        r.body.contains("<td>sync</td><td>read, tutoring</td>"),
        "{}",
        r.body
    );
    let r = client()
        .post(app.url("/api/v1/schemes"))
        .bearer_auth(&token)
        .json(&json!({"name": "Nope", "kind": "institutional", "purpose": "p"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::api::problem(r, 403).await["type"],
        "urn:flipside:problem:insufficient-scope"
    );
}

/// The resources the rows appended last act on.
struct More {
    /// A private note the mentor wrote in the pair.
    note: i64,
    /// A faculty, and an open sprint in it with a problem, an undecided proposal and an
    /// accepted one.
    faculty: i64,
    sprint: i64,
    sprint_problem: i64,
    sprint_proposal: i64,
    sprint_accepted: i64,
    /// A tutoring student with a tutor of record this year and a pending request for a
    /// change of tutor, and the tokens of the student, their tutor, another tutor of the
    /// School and the School's lead.
    tutee: i64,
    change_request: i64,
    tokens: [String; 4],
}

async fn more_resources(app: &TestApp, s: &crate::meetings::Setup, mentor: &str) -> More {
    let r = client()
        .post(app.url(&format!("/api/v1/pairs/{}/notes", s.pair)))
        .bearer_auth(mentor)
        .json(&json!({"body": "Mine alone."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let note = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let faculty = app
        .store
        .create_faculty("Faculty of Matrices")
        .await
        .unwrap();
    let sprint = app
        .store
        .create_sprint(flipside_store::NewSprint {
            faculty_id: faculty,
            title: "Matrix sprint",
            question: "What?",
            starts_on: "2026-10-01",
            ends_on: "2026-10-31",
            created_by: None,
        })
        .await
        .unwrap();
    let item = |stage: &'static str| async move {
        app.store
            .add_sprint_item(sprint, stage, "An item", "Its words.", s.mentor)
            .await
            .unwrap()
    };
    let sprint_problem = item("problems").await;
    let sprint_proposal = item("proposals").await;
    let sprint_accepted = item("proposals").await;
    app.store
        .decide_proposal(
            sprint_accepted,
            "accepted",
            "Good.",
            s.mentor,
            Some(("An action", "Someone")),
        )
        .await
        .unwrap();
    let school = app
        .store
        .create_school(faculty, "School of Matrices", "MTX")
        .await
        .unwrap();
    let tutor = app
        .store
        .add_tutoring_tutor("MT1", "Dr Mat Rix", "mat.rix@tu.test", school, 3)
        .await
        .unwrap();
    app.store
        .add_tutoring_tutor("MT2", "Dr Other Rix", "other.rix@tu.test", school, 3)
        .await
        .unwrap();
    let tutee = app
        .store
        .add_tutoring_student("MS1", "Tess Tee", "tess.tee@tu.test", school)
        .await
        .unwrap();
    let year = flipside_core::cycle::AcademicYear::containing(chrono::Utc::now().date_naive());
    app.store
        .assign_tutor(tutee, tutor, i64::from(year.start_year()), "import")
        .await
        .unwrap();
    let token = |email: &'static str, grants: Vec<(Role, Scope)>| async move {
        let id = app.person(email, &grants).await;
        app.store
            .create_api_token(id, "matrix", chrono::Duration::days(1))
            .await
            .unwrap()
            .0
    };
    let tokens = [
        token(
            "tess.tee@tu.test",
            vec![(Role::Student, Scope::Organisation)],
        )
        .await,
        token("mat.rix@tu.test", vec![(Role::Tutor, Scope::Organisation)]).await,
        token(
            "other.rix@tu.test",
            vec![(Role::Tutor, Scope::Organisation)],
        )
        .await,
        token(
            "lead.matrix@tu.test",
            vec![(Role::SchoolLead, Scope::School(school))],
        )
        .await,
    ];
    let r = client()
        .post(app.url("/api/v1/tutoring/me/change-requests"))
        .bearer_auth(&tokens[0])
        .json(&json!({"reason": "Our times never match."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let change_request = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    More {
        tutee,
        change_request,
        tokens,
        note,
        faculty,
        sprint,
        sprint_problem,
        sprint_proposal,
        sprint_accepted,
    }
}
