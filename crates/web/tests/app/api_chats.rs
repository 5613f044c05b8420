//! Reflective chats and the quote bank over the API (SPEC §3.7), under the same rules as the
//! pages: who records, reads and codes a chat (never its text for anyone the page refuses),
//! every read audited, a transcript file read as the upload page reads it, a chat changed
//! since it was read refused (409), a participant's removal request answered by the cycle's
//! coordinators, and quotes only of participants whose quote consent stands, by pseudonym.
use crate::api::{client, get, post, problem, put, send, token_for, token_of};
use crate::helpers::TestApp;
use base64::Engine;
use flipside_core::recruitment::ConsentKind;
use flipside_core::role::{Role, Scope};
use flipside_store::{NewApplication, NewPair};
use serde_json::{Value, json};

const WORDS: &str = "I ate lunch alone in my car for most of first year.";
const TYPED: &str = "Interviewer: How was the year?\nMentor: I ate lunch alone in my car for most of first year.\nMentor: The scheme changed that.\nMentor: My manager listened.";
const VTT: &str = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.500\n<v Dr Amara Obi>So, how has it been?</v>\n\n2\n00:00:05.000 --> 00:00:07.000\n<v Jo Mentor>I felt heard &amp; seen.</v>\n";

/// A cycle with a pair: a mentor with every consent and a mentee who consents to research but
/// not to being quoted; the scheme's coordinator and researcher, another scheme's coordinator,
/// and an administrator, each with a token.
struct Scene {
    cycle: i64,
    mentor_id: i64,
    mentee_id: i64,
    coordinator: String,
    researcher: String,
    other_coordinator: String,
    admin: String,
    mentor: String,
    mentee: String,
}

async fn apply(app: &TestApp, cycle: i64, user: i64, consents: &[ConsentKind]) {
    app.store
        .save_application(NewApplication {
            cycle_id: cycle,
            user_id: user,
            label_ids: &[],
            own_words: "",
            course: "",
            level: "",
            interests: "",
            availability: "",
            hopes: "",
            school_id: None,
            consents,
        })
        .await
        .unwrap();
}

async fn scene(app: &TestApp) -> Scene {
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let (other_scheme, _) = app.scheme_with_cycle("Law School pilot", "{}").await;
    let mentor_id = app
        .person("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let mentee_id = app
        .person("mentee@tu.test", &[(Role::Mentee, Scope::Cycle(cycle))])
        .await;
    apply(app, cycle, mentor_id, &ConsentKind::ALL).await;
    apply(
        app,
        cycle,
        mentee_id,
        &[ConsentKind::TakePart, ConsentKind::Research],
    )
    .await;
    app.publish_pairs(
        cycle,
        &[NewPair {
            mentor_id,
            mentee_id,
            reason: String::new(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    Scene {
        cycle,
        mentor_id,
        mentee_id,
        coordinator: token_for(
            app,
            "coordinator@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await,
        researcher: token_for(
            app,
            "researcher@tu.test",
            &[(Role::Researcher, Scope::Scheme(scheme))],
        )
        .await,
        other_coordinator: token_for(
            app,
            "other.coordinator@tu.test",
            &[(Role::Coordinator, Scope::Scheme(other_scheme))],
        )
        .await,
        admin: token_for(app, "admin@tu.test", &[(Role::Admin, Scope::Organisation)]).await,
        mentor: token_of(app, mentor_id).await,
        mentee: token_of(app, mentee_id).await,
    }
}

fn yesterday() -> String {
    (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string()
}

/// Records a typed chat with `participant` as the coordinator, and answers it.
async fn record_typed(app: &TestApp, s: &Scene, participant: i64, text: &str) -> Value {
    let r = post(
        app,
        &s.coordinator,
        &format!("/cycles/{}/chats", s.cycle),
        json!({"participant": participant, "held_on": yesterday(), "stage": "end", "text": text}),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// The field a 422 names.
async fn field_of(r: reqwest::Response) -> String {
    problem(r, 422).await["field"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn a_chat_is_recorded_typed_or_from_a_file_and_read_only_by_those_the_page_lets_in() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let chats = format!("/cycles/{}/chats", s.cycle);
    let typed = record_typed(&app, &s, s.mentor_id, TYPED).await;
    assert_eq!(typed["format"], "typed");
    assert_eq!(typed["passages"].as_array().unwrap().len(), 4);
    assert_eq!(typed["passages"][1]["speaker"], "Mentor");
    assert_eq!(typed["passages"][1]["text"], WORDS);

    // A WebVTT transcript, base64-encoded, read as the upload page reads it.
    let r = post(
        &app,
        &s.researcher,
        &chats,
        json!({"participant": s.mentor_id, "held_on": yesterday(), "stage": "mid_cycle",
               "transcript": {"name": "chat.vtt", "content": b64(VTT.as_bytes())}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let vtt: Value = r.json().await.unwrap();
    assert_eq!(vtt["format"], "vtt");
    assert_eq!(vtt["passages"][1]["speaker"], "Jo Mentor");
    assert_eq!(vtt["passages"][1]["text"], "I felt heard & seen.");
    assert_eq!(app.audited("chat_recorded").await, 2);

    // Each broken rule is named, and nothing is stored.
    let good =
        json!({"participant": s.mentor_id, "held_on": yesterday(), "stage": "end", "text": TYPED});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    for (body, field) in [
        (
            with("participant", json!(s.mentor_id + 1000)),
            "participant",
        ),
        (with("held_on", json!(tomorrow)), "held_on"),
        (with("held_on", json!("10/06/2026")), "held_on"),
        (with("text", json!("  ")), "text"),
        (with("interviewer", json!(s.mentee_id)), "interviewer"),
        (
            with(
                "transcript",
                json!({"name": "chat.vtt", "content": b64(VTT.as_bytes())}),
            ),
            "transcript",
        ),
    ] {
        let r = post(&app, &s.coordinator, &chats, body.clone()).await;
        assert_eq!(field_of(r).await, field, "{body}");
    }
    let file = |name: &str, content: String| {
        json!({"participant": s.mentor_id, "held_on": yesterday(), "stage": "end",
               "transcript": {"name": name, "content": content}})
    };
    for (body, field) in [
        (file("notes.pdf", b64(b"%PDF-1.7")), "transcript"),
        (file("chat.vtt", b64(b"not a transcript")), "transcript"),
        (
            file("chat.txt", "%%% not base64".into()),
            "transcript.content",
        ),
    ] {
        let r = post(&app, &s.coordinator, &chats, body.clone()).await;
        assert_eq!(field_of(r).await, field, "{body}");
    }
    // The mentee consents to research, so a chat may be recorded with them; a person outside
    // the cycle's pairs may not be chosen (above).
    record_typed(&app, &s, s.mentee_id, "Mentee: Short.").await;
    assert_eq!(app.audited("chat_recorded").await, 3);

    // Recording is for the scheme's research team.
    for t in [&s.mentor, &s.admin, &s.other_coordinator] {
        problem(post(&app, t, &chats, good.clone()).await, 403).await;
    }
    assert_eq!(app.audited("chat_recorded").await, 3);

    // The list: the research team, with each chat's passages.
    let r = get(&app, &s.researcher, &chats).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert_eq!(list["items"][0]["passages"], 4);
    for t in [&s.mentor, &s.admin, &s.other_coordinator] {
        problem(get(&app, t, &chats).await, 403).await;
    }

    // One chat: the research team and its participant, each read audited; nobody else reads a
    // word of it, administrators included.
    let one = format!("/chats/{}", typed["id"]);
    let before = app.audited("chat_read").await;
    for t in [&s.coordinator, &s.researcher, &s.mentor] {
        let r = get(&app, t, &one).await;
        assert_eq!(r.status(), 200);
        let chat: Value = r.json().await.unwrap();
        assert_eq!(chat["passages"][1]["text"], WORDS);
    }
    assert_eq!(app.audited("chat_read").await, before + 3);
    for t in [&s.mentee, &s.admin, &s.other_coordinator] {
        let r = get(&app, t, &one).await;
        let body = problem(r, 403).await;
        assert!(!body.to_string().contains("lunch alone"), "{body}");
    }
    assert_eq!(app.audited("chat_read").await, before + 3);
    problem(get(&app, &s.coordinator, "/chats/999999").await, 404).await;

    // A participant's own chats, and only theirs.
    let r = get(&app, &s.mentor, "/chats").await;
    let mine: Value = r.json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    assert_eq!(mine["items"][0]["side"], "mentor");
    let r = get(&app, &s.coordinator, "/chats").await;
    let none: Value = r.json().await.unwrap();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_transcript_as_large_as_the_upload_page_takes_is_taken_base64_encoded() {
    let app = TestApp::spawn_with(|s| {
        s.max_form_kib = 64;
        s.max_file_mib = 1;
    })
    .await;
    let s = scene(&app).await;
    let chats = format!("/cycles/{}/chats", s.cycle);
    // 900 KB: more than a form may send, less than a file; encoded it is 1.2 MB.
    let transcript = "Mentor: we met every week\n".repeat(900 * 1024 / 26);
    let r = post(
        &app,
        &s.coordinator,
        &chats,
        json!({"participant": s.mentor_id, "held_on": yesterday(), "stage": "end",
               "transcript": {"name": "chat.txt", "content": b64(transcript.as_bytes())}}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // A file over the upload limit is refused, as on the page.
    let big = "Mentor: we met every week\n".repeat(1100 * 1024 / 26);
    let r = post(
        &app,
        &s.coordinator,
        &chats,
        json!({"participant": s.mentor_id, "held_on": yesterday(), "stage": "end",
               "transcript": {"name": "chat.txt", "content": b64(big.as_bytes())}}),
    )
    .await;
    problem(r, 413).await;
    assert_eq!(app.audited("chat_recorded").await, 1);
}

#[tokio::test]
async fn coders_code_their_own_excerpts_and_a_chat_changed_since_it_was_read_is_refused() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let chat = record_typed(&app, &s, s.mentor_id, TYPED).await;
    let id = chat["id"].as_i64().unwrap();
    let text_len = chat["text_len"].as_i64().unwrap();
    let scheme = app.store.cycle(s.cycle).await.unwrap().scheme_id;
    let code = app.store.codebook_of_scheme(scheme).await.unwrap().codes[0].id;
    let excerpts = format!("/chats/{id}/excerpts");

    // By passages (a run of consecutive ones is one excerpt), or by a span in characters.
    let r = post(
        &app,
        &s.coordinator,
        &excerpts,
        json!({"passages": [2, 3], "codes": [code], "memo": "Isolation, then belonging.", "text_len": text_len}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let coded: Value = r.json().await.unwrap();
    assert_eq!(coded["items"].as_array().unwrap().len(), 1);
    assert_eq!(coded["items"][0]["passages"], json!([2, 3]));
    let start = chat["passages"][1]["char_start"].as_i64().unwrap();
    let r = post(
        &app,
        &s.researcher,
        &excerpts,
        json!({"start": start, "end": start + 19, "codes": [code], "text_len": text_len}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let theirs: Value = r.json().await.unwrap();
    assert_eq!(theirs["items"][0]["words"], "I ate lunch alone i");
    assert_eq!(app.audited("excerpt_coded").await, 2);

    // Each broken rule is named; a participant or an administrator may not code.
    for (body, field) in [
        (
            json!({"passages": [], "codes": [code], "text_len": text_len}),
            "passages",
        ),
        (
            json!({"passages": [9], "codes": [code], "text_len": text_len}),
            "passages",
        ),
        (
            json!({"passages": [2], "codes": [], "text_len": text_len}),
            "codes",
        ),
        (
            json!({"passages": [2], "codes": [999999], "text_len": text_len}),
            "codes",
        ),
        (
            json!({"passages": [2], "codes": [code], "text_len": -1}),
            "text_len",
        ),
        (
            json!({"start": 3, "codes": [code], "text_len": text_len}),
            "end",
        ),
    ] {
        let r = post(&app, &s.coordinator, &excerpts, body.clone()).await;
        assert_eq!(field_of(r).await, field, "{body}");
    }
    for t in [&s.mentor, &s.admin, &s.other_coordinator] {
        let body = json!({"passages": [2], "codes": [code], "text_len": text_len});
        problem(post(&app, t, &excerpts, body).await, 403).await;
    }
    // A text of another length than the chat's: it changed since it was read.
    let r = post(
        &app,
        &s.coordinator,
        &excerpts,
        json!({"passages": [2], "codes": [code], "text_len": text_len + 5}),
    )
    .await;
    problem(r, 409).await;
    assert_eq!(app.audited("excerpt_coded").await, 2);

    // Each coder sees and removes only their own.
    let r = get(&app, &s.coordinator, &format!("/chats/{id}")).await;
    let read: Value = r.json().await.unwrap();
    assert_eq!(read["my_excerpts"].as_array().unwrap().len(), 1);
    let mine = &coded["items"][0]["id"];
    let path = format!("/chats/{id}/excerpts/{mine}");
    problem(
        send(&app, reqwest::Method::DELETE, &s.researcher, &path, None).await,
        403,
    )
    .await;
    let r = send(&app, reqwest::Method::DELETE, &s.coordinator, &path, None).await;
    assert_eq!(r.status(), 204);
    problem(
        send(&app, reqwest::Method::DELETE, &s.coordinator, &path, None).await,
        404,
    )
    .await;
    assert_eq!(app.audited("excerpt_removed").await, 1);
}

#[tokio::test]
async fn a_participant_asks_for_a_removal_and_the_coordinators_accept_or_decline_it() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let chat = record_typed(&app, &s, s.mentor_id, TYPED).await;
    let id = chat["id"].as_i64().unwrap();
    let text_len = chat["text_len"].as_i64().unwrap();
    let removals = format!("/chats/{id}/removals");
    let ask = |passages: Value| json!({"passages": passages, "reason": "Too personal.", "text_len": text_len});

    // Only the participant asks, for passages the chat has.
    for t in [&s.mentee, &s.coordinator, &s.admin] {
        problem(post(&app, t, &removals, ask(json!([2]))).await, 403).await;
    }
    assert_eq!(
        field_of(post(&app, &s.mentor, &removals, ask(json!([]))).await).await,
        "passages"
    );
    assert_eq!(
        field_of(post(&app, &s.mentor, &removals, ask(json!([12]))).await).await,
        "passages"
    );
    let r = post(&app, &s.mentor, &removals, ask(json!([2]))).await;
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["status"], "open");
    assert!(
        first["passages"][0]
            .as_str()
            .unwrap()
            .contains("lunch alone"),
        "{first}"
    );
    let r = post(&app, &s.mentor, &removals, ask(json!([4]))).await;
    let second: Value = r.json().await.unwrap();

    // The coordinators answer, not the researcher; a decline needs a reply.
    let decline = format!("{removals}/{}/decline", second["id"]);
    problem(
        post(&app, &s.researcher, &decline, json!({"reply": "No."})).await,
        403,
    )
    .await;
    assert_eq!(
        field_of(post(&app, &s.coordinator, &decline, json!({"reply": " "})).await).await,
        "reply"
    );
    let r = post(
        &app,
        &s.coordinator,
        &decline,
        json!({"reply": "It is central to the evaluation."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let declined: Value = r.json().await.unwrap();
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["reply"], "It is central to the evaluation.");

    let accept = format!("{removals}/{}/accept", first["id"]);
    let r = send(&app, reqwest::Method::POST, &s.researcher, &accept, None).await;
    problem(r, 403).await;
    let r = send(&app, reqwest::Method::POST, &s.coordinator, &accept, None).await;
    assert_eq!(r.status(), 200);
    let outcome: Value = r.json().await.unwrap();
    assert_eq!(outcome["passages_removed"], 1);
    let r = send(&app, reqwest::Method::POST, &s.coordinator, &accept, None).await;
    problem(r, 409).await;

    // The words are gone, and what was read before the removal is refused as stale.
    let r = get(&app, &s.mentor, &format!("/chats/{id}")).await;
    let now: Value = r.json().await.unwrap();
    assert!(!now.to_string().contains("lunch alone"), "{now}");
    assert_eq!(now["removals"].as_array().unwrap().len(), 2);
    assert_eq!(now["removals"][0]["status"], "accepted");
    problem(post(&app, &s.mentor, &removals, ask(json!([3]))).await, 409).await;
    assert_eq!(app.audited("chat_removal_accepted").await, 1);
    assert_eq!(app.audited("chat_removal_declined").await, 1);
}

#[tokio::test]
async fn quotes_are_promoted_trimmed_and_removed_only_with_quote_consent_and_by_pseudonym() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let scheme = app.store.cycle(s.cycle).await.unwrap().scheme_id;
    let mut excerpt = Vec::new();
    for participant in [s.mentor_id, s.mentee_id] {
        let chat = record_typed(&app, &s, participant, TYPED).await;
        let code = app.store.codebook_of_scheme(scheme).await.unwrap().codes[0].id;
        let r = post(
            &app,
            &s.coordinator,
            &format!("/chats/{}/excerpts", chat["id"]),
            json!({"passages": [2], "codes": [code], "text_len": chat["text_len"]}),
        )
        .await;
        let coded: Value = r.json().await.unwrap();
        excerpt.push(coded["items"][0]["id"].as_i64().unwrap());
    }
    let quotes = format!("/cycles/{}/quotes", s.cycle);

    // Only the mentor's excerpt can become a quote: the mentee has not consented to quotes.
    let r = get(&app, &s.researcher, &format!("{quotes}/candidates")).await;
    let candidates: Value = r.json().await.unwrap();
    assert_eq!(candidates["items"].as_array().unwrap().len(), 1);
    assert_eq!(candidates["items"][0]["excerpt_id"], excerpt[0]);
    assert_eq!(candidates["held_back"], 1);
    let r = post(
        &app,
        &s.coordinator,
        &quotes,
        json!({"excerpt": excerpt[1]}),
    )
    .await;
    problem(r, 409).await;

    // The research team reads the bank; the coordinators change it.
    for t in [&s.researcher, &s.mentor, &s.admin] {
        problem(
            post(&app, t, &quotes, json!({"excerpt": excerpt[0]})).await,
            403,
        )
        .await;
    }
    assert_eq!(
        field_of(post(&app, &s.coordinator, &quotes, json!({"excerpt": 999999})).await).await,
        "excerpt"
    );
    assert_eq!(
        field_of(
            post(
                &app,
                &s.coordinator,
                &quotes,
                json!({"excerpt": excerpt[0], "edited": "Words never said."})
            )
            .await
        )
        .await,
        "edited"
    );
    let r = post(
        &app,
        &s.coordinator,
        &quotes,
        json!({"excerpt": excerpt[0]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let quote: Value = r.json().await.unwrap();
    assert_eq!(quote["text"], WORDS);
    assert_eq!(quote["pseudonym"], "Mentor 1");
    let r = get(&app, &s.researcher, &quotes).await;
    assert_eq!(r.status(), 200);
    let bank: Value = r.json().await.unwrap();
    assert_eq!(bank["items"].as_array().unwrap().len(), 1);
    assert!(!bank.to_string().contains("mentor@tu.test"), "{bank}");
    for t in [&s.mentor, &s.admin, &s.other_coordinator] {
        problem(get(&app, t, &quotes).await, 403).await;
    }
    assert!(app.audited("quote_bank_read").await >= 2);

    // Trimming: only cuts marked with an ellipsis, and only from the state the caller read.
    let one = format!("{quotes}/{}", quote["id"]);
    let r = get(&app, &s.coordinator, &one).await;
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let trimmed = "I ate lunch alone … for most of first year.";
    assert_eq!(
        field_of(put(&app, &s.coordinator, &one, json!({"edited": "I ate well."})).await).await,
        "edited"
    );
    problem(
        put(&app, &s.researcher, &one, json!({"edited": trimmed})).await,
        403,
    )
    .await;
    let r = client()
        .put(app.url(&format!("/api/v1{one}")))
        .bearer_auth(&s.coordinator)
        .header("If-Match", &tag)
        .json(&json!({"edited": trimmed}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let now: Value = r.json().await.unwrap();
    assert_eq!(now["text"], trimmed);
    assert_eq!(now["original"], WORDS);
    assert_eq!(now["trimmed"], true);
    let r = client()
        .put(app.url(&format!("/api/v1{one}")))
        .bearer_auth(&s.coordinator)
        .header("If-Match", &tag)
        .json(&json!({"edited": WORDS}))
        .send()
        .await
        .unwrap();
    problem(r, 412).await;

    // Out of the bank: gone for every reader.
    problem(
        send(&app, reqwest::Method::DELETE, &s.researcher, &one, None).await,
        403,
    )
    .await;
    let r = send(&app, reqwest::Method::DELETE, &s.coordinator, &one, None).await;
    assert_eq!(r.status(), 204);
    problem(get(&app, &s.coordinator, &one).await, 404).await;
    assert_eq!(app.audited("quote_removed").await, 1);
}

#[tokio::test]
async fn the_finding_for_an_aim_is_written_by_the_coordinators_from_the_state_they_read() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    record_typed(&app, &s, s.mentor_id, TYPED).await;
    let scheme = app.store.cycle(s.cycle).await.unwrap().scheme_id;
    let aim = app.store.aims_of_scheme(scheme).await.unwrap()[0]
        .key
        .clone();
    let finding = format!("/cycles/{}/aims/{aim}/finding", s.cycle);
    let r = get(&app, &s.researcher, &finding).await;
    assert_eq!(r.status(), 200);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let empty: Value = r.json().await.unwrap();
    assert_eq!(empty["finding"], "");
    problem(get(&app, &s.mentor, &finding).await, 403).await;
    problem(
        get(
            &app,
            &s.coordinator,
            &format!("/cycles/{}/aims/no-such-aim/finding", s.cycle),
        )
        .await,
        404,
    )
    .await;

    problem(
        put(&app, &s.researcher, &finding, json!({"finding": "Mine."})).await,
        403,
    )
    .await;
    assert_eq!(
        field_of(
            put(
                &app,
                &s.coordinator,
                &finding,
                json!({"finding": "x".repeat(5001)})
            )
            .await
        )
        .await,
        "finding"
    );
    let write = |tag: String, words: &'static str| {
        client()
            .put(app.url(&format!("/api/v1{finding}")))
            .bearer_auth(&s.coordinator)
            .header("If-Match", tag)
            .json(&json!({"finding": words}))
            .send()
    };
    let r = write(tag.clone(), "Belonging grew in both sides.")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let written: Value = r.json().await.unwrap();
    assert_eq!(written["finding"], "Belonging grew in both sides.");
    // A second coordinator who read it before that write is refused, and nothing changes.
    problem(write(tag, "Nothing changed.").await.unwrap(), 412).await;
    let findings = app.store.findings_of_cycle(s.cycle).await.unwrap();
    assert_eq!(findings[0].finding, "Belonging grew in both sides.");
    assert_eq!(app.audited("finding_written").await, 1);
}
