//! Set-ups several test files share: a cycle's people as matching sees them (accepted
//! students, staff leaders who accepted), and a cycle with survey answers for the results.
use crate::helpers::TestApp;
use flipside_core::cycle::AcademicYear;
use flipside_core::evaluation::Wave;
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::{Role, Scope};
use flipside_store::{NewApplication, NewInvitation, NewScheme};

/// The grant of a scheme's coordinator.
pub fn coordinator(scheme: i64) -> [(Role, Scope); 1] {
    [(Role::Coordinator, Scope::Scheme(scheme))]
}

/// A student whose application was accepted; returns their id.
pub async fn mentor(app: &TestApp, cycle: i64, email: &str, interests: &str, slots: &str) -> i64 {
    let id = app.person(email, &[]).await;
    let application = app
        .store
        .save_application(NewApplication {
            cycle_id: cycle,
            user_id: id,
            label_ids: &[],
            own_words: "",
            course: "BSc Law",
            level: "ug2",
            interests,
            availability: slots,
            hopes: "Better feedback.",
            school_id: None,
            consents: &[ConsentKind::TakePart],
        })
        .await
        .unwrap();
    app.store
        .decide_application(application, ApplicationStatus::Accepted, "", None)
        .await
        .unwrap();
    id
}

/// A staff leader (of no School) who accepted an invitation; returns their id.
pub async fn mentee(app: &TestApp, cycle: i64, email: &str, interests: &str, slots: &str) -> i64 {
    mentee_of(app, cycle, email, None, (interests, slots)).await
}

/// A staff leader of `school` who accepted an invitation; returns their id.
pub async fn mentee_of(
    app: &TestApp,
    cycle: i64,
    email: &str,
    school_id: Option<i64>,
    (interests, slots): (&str, &str),
) -> i64 {
    let (_, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: cycle,
            email,
            name: &email.split('@').next().unwrap().replace('.', " "),
            school_id,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    app.store
        .accept_invitation(&token, interests, slots, true)
        .await
        .unwrap()
}

/// A scheme with a 2025/26 cycle and the default survey statements: (scheme id, cycle id).
pub async fn evaluated_cycle(app: &TestApp) -> (i64, i64) {
    app.store.ensure_default_instruments().await.unwrap();
    let s = app
        .store
        .create_scheme(NewScheme {
            name: "S",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap();
    let c = app
        .store
        .create_cycle(
            s,
            AcademicYear::parse("2025/26").unwrap(),
            20,
            "{}",
            None,
            None,
        )
        .await
        .unwrap();
    (s, c)
}

/// An [`evaluated_cycle`] whose survey answers are given: per role, each person's (before,
/// after) answer to the role's first statement (`None`: did not answer that wave), all with
/// research consent.
pub async fn answered(app: &TestApp, people: &[(&str, Option<i64>, Option<i64>)]) -> (i64, i64) {
    let (s, c) = evaluated_cycle(app).await;
    for (i, (role, pre, post)) in people.iter().enumerate() {
        let p = app
            .store
            .add_survey_participant(c, &format!("P{i}"), role, None, true)
            .await
            .unwrap();
        let statement = if *role == "mentor" {
            "belonging"
        } else {
            "understand_challenges"
        };
        for (wave, score) in [(Wave::Pre, pre), (Wave::Post, post)] {
            if let Some(score) = score {
                app.store
                    .record_answers(p, wave, &[(statement, *score)])
                    .await
                    .unwrap();
            }
        }
    }
    (s, c)
}
