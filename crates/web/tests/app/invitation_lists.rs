//! Cancelling a staff invitation (its link stops working, with a clear page) and inviting a
//! pasted list of leaders at once: every line checked with its number, a confirmation page that
//! says whom it emails, then everyone invited and emailed in one transaction, or nobody.
use crate::helpers::{TestApp, h1};
use flipside_core::role::{Role, Scope};

const LIST: &str = "Professor Helen Marsh, H.Marsh@tu.test\n\nDr Graham Holt, graham.holt@tu.test\nKeele, Ann\tann.keele@tu.test\n";
const ADDRESSES: [&str; 3] = [
    "h.marsh@tu.test",
    "graham.holt@tu.test",
    "ann.keele@tu.test",
];

fn coordinator(scheme: i64) -> [(Role, Scope); 1] {
    [(Role::Coordinator, Scope::Scheme(scheme))]
}

/// The value of the hidden input `name` on a page, as the browser would post it back.
fn hidden_value(body: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = body.find(&needle).expect("the hidden field") + needle.len();
    let raw = &body[at..at + body[at..].find('"').unwrap()];
    raw.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn emails_to_all(app: &TestApp) -> Vec<usize> {
    let mut n = Vec::new();
    for a in ADDRESSES {
        n.push(app.store.emails_to(a).await.unwrap().len());
    }
    n
}

#[tokio::test]
async fn a_coordinator_invites_a_pasted_list_after_a_page_that_says_whom_it_emails() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let page = b.get_ok(&format!("/cycles/{c}/invitations")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/cycles/{c}/invitations/list\""))
    );

    // Checking the list writes nothing: it shows whom the invitations will email.
    let r = b
        .post(
            &format!("/cycles/{c}/invitations/list"),
            &[("people", LIST)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(h1(&r.body), "Invite 3 staff leaders?");
    assert!(r.body.contains("This emails 3 people"), "{}", r.body);
    assert!(r.body.contains("Keele, Ann (ann.keele@tu.test)"));
    assert!(r.body.contains("Send 3 invitations"));
    assert!(app.store.invitations_of(c).await.unwrap().is_empty());
    assert_eq!(emails_to_all(&app).await, [0, 0, 0]);

    // The confirmation page's button sends them: three invitations, one email each.
    let people = hidden_value(&r.body, "people");
    assert_eq!(
        people.replace("\r\n", "\n"),
        LIST,
        "the list travels unchanged"
    );
    let confirmed = [("people", people.as_str()), ("confirmed", "yes")];
    let r = b
        .post(&format!("/cycles/{c}/invitations/list"), &confirmed)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(b.follow(&r).await.body.contains("3 invitations sent."));
    let invitations = app.store.invitations_of(c).await.unwrap();
    let names: Vec<&str> = invitations.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["Professor Helen Marsh", "Dr Graham Holt", "Keele, Ann"]
    );
    assert_eq!(emails_to_all(&app).await, [1, 1, 1]);
    for inv in &invitations {
        let emails = app.store.emails_to(&inv.email).await.unwrap();
        assert_eq!(emails[0].dedup_key, format!("invitation:{}", inv.id));
        assert!(emails[0].body_text.contains("/invitations/"));
    }
    assert_eq!(app.audited("invitations_sent_from_list").await, 1);

    // The same confirmation posted again (a second click): refused by line, nothing sent twice.
    let r = b
        .post(&format!("/cycles/{c}/invitations/list"), &confirmed)
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Line 1: h.marsh@tu.test has already been invited to this cycle."),
        "{}",
        r.body
    );
    assert_eq!(app.store.invitations_of(c).await.unwrap().len(), 3);
    assert_eq!(emails_to_all(&app).await, [1, 1, 1]);
    assert_eq!(app.audited("invitations_sent_from_list").await, 1);
}

#[tokio::test]
async fn a_list_with_a_wrong_line_names_each_line_and_invites_nobody() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let list = "Professor Helen Marsh, h.marsh@tu.test\nDr Graham Holt, graham.holt-at-tu.test\nAnn Keele ann.keele@tu.test\nHelen again, H.MARSH@tu.test\n";
    // Even a forged confirmation is checked again.
    for confirmed in ["", "yes"] {
        let r = b
            .post(
                &format!("/cycles/{c}/invitations/list"),
                &[("people", list), ("confirmed", confirmed)],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.starts_with("<!DOCTYPE html>") || r.body.contains("<html"));
        assert!(r.body.contains("id=\"people-error\""), "{}", r.body);
        assert!(r.body.contains("Nobody was invited"));
        assert!(
            r.body
                .contains("Line 2: &#39;graham.holt-at-tu.test&#39; is not an email address")
                || r.body
                    .contains("Line 2: &#x27;graham.holt-at-tu.test&#x27; is not an email address"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("Line 3: write the name, a comma, then the email address")
        );
        assert!(
            r.body
                .contains("Line 4: h.marsh@tu.test is already on line 1.")
        );
        assert!(!r.body.contains("Line 1:"), "a good line is not blamed");
        assert!(
            r.body.contains("Ann Keele ann.keele@tu.test"),
            "the list is kept to correct"
        );
    }
    assert!(app.store.invitations_of(c).await.unwrap().is_empty());
    assert!(app.store.recent_emails(10).await.unwrap().is_empty());
    assert_eq!(app.audited("invitations_sent_from_list").await, 0);
    // An empty list names the field too.
    let r = b
        .post(
            &format!("/cycles/{c}/invitations/list"),
            &[("people", " \n ")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Paste at least one line"));
}

#[tokio::test]
async fn a_list_whose_emails_cannot_be_queued_invites_nobody() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    app.refuse_emails().await;
    let r = b
        .post(
            &format!("/cycles/{c}/invitations/list"),
            &[("people", LIST), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(r.status, 500);
    assert!(
        app.store.invitations_of(c).await.unwrap().is_empty(),
        "the invitations roll back with their emails"
    );
    assert_eq!(app.audited("invitations_sent_from_list").await, 0);
}

#[tokio::test]
async fn a_cancelled_invitations_link_stops_working_with_a_clear_page() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let b = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    let r = b
        .post(
            &format!("/cycles/{c}/invitations"),
            &[
                ("name", "Prof Rhea Okafor"),
                ("email", "r.okafor@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let inv = app.store.invitations_of(c).await.unwrap().remove(0);
    let body = &app.store.emails_to("r.okafor@tu.test").await.unwrap()[0].body_text;
    let at = body.find("/invitations/").unwrap() + "/invitations/".len();
    let token = body[at..at + 64].to_string();

    // From the list, a link to a page that says what cancelling does; asking changes nothing.
    let list = b.get_ok(&format!("/cycles/{c}/invitations")).await;
    let cancel = format!("/cycles/{c}/invitations/{}/cancel", inv.id);
    assert!(list.body.contains(&format!("href=\"{cancel}\"")));
    let confirm = b.get_ok(&cancel).await;
    assert_eq!(
        h1(&confirm.body),
        "Cancel the invitation to Prof Rhea Okafor?"
    );
    assert!(
        confirm
            .body
            .contains("The link sent to r.okafor@tu.test stops working at once")
    );
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "invited"
    );

    let r = b.post(&cancel, &[]).await;
    assert_eq!(r.status, 303);
    let page = b.follow(&r).await;
    assert!(
        page.body
            .contains("The invitation to Prof Rhea Okafor is cancelled")
    );
    assert!(page.body.contains("Cancelled by a coordinator"));
    assert!(
        !page.body.contains(&format!("href=\"{cancel}\"")),
        "no second cancel link"
    );
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "cancelled"
    );
    let entries = app
        .store
        .audit_entries(Some("invitation_cancelled"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].subject_id, Some(inv.id));

    // The link now says what happened, and answers nothing.
    let guest = app.browser();
    let page = guest.get(&format!("/invitations/{token}")).await;
    assert_eq!(page.status, 410);
    assert!(
        page.body
            .contains("cancelled by the scheme&#39;s coordinator")
            || page
                .body
                .contains("cancelled by the scheme&#x27;s coordinator"),
        "{}",
        page.body
    );
    let r = guest
        .post(
            &format!("/invitations/{token}/accept"),
            &[("interests", "assessment"), ("availability", "tue-pm")],
        )
        .await;
    assert_eq!(r.status, 410);
    assert!(app.store.user_by_email("r.okafor@tu.test").await.is_err());
    let r = guest
        .post(
            &format!("/invitations/{token}/decline"),
            &[("reason", "busy")],
        )
        .await;
    assert_eq!(r.status, 410);
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "cancelled"
    );

    // Cancelled once: a second cancel or a resend is refused, and nothing more is emailed.
    let r = b.post(&cancel, &[]).await;
    assert!(b.follow(&r).await.body.contains("Not cancelled"));
    b.post(&format!("/cycles/{c}/invitations/{}/resend", inv.id), &[])
        .await;
    assert_eq!(
        app.store.emails_to("r.okafor@tu.test").await.unwrap().len(),
        1
    );
    assert_eq!(app.audited("invitation_cancelled").await, 1);
}

#[tokio::test]
async fn only_the_schemes_coordinators_cancel_invitations_or_invite_a_list() {
    let app = TestApp::spawn().await;
    let (scheme, c) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let (other, _) = app.scheme_with_cycle("Law Pilot", "{}").await;
    let coord = app.as_role("coord@tu.test", &coordinator(scheme)).await;
    coord
        .post(
            &format!("/cycles/{c}/invitations"),
            &[
                ("name", "Prof Rhea Okafor"),
                ("email", "r.okafor@tu.test"),
                ("school_id", ""),
            ],
        )
        .await;
    let inv = app.store.invitations_of(c).await.unwrap().remove(0);
    let cancel = format!("/cycles/{c}/invitations/{}/cancel", inv.id);
    for b in [
        app.as_role("other@tu.test", &coordinator(other)).await,
        app.as_role("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
            .await,
        app.as_role("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(c))])
            .await,
    ] {
        assert_eq!(b.get(&cancel).await.status, 403);
        assert_eq!(b.post(&cancel, &[]).await.status, 403);
        let r = b
            .post(
                &format!("/cycles/{c}/invitations/list"),
                &[("people", LIST), ("confirmed", "yes")],
            )
            .await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(
        app.store.invitation(inv.id).await.unwrap().status,
        "invited"
    );
    assert_eq!(app.store.invitations_of(c).await.unwrap().len(), 1);
    assert_eq!(emails_to_all(&app).await, [0, 0, 0]);
    assert_eq!(app.audited("invitation_cancelled").await, 0);
}
