//! Re-matching over the API (SPEC §3.3): someone left without a partner is offered the best
//! allowed partner among those free, and publishing it changes no other pair; as on the pairs
//! page, through the same operations.
use crate::api::{get, post, problem, token_for};
use crate::fixtures::{coordinator, mentee, mentor};
use crate::helpers::TestApp;
use flipside_core::role::{Role, Scope};
use serde_json::{Value, json};

#[tokio::test]
async fn a_coordinator_re_matches_the_one_left_without_a_partner_and_no_other_pair_changes() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let (other_scheme, _) = app.scheme_with_cycle("Other scheme", "{}").await;
    let co = token_for(&app, "coord@tu.test", &coordinator(scheme)).await;
    let other_co = token_for(
        &app,
        "other.coord@tu.test",
        &[(Role::Coordinator, Scope::Scheme(other_scheme))],
    )
    .await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentor(&app, c, "ben@tu.test", "music", "wed-pm").await;
    let cal = mentor(&app, c, "cal@tu.test", "climate", "fri-am").await;
    let kay = mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "lou@tu.test", "music", "wed-pm").await;

    // The first matching, published; then Kay's pair ends early and her mentor leaves.
    let proposal: Value = get(&app, &co, &format!("/cycles/{c}/matching"))
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<Value> = proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].clone())
        .collect();
    let r = post(
        &app,
        &co,
        &format!("/cycles/{c}/matching/publish"),
        json!({ "expect": codes }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let before = app.store.pairs_of_cycle(c).await.unwrap();
    assert_eq!(before.len(), 2);
    let kays = before.iter().find(|p| p.mentee_id == kay).unwrap().clone();
    let other = before.iter().find(|p| p.mentee_id != kay).unwrap().clone();
    let r = post(
        &app,
        &co,
        &format!("/cycles/{c}/pairs/{}/end", kays.id),
        json!({"reason": "Mentor moved abroad", "leaving": "mentor"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The proposal: Cal, the free mentor, for Kay.
    let at = format!("/cycles/{c}/pairs/rematch/e{kay}");
    let r = get(&app, &co, &at).await;
    assert_eq!(r.status(), 200);
    let proposal: Value = r.json().await.unwrap();
    assert_eq!(proposal["person"], format!("e{kay}"));
    let code = format!("m{cal}:e{kay}");
    assert_eq!(proposal["pair"]["code"], code, "{proposal}");
    assert_eq!(proposal["pair"]["mentor_id"], cal);
    assert!(
        !proposal["pair"]["reason"].as_str().unwrap().is_empty(),
        "explained in words"
    );

    // Another scheme's coordinator may neither read nor apply it; someone with a partner has
    // no re-match.
    problem(get(&app, &other_co, &at).await, 403).await;
    let r = post(&app, &other_co, &at, json!({ "expect": code })).await;
    problem(r, 403).await;
    let r = get(
        &app,
        &co,
        &format!("/cycles/{c}/pairs/rematch/e{}", other.mentee_id),
    )
    .await;
    problem(r, 404).await;

    // An empty or stale expectation publishes nothing.
    let r = post(&app, &co, &at, json!({"expect": " "})).await;
    assert_eq!(problem(r, 422).await["field"], "expect");
    let r = post(
        &app,
        &co,
        &at,
        json!({"expect": format!("m{}:e{kay}", other.mentor_id)}),
    )
    .await;
    problem(r, 409).await;
    assert_eq!(app.store.pairs_of_cycle(c).await.unwrap().len(), 2);
    assert_eq!(app.audited("pairs_published").await, 1);

    let r = post(&app, &co, &at, json!({ "expect": code })).await;
    assert_eq!(r.status(), 200);
    let made: Value = r.json().await.unwrap();
    assert_eq!(made["mentee_id"], kay);
    let after = app.store.pairs_of_cycle(c).await.unwrap();
    assert_eq!(after.len(), 3);
    let untouched = after.iter().find(|p| p.id == other.id).unwrap();
    assert_eq!(
        (
            untouched.mentor_id,
            untouched.mentee_id,
            untouched.status.as_str(),
            untouched.published_at
        ),
        (
            other.mentor_id,
            other.mentee_id,
            "active",
            other.published_at
        )
    );
    assert!(
        after
            .iter()
            .any(|p| p.mentor_id == cal && p.mentee_id == kay && p.status == "active")
    );
    assert_eq!(app.audited("pairs_published").await, 2);
    // Kay has a partner now: nothing more to re-match.
    problem(get(&app, &co, &at).await, 404).await;
}
