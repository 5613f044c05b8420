//! The access matrix over the JSON API: every operation answers each role (and owner or
//! non-owner) as the policy says, and each token scope as `flipside_core::api_scope` says.
//! Every operation of `router::api_operations()` needs a row here.
use crate::api::{client, get, org_coordinator_token, post, put, token_for, token_of};
use crate::helpers::TestApp;
use crate::meetings::{COORDINATOR, MENTEE, MENTOR, both_accept, setup};
use axum::http::Method;
use flipside_core::api_scope::{self, Area, Scope as TokenScope, Scopes};
use flipside_core::role::{Role, Scope};
use flipside_store::NewPair;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One operation, called on concrete resources.
struct Row {
    method: Method,
    /// As the route table declares it.
    route: &'static str,
    path: String,
    body: Option<Value>,
    /// The body is a CSV file (`text/csv`), not JSON.
    csv: bool,
    /// The body is an XML file (`application/xml`), not JSON.
    xml: bool,
    /// The operation removes its resource: once an allowed role has removed it, a later
    /// allowed role's 404 is past the policy (the resource is gone), not a refusal.
    removes: bool,
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
        csv: false,
        xml: false,
        removes: false,
        allowed,
        extra: Vec::new(),
    }
}

/// A row whose operation removes the resource it names (see [`Row::removes`]).
fn removing(
    method: Method,
    route: &'static str,
    path: String,
    allowed: &'static [&'static str],
) -> Row {
    Row {
        removes: true,
        ..row(method, route, path, None, allowed)
    }
}

async fn call(app: &TestApp, token: &str, r: &Row) -> (u16, Value) {
    let mut req = client()
        .request(r.method.clone(), app.url(&format!("/api/v1{}", r.path)))
        .bearer_auth(token);
    match &r.body {
        Some(Value::String(csv)) if r.csv => {
            req = req.header("Content-Type", "text/csv").body(csv.clone());
        }
        Some(Value::String(xml)) if r.xml => {
            req = req
                .header("Content-Type", "application/xml")
                .body(xml.clone());
        }
        Some(b) => req = req.json(b),
        None => {}
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
}

/// Sends a request while building the world, and returns the id it answers (or `Null`).
async fn made(r: reqwest::Response, status: u16) -> Value {
    let url = r.url().to_string();
    let got = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{url}: {body}");
    serde_json::from_str::<Value>(&body).unwrap_or(Value::Null)["id"].clone()
}

async fn world(app: &TestApp) -> World {
    app.store.ensure_default_instruments().await.unwrap();
    let s = setup(app).await;
    both_accept(
        &s,
        &app.signed_in(MENTOR).await,
        &app.signed_in(MENTEE).await,
    )
    .await;
    let (other_scheme, other_cycle) = app.scheme_with_cycle("Other scheme", "{}").await;
    let admin_id = app
        .person("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    let admin = token_of(app, admin_id).await;
    let coordinator = token_of(app, app.store.user_by_email(COORDINATOR).await.unwrap().id).await;
    let org_coordinator = org_coordinator_token(app, "org.coord@tu.test").await;
    let other_coordinator = token_for(
        app,
        "other.coord@tu.test",
        &[(Role::Coordinator, Scope::Scheme(other_scheme))],
    )
    .await;
    let mentor = token_of(app, s.mentor).await;
    let mentee = token_of(app, s.mentee).await;
    // A member of a pair of another scheme's cycle.
    let other_member_id = app
        .person(
            "other.mentor@tu.test",
            &[(Role::Mentor, Scope::Cycle(other_cycle))],
        )
        .await;
    let other_partner = app
        .person(
            "other.mentee@tu.test",
            &[(Role::Mentee, Scope::Cycle(other_cycle))],
        )
        .await;
    app.publish_pairs(
        other_cycle,
        &[NewPair {
            mentor_id: other_member_id,
            mentee_id: other_partner,
            reason: "both teach".into(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    let other_member = token_of(app, other_member_id).await;
    let applicant = token_for(
        app,
        "applicant@tu.test",
        &[(Role::Student, Scope::Organisation)],
    )
    .await;
    let researcher = token_for(
        app,
        "researcher@tu.test",
        &[(Role::Researcher, Scope::Organisation)],
    )
    .await;
    let tutor = token_for(app, "tutor@tu.test", &[(Role::Tutor, Scope::Organisation)]).await;
    let other_tutor = token_for(
        app,
        "other.tutor@tu.test",
        &[(Role::Tutor, Scope::Organisation)],
    )
    .await;
    let tutee = token_for(
        app,
        "tutee@tu.test",
        &[(Role::Student, Scope::Organisation)],
    )
    .await;
    let nobody = token_for(app, "nobody@tu.test", &[]).await;
    // Someone whose roles the administrators change.
    let subject = app
        .person(
            "subject@tu.test",
            &[(Role::Researcher, Scope::Scheme(s.scheme))],
        )
        .await;
    let subject_grant = app.store.grants_of(subject).await.unwrap()[0].id;
    let admin_grant = app.store.grants_of(admin_id).await.unwrap()[0].id;
    let (c, p, sc) = (s.cycle, s.pair, s.scheme);

    // Resources the rows need: an application, an invitation, a do-not-pair rule, a proposed
    // meeting, an action and a concern, survey waves with two respondents, a webhook, and a
    // tutoring institution whose tutor and tutee have tokens.
    let application = json!({"course": "BSc History", "level": "ug2", "hopes": "Fairer feedback.",
                             "consents": ["take_part"], "availability": ["tue-pm"]});
    let app_id = made(
        post(
            app,
            &applicant,
            &format!("/cycles/{c}/applications"),
            application.clone(),
        )
        .await,
        201,
    )
    .await;
    let inv = made(
        post(
            app,
            &coordinator,
            &format!("/cycles/{c}/invitations"),
            json!({"name": "Dean Ray", "email": "dean@tu.test"}),
        )
        .await,
        201,
    )
    .await;
    app.store
        .add_do_not_pair(c, s.mentor, s.mentee)
        .await
        .unwrap();
    let date = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let meeting_body = json!({"date": date, "time": "14:00", "minutes": 60, "session": 2});
    let m = made(
        post(
            app,
            &mentor,
            &format!("/pairs/{p}/meetings"),
            meeting_body.clone(),
        )
        .await,
        201,
    )
    .await;
    let action = made(
        post(
            app,
            &mentor,
            &format!("/pairs/{p}/actions"),
            json!({"title": "Quiet study space", "description": "Open the library late."}),
        )
        .await,
        201,
    )
    .await;
    let concern = made(
        post(
            app,
            &mentor,
            &format!("/pairs/{p}/concerns"),
            json!({"concern": "We keep missing each other."}),
        )
        .await,
        201,
    )
    .await;
    let today = flipside_core::local_time::Zone::default().date_of(chrono::Utc::now());
    let day = |n: u64| (today + chrono::Days::new(n)).to_string();
    let wave_dates = json!({"pre": {"opens_on": day(0), "closes_on": day(10)},
                            "post": {"opens_on": day(60), "closes_on": day(70)}});
    let r = put(
        app,
        &coordinator,
        &format!("/cycles/{c}/surveys"),
        wave_dates.clone(),
    )
    .await;
    assert_eq!(r.status(), 200);
    let mentor_survey = app
        .store
        .add_survey_participant(c, "M-MATRIX", "mentor", Some(s.mentor), true)
        .await
        .unwrap();
    app.store
        .add_survey_participant(c, "S-MATRIX", "mentee", Some(s.mentee), true)
        .await
        .unwrap();
    let w = made(
        post(
            app,
            &admin,
            "/webhooks",
            json!({"url": "https://hooks.tu.test/in", "events": ["pairs.published"]}),
        )
        .await,
        201,
    )
    .await;
    // A delivery to the webhook, for the row that sends one again.
    let mut tx = app.store.begin().await.unwrap();
    tx.record_event(
        "matrix:pairs",
        flipside_core::webhook::EventKind::PairsPublished,
        r#"{"event":"pairs.published","data":{}}"#,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let wd = app.store.webhook_deliveries(w.as_i64(), 1).await.unwrap()[0].id;
    let settings = get(app, &admin, "/organisation/settings").await;
    assert_eq!(settings.status(), 200);
    let settings: Value = settings.json().await.unwrap();
    let this_year = flipside_core::cycle::AcademicYear::containing(chrono::Utc::now().date_naive());
    for (file, csv) in [
        ("schools", SCHOOLS.to_string()),
        ("tutors", TUTORS.to_string()),
        ("students", STUDENTS.to_string()),
        (
            "assignments",
            format!("student_id,tutor_id,academic_year\nS1,T1,{this_year}\n"),
        ),
    ] {
        let r = client()
            .post(app.url(&format!("/api/v1/tutoring/imports/{file}")))
            .bearer_auth(&admin)
            .header("Content-Type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{file}: {}", r.text().await.unwrap());
    }
    let s1 = app
        .store
        .tutoring_student_by_external_id("S1")
        .await
        .unwrap()
        .id;
    let contact = json!({"student": "S1", "date": today.to_string(), "mode": "online",
                         "duration_minutes": 30, "initiated_by": "tutor"});
    let more = more_resources(app, &s, &mentor).await;
    let report = report_resources(app, &s, &coordinator, &org_coordinator).await;
    let chats = chat_resources(app, &s, &coordinator).await;
    let participant = [("participant", &chats.participant_token)];
    // The tutoring student and tutors the profile and change-request rows are about (the
    // world's own tutor and tutee are another student's).
    let tutoring = [
        ("their student", &more.tokens[0]),
        ("their tutor", &more.tokens[1]),
        ("another tutor", &more.tokens[2]),
        ("school lead", &more.tokens[3]),
    ];
    // The scheme's codebook, the default one, and a codebook file to import.
    flipside_web::operations::codebook::start_default_codebook(
        &app.store,
        flipside_web::operations::cycles::Actor {
            id: admin_id,
            address: "test",
        },
        sc,
    )
    .await
    .unwrap();
    let book = app.store.codebook_of_scheme(sc).await.unwrap();
    let code_named = |name: &str| book.named(name).unwrap().id;
    let (trust, followed, heard) = (
        code_named("Trust"),
        code_named("Followed up"),
        code_named("Being listened to"),
    );
    let qdc = r#"<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="a1" name="Imported" isCodable="true"/></Codes></CodeBook>"#;

    use Method as M;
    const MEMBERS: &[&str] = &["mentor", "mentee"];
    const ADMIN: &[&str] = &["admin"];
    // The scheme's coordinator, and the organisation-wide one (who coordinates every scheme).
    const COORD: &[&str] = &["coordinator", "org coordinator"];
    // The scheme's research team: its coordinators and researchers.
    const RESEARCH: &[&str] = &["coordinator", "org coordinator", "researcher"];
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
            &[
                "admin",
                "coordinator",
                "org coordinator",
                "mentor",
                "mentee",
                "researcher",
            ],
        ),
        row(
            M::GET,
            "/cycles/{id}/pairs",
            format!("/cycles/{c}/pairs"),
            None,
            COORD,
        ),
        // Applications: anyone signed in applies while the call is open; the scheme's
        // coordinators list, read and decide them. The applicant reads their own on the
        // my-application page, not through the review (as on the pages).
        row(
            M::POST,
            "/cycles/{id}/applications",
            format!("/cycles/{c}/applications"),
            Some(application),
            &["*"],
        ),
        row(
            M::GET,
            "/cycles/{id}/applications",
            format!("/cycles/{c}/applications"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/applications/{application}",
            format!("/cycles/{c}/applications/{app_id}"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/applications/{application}/decision",
            format!("/cycles/{c}/applications/{app_id}/decision"),
            Some(json!({"decision": "waitlisted", "message": "The pool is full for now."})),
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
            "/cycles/{id}/invitations/batch",
            format!("/cycles/{c}/invitations/batch"),
            Some(json!({"invitations": [{"name": "Fay Orr", "email": "fay@tu.test"}]})),
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
            "/cycles/{id}/invitations/{invitation}/cancel",
            format!("/cycles/{c}/invitations/{inv}/cancel"),
            None,
            COORD,
        ),
        // Matching: the scheme's coordinators (admins configure, they do not match).
        row(
            M::GET,
            "/cycles/{id}/matching",
            format!("/cycles/{c}/matching"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/matching/settings",
            format!("/cycles/{c}/matching/settings"),
            None,
            COORD,
        ),
        row(
            M::PUT,
            "/cycles/{id}/matching/settings",
            format!("/cycles/{c}/matching/settings"),
            Some(
                json!({"interests_weight": 2, "availability_weight": 2, "preferences_weight": 0,
                        "allow_same_school": false, "require_common_availability": false}),
            ),
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/matching/do-not-pair",
            format!("/cycles/{c}/matching/do-not-pair"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/matching/do-not-pair",
            format!("/cycles/{c}/matching/do-not-pair"),
            Some(json!({"mentor_id": s.mentor, "mentee_id": s.mentee})),
            COORD,
        ),
        removing(
            M::DELETE,
            "/cycles/{id}/matching/do-not-pair/{mentor}/{mentee}",
            format!("/cycles/{c}/matching/do-not-pair/{}/{}", s.mentor, s.mentee),
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/matching/publish",
            format!("/cycles/{c}/matching/publish"),
            Some(json!({"expect": []})),
            COORD,
        ),
        // A pair: its two members; its coordinators read it as on the pairs page.
        row(
            M::GET,
            "/pairs/{id}",
            format!("/pairs/{p}"),
            None,
            &["coordinator", "org coordinator", "mentor", "mentee"],
        ),
        row(
            M::POST,
            "/pairs/{id}/agreement",
            format!("/pairs/{p}/agreement"),
            None,
            MEMBERS,
        ),
        row(
            M::GET,
            "/pairs/{id}/meetings",
            format!("/pairs/{p}/meetings"),
            None,
            MEMBERS,
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
        // Not confirmed (declined above): a conflict for the members, past the policy.
        row(
            M::POST,
            "/meetings/{id}/held",
            format!("/meetings/{m}/held"),
            Some(json!({"held_minutes": 60})),
            MEMBERS,
        ),
        row(
            M::GET,
            "/meetings/{id}/ics",
            format!("/meetings/{m}/ics"),
            None,
            MEMBERS,
        ),
        row(
            M::GET,
            "/pairs/{id}/actions",
            format!("/pairs/{p}/actions"),
            None,
            MEMBERS,
        ),
        row(
            M::POST,
            "/pairs/{id}/actions",
            format!("/pairs/{p}/actions"),
            Some(json!({"title": "Captioned lectures", "description": "Caption every recording."})),
            MEMBERS,
        ),
        // An action is moved on and evidenced by its owner (the pair's staff mentee), not by
        // the member who raised it.
        row(
            M::POST,
            "/actions/{id}/status",
            format!("/actions/{action}/status"),
            Some(json!({"from": "proposed", "to": "agreed"})),
            &["mentee"],
        ),
        row(
            M::POST,
            "/actions/{id}/evidence",
            format!("/actions/{action}/evidence"),
            Some(json!({"body": "The library opens late from May."})),
            &["mentee"],
        ),
        row(
            M::POST,
            "/pairs/{id}/concerns",
            format!("/pairs/{p}/concerns"),
            Some(json!({"concern": "A matter to raise."})),
            MEMBERS,
        ),
        row(
            M::GET,
            "/cycles/{id}/concerns",
            format!("/cycles/{c}/concerns"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/concerns/{id}/reply",
            format!("/concerns/{concern}/reply"),
            Some(json!({"reply": "Thank you: let us talk on Monday."})),
            COORD,
        ),
        row(
            M::POST,
            "/concerns/{id}/resolve",
            format!("/concerns/{concern}/resolve"),
            Some(json!({"reply": ""})),
            COORD,
        ),
        // Surveys: the scheme's coordinators manage the waves; a respondent answers their own
        // survey only (the mentee, another respondent, not the mentor's); the results are
        // aggregate, for the scheme's coordinators, its researchers and admins.
        row(
            M::GET,
            "/cycles/{id}/surveys",
            format!("/cycles/{c}/surveys"),
            None,
            COORD,
        ),
        row(
            M::PUT,
            "/cycles/{id}/surveys",
            format!("/cycles/{c}/surveys"),
            Some(wave_dates),
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/surveys/{wave}/invite",
            format!("/cycles/{c}/surveys/pre/invite"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/surveys/{wave}/remind",
            format!("/cycles/{c}/surveys/pre/remind"),
            None,
            COORD,
        ),
        row(M::GET, "/surveys", "/surveys".into(), None, &["*"]),
        row(
            M::GET,
            "/surveys/{participant}/{wave}",
            format!("/surveys/{mentor_survey}/pre"),
            None,
            &["mentor"],
        ),
        row(
            M::PUT,
            "/surveys/{participant}/{wave}/draft",
            format!("/surveys/{mentor_survey}/pre/draft"),
            Some(json!({"answers": {}})),
            &["mentor"],
        ),
        row(
            M::POST,
            "/surveys/{participant}/{wave}/submit",
            format!("/surveys/{mentor_survey}/pre/submit"),
            Some(json!({"answers": {}})),
            &["mentor"],
        ),
        row(
            M::GET,
            "/cycles/{id}/results",
            format!("/cycles/{c}/results"),
            None,
            &["admin", "coordinator", "org coordinator", "researcher"],
        ),
        row(
            M::POST,
            "/schemes",
            "/schemes".into(),
            Some(
                json!({"name": "Matrix scheme", "kind": "institutional", "purpose": "Testing access."}),
            ),
            &["admin", "org coordinator"],
        ),
        row(
            M::POST,
            "/schemes/{id}/cycles",
            format!("/schemes/{sc}/cycles"),
            Some(json!({"academic_year": "2027/28"})),
            COORD,
        ),
        // Administration: admins; nobody removes their own administrator role.
        row(M::GET, "/people", "/people".into(), None, ADMIN),
        row(
            M::POST,
            "/people/{id}/roles",
            format!("/people/{subject}/roles"),
            Some(json!({"role": "student", "scope": "organisation"})),
            ADMIN,
        ),
        removing(
            M::DELETE,
            "/people/{id}/roles/{grant_id}",
            format!("/people/{subject}/roles/{subject_grant}"),
            ADMIN,
        ),
        removing(
            M::DELETE,
            "/people/{id}/roles/{grant_id}",
            format!("/people/{admin_id}/roles/{admin_grant}"),
            &[],
        ),
        row(
            M::GET,
            "/organisation/settings",
            "/organisation/settings".into(),
            None,
            ADMIN,
        ),
        row(
            M::PUT,
            "/organisation/settings",
            "/organisation/settings".into(),
            Some(settings),
            ADMIN,
        ),
        row(
            M::GET,
            "/audit-entries",
            "/audit-entries".into(),
            None,
            ADMIN,
        ),
        row(M::GET, "/emails", "/emails".into(), None, ADMIN),
        // Personal tutoring: imports for admins and organisation-wide coordinators; a tutor's
        // own tutees; a student's contacts for the student, their tutor this year and
        // organisation-wide coordinators (not another tutor); logging a contact for tutors
        // and students (a student who is not the tutor's is a field error, as on the page);
        // the dashboard's figures for organisation-wide roles; the allocation for
        // organisation-wide coordinators.
        Row {
            csv: true,
            ..row(
                M::POST,
                "/tutoring/imports/{file}",
                "/tutoring/imports/schools?dry_run=true".into(),
                Some(Value::String(SCHOOLS.into())),
                &["admin", "org coordinator"],
            )
        },
        row(
            M::GET,
            "/tutoring/tutees",
            "/tutoring/tutees".into(),
            None,
            &["tutor", "other tutor"],
        ),
        row(
            M::GET,
            "/tutoring/students/{id}/contacts",
            format!("/tutoring/students/{s1}/contacts"),
            None,
            &["org coordinator", "tutor", "tutee"],
        ),
        row(
            M::POST,
            "/tutoring/contacts",
            "/tutoring/contacts".into(),
            Some(contact),
            &["tutor", "other tutor", "tutee"],
        ),
        row(
            M::GET,
            "/tutoring/dashboard",
            "/tutoring/dashboard".into(),
            None,
            &["admin", "org coordinator"],
        ),
        row(
            M::GET,
            "/tutoring/allocation",
            "/tutoring/allocation".into(),
            None,
            &["org coordinator"],
        ),
        row(
            M::POST,
            "/tutoring/allocation/run",
            "/tutoring/allocation/run".into(),
            Some(json!({})),
            &["org coordinator"],
        ),
        row(
            M::POST,
            "/tutoring/allocation/moves",
            "/tutoring/allocation/moves".into(),
            Some(json!({"student": "S1", "tutor": "T2"})),
            &["org coordinator"],
        ),
        row(
            M::POST,
            "/tutoring/allocation/publish",
            "/tutoring/allocation/publish".into(),
            Some(json!({})),
            &["org coordinator"],
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
            M::POST,
            "/webhooks/{id}/deliveries/{delivery}/redeliver",
            format!("/webhooks/{w}/deliveries/{wd}/redeliver"),
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
            &[
                "admin",
                "coordinator",
                "org coordinator",
                "mentor",
                "mentee",
                "researcher",
            ],
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
        // Sprints: everyone contributes; Student APT Leads and organisation-wide coordinators
        // run one; admins and organisation-wide coordinators decide proposals.
        row(M::GET, "/sprints", "/sprints".into(), None, &["*"]),
        row(
            M::POST,
            "/sprints",
            "/sprints".into(),
            Some(
                json!({"faculty_id": more.faculty, "title": "T", "question": "Q", "starts_on": "2026-10-01", "ends_on": "2026-10-31"}),
            ),
            &["org coordinator"],
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
            &["org coordinator"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/decision",
            format!(
                "/sprints/{}/items/{}/decision",
                more.sprint, more.sprint_proposal
            ),
            Some(json!({"decision": "not_taken_forward", "reasons": "R."})),
            &["admin", "org coordinator"],
        ),
        row(
            M::POST,
            "/sprints/{id}/items/{item}/status",
            format!(
                "/sprints/{}/items/{}/status",
                more.sprint, more.sprint_accepted
            ),
            Some(json!({"status": "in_progress"})),
            &["admin", "org coordinator"],
        ),
        row(
            M::POST,
            "/sprints/{id}/advance",
            format!("/sprints/{}/advance", more.sprint),
            Some(json!({"from": "problems"})),
            &["org coordinator"],
        ),
        // A tutoring student's profile and change requests: the student, their tutor of
        // record (the profile as shared), and their School's lead (the requests); nobody else.
        row(
            M::GET,
            "/tutoring/me/profile",
            "/tutoring/me/profile".into(),
            None,
            &["their student", "tutee"],
        )
        .also(&tutoring),
        row(
            M::PUT,
            "/tutoring/me/profile",
            "/tutoring/me/profile".into(),
            Some(json!({"goals": "G", "goals_shared": true})),
            &["their student", "tutee"],
        )
        .also(&tutoring),
        row(
            M::GET,
            "/tutoring/students/{id}/profile",
            format!("/tutoring/students/{}/profile", more.tutee),
            None,
            &["their student", "their tutor"],
        )
        .also(&tutoring),
        row(
            M::GET,
            "/tutoring/me/change-requests",
            "/tutoring/me/change-requests".into(),
            None,
            &["their student", "tutee"],
        )
        .also(&tutoring),
        // The student's request is pending: another is a conflict, past the policy.
        row(
            M::POST,
            "/tutoring/me/change-requests",
            "/tutoring/me/change-requests".into(),
            Some(json!({"reason": "Another."})),
            &["their student", "tutee"],
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
            &["coordinator", "org coordinator", "researcher"],
        ),
        row(
            M::GET,
            "/cycles/{id}/codebook",
            format!("/cycles/{c}/codebook"),
            None,
            &["coordinator", "org coordinator", "researcher"],
        ),
        row(M::GET, "/me/data", "/me/data".into(), None, &["*"]).also(&tutoring),
        // Reflective chats: the scheme's research team lists, records and codes them; the
        // participant reads their own and asks for passages to be removed; the cycle's
        // coordinators answer. Each coder removes only their own excerpt.
        row(
            M::GET,
            "/cycles/{id}/chats",
            format!("/cycles/{c}/chats"),
            None,
            RESEARCH,
        ),
        row(
            M::POST,
            "/cycles/{id}/chats",
            format!("/cycles/{c}/chats"),
            Some(
                json!({"participant": chats.participant, "held_on": chats.held_on, "stage": "end",
                        "text": "Interviewer: And then?\nMentor: We kept meeting."}),
            ),
            RESEARCH,
        ),
        row(M::GET, "/chats", "/chats".into(), None, &["*"]),
        row(
            M::GET,
            "/chats/{id}",
            format!("/chats/{}", chats.chat),
            None,
            &[
                "coordinator",
                "org coordinator",
                "researcher",
                "participant",
            ],
        )
        .also(&participant),
        row(
            M::POST,
            "/chats/{id}/excerpts",
            format!("/chats/{}/excerpts", chats.chat),
            Some(
                json!({"passages": [2], "codes": [chats.code], "memo": "M.", "text_len": chats.text_len}),
            ),
            RESEARCH,
        ),
        removing(
            M::DELETE,
            "/chats/{id}/excerpts/{excerpt}",
            format!("/chats/{}/excerpts/{}", chats.chat, chats.own_excerpt),
            &["coordinator"],
        ),
        row(
            M::POST,
            "/chats/{id}/removals",
            format!("/chats/{}/removals", chats.chat),
            Some(json!({"passages": [3], "reason": "Too personal.", "text_len": chats.text_len})),
            &["participant"],
        )
        .also(&participant),
        // Once the first coordinator has answered, the second's answer is a conflict.
        row(
            M::POST,
            "/chats/{id}/removals/{removal}/decline",
            format!(
                "/chats/{}/removals/{}/decline",
                chats.chat, chats.to_decline
            ),
            Some(json!({"reply": "It is needed for the evaluation."})),
            COORD,
        ),
        row(
            M::POST,
            "/chats/{id}/removals/{removal}/accept",
            format!("/chats/{}/removals/{}/accept", chats.chat, chats.to_accept),
            None,
            COORD,
        ),
        // The quote bank: the research team reads it; the coordinators change it.
        row(
            M::GET,
            "/cycles/{id}/quotes",
            format!("/cycles/{c}/quotes"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/quotes/candidates",
            format!("/cycles/{c}/quotes/candidates"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/quotes/{quote}",
            format!("/cycles/{c}/quotes/{}", chats.quote),
            None,
            RESEARCH,
        ),
        // The excerpt is a quote already: a conflict, past the policy.
        row(
            M::POST,
            "/cycles/{id}/quotes",
            format!("/cycles/{c}/quotes"),
            Some(json!({"excerpt": chats.quoted_excerpt, "edited": ""})),
            COORD,
        ),
        row(
            M::PUT,
            "/cycles/{id}/quotes/{quote}",
            format!("/cycles/{c}/quotes/{}", chats.quote),
            Some(json!({"edited": chats.quote_words})),
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/aims/{aim}/finding",
            format!("/cycles/{c}/aims/{}/finding", chats.aim),
            None,
            RESEARCH,
        ),
        row(
            M::PUT,
            "/cycles/{id}/aims/{aim}/finding",
            format!("/cycles/{c}/aims/{}/finding", chats.aim),
            Some(json!({"finding": "Belonging grew."})),
            COORD,
        ),
        removing(
            M::DELETE,
            "/cycles/{id}/quotes/{quote}",
            format!("/cycles/{c}/quotes/{}", chats.quote),
            COORD,
        ),
        // A scheme's codebook and a cycle's coding: the scheme's research team (its
        // researchers and coordinators), not admins.
        row(
            M::GET,
            "/schemes/{id}/codes",
            format!("/schemes/{sc}/codes"),
            None,
            RESEARCH,
        ),
        row(
            M::POST,
            "/schemes/{id}/codes",
            format!("/schemes/{sc}/codes"),
            Some(json!({"name": "Matrix", "colour": "#123456"})),
            RESEARCH,
        ),
        row(
            M::GET,
            "/schemes/{id}/codes/{code}",
            format!("/schemes/{sc}/codes/{trust}"),
            None,
            RESEARCH,
        ),
        row(
            M::PUT,
            "/schemes/{id}/codes/{code}",
            format!("/schemes/{sc}/codes/{trust}"),
            Some(json!({"name": "Trust", "description": "D.", "colour": "#123456"})),
            RESEARCH,
        ),
        row(
            M::POST,
            "/schemes/{id}/codebook/defaults",
            format!("/schemes/{sc}/codebook/defaults"),
            None,
            RESEARCH,
        ),
        Row {
            xml: true,
            ..row(
                M::POST,
                "/schemes/{id}/codebook/import",
                format!("/schemes/{sc}/codebook/import"),
                Some(json!(qdc)),
                RESEARCH,
            )
        },
        row(
            M::GET,
            "/schemes/{id}/codebook",
            format!("/schemes/{sc}/codebook"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/coding/project",
            format!("/cycles/{c}/coding/project"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/coding/codebook",
            format!("/cycles/{c}/coding/codebook"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/coding/excerpts",
            format!("/cycles/{c}/coding/excerpts"),
            None,
            RESEARCH,
        ),
        row(
            M::GET,
            "/cycles/{id}/coding/agreement",
            format!("/cycles/{c}/coding/agreement"),
            None,
            RESEARCH,
        ),
        // The merged code is gone: a later allowed role's 404 is past the policy.
        Row {
            removes: true,
            ..row(
                M::POST,
                "/schemes/{id}/codes/{code}/merge",
                format!("/schemes/{sc}/codes/{followed}/merge"),
                Some(json!({"into": heard})),
                RESEARCH,
            )
        },
        // The annual report: the scheme's coordinators (the year's across schemes:
        // organisation-wide coordinators and admins).
        row(
            M::GET,
            "/cycles/{id}/report",
            format!("/cycles/{c}/report"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/report/text",
            format!("/cycles/{c}/report/text"),
            None,
            COORD,
        ),
        row(
            M::PUT,
            "/cycles/{id}/report/text",
            format!("/cycles/{c}/report/text"),
            Some(json!({"introduction": "Every pair met.", "recommendations": "Recruit earlier."})),
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/report/versions",
            format!("/cycles/{c}/report/versions"),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/report/versions",
            format!("/cycles/{c}/report/versions"),
            Some(json!({"rule": "publication"})),
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/report/versions/{number}/report.html",
            format!("/cycles/{c}/report/versions/1/report.html"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/cycles/{id}/report/versions/{number}/report.pdf",
            format!("/cycles/{c}/report/versions/1/report.pdf"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/years/{year}/report",
            format!("/years/{}/report", report.year),
            None,
            &["admin", "org coordinator"],
        ),
        // Re-matching someone without a partner (nobody free to pair them with here, so
        // applying is a conflict past the policy): the scheme's coordinators.
        row(
            M::GET,
            "/cycles/{id}/pairs/rematch/{person}",
            format!("/cycles/{c}/pairs/rematch/e{}", report.unpartnered),
            None,
            COORD,
        ),
        row(
            M::POST,
            "/cycles/{id}/pairs/rematch/{person}",
            format!("/cycles/{c}/pairs/rematch/e{}", report.unpartnered),
            Some(json!({"expect": format!("m{}:e{}", s.mentor, report.unpartnered)})),
            COORD,
        ),
        // A survey wave's reminder schedule: the scheme's coordinators.
        row(
            M::GET,
            "/cycles/{id}/surveys/{wave}/reminders",
            format!("/cycles/{c}/surveys/pre/reminders"),
            None,
            COORD,
        ),
        row(
            M::PUT,
            "/cycles/{id}/surveys/{wave}/reminders",
            format!("/cycles/{c}/surveys/pre/reminders"),
            Some(json!({"every_days": 7, "dates": []})),
            COORD,
        ),
        // The year's report across schemes, as the cycle's (organisation-wide coordinators
        // and admins), and the draft of either as the page's preview PDF.
        row(
            M::GET,
            "/years/{year}/report/text",
            format!("/years/{}/report/text", report.year),
            None,
            &["admin", "org coordinator"],
        ),
        row(
            M::PUT,
            "/years/{year}/report/text",
            format!("/years/{}/report/text", report.year),
            Some(
                json!({"introduction": "Every scheme grew.", "recommendations": "Fund the leads."}),
            ),
            &["admin", "org coordinator"],
        ),
        row(
            M::GET,
            "/years/{year}/report/versions",
            format!("/years/{}/report/versions", report.year),
            None,
            &["admin", "org coordinator"],
        ),
        row(
            M::POST,
            "/years/{year}/report/versions",
            format!("/years/{}/report/versions", report.year),
            Some(json!({"rule": "publication"})),
            &["admin", "org coordinator"],
        ),
        row(
            M::GET,
            "/years/{year}/report/versions/{number}/report.html",
            format!("/years/{}/report/versions/1/report.html", report.year),
            None,
            &["admin", "org coordinator"],
        ),
        row(
            M::GET,
            "/years/{year}/report/versions/{number}/report.pdf",
            format!("/years/{}/report/versions/1/report.pdf", report.year),
            None,
            &["admin", "org coordinator"],
        ),
        row(
            M::GET,
            "/cycles/{id}/report/preview.pdf",
            format!("/cycles/{c}/report/preview.pdf"),
            None,
            COORD,
        ),
        row(
            M::GET,
            "/years/{year}/report/preview.pdf",
            format!("/years/{}/report/preview.pdf", report.year),
            None,
            &["admin", "org coordinator"],
        ),
    ];
    World {
        rows,
        tokens: vec![
            ("admin", admin),
            ("coordinator", coordinator),
            ("org coordinator", org_coordinator),
            ("other coordinator", other_coordinator),
            ("mentor", mentor),
            ("mentee", mentee),
            ("other member", other_member),
            ("applicant", applicant),
            ("researcher", researcher),
            ("tutor", tutor),
            ("other tutor", other_tutor),
            ("tutee", tutee),
            ("nobody", nobody),
        ],
    }
}

/// What the report, re-matching and reminder rows act on.
struct ReportResources {
    /// The year the world's cycle's academic year starts in.
    year: i64,
    /// An accepted staff mentee of the world's cycle without a partner.
    unpartnered: i64,
}

/// A published version of the cycle's report and of its year's (version 1 of each), and
/// someone without a partner.
async fn report_resources(
    app: &TestApp,
    s: &crate::meetings::Setup,
    coordinator: &str,
    org_coordinator: &str,
) -> ReportResources {
    let r = post(
        app,
        coordinator,
        &format!("/cycles/{}/report/versions", s.cycle),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let year = app.store.cycle(s.cycle).await.unwrap().academic_year;
    let r = post(
        app,
        org_coordinator,
        &format!("/years/{year}/report/versions"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let unpartnered =
        crate::fixtures::mentee(app, s.cycle, "free.mentee@tu.test", "climate", "mon-am").await;
    ReportResources { year, unpartnered }
}

const SCHOOLS: &str =
    "school_code,school_name,faculty\nLAW,School of Law,Faculty of Social Sciences\n";
const TUTORS: &str = "tutor_id,name,email,school_code,capacity\nT1,Tam Tutor,tutor@tu.test,LAW,3\nT2,Olu Other,other.tutor@tu.test,LAW,3\n";
const STUDENTS: &str = "student_id,name,email,school_code,programme,year_of_study\nS1,Tia Tutee,tutee@tu.test,LAW,LLB Law,2\n";

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

/// One app and one world for both tables: each operation as each role (and owner), then as
/// each token scope.
#[tokio::test]
async fn every_api_operation_answers_each_role_and_each_token_scope_as_the_tables_say() {
    // Each role writes once per row, and the administrator's tokens once per scope too: more
    // writes a minute than a person is allowed.
    let app = TestApp::spawn_with(|s| s.writes_per_minute_per_person = 100_000).await;
    let w = world(&app).await;
    let covered: BTreeSet<(String, String)> = w
        .rows
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    assert_eq!(
        covered,
        operations(),
        "every API operation has a row in this matrix, and no other"
    );
    let mut wrong = Vec::new();
    for r in &w.rows {
        let mut removed = false;
        for (role, token) in w.tokens.iter().chain(&r.extra) {
            let (status, body) = call(&app, token, r).await;
            let expected = r.allowed.contains(&"*") || r.allowed.contains(role);
            let gone = status == 404 && r.removes && removed && expected;
            let refused = matches!(status, 401 | 403 | 404) && !gone;
            if refused == expected || status >= 500 {
                wrong.push(format!(
                    "{} {} as {role}: {status} {body}",
                    r.method, r.path
                ));
            }
            removed |= expected && (200..300).contains(&status);
        }
    }
    assert!(
        wrong.is_empty(),
        "answers against the policy:\n{}",
        wrong.join("\n")
    );
    scopes_as_the_table_says(&app, &w).await;
}

/// The keys whose values come from a closed list (states, decisions, stages): the body's
/// shape, kept as they are when a body is spoiled.
const CLOSED_LISTS: &[&str] = &[
    "from",
    "to",
    "stage",
    "decision",
    "status",
    "outcome",
    "leaving",
    "mode",
    "initiated_by",
];

/// The same body made invalid in what it says but not in its shape: texts emptied, numbers
/// made negative, lists emptied, nested objects spoiled alike; closed-list values and
/// booleans kept. A CSV body becomes a file without the expected columns.
fn spoiled(v: &Value, csv: bool) -> Value {
    match v {
        Value::String(_) if csv => Value::String("nonsense\n1\n".into()),
        Value::String(_) => Value::String(String::new()),
        Value::Number(_) => json!(-1),
        Value::Array(_) => json!([]),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if CLOSED_LISTS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        spoiled(v, false)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Writes whose spoiled body is still acceptable (it holds only closed-list values, booleans,
/// optional texts or numbers the operation may take as they come), or is answered with
/// another status past the policy (a conflict), so that no allowed role is answered 422.
const NOTHING_TO_SPOIL: &[&str] = &[
    "/cycles/{id}/applications/{application}/decision",
    "/cycles/{id}/matching/publish",
    "/concerns/{id}/resolve",
    "/surveys/{participant}/{wave}/draft",
    "/tutoring/allocation/run",
    "/tutoring/allocation/publish",
    "/tutoring/me/profile",
    "/pairs/{id}/notes/{note}",
    "/sprints/{id}/items/{item}/support",
    "/sprints/{id}/advance",
    "/sprints/{id}/items/{item}/status",
    "/meetings/{id}/respond",
    "/actions/{id}/status",
    "/cycles/{id}/transition",
    "/cycles/{id}/aims/{aim}/finding",
    "/cycles/{id}/report/text",
    "/years/{year}/report/text",
];

/// The policy is asked before the body is judged: a caller who may not act is refused (401,
/// 403 or 404) whatever they send, never told what is wrong with a body they may not send
/// at all (422). Each write is sent with a spoiled body ([`spoiled`]) by every role; the
/// allowed roles' 422 shows that the body is indeed invalid.
#[tokio::test]
async fn a_caller_who_may_not_act_is_refused_before_their_body_is_judged() {
    let app = TestApp::spawn_with(|s| s.writes_per_minute_per_person = 100_000).await;
    let w = world(&app).await;
    let mut wrong = Vec::new();
    let mut not_invalid = Vec::new();
    for r in &w.rows {
        let Some(body) = &r.body else { continue };
        if r.method == Method::GET {
            continue;
        }
        let bad = Row {
            body: Some(spoiled(body, r.csv)),
            extra: Vec::new(),
            ..row(r.method.clone(), r.route, r.path.clone(), None, r.allowed)
        };
        let bad = Row {
            csv: r.csv,
            xml: r.xml,
            ..bad
        };
        let mut judged = false;
        for (role, token) in w.tokens.iter().chain(&r.extra) {
            let (status, answer) = call(&app, token, &bad).await;
            let allowed = r.allowed.contains(&"*") || r.allowed.contains(role);
            if allowed {
                judged |= status == 422;
            } else if !matches!(status, 401 | 403 | 404) {
                wrong.push(format!(
                    "{} {} as {role} with {}: {status} {answer}",
                    r.method,
                    r.path,
                    bad.body.as_ref().unwrap()
                ));
            }
        }
        if !judged && !NOTHING_TO_SPOIL.contains(&r.route) {
            not_invalid.push(format!("{} {}", r.method, r.route));
        }
    }
    assert!(
        wrong.is_empty(),
        "refusals answered after judging the body:\n{}",
        wrong.join("\n")
    );
    assert!(
        not_invalid.is_empty(),
        "no allowed role was answered 422 for the spoiled body of:\n{}",
        not_invalid.join("\n")
    );
}

/// Each operation as an administrator's token holding one scope: refused, naming the scope,
/// exactly when the scope table says the operation needs another.
async fn scopes_as_the_table_says(app: &TestApp, w: &World) {
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
            let (status, body) = call(app, &token, r).await;
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

/// The resources the chat and quote rows act on.
struct ChatWorld {
    /// A member of another pair of the cycle who consents to research and to being quoted
    /// (none of the world's roles: the rows that apply to the cycle as everyone would change
    /// the world's mentor's consents), and their token.
    participant: i64,
    participant_token: String,
    /// A chat with them, its text's length, and the date it was held.
    chat: i64,
    text_len: i64,
    held_on: String,
    /// A code of the scheme's codebook.
    code: i64,
    /// An excerpt the coordinator coded (the removing row takes it away).
    own_excerpt: i64,
    /// Another of the coordinator's excerpts, promoted to a quote whose words are these.
    quoted_excerpt: i64,
    quote: i64,
    quote_words: String,
    /// The participant's two open removal requests.
    to_decline: i64,
    to_accept: i64,
    /// One of the scheme's aims.
    aim: String,
}

async fn chat_resources(app: &TestApp, s: &crate::meetings::Setup, coordinator: &str) -> ChatWorld {
    let participant = app
        .person(
            "chat.mentor@tu.test",
            &[(Role::Mentor, Scope::Cycle(s.cycle))],
        )
        .await;
    let partner = app
        .person(
            "chat.mentee@tu.test",
            &[(Role::Mentee, Scope::Cycle(s.cycle))],
        )
        .await;
    app.publish_pairs(
        s.cycle,
        &[NewPair {
            mentor_id: participant,
            mentee_id: partner,
            reason: "both commute".into(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    let mentor = token_of(app, participant).await;
    let mentor = mentor.as_str();
    app.store
        .save_application(flipside_store::NewApplication {
            cycle_id: s.cycle,
            user_id: participant,
            label_ids: &[],
            own_words: "",
            course: "",
            level: "",
            interests: "",
            availability: "",
            hopes: "",
            school_id: None,
            consents: &flipside_core::recruitment::ConsentKind::ALL,
        })
        .await
        .unwrap();
    let held_on = (chrono::Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let text = "Interviewer: How has it gone?\nMentor: I ate lunch alone most days until the scheme.\nMentor: The library should open later.\nMentor: My manager never asked.\nMentor: Finding an hour was hard.";
    let r = post(
        app,
        coordinator,
        &format!("/cycles/{}/chats", s.cycle),
        json!({"participant": participant, "held_on": held_on, "stage": "end", "text": text}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let chat: Value = r.json().await.unwrap();
    let (id, text_len) = (
        chat["id"].as_i64().unwrap(),
        chat["text_len"].as_i64().unwrap(),
    );
    let code = app.store.codebook_of_scheme(s.scheme).await.unwrap().codes[0].id;
    let mut excerpts = Vec::new();
    for passage in [2, 4] {
        let r = post(
            app,
            coordinator,
            &format!("/chats/{id}/excerpts"),
            json!({"passages": [passage], "codes": [code], "text_len": text_len}),
        )
        .await;
        assert_eq!(r.status(), 201);
        excerpts.push(
            r.json::<Value>().await.unwrap()["items"][0]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let r = post(
        app,
        coordinator,
        &format!("/cycles/{}/quotes", s.cycle),
        json!({"excerpt": excerpts[0]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let quote: Value = r.json().await.unwrap();
    let mut removals = Vec::new();
    for passage in [3, 5] {
        let r = post(
            app,
            mentor,
            &format!("/chats/{id}/removals"),
            json!({"passages": [passage], "text_len": text_len}),
        )
        .await;
        assert_eq!(r.status(), 201);
        removals.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let aim = app.store.aims_of_scheme(s.scheme).await.unwrap()[0]
        .key
        .clone();
    ChatWorld {
        participant,
        participant_token: mentor.to_string(),
        chat: id,
        text_len,
        held_on,
        code,
        own_excerpt: excerpts[1],
        quoted_excerpt: excerpts[0],
        quote: quote["id"].as_i64().unwrap(),
        quote_words: quote["original"].as_str().unwrap().to_string(),
        to_decline: removals[0],
        to_accept: removals[1],
        aim,
    }
}
