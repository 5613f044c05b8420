//! Staff invitations, matching, and a cycle's pairs (SPEC §3.2 staff part, §3.3).
use crate::fixtures::{coordinator, mentee, mentor};
use crate::helpers::{TestApp, h1};
use flipside_core::cycle::CycleState;
use flipside_store::NewInvitation;

/// A scheme with a recruiting cycle: (scheme id, cycle id).
async fn cycle(app: &TestApp) -> (i64, i64) {
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    (scheme, cycle)
}

/// The token in the last invitation email to `address`.
async fn token_sent_to(app: &TestApp, address: &str) -> (String, String) {
    let emails = app.store.emails_to(address).await.unwrap();
    let last = emails.last().expect("an email was queued");
    let at = last.body_text.find("/invitations/").expect("a link") + "/invitations/".len();
    (
        last.body_text[at..at + 64].to_string(),
        last.dedup_key.clone(),
    )
}

/// The values of every hidden input called `name` after `marker` in the page.
fn hidden(body: &str, marker: &str, name: &str) -> Vec<String> {
    let rest = &body[body.find(marker).expect("marker on page")..];
    let rest = &rest[..rest.find("</form>").unwrap()];
    let needle = format!("name=\"{name}\" value=\"");
    rest.match_indices(&needle)
        .map(|(i, _)| {
            let v = &rest[i + needle.len()..];
            v[..v.find('"').unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_leader_invited_by_email_accepts_once_through_the_link_and_becomes_a_mentee() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;

    // A bad address is refused next to its field, and nothing is queued.
    let r = coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[("name", "Prof Rhea Okafor"), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"email-error\""));
    assert!(app.store.invitations_of(c).await.unwrap().is_empty());

    let r = coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[
                ("name", "Prof Rhea Okafor"),
                ("email", "R.Okafor@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let inv = app.store.invitations_of(c).await.unwrap().remove(0);
    let (token, key) = token_sent_to(&app, "r.okafor@tu.test").await;
    assert_eq!(key, format!("invitation:{}", inv.id));
    // Only the hash is stored.
    assert!(app.store.invitation_by_token(&token).await.is_ok());

    // The invitee is not signed in: the link is the credential.
    let guest = app.browser();
    let page = guest.get(&format!("/invitations/{token}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Prof Rhea Okafor, you are invited"));
    // Accepting without availability is refused and changes nothing.
    let r = guest
        .post(
            &format!("/invitations/{token}/accept"),
            &[("interests", "assessment")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"availability-error\""));
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "invited"
    );
    let r = guest
        .post(
            &format!("/invitations/{token}/accept"),
            &[
                ("interests", "Assessment, belonging"),
                ("availability", "tue-pm"),
                ("availability", "thu-am"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = guest.follow(&r).await;
    assert!(done.body.contains("Thank you for accepting"));

    let inv = app.store.invitation(inv.id).await.unwrap();
    assert_eq!(inv.status, "accepted");
    assert_eq!(inv.interests, "assessment, belonging");
    assert_eq!(inv.availability, "tue-pm thu-am");
    let user = app.store.user_by_email("r.okafor@tu.test").await.unwrap();
    assert_eq!(inv.user_id, Some(user.id));
    let grants = app.store.grants_of(user.id).await.unwrap();
    assert!(
        grants
            .iter()
            .any(|g| g.role == "mentee" && g.scope_kind == "cycle" && g.scope_id == c)
    );

    // Used once: the link is refused with a clear message.
    let again = guest.get(&format!("/invitations/{token}")).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("already been accepted"));
    let r = guest
        .post(
            &format!("/invitations/{token}/decline"),
            &[("reason", "changed my mind")],
        )
        .await;
    assert_eq!(r.status, 410);
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "accepted"
    );

    // The coordinator sees it accepted, with the answers.
    let list = coord.get(&format!("/cycles/{c}/invitations")).await;
    assert!(list.body.contains("Accepted"));
    assert!(list.body.contains("Tuesday afternoon, Thursday morning"));
}

#[tokio::test]
async fn declining_needs_a_reason_a_resent_link_replaces_the_old_one_and_expired_links_are_refused()
{
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[("name", "Dr Ivo Brandt"), ("email", "ivo@tu.test")],
        )
        .await;
    let inv = app.store.invitations_of(c).await.unwrap().remove(0);
    let (old, first_key) = token_sent_to(&app, "ivo@tu.test").await;

    let r = coord
        .post(&format!("/cycles/{c}/invitations/{}/resend", inv.id), &[])
        .await;
    assert_eq!(r.status, 303);
    let (new, second_key) = token_sent_to(&app, "ivo@tu.test").await;
    assert_ne!(old, new);
    assert_ne!(first_key, second_key);
    assert_eq!(app.store.emails_to("ivo@tu.test").await.unwrap().len(), 2);
    let guest = app.browser();
    assert_eq!(guest.get(&format!("/invitations/{old}")).await.status, 404);

    let r = guest
        .post(&format!("/invitations/{new}/decline"), &[("reason", "  ")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"reason-error\""));
    let r = guest
        .post(
            &format!("/invitations/{new}/decline"),
            &[("reason", "On leave this year")],
        )
        .await;
    assert_eq!(r.status, 303);
    let inv = app.store.invitation(inv.id).await.unwrap();
    assert_eq!(
        (inv.status.as_str(), inv.decline_reason.as_str()),
        ("declined", "On leave this year")
    );
    let list = coord.get(&format!("/cycles/{c}/invitations")).await;
    assert!(list.body.contains("On leave this year"));

    // An expired link is refused, and cannot be accepted.
    let (_, expired) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: c,
            email: "late@tu.test",
            name: "Late",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() - chrono::Duration::minutes(1),
        })
        .await
        .unwrap();
    let page = guest.get(&format!("/invitations/{expired}")).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("has expired"));
    let r = guest
        .post(
            &format!("/invitations/{expired}/accept"),
            &[("interests", "x"), ("availability", "tue-pm")],
        )
        .await;
    assert_eq!(r.status, 410);
    assert!(app.store.user_by_email("late@tu.test").await.is_err());
}

#[tokio::test]
async fn the_coordinator_previews_the_optimal_matching_swaps_a_pair_and_publishes_it() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let ada = mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    let ben = mentor(&app, c, "ben@tu.test", "music", "wed-pm").await;
    let kay = mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    let lou = mentee(&app, c, "lou@tu.test", "music", "wed-pm").await;

    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("shared interest in climate"));
    assert!(page.body.contains("both available Wednesday afternoons"));
    assert!(page.body.contains("(the optimum)"));

    // Swap: Kay gets Ben and Lou gets Ada, at a cost shown against the optimum.
    let swapped = coord
        .get(&format!(
            "/cycles/{c}/matching?swap_from=e{kay}&swap_with=e{lou}"
        ))
        .await;
    assert_eq!(swapped.status, 200);
    assert!(swapped.body.contains("your changes cost <strong>"));
    let marker = format!("action=\"/cycles/{c}/matching/publish\"");
    let edits = hidden(&swapped.body, &marker, "edit");
    let expect = hidden(&swapped.body, &marker, "expect");
    assert_eq!(edits, vec![format!("swap:e{kay}:e{lou}")]);
    assert!(expect.contains(&format!("m{ben}:e{kay}")));

    let mut fields: Vec<(&str, &str)> = edits.iter().map(|e| ("edit", e.as_str())).collect();
    fields.extend(expect.iter().map(|e| ("expect", e.as_str())));
    let r = coord
        .post(&format!("/cycles/{c}/matching/publish"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/cycles/{c}/pairs"));

    let pairs = app.store.pairs_of_cycle(c).await.unwrap();
    let made: Vec<(i64, i64)> = pairs.iter().map(|p| (p.mentor_id, p.mentee_id)).collect();
    assert_eq!(made.len(), 2);
    assert!(made.contains(&(ben, kay)) && made.contains(&(ada, lou)));
    for student in [ada, ben] {
        let grants = app.store.grants_of(student).await.unwrap();
        assert!(
            grants
                .iter()
                .any(|g| g.role == "mentor" && g.scope_kind == "cycle" && g.scope_id == c)
        );
    }
    for address in ["ada@tu.test", "ben@tu.test", "kay@tu.test", "lou@tu.test"] {
        let emails = app.store.emails_to(address).await.unwrap();
        assert!(
            emails
                .iter()
                .any(|e| e.subject.starts_with("Your reverse-mentoring partner")),
            "{address} was not emailed"
        );
    }
    let audited = app
        .store
        .audit_entries(Some("pairs_published"), 10)
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    // Publishing the same draft again publishes nothing more.
    let r = coord
        .post(&format!("/cycles/{c}/matching/publish"), &fields)
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.pairs_of_cycle(c).await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_matching_page_says_who_is_left_over_when_nobody_can_be_matched_and_which_rule_blocks_it()
 {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    assert!(page.body.contains("Nobody to match yet"), "{}", page.body);

    let ada = mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    let kay = mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    mentor(&app, c, "ben@tu.test", "music", "wed-pm").await;
    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    assert!(
        page.body
            .contains("so 1 mentor would be left without a mentee: ben"),
        "{}",
        page.body
    );

    // Ada and Kay must not be paired, and Ben is the only other mentor: fine. Forbid Ben too.
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/do-not-pair"),
            &[
                ("mentor", &format!("m{ada}")),
                ("mentee", &format!("e{kay}")),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let ben = app.store.user_by_email("ben@tu.test").await.unwrap().id;
    coord
        .post(
            &format!("/cycles/{c}/matching/do-not-pair"),
            &[
                ("mentor", &format!("m{ben}")),
                ("mentee", &format!("e{kay}")),
            ],
        )
        .await;
    let page = coord.get_ok(&format!("/cycles/{c}/matching")).await;
    assert!(page.body.contains("No matching is possible"));
    assert!(
        page.body
            .contains("marked by the coordinator as not to be paired"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("matching/publish"));

    // A weight that is not one of the named levels is refused next to its field and not
    // saved.
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/settings"),
            &[
                ("interests_weight", "5000"),
                ("availability_weight", "some"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"interests_weight-error\""));
    assert!(app.store.matching_settings(c).await.unwrap().is_none());
}

#[tokio::test]
async fn ending_a_pair_early_needs_a_reason_and_re_matching_the_one_left_changes_no_other_pair() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentor(&app, c, "ben@tu.test", "music", "wed-pm").await;
    let cal = mentor(&app, c, "cal@tu.test", "climate", "fri-am").await;
    let kay = mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "lou@tu.test", "music", "wed-pm").await;

    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    let marker = format!("action=\"/cycles/{c}/matching/publish\"");
    let expect = hidden(&page.body, &marker, "expect");
    let fields: Vec<(&str, &str)> = expect.iter().map(|e| ("expect", e.as_str())).collect();
    coord
        .post(&format!("/cycles/{c}/matching/publish"), &fields)
        .await;
    let before = app.store.pairs_of_cycle(c).await.unwrap();
    assert_eq!(before.len(), 2);
    let kays = before.iter().find(|p| p.mentee_id == kay).unwrap().clone();
    let other = before.iter().find(|p| p.mentee_id != kay).unwrap().clone();

    // No reason: refused next to the field, the pair stays active.
    let r = coord
        .post(
            &format!("/cycles/{c}/pairs/{}/end", kays.id),
            &[("reason", ""), ("leaving", "mentor")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"reason-{}-error\"", kays.id)));
    assert_eq!(app.store.pair(kays.id).await.unwrap().status, "active");
    let r = coord
        .post(
            &format!("/cycles/{c}/pairs/{}/end", kays.id),
            &[("reason", "Mentor moved abroad"), ("leaving", "mentor")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ended = app.store.pair(kays.id).await.unwrap();
    assert_eq!(
        (ended.status.as_str(), ended.ended_reason.as_str()),
        ("ended_early", "Mentor moved abroad")
    );

    // Kay is without a partner; the mentor who left is not offered.
    let list = coord.get(&format!("/cycles/{c}/pairs")).await;
    assert!(list.body.contains(&format!("/pairs/rematch/e{kay}")));
    let proposal = coord
        .get(&format!("/cycles/{c}/pairs/rematch/e{kay}"))
        .await;
    assert_eq!(proposal.status, 200, "{}", proposal.body);
    let expect = hidden(&proposal.body, "pairs/rematch/", "expect");
    assert_eq!(expect, vec![format!("m{cal}:e{kay}")]);
    let r = coord
        .post(
            &format!("/cycles/{c}/pairs/rematch/e{kay}"),
            &[("expect", &expect[0])],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

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
    let counts = app.store.pair_counts(c).await.unwrap();
    assert_eq!(
        (counts.matched, counts.active, counts.ended_early),
        (3, 2, 1)
    );
    // Kay hears about each partner once; the untouched pair's members are not emailed again.
    let partner_emails = |address: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .emails_to(address)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.subject.starts_with("Your reverse-mentoring partner"))
                .count()
        }
    };
    assert_eq!(partner_emails("kay@tu.test").await, 2);
    assert_eq!(partner_emails("lou@tu.test").await, 1);
    assert!(
        coord
            .get(&format!("/cycles/{c}"))
            .await
            .body
            .contains("3 pairs: 2 active, 1 ended early."),
        "each pair counted once"
    );
}

#[tokio::test]
async fn closing_the_cycle_completes_its_active_pairs_that_met() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    let marker = format!("action=\"/cycles/{c}/matching/publish\"");
    let expect = hidden(&page.body, &marker, "expect");
    coord
        .post(
            &format!("/cycles/{c}/matching/publish"),
            &[("expect", &expect[0])],
        )
        .await;
    // The pair met once (a pair that never met is not completed: see `cycle_steps`).
    let pair = app.store.pairs_of_cycle(c).await.unwrap().remove(0);
    let met = app
        .store
        .propose_meeting(
            pair.id,
            0,
            flipside_core::meetings::Slot {
                start: chrono::Utc::now() - chrono::Duration::days(7),
                minutes: 60,
            },
            pair.mentor_id,
        )
        .await
        .unwrap();
    app.store.respond_to_meeting(met, true).await.unwrap();
    app.store.mark_meeting_held(met, 60).await.unwrap();
    let mut state = CycleState::Recruiting;
    while let Some(next) = state.next() {
        let r = coord
            .post(
                &format!("/cycles/{c}/advance"),
                &[("from", state.as_str()), ("to", next.as_str())],
            )
            .await;
        assert_eq!(r.status, 303);
        state = next;
    }
    let counts = app.store.pair_counts(c).await.unwrap();
    assert_eq!((counts.active, counts.completed), (0, 1));
    assert_eq!(
        h1(&coord.get(&format!("/cycles/{c}/pairs")).await.body),
        "Pairs"
    );
}

#[tokio::test]
async fn the_demo_recruiting_cycle_has_invitations_in_every_state_and_no_pairs_yet() {
    let (store, dir) = crate::helpers::fresh_store().await;
    flipside_web::demo::ensure(&store).await.unwrap();
    let scheme = store
        .schemes()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Reverse Mentoring at Northmoor")
        .unwrap();
    let current = store.cycles_of(scheme.id).await.unwrap().remove(0);
    assert_eq!(current.state, "recruiting");
    let invitations = store.invitations_of(current.id).await.unwrap();
    let states: std::collections::BTreeSet<&str> =
        invitations.iter().map(|i| i.status().as_str()).collect();
    assert_eq!(
        states,
        ["accepted", "declined", "expired", "invited"].into()
    );
    assert!(
        invitations
            .iter()
            .filter(|i| i.status == "accepted")
            .all(|i| !i.interests.is_empty() && !i.availability.is_empty() && i.user_id.is_some())
    );
    // The accepted leaders and students can be matched; nothing is published by the demo.
    let problem = flipside_core::cycle_matching::problem(
        &store.accepted_mentors(current.id).await.unwrap(),
        &store.accepted_mentees(current.id).await.unwrap(),
        &Default::default(),
    );
    let m = flipside_core::matching::solve(&problem).unwrap();
    assert!(m.pairs.len() >= 5);
    assert!(store.pairs_of_cycle(current.id).await.unwrap().is_empty());
    // Seeding again adds nothing.
    flipside_web::demo::matching::seed(&store, current.id, 1)
        .await
        .unwrap();
    assert_eq!(
        store.invitations_of(current.id).await.unwrap().len(),
        invitations.len()
    );
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[tokio::test]
async fn names_typed_by_the_coordinator_are_shown_as_text_on_invitation_pages() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let r = coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[
                ("name", "<script>x</script> Okafor"),
                ("email", "o@tu.test"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let list = coord.get_ok(&format!("/cycles/{c}/invitations")).await;
    assert!(!list.body.contains("<script>x"));
    assert!(list.body.contains("&#60;script&#62;x"));
    let (token, _) = token_sent_to(&app, "o@tu.test").await;
    let page = app.browser().get_ok(&format!("/invitations/{token}")).await;
    assert!(!page.body.contains("<script>x"));
    assert!(page.body.contains("&#60;script&#62;x"));
}

/// The publish form's fields for the proposal the coordinator sees now.
async fn proposal_fields(coord: &crate::helpers::Browser, c: i64) -> Vec<(String, String)> {
    let page = coord.get(&format!("/cycles/{c}/matching")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = format!("action=\"/cycles/{c}/matching/publish\"");
    hidden(&page.body, &marker, "expect")
        .into_iter()
        .map(|e| ("expect".to_string(), e))
        .collect()
}

fn as_fields(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn publishing_the_same_proposal_twice_says_nothing_was_published_the_second_time() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    let fields = proposal_fields(&coord, c).await;
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/publish"),
            &as_fields(&fields),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/publish"),
            &as_fields(&fields),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/cycles/{c}/matching"));
    let page = coord.follow(&r).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Nothing was published"), "{}", page.body);
    assert_eq!(app.store.pairs_of_cycle(c).await.unwrap().len(), 1);
}

#[tokio::test]
async fn two_publishes_of_the_same_proposal_at_once_leave_one_set_of_pairs_and_one_email_each() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let one = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let two = app.as_role("coord2@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentor(&app, c, "ben@tu.test", "music", "wed-pm").await;
    mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "lou@tu.test", "music", "wed-pm").await;
    let fields = proposal_fields(&one, c).await;
    assert_eq!(fields, proposal_fields(&two, c).await);
    let path = format!("/cycles/{c}/matching/publish");
    let form = as_fields(&fields);
    let (a, b) = tokio::join!(one.post(&path, &form), two.post(&path, &form));
    // Both are answered (no 500); one published, the other was told nothing was.
    assert_eq!((a.status, b.status), (303, 303), "{} / {}", a.body, b.body);
    let mut places = [a.location().to_string(), b.location().to_string()];
    places.sort();
    assert_eq!(
        places,
        [
            format!("/cycles/{c}/matching"),
            format!("/cycles/{c}/pairs")
        ]
    );
    assert_eq!(app.store.pairs_of_cycle(c).await.unwrap().len(), 2);
    for address in ["ada@tu.test", "ben@tu.test", "kay@tu.test", "lou@tu.test"] {
        let emails = app.store.emails_to(address).await.unwrap();
        let pairing: Vec<_> = emails
            .iter()
            .filter(|e| e.subject.starts_with("Your reverse-mentoring partner"))
            .collect();
        assert_eq!(pairing.len(), 1, "{address}");
    }
    assert_eq!(app.audited("pairs_published").await, 1);
}

#[tokio::test]
async fn publishing_whose_emails_cannot_be_queued_stores_no_pair_role_or_audit_entry() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let ada = mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    let fields = proposal_fields(&coord, c).await;
    app.refuse_emails().await;
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/publish"),
            &as_fields(&fields),
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(app.store.pairs_of_cycle(c).await.unwrap().is_empty());
    assert!(
        !app.store
            .grants_of(ada)
            .await
            .unwrap()
            .iter()
            .any(|g| g.role == "mentor")
    );
    assert_eq!(app.audited("pairs_published").await, 0);
}

#[tokio::test]
async fn inviting_an_address_that_begins_with_an_accented_letter_twice_says_so_next_to_the_field() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let path = format!("/cycles/{c}/invitations");
    let invite = || {
        coord.post(
            &path,
            &[("name", "Éloise Martin"), ("email", "éloise@tu.test")],
        )
    };
    let r = invite().await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = invite().await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("Éloise@tu.test has already been invited to this cycle"),
        "{}",
        r.body
    );
    assert_eq!(app.store.invitations_of(c).await.unwrap().len(), 1);
    assert_eq!(
        app.store.emails_to("éloise@tu.test").await.unwrap().len(),
        1
    );
    // The server goes on serving.
    assert_eq!(
        coord.get(&format!("/cycles/{c}/invitations")).await.status,
        200
    );
}

#[tokio::test]
async fn a_resend_whose_email_cannot_be_queued_keeps_the_old_link_working() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let r = coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[("name", "Dr Ivo Brandt"), ("email", "ivo@tu.test")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let inv = app.store.invitations_of(c).await.unwrap().remove(0);
    let (old, _) = token_sent_to(&app, "ivo@tu.test").await;
    app.refuse_emails().await;
    let r = coord
        .post(&format!("/cycles/{c}/invitations/{}/resend", inv.id), &[])
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(app.store.emails_to("ivo@tu.test").await.unwrap().len(), 1);
    assert_eq!(app.store.invitation(inv.id).await.unwrap().sends, 1);
    let page = app.browser().get(&format!("/invitations/{old}")).await;
    assert_eq!(page.status, 200, "the old link still works: {}", page.body);
}

#[tokio::test]
async fn an_invitation_that_cannot_be_read_is_an_error_not_an_unknown_link() {
    let app = TestApp::spawn().await;
    let (_, c) = cycle(&app).await;
    let (_, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: c,
            email: "ivo@tu.test",
            name: "Ivo",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let guest = app.browser();
    assert_eq!(
        guest.get(&format!("/invitations/{token}")).await.status,
        200
    );
    // The database cannot answer (the table is gone): that is our failure, not a bad link.
    app.store
        .execute_admin("ALTER TABLE staff_invitations RENAME TO staff_invitations_away")
        .await
        .unwrap();
    let page = guest.get(&format!("/invitations/{token}")).await;
    assert_eq!(page.status, 500, "{}", page.body);
}

#[tokio::test]
async fn ending_a_pair_early_whose_leavers_cannot_be_recorded_leaves_the_pair_active_and_unaudited()
{
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;
    let fields = proposal_fields(&coord, c).await;
    let r = coord
        .post(
            &format!("/cycles/{c}/matching/publish"),
            &as_fields(&fields),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let pair = app.store.pairs_of_cycle(c).await.unwrap().remove(0);
    app.refuse_inserts_into("cycle_leavers").await;
    let r = coord
        .post(
            &format!("/cycles/{c}/pairs/{}/end", pair.id),
            &[("reason", "Mentor moved abroad"), ("leaving", "mentor")],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(app.store.pair(pair.id).await.unwrap().status, "active");
    assert_eq!(app.audited("pair_ended_early").await, 0);
    assert!(app.store.leavers_of(c).await.unwrap().is_empty());
}

#[tokio::test]
async fn each_change_to_the_matching_rules_is_audited_and_a_refused_one_is_not() {
    let app = TestApp::spawn().await;
    let (scheme, c) = cycle(&app).await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let coord_id = app.user_id("coord@tu.test").await;
    let ada = mentor(&app, c, "ada@tu.test", "climate", "mon-am").await;
    let kay = mentee(&app, c, "kay@tu.test", "climate", "mon-am").await;

    let settings = format!("/cycles/{c}/matching/settings");
    let r = coord.post(&settings, &[("interests_weight", "5000")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(app.audited("matching_settings_saved").await, 0);
    let r = coord
        .post(
            &settings,
            &[
                ("interests_weight", "a_lot"),
                ("availability_weight", "off"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut seen = 0;
    let e = app
        .audited_once(
            &mut seen,
            "matching_settings_saved",
            coord_id,
            "matching_settings_saved",
            ("cycle", c),
        )
        .await;
    assert!(e.detail.contains("interests 4"), "{e:?}");

    let rules = format!("/cycles/{c}/matching/do-not-pair");
    let pair = [("mentor", format!("m{ada}")), ("mentee", format!("e{kay}"))];
    let pair: Vec<(&str, &str)> = pair.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = coord
        .post(
            &rules,
            &[("mentor", "m999999"), ("mentee", &format!("e{kay}"))],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(app.audited("do_not_pair_added").await, 0);
    assert_eq!(coord.post(&rules, &pair).await.status, 303);
    let mut seen = 0;
    app.audited_once(
        &mut seen,
        "do_not_pair_",
        coord_id,
        "do_not_pair_added",
        ("cycle", c),
    )
    .await;
    // The same rule again changes nothing and records nothing.
    assert_eq!(coord.post(&rules, &pair).await.status, 303);
    assert_eq!(app.audit_trail("do_not_pair_").await.len(), seen);
    let remove = [
        ("mentor_id", ada.to_string()),
        ("mentee_id", kay.to_string()),
    ];
    let remove: Vec<(&str, &str)> = remove.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        coord.post(&format!("{rules}/remove"), &remove).await.status,
        303
    );
    app.audited_once(
        &mut seen,
        "do_not_pair_",
        coord_id,
        "do_not_pair_removed",
        ("cycle", c),
    )
    .await;
    assert!(app.store.do_not_pair_of(c).await.unwrap().is_empty());

    // A rule whose audit entry cannot be written is not made.
    app.refuse_inserts_into("audit_log").await;
    assert_eq!(coord.post(&rules, &pair).await.status, 500);
    app.allow_inserts_into("audit_log").await;
    assert!(app.store.do_not_pair_of(c).await.unwrap().is_empty());
}
