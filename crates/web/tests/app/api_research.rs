//! A cycle's research export and its codebook over the API (issue 16), as the evaluation pages
//! offer them: consenting participants' answers by code only, to the scheme's researchers and
//! coordinators, every download audited.
use crate::api::{get, problem, token_for};
use crate::helpers::TestApp;
use flipside_core::evaluation::Wave;
use flipside_core::role::{Role, Scope};

#[tokio::test]
async fn the_research_export_and_codebook_are_the_pages_files_under_the_same_rule_and_audit() {
    let app = TestApp::spawn().await;
    app.store.ensure_default_instruments().await.unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    for (email, code, consent) in [
        ("consenting.person@tu.test", "M01", true),
        ("declining.person@tu.test", "M02", false),
    ] {
        let user = app
            .person(email, &[(Role::Mentor, Scope::Cycle(cycle))])
            .await;
        let p = app
            .store
            .add_survey_participant(cycle, code, "mentor", Some(user), consent)
            .await
            .unwrap();
        let answers: Vec<(String, i64)> = vec![("belonging".into(), 4), ("valued".into(), 2)];
        app.store
            .submit_answers(p, Wave::Pre, &answers)
            .await
            .unwrap();
    }
    let researcher = token_for(
        &app,
        "re@tu.test",
        &[(Role::Researcher, Scope::Organisation)],
    )
    .await;
    let export = format!("/cycles/{cycle}/research-export");
    let codebook = format!("/cycles/{cycle}/codebook");

    let r = get(&app, &researcher, &export).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        r.text().await.unwrap(),
        "participant,role,wave,statement,aim,score\nM01,mentor,pre,belonging,Belonging,4\nM01,mentor,pre,valued,Feeling valued,2\n",
        "consenting answers only, by code"
    );
    let r = get(&app, &researcher, &codebook).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let book = r.text().await.unwrap();
    for needle in [
        "`participant`",
        "`score`",
        "`belonging`",
        "5 = Strongly agree",
    ] {
        assert!(book.contains(needle), "{needle}: {book}");
    }
    assert_eq!(app.audited("research_export").await, 2, "both downloads");

    // The scheme's coordinators may; admins, mentors and other schemes' coordinators not,
    // and a refusal is not audited.
    let coordinator = token_for(
        &app,
        "co@tu.test",
        &[(Role::Coordinator, Scope::Scheme(scheme))],
    )
    .await;
    assert_eq!(get(&app, &coordinator, &export).await.status(), 200);
    let (other, _) = app.scheme_with_cycle("Other scheme", "{}").await;
    for (email, grants) in [
        ("ad@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        ("me@tu.test", vec![(Role::Mentor, Scope::Cycle(cycle))]),
        (
            "oc@tu.test",
            vec![(Role::Coordinator, Scope::Scheme(other))],
        ),
    ] {
        let t = token_for(&app, email, &grants).await;
        for path in [&export, &codebook] {
            let body = problem(get(&app, &t, path).await, 403).await;
            assert_eq!(body["type"], "urn:flipside:problem:forbidden", "{email}");
        }
    }
    assert_eq!(app.audited("research_export").await, 3);
    problem(get(&app, &researcher, "/cycles/9999/codebook").await, 404).await;
}
