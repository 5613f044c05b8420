//! Reflective chats over HTTP (issue 11, SPEC §3.7): who may list, read, record and code a
//! chat and answer a removal request; recording from typed text and each transcript format,
//! with bad files storing nothing; no chat without research consent; coding by ticked passages
//! and by character offsets; a participant's removal request accepted and declined; every read
//! audited.
use crate::helpers::*;
use flipside_core::recruitment::ConsentKind;
use flipside_core::role::{Role, Scope};
use flipside_store::{NewApplication, NewPair};

/// A cycle of scheme A with a pair: a mentor with research consent and a mentee without;
/// the research team of scheme A and people of scheme B.
struct Scene {
    scheme: i64,
    cycle: i64,
    mentor: i64,
    mentee: i64,
}

const COORDINATOR: &str = "coordinator.a@tu.test";
const OTHER_COORDINATOR: &str = "coordinator.b@tu.test";
const RESEARCHER: &str = "researcher.a@tu.test";
const OTHER_RESEARCHER: &str = "researcher.b@tu.test";
const ADMIN: &str = "admin@tu.test";
const MENTOR: &str = "mentor@tu.test";
const MENTEE: &str = "mentee@tu.test";

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
    app.person(COORDINATOR, &[(Role::Coordinator, Scope::Scheme(scheme))])
        .await;
    app.person(
        OTHER_COORDINATOR,
        &[(Role::Coordinator, Scope::Scheme(other_scheme))],
    )
    .await;
    app.person(RESEARCHER, &[(Role::Researcher, Scope::Scheme(scheme))])
        .await;
    app.person(
        OTHER_RESEARCHER,
        &[(Role::Researcher, Scope::Scheme(other_scheme))],
    )
    .await;
    app.person(ADMIN, &[(Role::Admin, Scope::Organisation)])
        .await;
    let mentor = app
        .person(MENTOR, &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let mentee = app
        .person(MENTEE, &[(Role::Mentee, Scope::Cycle(cycle))])
        .await;
    apply(app, cycle, mentor, &ConsentKind::ALL).await;
    apply(app, cycle, mentee, &[ConsentKind::TakePart]).await;
    app.publish_pairs(
        cycle,
        &[NewPair {
            mentor_id: mentor,
            mentee_id: mentee,
            reason: String::new(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    Scene {
        scheme,
        cycle,
        mentor,
        mentee,
    }
}

const TYPED: &str = "Interviewer: What stands out when you look back?\nMentor: He wrote things down when I talked about the bus from Ashby.\nInterviewer: Anything else?\nMentor: I worked nights at the depot and still came to every meeting.\nMentor: Finding an hour that worked was the hardest part.";

/// Posts the record form as multipart, with the file's exact bytes.
async fn record(
    app: &TestApp,
    b: &Browser,
    cycle: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    const BOUNDARY: &str = "flipside-chat-boundary-93x";
    let token = b.csrf().await;
    let mut body: Vec<u8> = Vec::new();
    let mut all = fields.to_vec();
    all.push(("csrf", &token));
    for (name, value) in all {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (filename, bytes) = file.unwrap_or(("", b""));
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"transcript\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let r = b
        .client
        .post(app.url(&format!("/cycles/{cycle}/chats")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    Page {
        status,
        headers,
        body: r.text().await.unwrap(),
    }
}

/// The fields of a valid chat with `participant`, typed.
fn fields(participant: i64) -> Vec<(&'static str, String)> {
    vec![
        ("participant", participant.to_string()),
        ("held_on", "2025-06-10".into()),
        ("stage", "end".into()),
        ("interviewer", String::new()),
    ]
}

async fn record_typed(app: &TestApp, b: &Browser, s: &Scene, text: &str) -> i64 {
    let f = fields(s.mentor);
    let mut all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.push(("text", text));
    let r = record(app, b, s.cycle, &all, None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .strip_prefix("/chats/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {}", r.location()))
}

async fn chat_count(app: &TestApp, cycle: i64) -> usize {
    app.store.chats_of_cycle(cycle).await.unwrap().len()
}

/// A `.docx` holding `document_xml` as `word/document.xml`: a zip whose entries are stored
/// (not compressed), written here so that the test needs no zip library.
fn docx(document_xml: &str) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let entries = [
        ("[Content_Types].xml", "<Types/>".as_bytes()),
        ("word/document.xml", document_xml.as_bytes()),
    ];
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0u32.to_le_bytes()); // time and date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const DOCUMENT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Interviewer: How did the first meeting go?</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Mentee: It was </w:t></w:r><w:r><w:t>nerve-wracking &amp; then fine.</w:t></w:r></w:p>
</w:body></w:document>"#;

const VTT: &str = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.500\n<v Dr Amara Obi>So, how has it been?</v>\n\n2\n00:00:05.000 --> 00:00:07.000\n<v Jo Mentor>I felt heard &amp; seen.</v>\n\n3\n00:00:07.000 --> 00:00:09.000\n<v Jo Mentor>It mattered.</v>\n";

#[tokio::test]
async fn chats_answer_each_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let chat = record_typed(&app, &coordinator, &s, TYPED).await;
    let others_chat_page = format!("/cycles/{}/chats", s.cycle);
    let pages = [
        (
            format!("/cycles/{}/chats", s.cycle),
            &[COORDINATOR, RESEARCHER][..],
        ),
        (
            format!("/cycles/{}/chats/new", s.cycle),
            &[COORDINATOR, RESEARCHER][..],
        ),
        (
            format!("/chats/{chat}"),
            &[COORDINATOR, RESEARCHER, MENTOR][..],
        ),
        (
            format!("/chats/{chat}/code"),
            &[COORDINATOR, RESEARCHER][..],
        ),
        (format!("/chats/{chat}/removal"), &[MENTOR][..]),
    ];
    let everyone = [
        COORDINATOR,
        OTHER_COORDINATOR,
        RESEARCHER,
        OTHER_RESEARCHER,
        ADMIN,
        MENTOR,
        MENTEE,
    ];
    for who in everyone {
        let b = app.signed_in(who).await;
        for (path, allowed) in &pages {
            let page = b.get(path).await;
            let expected = if allowed.contains(&who) { 200 } else { 403 };
            assert_eq!(page.status, expected, "{who} GET {path}: {}", page.body);
        }
        // Recording, coding and answering a removal: refused before anything is read.
        if ![COORDINATOR, RESEARCHER].contains(&who) {
            let r = b
                .post(
                    &format!("/chats/{chat}/code"),
                    &[("segment", "2"), ("code", "1")],
                )
                .await;
            assert_eq!(r.status, 403, "{who} may not code");
            let f = fields(s.mentor);
            let all: Vec<(&str, &str)> = f
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .chain([("text", "Mentor: hello.")])
                .collect();
            assert_eq!(
                record(&app, &b, s.cycle, &all, None).await.status,
                403,
                "{who} may not record"
            );
        }
        if who != MENTOR {
            let r = b
                .post(&format!("/chats/{chat}/removal"), &[("segment", "2")])
                .await;
            assert_eq!(r.status, 403, "{who} may not ask for a removal");
        }
        if who != COORDINATOR {
            let r = b
                .post(&format!("/chats/{chat}/removals/1/accept"), &[])
                .await;
            assert_eq!(r.status, 403, "{who} may not accept a removal");
        }
    }
    assert_eq!(
        chat_count(&app, s.cycle).await,
        1,
        "nobody else recorded one"
    );
    // The cycle page links to the chats for the research team only.
    let cycle_page = format!("/cycles/{}", s.cycle);
    assert!(
        coordinator
            .get_ok(&cycle_page)
            .await
            .body
            .contains(&others_chat_page)
    );
    let admin = app.signed_in(ADMIN).await;
    assert!(
        !admin
            .get_ok(&cycle_page)
            .await
            .body
            .contains(&others_chat_page)
    );
    // Signed out: sent to sign in, for every page.
    let anonymous = app.browser();
    for (path, _) in &pages {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, 303, "signed out GET {path}");
        assert!(page.location().starts_with("/sign-in"), "{path}");
    }
    assert_eq!(anonymous.get("/chats").await.status, 303);
    // The participant finds their chat from their home page; the other participant does not.
    let mentor = app.signed_in(MENTOR).await;
    assert!(mentor.get_ok("/").await.body.contains("href=\"/chats\""));
    assert!(
        mentor
            .get_ok("/chats")
            .await
            .body
            .contains(&format!("/chats/{chat}"))
    );
    let mentee = app.signed_in(MENTEE).await;
    assert!(!mentee.get_ok("/").await.body.contains("href=\"/chats\""));
    assert!(
        !mentee
            .get_ok("/chats")
            .await
            .body
            .contains(&format!("/chats/{chat}"))
    );
    let _ = s.scheme;
}

#[tokio::test]
async fn a_chat_is_recorded_from_typed_text_and_each_transcript_format() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    // Research consent for the mentee too, so both can have chats.
    apply(&app, s.cycle, s.mentee, &ConsentKind::ALL).await;
    let b = app.signed_in(COORDINATOR).await;
    let typed = record_typed(&app, &b, &s, TYPED).await;
    let page = b.get_ok(&format!("/chats/{typed}")).await;
    assert!(page.body.contains("bus from Ashby"), "{}", page.body);
    let stored = app.store.chat_record(typed).await.unwrap();
    assert_eq!(stored.chat.segments.len(), 5);
    assert_eq!(stored.format, "typed");

    let files: [(&str, Vec<u8>, &str, usize, &str); 3] = [
        ("chat.txt", TYPED.as_bytes().to_vec(), "txt", 5, "Mentor"),
        ("chat.docx", docx(DOCUMENT_XML), "docx", 2, "Mentee"),
        (
            "Teams meeting.vtt",
            VTT.as_bytes().to_vec(),
            "vtt",
            2,
            "Jo Mentor",
        ),
    ];
    for (name, bytes, format, segments, speaker) in files {
        let participant = if format == "docx" { s.mentee } else { s.mentor };
        let f = fields(participant);
        let all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = record(&app, &b, s.cycle, &all, Some((name, &bytes))).await;
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        let id: i64 = r.location().trim_start_matches("/chats/").parse().unwrap();
        let chat = app.store.chat_record(id).await.unwrap();
        assert_eq!(chat.format, format, "{name}");
        assert_eq!(
            chat.chat.segments.len(),
            segments,
            "{name}: {:?}",
            chat.chat
        );
        assert_eq!(
            chat.chat.segments[1].speaker.as_deref(),
            Some(speaker),
            "{name}"
        );
        let shown = b.follow(&r).await;
        assert!(
            shown
                .body
                .contains(&format!("<span class=\"speaker\">{speaker}:</span>")),
            "{name}: speaker turns are shown: {}",
            shown.body
        );
    }
    let vtt = app.store.chats_of_cycle(s.cycle).await.unwrap();
    let vtt = vtt.iter().find(|c| c.format == "vtt").unwrap();
    assert_eq!(
        vtt.chat.text,
        "Dr Amara Obi: So, how has it been?\nJo Mentor: I felt heard & seen. It mattered."
    );
    assert_eq!(app.audited("chat_recorded").await, 4);
}

#[tokio::test]
async fn bad_files_and_fields_are_named_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let b = app.signed_in(COORDINATOR).await;
    let f = fields(s.mentor);
    let all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "broken.docx",
            b"PK\x03\x04 this is not really a zip".to_vec(),
            "is not a .docx: it is not a zip archive",
        ),
        (
            "nodoc.docx",
            docx("<w:document/>"),
            "could not be read: the file has no words in it",
        ),
        (
            "meeting.vtt",
            b"1\n00:00:01.000 --> 00:00:02.000\nhello\n".to_vec(),
            "is not WebVTT: it does not start with the line WEBVTT",
        ),
        (
            "timing.vtt",
            b"WEBVTT\n\n1\n00:00:01 --> 00:00:02.000\nhello\n".to_vec(),
            "line 4: the cue timing",
        ),
        (
            "notes.pdf",
            b"%PDF-1.7".to_vec(),
            "is not a transcript this page reads",
        ),
    ];
    for (name, bytes, message) in cases {
        let r = record(&app, &b, s.cycle, &all, Some((name, &bytes))).await;
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains("There is a problem"), "{name}");
        assert!(
            r.body.contains(name),
            "{name}: the file is named: {}",
            r.body
        );
        assert!(
            r.body.contains(message),
            "{name}: {message:?} in {}",
            r.body
        );
        assert!(r.body.contains("href=\"#transcript\""), "{name}");
    }
    // Both a file and typed text; neither; a date in the future; no stage.
    let mut both = all.clone();
    both.push(("text", "Mentor: hello."));
    let r = record(&app, &b, s.cycle, &both, Some(("chat.vtt", VTT.as_bytes()))).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("not both"), "{}", r.body);
    let r = record(&app, &b, s.cycle, &all, None).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Type or paste the chat, or upload its transcript")
    );
    let mentor = s.mentor.to_string();
    let r = record(
        &app,
        &b,
        s.cycle,
        &[
            ("participant", mentor.as_str()),
            ("held_on", "2999-01-01"),
            ("stage", "later"),
            ("text", "Mentor: hello."),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Enter the date the chat took place: today ("),
        "{}",
        r.body
    );
    assert!(r.body.contains("Choose when the chat took place"));
    assert!(r.body.contains("Mentor: hello."), "the typed text is kept");
    assert_eq!(chat_count(&app, s.cycle).await, 0);
    assert_eq!(app.audited("chat_recorded").await, 0);
}

#[tokio::test]
async fn no_chat_is_recorded_with_a_participant_without_research_consent() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let b = app.signed_in(COORDINATOR).await;
    let form = b.get_ok(&format!("/cycles/{}/chats/new", s.cycle)).await;
    assert!(
        form.body
            .contains(&format!("<option value=\"{}\"", s.mentor)),
        "the consenting mentor can be chosen"
    );
    assert!(
        !form
            .body
            .contains(&format!("<option value=\"{}\"", s.mentee)),
        "the mentee cannot"
    );
    assert!(
        form.body.contains("have not given research consent"),
        "and the page says why"
    );
    assert!(form.body.contains("mentee"), "naming them");
    let mut f = fields(s.mentee);
    f.push(("text", "Mentee: hello.".into()));
    let all: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = record(&app, &b, s.cycle, &all, None).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains(
            "has not given research consent to this cycle, so no chat can be recorded with them"
        ),
        "{}",
        r.body
    );
    assert_eq!(chat_count(&app, s.cycle).await, 0);
}

async fn codes_of(app: &TestApp, scheme: i64) -> Vec<(i64, String)> {
    app.store
        .codebook_of_scheme(scheme)
        .await
        .unwrap()
        .codes
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect()
}

#[tokio::test]
async fn each_coder_codes_by_ticked_passages_or_by_offsets_and_sees_only_their_own() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let chat = record_typed(&app, &coordinator, &s, TYPED).await;
    let codes = codes_of(&app, s.scheme).await;
    let (first, first_name) = codes[0].clone();
    let (second, second_name) = codes[1].clone();
    let page = coordinator.get_ok(&format!("/chats/{chat}/code")).await;
    assert!(page.body.contains(&first_name), "the codebook is offered");
    assert!(page.body.contains("name=\"segment\" value=\"5\""));
    assert!(page.body.contains("<rect"), "each code has a colour swatch");
    let text_len = app
        .store
        .chat_record(chat)
        .await
        .unwrap()
        .chat
        .text
        .len()
        .to_string();

    // Without JavaScript: passages 2 and 4 (not consecutive) become two excerpts.
    let r = coordinator
        .post(
            &format!("/chats/{chat}/code"),
            &[
                ("segment", "2"),
                ("segment", "4"),
                ("code", &first.to_string()),
                ("memo", "transport and work"),
                ("text_len", &text_len),
                ("start", ""),
                ("end", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stored = app.store.chat_record(chat).await.unwrap();
    let excerpts = app.store.excerpts_of_chat(chat).await.unwrap();
    assert_eq!(excerpts.len(), 2);
    assert_eq!(
        excerpts[0].span.text(&stored.chat.text),
        "He wrote things down when I talked about the bus from Ashby."
    );
    assert_eq!(excerpts[0].memo.as_deref(), Some("transport and work"));

    // With JavaScript: character offsets of "the bus from Ashby" (an overlapping excerpt).
    let researcher = app.signed_in(RESEARCHER).await;
    let words = "the bus from Ashby";
    let byte = stored.chat.text.find(words).unwrap();
    let start = stored.chat.text[..byte].chars().count();
    let end = start + words.chars().count();
    let r = researcher
        .post(
            &format!("/chats/{chat}/code"),
            &[
                ("start", &start.to_string()),
                ("end", &end.to_string()),
                ("segment", "5"),
                ("code", &second.to_string()),
                ("text_len", &text_len),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let theirs: Vec<_> = app
        .store
        .excerpts_of_chat(chat)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.coder != excerpts[0].coder)
        .collect();
    assert_eq!(theirs.len(), 1, "the offsets win over ticked passages");
    assert_eq!(theirs[0].span.text(&stored.chat.text), words);
    assert_eq!(theirs[0].codes, vec![second]);

    // Each coder sees only their own excerpts.
    let mine = researcher.get_ok(&format!("/chats/{chat}/code")).await;
    assert!(mine.body.contains("Your excerpts (1)"), "{}", mine.body);
    assert!(!mine.body.contains("transport and work"));
    let theirs_page = coordinator.get_ok(&format!("/chats/{chat}/code")).await;
    assert!(theirs_page.body.contains("Your excerpts (2)"));
    assert!(
        !theirs_page
            .body
            .contains("<blockquote>the bus from Ashby</blockquote>")
    );
    assert!(
        mine.body
            .contains("<blockquote>the bus from Ashby</blockquote>")
    );
    assert!(
        mine.body.contains(&second_name),
        "with its code's name beside the swatch"
    );

    // Errors are named: no code; no passage; a stale page's offsets.
    let r = researcher
        .post(
            &format!("/chats/{chat}/code"),
            &[("segment", "1"), ("text_len", &text_len)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Tick at least one code."));
    let r = researcher
        .post(
            &format!("/chats/{chat}/code"),
            &[("code", &first.to_string()), ("text_len", &text_len)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Tick at least one numbered passage"));
    let r = researcher
        .post(
            &format!("/chats/{chat}/code"),
            &[
                ("segment", "1"),
                ("code", &first.to_string()),
                ("text_len", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Reload the page and select again"));
    assert_eq!(app.store.excerpts_of_chat(chat).await.unwrap().len(), 3);

    // A coder removes their own excerpt, not another's.
    let r = researcher
        .post(
            &format!("/chats/{chat}/excerpts/{}/remove", excerpts[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = researcher
        .post(
            &format!("/chats/{chat}/excerpts/{}/remove", theirs[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.excerpts_of_chat(chat).await.unwrap().len(), 2);
    assert_eq!(app.audited("excerpt_removed").await, 1);
    assert_eq!(app.audited("excerpt_coded").await, 2);
}

#[tokio::test]
async fn a_removal_request_accepted_replaces_the_passage_and_one_declined_gets_a_reply() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let chat = record_typed(&app, &coordinator, &s, TYPED).await;
    let codes = codes_of(&app, s.scheme).await;
    let code = codes[0].0.to_string();
    let before = app.store.chat_record(chat).await.unwrap();
    let text_len = before.chat.text.len().to_string();
    // Excerpts: one on passage 4 (to be removed), one on passage 5 (after it).
    for segment in ["4", "5"] {
        let r = coordinator
            .post(
                &format!("/chats/{chat}/code"),
                &[
                    ("segment", segment),
                    ("code", &code),
                    ("text_len", &text_len),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let mentor = app.signed_in(MENTOR).await;
    let form = mentor.get_ok(&format!("/chats/{chat}/removal")).await;
    assert!(form.body.contains("depot"));
    let r = mentor
        .post(
            &format!("/chats/{chat}/removal"),
            &[("text_len", &text_len)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Choose at least one numbered passage to remove.")
    );
    let r = mentor
        .post(
            &format!("/chats/{chat}/removal"),
            &[
                ("segment", "4"),
                ("reason", "I would rather my job was not in it."),
                ("text_len", &text_len),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = mentor
        .post(
            &format!("/chats/{chat}/removal"),
            &[("segment", "2"), ("text_len", &text_len)],
        )
        .await;
    assert_eq!(r.status, 303);
    let requests = app.store.removal_requests(chat).await.unwrap();
    assert_eq!(requests.len(), 2);
    // Nothing changes until a coordinator answers; they see the open requests.
    assert_eq!(
        app.store.chat_record(chat).await.unwrap().chat.text,
        before.chat.text
    );
    let page = coordinator.get_ok(&format!("/chats/{chat}")).await;
    assert!(page.body.contains("Removal requests waiting for an answer"));
    assert!(page.body.contains("I would rather my job was not in it."));
    let researcher = app.signed_in(RESEARCHER).await;
    assert!(
        !researcher
            .get_ok(&format!("/chats/{chat}"))
            .await
            .body
            .contains("Accept and remove")
    );

    let r = coordinator
        .post(
            &format!("/chats/{chat}/removals/{}/accept", requests[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = app.store.chat_record(chat).await.unwrap();
    assert!(!after.chat.text.contains("depot"), "{}", after.chat.text);
    assert!(
        after
            .chat
            .text
            .contains("Mentor: [removed at the participant's request]")
    );
    assert_eq!(after.chat.segments.len(), 5);
    let left = app.store.excerpts_of_chat(chat).await.unwrap();
    assert_eq!(left.len(), 1, "the excerpt on the removed passage went");
    assert_eq!(
        left[0].span.text(&after.chat.text),
        "Finding an hour that worked was the hardest part.",
        "the later excerpt moved with its words"
    );
    // Accepting twice is refused; declining needs a reply.
    let r = coordinator
        .post(
            &format!("/chats/{chat}/removals/{}/accept", requests[0].id),
            &[],
        )
        .await;
    assert_eq!(r.status, 409);
    let r = coordinator
        .post(
            &format!("/chats/{chat}/removals/{}/decline", requests[1].id),
            &[("reply", " ")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.store.removal_requests(chat).await.unwrap()[1].status,
        flipside_store::RemovalStatus::Open
    );
    let r = coordinator
        .post(
            &format!("/chats/{chat}/removals/{}/decline", requests[1].id),
            &[(
                "reply",
                "That passage is the question, not your words: it stays.",
            )],
        )
        .await;
    assert_eq!(r.status, 303);
    let own = mentor.get_ok(&format!("/chats/{chat}")).await;
    assert!(own.body.contains("Accepted: the passages were removed"));
    assert!(own.body.contains("Declined. The coordinator's reply: That passage is the question, not your words: it stays."), "{}", own.body);
    assert!(!own.body.contains("depot"));
    assert!(own.body.contains("[removed at the participant"));
    assert_eq!(app.audited("chat_removal_requested").await, 2);
    assert_eq!(app.audited("chat_removal_accepted").await, 1);
    assert_eq!(app.audited("chat_removal_declined").await, 1);
}

#[tokio::test]
async fn every_read_of_a_chat_is_audited_with_who_read_it() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let chat = record_typed(&app, &coordinator, &s, TYPED).await;
    assert_eq!(app.audited("chat_read").await, 0);
    coordinator.get_ok(&format!("/chats/{chat}")).await;
    app.signed_in(RESEARCHER)
        .await
        .get_ok(&format!("/chats/{chat}/code"))
        .await;
    let mentor = app.signed_in(MENTOR).await;
    mentor.get_ok(&format!("/chats/{chat}")).await;
    mentor.get_ok(&format!("/chats/{chat}/removal")).await;
    // A refused read is not a read.
    assert_eq!(
        app.signed_in(ADMIN)
            .await
            .get(&format!("/chats/{chat}"))
            .await
            .status,
        403
    );
    let reads = app
        .store
        .audit_entries(Some("chat_read"), 100)
        .await
        .unwrap();
    assert_eq!(reads.len(), 4);
    assert!(
        reads
            .iter()
            .all(|e| e.subject_kind == "chat" && e.subject_id == Some(chat))
    );
    let readers: Vec<_> = reads.iter().filter_map(|e| e.actor_id).collect();
    assert_eq!(readers.iter().filter(|&&r| r == s.mentor).count(), 2);
    assert!(
        reads.iter().all(|e| !e.detail.contains("Ashby")),
        "the entry never carries the chat's words"
    );
}
