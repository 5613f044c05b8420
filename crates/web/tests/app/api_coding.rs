//! A scheme's codebook and a cycle's qualitative coding over the API (issue 16), as the
//! analysis pages offer them: the same research-team rule, the same checks and errors, the
//! same files and the same audit.
use crate::api::{client, get, post, problem, token_for, token_of};
use crate::codebook::{chat_with, code, code_id, fixture, segments};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

async fn put_if_match(
    app: &TestApp,
    token: &str,
    path: &str,
    tag: &str,
    body: Value,
) -> reqwest::Response {
    client()
        .put(app.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .header("If-Match", tag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn import(app: &TestApp, token: &str, scheme: i64, body: &str) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/schemes/{scheme}/codebook/import")))
        .bearer_auth(token)
        .header("Content-Type", "application/octet-stream")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn json_of(r: reqwest::Response, status: u16) -> Value {
    let url = r.url().to_string();
    let got = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert_eq!(got, status, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn the_codebook_is_read_added_to_edited_and_merged_through_the_api_as_on_its_pages() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let s = f.scheme;
    let coordinator = token_of(&app, f.coordinator).await;
    let (_, chat, spans) = chat_with(&app, &f, "m1@tu.test", "mentor", "Kestrel").await;
    let heard = code_id(&app, s, "Being listened to").await;
    let followed = code_id(&app, s, "Followed up").await;
    let trust = code_id(&app, s, "Trust").await;
    let belonging = code_id(&app, s, "Belonging").await;
    let isolation = code_id(&app, s, "Isolation").await;
    let only_followed = code(
        &app,
        f.coordinator,
        chat,
        segments(&spans, 2, 2),
        &[followed],
    )
    .await;
    let both = code(
        &app,
        f.coordinator,
        chat,
        segments(&spans, 4, 4),
        &[heard, followed],
    )
    .await;

    // Every code, each with its place in the tree and the aim it evidences.
    let list = json_of(
        get(&app, &coordinator, &format!("/schemes/{s}/codes?limit=200")).await,
        200,
    )
    .await;
    let book = app.store.codebook_of_scheme(s).await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), book.codes.len());
    let isolation_json = items.iter().find(|c| c["id"] == isolation).unwrap();
    assert_eq!(isolation_json["path"], "Belonging › Isolation");
    assert_eq!(isolation_json["parent_id"], belonging);
    assert_eq!(isolation_json["effective_aim"], "belonging");

    // Adding: a code under Belonging inherits its aim; bad fields are named.
    let codes = format!("/schemes/{s}/codes");
    for (body, field, says) in [
        (
            json!({"name": "Blue", "colour": "blue"}),
            "colour",
            "#rrggbb",
        ),
        (
            json!({"name": "trust", "colour": "#123456"}),
            "name",
            "There is already a code called",
        ),
        (json!({"name": "Orphan", "parent_id": 999999}), "parent", ""),
        (json!({"name": "Aimless", "aim": "no-such-aim"}), "aim", ""),
    ] {
        let p = problem(post(&app, &coordinator, &codes, body.clone()).await, 422).await;
        assert_eq!(p["field"], field, "{body}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(says), "{p}");
    }
    let added = json_of(
        post(
            &app,
            &coordinator,
            &codes,
            json!({"name": "Small steps", "description": "One at a time.", "colour": "#336699", "parent_id": belonging}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(added["path"], "Belonging › Small steps");
    assert_eq!(added["aim"], Value::Null);
    assert_eq!(added["effective_aim"], "belonging");
    assert_eq!(
        app.store
            .codebook_of_scheme(s)
            .await
            .unwrap()
            .named("Small steps")
            .unwrap()
            .description,
        "One at a time."
    );
    assert_eq!(app.audited("code_added").await, 1);

    // Outside the research team nothing is read or changed, and the body is not judged.
    let (other, _) = app.scheme_with_cycle("Other", "{}").await;
    let outsiders = [
        ("admin@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        (
            "mentor@tu.test",
            vec![(Role::Mentor, Scope::Cycle(f.cycle))],
        ),
        (
            "other.coord@tu.test",
            vec![(Role::Coordinator, Scope::Scheme(other))],
        ),
    ];
    let before = app.store.codebook_of_scheme(s).await.unwrap();
    for (email, grants) in &outsiders {
        let t = token_for(&app, email, grants).await;
        problem(get(&app, &t, &codes).await, 403).await;
        problem(get(&app, &t, &format!("{codes}/{trust}")).await, 403).await;
        problem(
            post(&app, &t, &codes, json!({"name": "", "colour": "x"})).await,
            403,
        )
        .await;
        problem(
            post(
                &app,
                &t,
                &format!("{codes}/{followed}/merge"),
                json!({"into": heard}),
            )
            .await,
            403,
        )
        .await;
    }
    assert_eq!(app.store.codebook_of_scheme(s).await.unwrap(), before);

    // Editing under If-Match: the tag read is honoured once; a stale one changes nothing.
    let path = format!("{codes}/{heard}");
    let r = get(&app, &coordinator, &path).await;
    assert_eq!(r.status(), 200);
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let shown: Value = r.json().await.unwrap();
    assert_eq!(shown["name"], "Being listened to");
    let r = put_if_match(
        &app,
        &coordinator,
        &path,
        &tag,
        json!({"name": "Heard", "description": "Leaders listening.", "colour": "#E69F00", "aim": "valued"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let new_tag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(new_tag, tag);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(
        (
            &saved["name"],
            &saved["colour"],
            &saved["parent_id"],
            &saved["aim"]
        ),
        (
            &json!("Heard"),
            &json!("#e69f00"),
            &Value::Null,
            &json!("valued")
        )
    );
    let stale = problem(
        put_if_match(
            &app,
            &coordinator,
            &path,
            &tag,
            json!({"name": "Stale", "colour": "#000000"}),
        )
        .await,
        412,
    )
    .await;
    assert!(
        stale["detail"].as_str().unwrap().contains("ETag"),
        "{stale}"
    );
    // A body that breaks a rule is refused as such, however stale its tag.
    let p = problem(
        put_if_match(
            &app,
            &coordinator,
            &path,
            &tag,
            json!({"name": "", "colour": "#000000"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "name", "{p}");
    let book = app.store.codebook_of_scheme(s).await.unwrap();
    assert_eq!(
        book.get(heard).unwrap().name,
        "Heard",
        "the stale edit changed nothing"
    );
    assert_eq!(
        get(&app, &coordinator, &path).await.headers()["etag"],
        new_tag.as_str()
    );
    // Moving a code under its own sub-code is refused, naming the parent.
    let p = problem(
        put_if_match(
            &app,
            &coordinator,
            &format!("{codes}/{belonging}"),
            "*",
            json!({"name": "Belonging", "colour": "#123456", "parent_id": isolation}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "parent", "{p}");
    assert_eq!(app.audited("code_edited").await, 1);

    // Merging "Followed up" into "Heard": its excerpts now carry Heard (once), none is lost.
    let merged = json_of(
        post(
            &app,
            &coordinator,
            &format!("{codes}/{followed}/merge"),
            json!({"into": heard}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(merged["merged_name"], "Followed up");
    assert_eq!(merged["into"]["name"], "Heard");
    assert_eq!(merged["recoded"], 2);
    let excerpts = app.store.excerpts_of_chat(chat).await.unwrap();
    assert_eq!(excerpts.len(), 2, "no excerpt lost");
    let codes_of = |id| excerpts.iter().find(|e| e.id == id).unwrap().codes.clone();
    assert_eq!(codes_of(only_followed), vec![heard]);
    assert_eq!(codes_of(both), vec![heard]);
    problem(
        get(&app, &coordinator, &format!("{codes}/{followed}")).await,
        404,
    )
    .await;
    // Into its own sub-code, or into nothing of this codebook: refused, naming into.
    for into in [isolation, 999999] {
        let p = problem(
            post(
                &app,
                &coordinator,
                &format!("{codes}/{belonging}/merge"),
                json!({"into": into}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["field"], "into", "{p}");
    }
    assert_eq!(app.audited("codes_merged").await, 1);
}

#[tokio::test]
async fn an_exported_codebook_imports_again_and_a_bad_file_is_refused_naming_the_file() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let coordinator = token_of(&app, f.coordinator).await;
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
            "line 1, column 72: the code \"X\" has the colour",
        ),
        ("", "Choose a REFI-QDA codebook file"),
    ] {
        let p = problem(import(&app, &coordinator, f.scheme, bad).await, 422).await;
        assert_eq!(p["field"], "file", "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{says}: {p}");
        if !bad.is_empty() {
            assert!(detail.contains("nothing was stored"), "{p}");
        }
    }
    let r = client()
        .post(app.url(&format!("/api/v1/schemes/{}/codebook/import", f.scheme)))
        .bearer_auth(&coordinator)
        .header("Content-Type", "text/plain")
        .body("<CodeBook/>")
        .send()
        .await
        .unwrap();
    problem(r, 415).await;
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
      </Code>
    </Code>
  </Codes>
</CodeBook>"##;
    let done = json_of(import(&app, &coordinator, f.scheme, good).await, 200).await;
    assert_eq!(done, json!({"added": 1, "present": 1}));
    assert_eq!(app.audited("codebook_imported").await, 1);

    // The download is the page's file, and imports into an empty codebook as the same tree.
    let r = get(
        &app,
        &coordinator,
        &format!("/schemes/{}/codebook", f.scheme),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let qdc = r.text().await.unwrap();
    let page = app
        .signed_in("coord@tu.test")
        .await
        .get_ok(&format!("/schemes/{}/codebook.qdc", f.scheme))
        .await;
    assert_eq!(qdc, page.body);
    assert!(qdc.contains("name=\"Small steps\""), "{qdc}");
    let (fresh, _) = app.scheme_with_cycle("Fresh", "{}").await;
    let researcher = token_of(&app, f.researcher).await;
    let source = app.store.codebook_of_scheme(f.scheme).await.unwrap();
    let done = json_of(import(&app, &researcher, fresh, &qdc).await, 200).await;
    assert_eq!(done["added"], source.codes.len(), "{done}");
    let copy = app.store.codebook_of_scheme(fresh).await.unwrap();
    let paths = |b: &flipside_core::qualitative::codebook::Codebook| {
        let mut p: Vec<String> = b.codes.iter().filter_map(|c| b.path(c.id)).collect();
        p.sort();
        p
    };
    assert_eq!(paths(&copy), paths(&source));
    assert!(
        paths(&copy)
            .iter()
            .any(|p| p.ends_with("Trust › Small steps"))
    );

    // Outside the team: refused before the file is judged.
    let admin = token_for(&app, "admin@tu.test", &[(Role::Admin, Scope::Organisation)]).await;
    problem(import(&app, &admin, f.scheme, "nonsense").await, 403).await;
    problem(
        get(&app, &admin, &format!("/schemes/{}/codebook", f.scheme)).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_cycles_coding_downloads_and_agreement_are_the_pages_own_under_the_same_rule_and_audit() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let c = f.cycle;
    let coordinator = token_of(&app, f.coordinator).await;
    let (mentor, chat, spans) = chat_with(&app, &f, "m1@tu.test", "mentor", "Kestrel").await;
    let trust = code_id(&app, f.scheme, "Trust").await;
    // The coordinator codes segment 2 with Trust; the researcher segments 2 and 4.
    code(&app, f.coordinator, chat, segments(&spans, 2, 2), &[trust]).await;
    code(&app, f.researcher, chat, segments(&spans, 2, 2), &[trust]).await;
    code(&app, f.researcher, chat, segments(&spans, 4, 4), &[trust]).await;
    let page = app.signed_in("coord@tu.test").await;

    // The downloads: the page's files, each audited as made through the API.
    let before = app.audited("qualitative_exported").await;
    let r = get(&app, &coordinator, &format!("/cycles/{c}/coding/excerpts")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert_eq!(
        csv,
        page.get_ok(&format!("/cycles/{c}/export/excerpts.csv"))
            .await
            .body
    );
    assert!(csv.contains("Answer 4 from Kestrel"), "{csv}");
    assert!(!csv.contains("m1@tu.test"), "pseudonyms only: {csv}");
    let r = get(&app, &coordinator, &format!("/cycles/{c}/coding/codebook")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        page.get_ok(&format!("/cycles/{c}/export/codes.qdc"))
            .await
            .body
    );
    let r = get(&app, &coordinator, &format!("/cycles/{c}/coding/project")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap();
    assert!(zip.starts_with(b"PK"), "a zip archive");
    let entries = app
        .store
        .audit_entries(Some("qualitative_exported"), 1000)
        .await
        .unwrap();
    assert_eq!(
        entries.len(),
        before + 5,
        "three API and two page downloads"
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.detail.starts_with("api: "))
            .count(),
        3
    );

    // Agreement at the segment level over the ten segments of the chat: both coded one,
    // the second one more, neither eight. po = 0.9, pe = 0.1·0.2 + 0.9·0.8 = 0.74,
    // κ = 0.16 / 0.26.
    let before = app.audited("agreement_read").await;
    let path = format!(
        "/cycles/{c}/coding/agreement?a={}&b={}&level=segment",
        f.coordinator, f.researcher
    );
    let found = json_of(get(&app, &coordinator, &path).await, 200).await;
    assert_eq!(found["compared"], 1, "{found}");
    assert_eq!(found["level"], "segment");
    assert_eq!(found["problem"], Value::Null);
    let row = found["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code_id"] == trust)
        .unwrap();
    assert_eq!(
        (
            &row["units"],
            &row["both"],
            &row["only_a"],
            &row["only_b"],
            &row["neither"]
        ),
        (&json!(10), &json!(1), &json!(0), &json!(1), &json!(8))
    );
    assert!((row["percentage"].as_f64().unwrap() - 90.0).abs() < 1e-9);
    assert!((row["kappa"].as_f64().unwrap() - 0.16 / 0.26).abs() < 1e-9);
    let disagreements = row["disagreements"].as_array().unwrap();
    assert_eq!(disagreements.len(), 1);
    assert_eq!(disagreements[0]["coded_by_a"], false);
    assert!(
        disagreements[0]["text"]
            .as_str()
            .unwrap()
            .contains("Answer 4 from Kestrel")
    );
    assert_eq!(app.audited("agreement_read").await, before + 1);

    // Bad choices are named; a level that is none of the two is malformed.
    let p = problem(
        get(
            &app,
            &coordinator,
            &format!(
                "/cycles/{c}/coding/agreement?a={}&b={}",
                f.researcher, f.researcher
            ),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "b", "{p}");
    let p = problem(
        get(
            &app,
            &coordinator,
            &format!("/cycles/{c}/coding/agreement?a={mentor}"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "a", "{p}");
    let p = problem(
        get(
            &app,
            &coordinator,
            &format!("/cycles/{c}/coding/agreement?level=words"),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(p["field"], "level", "{p}");
    assert_eq!(app.audited("agreement_read").await, before + 1);

    // Admins and mentors get none of it, and a refusal is not audited.
    let exported = app.audited("qualitative_exported").await;
    for (email, grants) in [
        ("admin@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        ("mentor@tu.test", vec![(Role::Mentor, Scope::Cycle(c))]),
    ] {
        let t = token_for(&app, email, &grants).await;
        for what in ["excerpts", "codebook", "project", "agreement"] {
            problem(
                get(&app, &t, &format!("/cycles/{c}/coding/{what}")).await,
                403,
            )
            .await;
        }
    }
    assert_eq!(app.audited("qualitative_exported").await, exported);
    assert_eq!(app.audited("agreement_read").await, before + 1);
}
