//! The codebook, two-coder agreement, views of coded excerpts and the qualitative exports
//! (issue 11): who may see them, that editing the codebook loses no excerpt, that a bad file
//! stores nothing, that the agreement page shows what the core computes, and what the
//! downloads hold.
use crate::helpers::{Browser, TestApp, temp_dir};
use flipside_core::qualitative::agreement::{CodedTwice, Level, compare};
use flipside_core::qualitative::excerpt::{Excerpt, Span};
use flipside_core::qualitative::refi::{CODEBOOK_XSD, PROJECT_XSD};
use flipside_core::qualitative::transcript::{Chat, ChatStage};
use flipside_core::qualitative::views::coded_by_both;
use flipside_core::recruitment::ConsentKind;
use flipside_core::role::{Role, Scope};
use flipside_store::{NewApplication, NewChat};
use flipside_web::operations::cycles::Actor;
use flipside_web::operations::qualitative::{code_excerpt, record_chat};
use std::process::Command;

/// A scheme with a cycle, a coordinator and a researcher (the two coders), and the default
/// codebook.
pub(crate) struct Fixture {
    pub(crate) scheme: i64,
    pub(crate) cycle: i64,
    pub(crate) coordinator: i64,
    pub(crate) researcher: i64,
}

pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let (scheme, cycle) = app.scheme_with_cycle("Coded", "{}").await;
    let coordinator = app
        .person(
            "coord@tu.test",
            &[(Role::Coordinator, Scope::Scheme(scheme))],
        )
        .await;
    let researcher = app
        .person(
            "research@tu.test",
            &[(Role::Researcher, Scope::Organisation)],
        )
        .await;
    flipside_web::operations::codebook::start_default_codebook(
        &app.store,
        Actor {
            id: coordinator,
            address: "test",
        },
        scheme,
    )
    .await
    .unwrap();
    Fixture {
        scheme,
        cycle,
        coordinator,
        researcher,
    }
}

/// Ten numbered turns, the participant's words unmistakable.
fn chat_text(who: &str) -> String {
    (1..=10)
        .map(|n| {
            if n % 2 == 1 {
                format!("Interviewer: Question {n} for {who}?\n")
            } else {
                format!("{who}: Answer {n} from {who}, in my own words.\n")
            }
        })
        .collect()
}

/// A participant with research consent (and quote consent) and a recorded chat; returns
/// (participant, chat, the chat's segments as spans).
pub(crate) async fn chat_with(
    app: &TestApp,
    f: &Fixture,
    email: &str,
    role: &str,
    speaker: &str,
) -> (i64, i64, Vec<Span>) {
    let user = app.person(email, &[]).await;
    app.store
        .save_application(NewApplication {
            cycle_id: f.cycle,
            user_id: user,
            label_ids: &[],
            own_words: "",
            course: "",
            level: "",
            interests: "",
            availability: "",
            hopes: "",
            school_id: None,
            consents: &[
                ConsentKind::TakePart,
                ConsentKind::Research,
                ConsentKind::Quotes,
            ],
        })
        .await
        .unwrap();
    let chat = Chat::from_typed(&chat_text(speaker)).unwrap();
    assert_eq!(chat.segments.len(), 10);
    let id = record_chat(
        &app.store,
        Actor {
            id: f.coordinator,
            address: "test",
        },
        &NewChat {
            cycle_id: f.cycle,
            participant_user_id: user,
            participant_role: role,
            interviewer_user_id: Some(f.coordinator),
            held_on: chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap(),
            stage: ChatStage::End,
            format: "typed",
            chat: &chat,
            recorded_by: Some(f.coordinator),
        },
    )
    .await
    .unwrap();
    let spans = chat
        .segments
        .iter()
        .map(|s| Span {
            start: s.start,
            end: s.end,
        })
        .collect();
    (user, id, spans)
}

/// Segments `first..=last` (numbered from 1) as one span.
pub(crate) fn segments(spans: &[Span], first: usize, last: usize) -> Span {
    Span {
        start: spans[first - 1].start,
        end: spans[last - 1].end,
    }
}

pub(crate) async fn code(app: &TestApp, coder: i64, chat: i64, span: Span, codes: &[i64]) -> i64 {
    code_excerpt(
        &app.store,
        Actor {
            id: coder,
            address: "test",
        },
        chat,
        span,
        codes,
        None,
    )
    .await
    .unwrap()
}

pub(crate) async fn code_id(app: &TestApp, scheme: i64, name: &str) -> i64 {
    app.store
        .codebook_of_scheme(scheme)
        .await
        .unwrap()
        .named(name)
        .unwrap_or_else(|| panic!("no code {name}"))
        .id
}

#[tokio::test]
async fn the_codebook_and_its_views_answer_each_role_as_the_policy_says() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let (other_scheme, other_cycle) = app.scheme_with_cycle("Other", "{}").await;
    let (_, chat, spans) = chat_with(&app, &f, "m1@tu.test", "mentor", "Kestrel").await;
    let trust = code_id(&app, f.scheme, "Trust").await;
    code(&app, f.coordinator, chat, segments(&spans, 2, 2), &[trust]).await;
    let (s, c) = (f.scheme, f.cycle);
    let roles: Vec<(&str, Vec<(Role, Scope)>)> = vec![
        ("admin", vec![(Role::Admin, Scope::Organisation)]),
        ("coordinator", vec![(Role::Coordinator, Scope::Scheme(s))]),
        (
            "other-coordinator",
            vec![(Role::Coordinator, Scope::Scheme(other_scheme))],
        ),
        ("mentor", vec![(Role::Mentor, Scope::Cycle(c))]),
        ("mentee", vec![(Role::Mentee, Scope::Cycle(c))]),
        ("researcher", vec![(Role::Researcher, Scope::Organisation)]),
        ("nobody", vec![]),
    ];
    let team: &[&str] = &["coordinator", "researcher"];
    // (path, roles answered 200; every other signed-in role gets 403)
    let pages: Vec<(String, &[&str])> = vec![
        (format!("/schemes/{s}/codebook"), team),
        (format!("/schemes/{s}/codebook/{trust}"), team),
        (format!("/schemes/{s}/codebook.qdc"), team),
        (
            format!("/schemes/{other_scheme}/codebook"),
            &["researcher", "other-coordinator"],
        ),
        (format!("/cycles/{c}/agreement"), team),
        (format!("/cycles/{c}/codes/{trust}"), team),
        // Frequencies reach admins too, under the disclosure rule.
        (
            format!("/cycles/{c}/codes"),
            &["coordinator", "researcher", "admin"],
        ),
        (
            format!("/cycles/{other_cycle}/codes"),
            &["researcher", "admin", "other-coordinator"],
        ),
        (format!("/cycles/{c}/export/chats.qdpx"), team),
        (format!("/cycles/{c}/export/codes.qdc"), team),
        (format!("/cycles/{c}/export/excerpts.csv"), team),
        (
            format!("/cycles/{other_cycle}/export/excerpts.csv"),
            &["researcher", "other-coordinator"],
        ),
    ];
    let mut wrong = Vec::new();
    for (who, grants) in &roles {
        let b = app.as_role(&format!("{who}@tu.test"), grants).await;
        for (path, allowed) in &pages {
            let expected = if allowed.contains(who) { 200 } else { 403 };
            let got = b.get(path).await.status;
            if got != expected {
                wrong.push(format!("{who} GET {path}: expected {expected}, got {got}"));
            }
        }
        // Changing the codebook: the research team only; a refusal changes nothing.
        let before = app.store.codebook_of_scheme(s).await.unwrap();
        let r = b
            .post(
                &format!("/schemes/{s}/codebook"),
                &[("name", &format!("By {who}")), ("colour", "#123456")],
            )
            .await;
        let expected = if team.contains(who) { 303 } else { 403 };
        if r.status != expected {
            wrong.push(format!(
                "{who} added a code: expected {expected}, got {}",
                r.status
            ));
        }
        let after = app.store.codebook_of_scheme(s).await.unwrap();
        if !team.contains(who) && after != before {
            wrong.push(format!("{who}'s refused add changed the codebook"));
        }
        for path in [
            format!("/schemes/{s}/codebook/{trust}"),
            format!("/schemes/{s}/codebook/{trust}/merge"),
            format!("/schemes/{s}/codebook/defaults"),
        ] {
            if !team.contains(who) {
                let r = b.post(&path, &[("name", "X"), ("into", "1")]).await;
                if r.status != 403 {
                    wrong.push(format!("{who} POST {path}: expected 403, got {}", r.status));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        app.store
            .codebook_of_scheme(s)
            .await
            .unwrap()
            .get(trust)
            .unwrap()
            .name,
        "Trust",
        "nobody outside the team renamed it"
    );
}

#[tokio::test]
async fn renaming_and_merging_codes_keep_every_excerpt() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let (_, chat, spans) = chat_with(&app, &f, "m1@tu.test", "mentor", "Kestrel").await;
    let heard = code_id(&app, f.scheme, "Being listened to").await;
    let followed = code_id(&app, f.scheme, "Followed up").await;
    let trust = code_id(&app, f.scheme, "Trust").await;
    let only_heard = code(&app, f.coordinator, chat, segments(&spans, 2, 2), &[heard]).await;
    let both = code(
        &app,
        f.coordinator,
        chat,
        segments(&spans, 4, 4),
        &[heard, followed],
    )
    .await;
    let other = code(&app, f.researcher, chat, segments(&spans, 6, 6), &[trust]).await;
    let b = app.signed_in("coord@tu.test").await;

    // Rename "Being listened to": the id, and so every excerpt, stays.
    let r = b
        .post(
            &format!("/schemes/{}/codebook/{heard}", f.scheme),
            &[
                ("name", "Heard"),
                ("description", "Leaders listening."),
                ("colour", "#E69F00"),
                ("parent", ""),
                ("aim", "valued"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(page.body.contains("Heard"), "{}", page.body);
    let book = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    let renamed = book.get(heard).unwrap();
    assert_eq!(
        (
            renamed.name.as_str(),
            renamed.parent,
            renamed.aim.as_deref()
        ),
        ("Heard", None, Some("valued"))
    );
    assert_eq!(renamed.colour.as_str(), "#e69f00");
    let excerpts = app.store.excerpts_of_chat(chat).await.unwrap();
    assert_eq!(excerpts.len(), 3);
    assert!(excerpts.iter().find(|e| e.id == only_heard).unwrap().codes == vec![heard]);

    // A name already used elsewhere in the codebook is refused beside the field.
    let r = b
        .post(
            &format!("/schemes/{}/codebook/{heard}", f.scheme),
            &[("name", "trust"), ("colour", "#e69f00")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("There is already a code called"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#name\""));

    // Merge "Followed up" into "Heard": the excerpt with both keeps "Heard" once.
    let r = b
        .post(
            &format!("/schemes/{}/codebook/{followed}/merge", f.scheme),
            &[("into", &heard.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(
        page.body.contains("1 excerpt(s) recoded, none lost"),
        "{}",
        page.body
    );
    let book = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    assert!(book.get(followed).is_none(), "the merged code is gone");
    let excerpts = app.store.excerpts_of_chat(chat).await.unwrap();
    assert_eq!(excerpts.len(), 3, "no excerpt lost");
    let codes_of = |id| excerpts.iter().find(|e| e.id == id).unwrap().codes.clone();
    assert_eq!(codes_of(only_heard), vec![heard]);
    assert_eq!(codes_of(both), vec![heard]);
    assert_eq!(codes_of(other), vec![trust]);
    assert_eq!(app.audited("code_edited").await, 1);
    assert_eq!(app.audited("codes_merged").await, 1);

    // Merging a code into its own sub-code is refused beside the field, and changes nothing.
    let belonging = code_id(&app, f.scheme, "Belonging").await;
    let isolation = code_id(&app, f.scheme, "Isolation").await;
    let r = b
        .post(
            &format!("/schemes/{}/codebook/{belonging}/merge", f.scheme),
            &[("into", &isolation.to_string())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("cannot be merged into itself or into one of its own sub-codes")
    );
    assert!(r.body.contains("href=\"#into\""));
    assert_eq!(app.store.codebook_of_scheme(f.scheme).await.unwrap(), book);
    assert_eq!(app.audited("codes_merged").await, 1);
}

#[tokio::test]
async fn a_code_is_added_with_its_fields_checked_and_its_name_escaped() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let b = app.signed_in("coord@tu.test").await;
    let belonging = code_id(&app, f.scheme, "Belonging").await;
    let path = format!("/schemes/{}/codebook", f.scheme);
    let r = b
        .post(
            &path,
            &[
                ("name", "<b>Bold</b> moves"),
                ("description", "d"),
                ("colour", "blue"),
                ("parent", &belonging.to_string()),
                ("aim", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("a colour is written #rrggbb")
            || r.body.contains("A colour is written #rrggbb"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#colour\""));
    let r = b
        .post(
            &path,
            &[
                ("name", "<b>Bold</b> moves"),
                ("description", "d"),
                ("colour", "#336699"),
                ("parent", &belonging.to_string()),
                ("aim", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(
        page.body.contains("&#60;b&#62;Bold&#60;/b&#62; moves"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<b>Bold</b>"));
    let book = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    let added = book.named("<b>Bold</b> moves").unwrap();
    assert_eq!(added.parent, Some(belonging));
    assert_eq!(
        book.aim_of(added.id),
        Some("belonging"),
        "it inherits its parent's aim"
    );
    assert_eq!(app.audited("code_added").await, 1);
}

#[tokio::test]
async fn a_bad_qdc_file_is_refused_and_stores_nothing_and_a_good_one_adds_its_codes() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let b = app.signed_in("coord@tu.test").await;
    let path = format!("/schemes/{}/codebook/import", f.scheme);
    let before = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    for (bad, says) in [
        ("this is not XML <", "not well-formed XML"),
        (
            "<?xml version=\"1.0\"?><CodeBook xmlns=\"urn:wrong\"><Codes/></CodeBook>",
            "namespace",
        ),
        (
            "<?xml version=\"1.0\"?><CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes><Code guid=\"g\" name=\"X\" isCodable=\"true\" color=\"red\"/></Codes></CodeBook>",
            // Where it goes wrong, as an editor counts: the Code element's `<`.
            "line 1, column 72: the code &#34;X&#34; has the colour",
        ),
    ] {
        let r = b
            .post_multipart(&path, &[], &[("file", "codes.qdc", bad)], true)
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(r.body.contains("nothing was stored"), "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert!(r.body.contains("href=\"#file\""));
    }
    let r = b.post_multipart(&path, &[], &[], true).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose a REFI-QDA codebook file"));
    assert_eq!(
        app.store.codebook_of_scheme(f.scheme).await.unwrap(),
        before
    );
    assert_eq!(app.audited("codebook_imported").await, 0);

    let good = r##"<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
  <Codes>
    <Code guid="a1" name="trust" isCodable="true" color="#111111">
      <Code guid="a2" name="Small steps" isCodable="true" color="#222222">
        <Description>Change one step at a time.</Description>
        <Code guid="a3" name="Deeper" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="a4" name="Voice" isCodable="true" color="#abc"/>
  </Codes>
</CodeBook>"##;
    let r = b
        .post_multipart(&path, &[], &[("file", "nvivo.qdc", good)], true)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert!(
        page.body.contains("3 code(s) added, 1 already here"),
        "{}",
        page.body
    );
    let book = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    assert_eq!(book.codes.len(), before.codes.len() + 3);
    let trust = book.named("Trust").unwrap();
    let small = book.named("Small steps").unwrap();
    assert_eq!(
        small.parent,
        Some(trust.id),
        "under the code already present"
    );
    assert_eq!(small.description, "Change one step at a time.");
    assert_eq!(book.named("Deeper").unwrap().parent, Some(small.id));
    assert_eq!(book.named("Voice").unwrap().colour.as_str(), "#aabbcc");
    assert_eq!(app.audited("codebook_imported").await, 1);

    // The codebook downloads as a .qdc that validates against the standard's schema.
    let qdc = b
        .get_ok(&format!("/schemes/{}/codebook.qdc", f.scheme))
        .await;
    assert_eq!(lint(&qdc.body, CODEBOOK_XSD, "Codebook.xsd"), "");
    assert!(qdc.body.contains("name=\"Small steps\""));
}

/// Validates `xml` against the schema with xmllint: the empty string, or what it said.
fn lint(xml: &str, xsd: &str, xsd_name: &str) -> String {
    let dir = temp_dir("refi");
    let schema = dir.join(xsd_name);
    std::fs::write(&schema, xsd).unwrap();
    let file = dir.join("document.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint (libxml2-utils) is needed to validate REFI-QDA files");
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        String::new()
    } else {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// The agreement table's row of one code, as the page prints it.
fn agreement_row(path: &str, t: &flipside_core::qualitative::agreement::CodeAgreement) -> String {
    let pct = t
        .percentage
        .map_or_else(|| "–".into(), |p| format!("{p:.1}%"));
    let kappa = t
        .kappa
        .map_or_else(|| "undefined".into(), |k| format!("{k:.3}"));
    format!(
        "{path}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{pct}</td><td>{kappa}</td></tr>",
        t.table.units(),
        t.table.both,
        t.table.only_a,
        t.table.only_b,
        t.table.neither
    )
}

/// Hand-computed, at segment level over one chat of 10 segments: the coordinator codes
/// segments 1–4 and 8 "Trust", the researcher 1–3, 5–6 and 8. Both {1, 2, 3, 8} = 4, first
/// only {4} = 1, second only {5, 6} = 2, neither {7, 9, 10} = 3: pₒ = 7/10; the coordinator
/// says yes to 5/10, the researcher to 6/10, so pₑ = 0.5·0.6 + 0.5·0.4 = 0.5 and
/// κ = (0.7 − 0.5)/(1 − 0.5) = 0.400; percentage agreement 70.0%.
#[tokio::test]
async fn the_agreement_page_shows_a_hand_computed_kappa_and_its_disagreements() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let (_, chat, spans) = chat_with(&app, &f, "m1@tu.test", "mentor", "Kestrel").await;
    let trust = code_id(&app, f.scheme, "Trust").await;
    code(&app, f.coordinator, chat, segments(&spans, 1, 4), &[trust]).await;
    code(&app, f.coordinator, chat, segments(&spans, 8, 8), &[trust]).await;
    code(&app, f.researcher, chat, segments(&spans, 1, 3), &[trust]).await;
    code(&app, f.researcher, chat, segments(&spans, 5, 6), &[trust]).await;
    code(&app, f.researcher, chat, segments(&spans, 8, 8), &[trust]).await;
    let b = app.signed_in("research@tu.test").await;
    let before = app.audited("agreement_read").await;
    let page = b
        .get_ok(&format!(
            "/cycles/{}/agreement?a={}&b={}&level=segment",
            f.cycle, f.coordinator, f.researcher
        ))
        .await;
    assert!(
        page.body.contains("Trust</th><td>10</td><td>4</td><td>1</td><td>2</td><td>3</td><td>70.0%</td><td>0.400</td></tr>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Counted at the segment level"));
    // Disagreements side by side: segment 4 coded by the first only, 5–6 by the second.
    assert!(
        page.body
            .contains("passage 4</th><td>Answer 4 from Kestrel"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "passages 5–6</th><td><span class=\"hint\">not coded</span></td><td>Question 5"
        ),
        "{}",
        page.body
    );
    assert_eq!(app.audited("agreement_read").await, before + 1);

    // One chat by `?chat=`; a chat of another cycle is not found.
    let one = b
        .get_ok(&format!("/cycles/{}/agreement?chat={chat}", f.cycle))
        .await;
    assert!(one.body.contains("<td>0.400</td>"), "{}", one.body);
    assert_eq!(
        b.get(&format!("/cycles/{}/agreement?chat=999999", f.cycle))
            .await
            .status,
        404
    );
    // The defaults are the two who coded most: the researcher (3 excerpts) first.
    let defaults = b.get_ok(&format!("/cycles/{}/agreement", f.cycle)).await;
    assert!(
        defaults.body.contains(
            "<td>10</td><td>4</td><td>2</td><td>1</td><td>3</td><td>70.0%</td><td>0.400</td>"
        ),
        "{}",
        defaults.body
    );
}

#[tokio::test]
async fn the_agreement_page_on_the_demo_equals_the_core_at_both_levels() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let cycle = app.demo_past_cycle().await;
    let book = app.store.codebook_of_scheme(cycle.scheme_id).await.unwrap();
    let chats = app.store.chats_of_cycle(cycle.id).await.unwrap();
    let excerpts = app.store.excerpts_of_cycle(cycle.id).await.unwrap();
    let coordinator = app
        .store
        .user_by_email("coordinator@demo.flipside.test")
        .await
        .unwrap()
        .id;
    let researcher = app
        .store
        .user_by_email("researcher@demo.flipside.test")
        .await
        .unwrap()
        .id;
    let shared = coded_by_both(&excerpts, coordinator, researcher);
    assert_eq!(shared.len(), 23, "the demo's two coders coded every chat");
    let of = |chat: i64, coder: i64| -> Vec<Excerpt> {
        excerpts
            .iter()
            .filter(|e| e.chat == chat && e.coder == coder)
            .cloned()
            .collect()
    };
    let split: Vec<(i64, Vec<Excerpt>, Vec<Excerpt>)> = shared
        .iter()
        .map(|c| (*c, of(*c, coordinator), of(*c, researcher)))
        .collect();
    let twice: Vec<CodedTwice> = split
        .iter()
        .map(|(c, a, bx)| {
            let chat = chats.iter().find(|x| x.id == *c).unwrap();
            CodedTwice {
                chat: *c,
                text: &chat.chat.text,
                segments: &chat.chat.segments,
                a,
                b: bx,
            }
        })
        .collect();
    let codes: Vec<i64> = book.tree().into_iter().map(|(_, c)| c.id).collect();
    for level in [Level::Segment, Level::Character] {
        let page = b
            .get_ok(&format!(
                "/cycles/{}/agreement?a={coordinator}&b={researcher}&level={}",
                cycle.id,
                level.as_str()
            ))
            .await;
        assert!(
            page.body
                .contains(&format!("Counted at the {}", level.label()))
        );
        let mut rows = 0;
        let mut disagreements = 0;
        for result in compare(level, &codes, &twice) {
            let t = result.table;
            if t.both + t.only_a + t.only_b == 0 {
                continue;
            }
            let path = book.path(result.code).unwrap();
            let row = agreement_row(&path, &result);
            assert!(page.body.contains(&row), "{level:?}: {row}\n{}", page.body);
            rows += 1;
            disagreements += result.disagreements.len();
        }
        assert!(rows >= 5, "{level:?}: the demo uses several codes");
        assert!(disagreements > 0, "the demo's coders disagree now and then");
        assert_eq!(
            page.body
                .matches("<span class=\"hint\">not coded</span>")
                .count(),
            disagreements
        );
    }
}

/// Withdraws a participant's research consent on their application.
async fn withdraw_research(app: &TestApp, cycle: i64, user: i64) {
    let application = app
        .store
        .application_of(cycle, user)
        .await
        .unwrap()
        .unwrap();
    app.store
        .withdraw_consent(application.id, ConsentKind::Research)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_excerpts_csv_holds_pseudonyms_only_and_leaves_out_withdrawn_participants() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let (_, kept_chat, spans) =
        chat_with(&app, &f, "keeps.consent@tu.test", "mentor", "Kestrel").await;
    let (gone, gone_chat, _) = chat_with(&app, &f, "withdraws@tu.test", "mentee", "Heron").await;
    let trust = code_id(&app, f.scheme, "Trust").await;
    let isolation = code_id(&app, f.scheme, "Isolation").await;
    code(
        &app,
        f.coordinator,
        kept_chat,
        segments(&spans, 2, 2),
        &[trust, isolation],
    )
    .await;
    code(
        &app,
        f.researcher,
        kept_chat,
        segments(&spans, 4, 4),
        &[trust],
    )
    .await;
    code(
        &app,
        f.coordinator,
        gone_chat,
        segments(&spans, 2, 2),
        &[trust],
    )
    .await;
    withdraw_research(&app, f.cycle, gone).await;
    let b = app.signed_in("research@tu.test").await;
    let before = app.audited("qualitative_exported").await;
    let csv = b
        .get_ok(&format!("/cycles/{}/export/excerpts.csv", f.cycle))
        .await;
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some("code,pseudonym,role,aim,text,coder,chat")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "{}", csv.body);
    assert!(
        rows.iter().all(|r| r.contains(",Mentor 1,mentor,")),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(
            "Confidence in senior staff › Trust,Mentor 1,mentor,confidence_in_leaders,\"Answer 2 from Kestrel, in my own words.\",Coder 1,"
        ),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("Belonging › Isolation,Mentor 1,mentor,belonging,")
    );
    assert!(csv.body.contains(",Coder 1,") && csv.body.contains(",Coder 2,"));
    assert!(
        !csv.body.contains("Heron"),
        "the withdrawn participant's words are out"
    );
    assert!(!csv.body.contains("Senior leader"), "{}", csv.body);
    for (name, email) in [
        ("coord", "coord@tu.test"),
        ("research", "research@tu.test"),
        ("keeps consent", "keeps.consent@tu.test"),
        ("withdraws", "withdraws@tu.test"),
    ] {
        assert!(!csv.body.contains(email), "{email}");
        assert!(!csv.body.contains(name), "{name}");
    }
    assert!(!csv.body.contains('@'));
    assert_eq!(app.audited("qualitative_exported").await, before + 1);

    // The same participant is out of the views as well.
    let page = b
        .get_ok(&format!("/cycles/{}/codes/{trust}", f.cycle))
        .await;
    assert!(page.body.contains("Answer 2 from Kestrel"), "{}", page.body);
    assert!(!page.body.contains("Heron"), "{}", page.body);
    assert!(page.body.contains("Mentor 1"));
    assert!(page.body.contains("2 passages"), "{}", page.body);
}

/// Unzips a `.qdpx` and validates its project against the standard's schema; returns the
/// project document and the sources' texts.
fn open_project(bytes: &[u8]) -> (String, Vec<String>) {
    let dir = temp_dir("qdpx");
    let file = dir.join("project.qdpx");
    std::fs::write(&file, bytes).unwrap();
    let unzipped = dir.join("unzipped");
    let ok = Command::new("unzip")
        .arg("-q")
        .arg(&file)
        .arg("-d")
        .arg(&unzipped)
        .status()
        .expect("unzip is needed to open the .qdpx");
    assert!(ok.success());
    let qde = std::fs::read_to_string(unzipped.join("project.qde")).unwrap();
    assert_eq!(lint(&qde, PROJECT_XSD, "Project.xsd"), "");
    let mut sources = Vec::new();
    if let Ok(entries) = std::fs::read_dir(unzipped.join("sources")) {
        for entry in entries {
            sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (qde, sources)
}

pub(crate) async fn download(app: &TestApp, b: &Browser, path: &str) -> Vec<u8> {
    let r = b.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_demo_project_downloads_as_a_valid_qdpx_by_pseudonym_and_is_audited() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let cycle = app.demo_past_cycle().await;
    let before = app.audited("qualitative_exported").await;
    let bytes = download(&app, &b, &format!("/cycles/{}/export/chats.qdpx", cycle.id)).await;
    let (qde, sources) = open_project(&bytes);
    assert_eq!(sources.len(), 23);
    assert!(qde.contains("Mentor 1") && qde.contains("Senior leader 1"));
    assert!(qde.contains("Coder 2"));
    let written = qde + &sources.concat();
    assert!(!written.contains('@'), "no email address");
    for who in ["coordinator", "researcher", "mentor", "mentee"] {
        let user = app
            .store
            .user_by_email(&format!("{who}@demo.flipside.test"))
            .await
            .unwrap();
        assert!(
            !written.contains(&user.display_name),
            "{}",
            user.display_name
        );
    }
    let qdc = b
        .get_ok(&format!("/cycles/{}/export/codes.qdc", cycle.id))
        .await;
    assert_eq!(lint(&qdc.body, CODEBOOK_XSD, "Codebook.xsd"), "");
    assert_eq!(app.audited("qualitative_exported").await, before + 2);
    // The codes page links every download.
    let codes = b.get_ok(&format!("/cycles/{}/codes", cycle.id)).await;
    for link in ["chats.qdpx", "codes.qdc", "excerpts.csv"] {
        assert!(
            codes
                .body
                .contains(&format!("/cycles/{}/export/{link}", cycle.id)),
            "{link}"
        );
    }
}

#[tokio::test]
async fn frequencies_are_counted_for_the_team_and_suppressed_for_an_admin() {
    let app = TestApp::spawn_demo().await;
    let b = app.demo_coordinator().await;
    let cycle = app.demo_past_cycle().await;
    let team = b.get_ok(&format!("/cycles/{}/codes", cycle.id)).await;
    assert!(team.body.contains("Shown to the research team as counted"));
    assert!(!team.body.contains("<td>–</td>"), "{}", team.body);
    assert!(team.body.contains("Student mentors") && team.body.contains("Staff mentees"));
    assert!(
        team.body
            .contains(&format!("href=\"/cycles/{}/codes/", cycle.id))
    );
    let admin = app.demo_signed_in("admin").await;
    let outside = admin.get_ok(&format!("/cycles/{}/codes", cycle.id)).await;
    assert!(
        outside
            .body
            .contains("<strong>Disclosure rule</strong> (internal): Counts under"),
        "{}",
        outside.body
    );
    assert!(
        outside.body.contains("<td>–</td>"),
        "small cells are hidden: {}",
        outside.body
    );
    assert!(
        !outside
            .body
            .contains(&format!("href=\"/cycles/{}/codes/", cycle.id))
    );
    assert!(!outside.body.contains("/export/"));
    // The figures the team sees for one code: each passage once, however many coders.
    let isolation = app
        .store
        .codebook_of_scheme(cycle.scheme_id)
        .await
        .unwrap()
        .named("Isolation")
        .unwrap()
        .id;
    let excerpts = b
        .get_ok(&format!("/cycles/{}/codes/{isolation}", cycle.id))
        .await;
    assert!(
        excerpts.body.contains("I ate lunch in my car"),
        "{}",
        excerpts.body
    );
    assert!(
        excerpts.body.contains("coded by Coder 1, Coder 2"),
        "{}",
        excerpts.body
    );
    assert_eq!(
        admin
            .get(&format!("/cycles/{}/codes/{isolation}", cycle.id))
            .await
            .status,
        403
    );
}
