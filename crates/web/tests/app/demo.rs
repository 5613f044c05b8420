use crate::helpers::fresh_store;
use flipside_core::role::Role;

#[tokio::test]
async fn the_demo_organisation_has_people_in_every_role_and_is_created_once() {
    let (store, dir) = fresh_store().await;
    let text = flipside_web::demo::ensure(&store).await.unwrap();
    assert!(text.contains("coordinator@demo.flipside.test"));
    assert!(text.contains("flipside-demo"));
    let users = store.users().await.unwrap().len();
    let schemes = store.schemes().await.unwrap();
    assert!(
        schemes.iter().any(|s| s.kind == "institutional")
            && schemes
                .iter()
                .any(|s| s.kind == "school" && s.school_id.is_some())
    );
    let roles: std::collections::BTreeSet<Role> = store
        .all_grants()
        .await
        .unwrap()
        .iter()
        .filter_map(|g| g.grant())
        .map(|g| g.role)
        .collect();
    assert_eq!(
        roles.len(),
        Role::ALL.len(),
        "every role is held by someone: {roles:?}"
    );
    assert!(
        store.faculties().await.unwrap().len() >= 3 && store.schools().await.unwrap().len() >= 8
    );
    let coordinator = store
        .user_by_email("coordinator@demo.flipside.test")
        .await
        .unwrap();
    assert!(flipside_web::auth::password::verify(
        "flipside-demo",
        coordinator.password_hash.as_deref().unwrap()
    ));

    // Population figures to compare the applicant pool with.
    let org = store.organisation().await.unwrap().unwrap();
    assert!(org.population_total.is_some());
    let known = store
        .identity_labels()
        .await
        .unwrap()
        .iter()
        .filter(|l| l.population.is_some())
        .count();
    assert_eq!(known, 4);

    // Personal tutoring: a whole institution, this year allocated and published, with contacts.
    let tutoring = store.tutoring_by_school().await.unwrap();
    assert_eq!(tutoring.iter().map(|s| s.students).sum::<i64>(), 38_000);
    assert_eq!(tutoring.iter().map(|s| s.tutors).sum::<i64>(), 2_500);
    let year = flipside_core::cycle::AcademicYear::containing(chrono::Utc::now().date_naive());
    let run = store
        .allocation_run(year.start_year())
        .await
        .unwrap()
        .unwrap();
    assert!(run.published_at.is_some());
    let assigned: i64 = store
        .tutor_loads(year.start_year())
        .await
        .unwrap()
        .iter()
        .map(|l| l.assigned)
        .sum();
    assert!(assigned > 37_000, "{assigned} of 38,000 placed");
    // The demo tutor and student are tutor and tutee of each other.
    let me = store
        .tutoring_self(
            store
                .user_by_email("tutor@demo.flipside.test")
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    let student = store
        .tutoring_self(
            store
                .user_by_email("student@demo.flipside.test")
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .tutor_of(student.student_id.unwrap(), year.start_year())
            .await
            .unwrap(),
        me.tutor_id
    );
    let contacts = store.count_contacts(None).await.unwrap();
    // Contacts start in September (none are dated in the future).
    if chrono::Utc::now().date_naive()
        > flipside_core::tutoring::year_start(year) + chrono::Days::new(60)
    {
        assert!(contacts > 10_000, "{contacts} contacts");
    }
    // The generated Schools are the demo's own: the import matched them, adding none.
    assert_eq!(store.schools().await.unwrap().len(), 10);

    // Co-creation: sprints in two faculties, one proposal decided with its action; the demo
    // student is a tutoring student with a tutor, a profile and a pending change request.
    let sprints = store.sprints().await.unwrap();
    assert_eq!(sprints.len(), 2);
    let mut decided = 0;
    for s in &sprints {
        for i in store.sprint_items(s.id).await.unwrap() {
            decided += usize::from(i.action_status.is_some());
        }
    }
    assert_eq!(decided, 1);
    let me = store
        .tutoring_student_by_email("STUDENT@demo.flipside.test")
        .await
        .unwrap()
        .expect("the demo student is a tutoring student");
    let requests = store.change_requests_of(me.id).await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, "pending");
    assert!(store.tutoring_profile(me.id).await.unwrap().goals_shared);

    // A second start on the same data reuses it.
    flipside_web::demo::ensure(&store).await.unwrap();
    flipside_web::demo::cocreation::seed(&store).await.unwrap();
    assert_eq!(store.sprints().await.unwrap().len(), 2);
    assert_eq!(store.change_requests_of(me.id).await.unwrap().len(), 1);
    assert_eq!(store.users().await.unwrap().len(), users);
    assert_eq!(store.schemes().await.unwrap().len(), schemes.len());
    assert_eq!(store.count_contacts(None).await.unwrap(), contacts);
    if let Some(d) = dir {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Signs in as a demo account and returns its home page's HTML.
async fn demo_home(app: &crate::helpers::TestApp, local: &str) -> String {
    let b = app.browser();
    let email = format!("{local}@demo.flipside.test");
    b.post(
        "/sign-in",
        &[("email", email.as_str()), ("password", "flipside-demo")],
    )
    .await;
    b.get_ok("/").await.body
}

#[tokio::test]
async fn every_printed_demo_account_has_something_to_do() {
    let app = crate::helpers::TestApp::spawn_demo().await;
    // The headline mentor and mentee are a pair under way in the Law pilot, which is running
    // (a cycle still recruiting has no pairs).
    let mentor = demo_home(&app, "mentor").await;
    assert!(
        mentor.contains("Your pair with Professor Helen Marsh"),
        "{mentor}"
    );
    assert!(!mentor.contains("You are not in a pair yet"), "{mentor}");
    let mentee = demo_home(&app, "mentee").await;
    assert!(mentee.contains("Your pair with Amara Nwosu"), "{mentee}");
    let holt = demo_home(&app, "mentee2").await;
    assert!(holt.contains("Your pair with Tomasz Wiśniewski"), "{holt}");
    for scheme in app.store.schemes().await.unwrap() {
        for cycle in app.store.cycles_of(scheme.id).await.unwrap() {
            let pairs = app.store.pairs_of_cycle(cycle.id).await.unwrap();
            assert!(
                pairs.is_empty() || !matches!(cycle.state.as_str(), "draft" | "recruiting"),
                "{} {} is {} with {} pairs",
                scheme.name,
                cycle.year(),
                cycle.state,
                pairs.len()
            );
        }
    }
    // The coordinator took part as a mentee last year: that application is decided, not
    // left waiting on a closed cycle.
    let coordinator = demo_home(&app, "coordinator").await;
    assert!(
        !coordinator.contains("Received, not yet decided"),
        "{coordinator}"
    );
    assert!(
        coordinator.contains("Reverse Mentoring at Northmoor 2025/26</a>: <strong>Accepted"),
        "{coordinator}"
    );
    // Every other printed account's home offers at least one link into its work.
    for local in [
        "admin",
        "law.coordinator",
        "mentor2",
        "tutor",
        "student",
        "student.lead",
        "researcher",
        "school.lead",
    ] {
        let home = demo_home(&app, local).await;
        let main = &home[home.find("<main").unwrap()..];
        assert!(
            main.matches("<a href=\"/").count() >= 2,
            "{local} has little to do: {main}"
        );
    }
}
