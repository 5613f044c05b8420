//! A coordinator edits a scheme's name and purpose, archives it once it has finished (after a
//! confirmation page) and brings it back; only the scheme's coordinators may, and each change
//! is audited in its own transaction.
use crate::helpers::{TestApp, h1};
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::role::{Role, Scope};
use flipside_store::NewScheme;

async fn scheme(app: &TestApp, name: &str) -> i64 {
    app.store
        .create_scheme(NewScheme {
            name,
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "Leaders learn from students.",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap()
}

/// A cycle of the scheme, moved on through the store to `to` (a test's set-up).
async fn cycle_in(app: &TestApp, scheme: i64, year: &str, to: CycleState) -> i64 {
    let id = app
        .store
        .create_cycle(
            scheme,
            AcademicYear::parse(year).unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    let mut state = app.store.cycle(id).await.unwrap().state.get();
    while state != to {
        let next = state.next().unwrap();
        app.transition_cycle(id, state, next, None).await.unwrap();
        state = next;
    }
    id
}

#[tokio::test]
async fn a_coordinator_renames_a_scheme_from_its_page_and_the_change_is_audited() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "Reverse Mentoring").await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let page = b.get_ok(&format!("/schemes/{s}")).await;
    assert!(page.body.contains(&format!("href=\"/schemes/{s}/edit\"")));
    let form = b.get_ok(&format!("/schemes/{s}/edit")).await;
    assert!(
        form.body.contains("value=\"Reverse Mentoring\""),
        "the name is filled in"
    );
    assert!(form.body.contains("Leaders learn from students."));
    let r = b
        .post(
            &format!("/schemes/{s}/edit"),
            &[
                ("name", "Listening to Students"),
                (
                    "purpose",
                    "Senior leaders learn what studying here is like.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.follow(&r).await;
    assert_eq!(h1(&page.body), "Listening to Students");
    assert!(
        page.body
            .contains("Senior leaders learn what studying here is like.")
    );
    let stored = app.store.scheme(s).await.unwrap();
    assert_eq!(stored.name, "Listening to Students");
    let entries = app
        .store
        .audit_entries(Some("scheme_edited"), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].subject_id, Some(s));
    assert!(
        entries[0]
            .detail
            .contains("'Reverse Mentoring' → 'Listening to Students'"),
        "{}",
        entries[0].detail
    );
}

#[tokio::test]
async fn a_bad_or_taken_name_is_refused_next_to_its_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "Reverse Mentoring").await;
    scheme(&app, "Law Pilot").await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let r = b
        .post(
            &format!("/schemes/{s}/edit"),
            &[("name", "   "), ("purpose", "Keep this new purpose")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"name-error\""), "{}", r.body);
    assert!(r.body.contains("Name is required."));
    assert!(
        r.body.contains("Keep this new purpose"),
        "the input is kept"
    );
    let r = b
        .post(
            &format!("/schemes/{s}/edit"),
            &[("name", "Law Pilot"), ("purpose", "p")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("A scheme called &#39;Law Pilot&#39; already exists")
            || r.body
                .contains("A scheme called &#x27;Law Pilot&#x27; already exists"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"name-error\""));
    let stored = app.store.scheme(s).await.unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.purpose.as_str()),
        ("Reverse Mentoring", "Leaders learn from students.")
    );
    assert_eq!(app.audited("scheme_edited").await, 0);
}

#[tokio::test]
async fn only_the_schemes_coordinators_may_edit_archive_or_restore_it() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "Reverse Mentoring").await;
    let other = scheme(&app, "Law Pilot").await;
    let c = cycle_in(&app, s, "2025/26", CycleState::Closed).await;
    let outsiders = [
        app.as_role(
            "other@tu.test",
            &[(Role::Coordinator, Scope::Scheme(other))],
        )
        .await,
        app.as_role("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
            .await,
        app.as_role("mentor@tu.test", &[(Role::Mentor, Scope::Cycle(c))])
            .await,
    ];
    for b in &outsiders {
        for path in ["edit", "archive"] {
            assert_eq!(b.get(&format!("/schemes/{s}/{path}")).await.status, 403);
        }
        let edit = [("name", "Taken over"), ("purpose", "p")];
        assert_eq!(
            b.post(&format!("/schemes/{s}/edit"), &edit).await.status,
            403
        );
        assert_eq!(
            b.post(&format!("/schemes/{s}/archive"), &[]).await.status,
            403
        );
        let page = b.get(&format!("/schemes/{s}")).await;
        assert!(
            !page.body.contains("/edit\""),
            "no link that leads to a refusal"
        );
    }
    let stored = app.store.scheme(s).await.unwrap();
    assert_eq!(stored.name, "Reverse Mentoring");
    assert!(stored.archived_at.is_none());
    // Archived by its coordinator, it cannot be restored by anyone else.
    let coordinator = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    assert_eq!(
        coordinator
            .post(&format!("/schemes/{s}/archive"), &[])
            .await
            .status,
        303
    );
    for b in &outsiders {
        assert_eq!(
            b.post(&format!("/schemes/{s}/restore"), &[]).await.status,
            403
        );
    }
    assert!(app.store.scheme(s).await.unwrap().archived_at.is_some());
    assert_eq!(app.audited("scheme_restored").await, 0);
}

#[tokio::test]
async fn a_finished_scheme_is_archived_after_a_confirmation_and_stays_readable() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "Reverse Mentoring").await;
    let c = cycle_in(&app, s, "2025/26", CycleState::Closed).await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    assert!(b.get_ok("/").await.body.contains("Reverse Mentoring"));

    // The scheme's page leads to a confirmation page that says what archiving does.
    let page = b.get_ok(&format!("/schemes/{s}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/schemes/{s}/archive\""))
    );
    let confirm = b.get_ok(&format!("/schemes/{s}/archive")).await;
    assert_eq!(h1(&confirm.body), "Archive Reverse Mentoring?");
    assert!(confirm.body.contains("What this will do"));
    assert!(confirm.body.contains("No one is emailed."));
    assert!(
        confirm
            .body
            .contains(&format!("action=\"/schemes/{s}/archive\""))
    );
    assert!(
        app.store.scheme(s).await.unwrap().archived_at.is_none(),
        "asking changes nothing"
    );

    let r = b.post(&format!("/schemes/{s}/archive"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(
        b.follow(&r)
            .await
            .body
            .contains("This scheme was archived on")
    );
    assert_eq!(app.audited("scheme_archived").await, 1);

    // Out of the lists and the home page, still readable with its cycle.
    let list = b.get_ok("/schemes").await;
    assert!(!list.body.contains("Reverse Mentoring"), "{}", list.body);
    assert!(list.body.contains("Archived schemes (1)"));
    assert!(
        b.get_ok("/schemes/archived")
            .await
            .body
            .contains("Reverse Mentoring")
    );
    assert!(!b.get_ok("/").await.body.contains("Reverse Mentoring"));
    assert!(
        b.get_ok(&format!("/cycles/{c}"))
            .await
            .body
            .contains("2025/26 cycle")
    );

    // An archived scheme starts no cycle.
    let r = b
        .post(
            &format!("/schemes/{s}/cycles"),
            &[
                ("academic_year", "2026/27"),
                ("hours_target", "20"),
                ("copy_from", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(app.store.cycles_of(s).await.unwrap().len(), 1);

    // Brought back, it is listed again.
    let r = b.post(&format!("/schemes/{s}/restore"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(
        b.get_ok("/schemes")
            .await
            .body
            .contains("Reverse Mentoring")
    );
    assert!(app.store.scheme(s).await.unwrap().archived_at.is_none());
    assert_eq!(app.audited("scheme_restored").await, 1);
}

#[tokio::test]
async fn a_scheme_with_a_cycle_under_way_is_not_archived() {
    let app = TestApp::spawn().await;
    let s = scheme(&app, "Reverse Mentoring").await;
    cycle_in(&app, s, "2025/26", CycleState::Closed).await;
    let running = cycle_in(&app, s, "2026/27", CycleState::Running).await;
    let b = app
        .as_role("priya@tu.test", &[(Role::Coordinator, Scope::Scheme(s))])
        .await;
    let confirm = b.get_ok(&format!("/schemes/{s}/archive")).await;
    assert!(
        confirm.body.contains("The 2026/27 cycle is running"),
        "{}",
        confirm.body
    );
    assert!(
        !confirm.body.contains("Archive the scheme</button>"),
        "no button"
    );
    // A page posted anyway (an old tab) is refused with the reason.
    let r = b.post(&format!("/schemes/{s}/archive"), &[]).await;
    assert!(b.follow(&r).await.body.contains("close that cycle first"));
    assert!(app.store.scheme(s).await.unwrap().archived_at.is_none());
    assert_eq!(app.audited("scheme_archived").await, 0);
    // Once it is closed, the scheme can be archived.
    let mut state = CycleState::Running;
    while let Some(next) = state.next() {
        app.transition_cycle(running, state, next, None)
            .await
            .unwrap();
        state = next;
    }
    assert_eq!(
        b.post(&format!("/schemes/{s}/archive"), &[]).await.status,
        303
    );
    assert!(app.store.scheme(s).await.unwrap().archived_at.is_some());
}
