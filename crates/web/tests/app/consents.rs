//! Withdrawing consent (issue 13, SPEC §3.12) over HTTP: each withdrawal has all its effects
//! and its audit entry in one transaction, for students on their application's page and for
//! staff leaders on their own consents page.
use crate::helpers::*;
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::{Grant, Role, Scope};
use flipside_store::{NewApplication, NewInvitation, PairStatus};
use flipside_web::operations::qualitative::export_project;

/// A cycle with an accepted student (all three consents) and a staff leader (research
/// consent on accepting) in an active pair; each has a survey answer and a chat with a
/// promoted quote.
struct Scene {
    cycle: i64,
    student: i64,
    staff: i64,
    invitation: i64,
    pair: i64,
}

const STUDENT: &str = "withdrawing.student@tu.test";
const STAFF: &str = "staff.leader@tu.test";

/// The staff leader `STAFF`, with an account and a password (so that they can sign in), who
/// accepted an invitation to `cycle` giving research consent or not: (their id, the
/// invitation's).
async fn staff_leader(app: &TestApp, cycle: i64, research: bool) -> (i64, i64) {
    let staff = app.person(STAFF, &[]).await;
    let (invitation, token) = app
        .store
        .create_invitation(NewInvitation {
            cycle_id: cycle,
            email: STAFF,
            name: "Staff Leader",
            school_id: None,
            invited_by: None,
            expires_at: flipside_store::now() + chrono::Duration::days(14),
        })
        .await
        .unwrap();
    let accepted = app
        .store
        .accept_invitation(&token, "", "", research)
        .await
        .unwrap();
    assert_eq!(accepted, staff, "the invitation finds their account");
    (staff, invitation)
}

async fn scene(app: &TestApp) -> Scene {
    let (_, cycle) = app.scheme_with_cycle("Reverse Mentoring", "{}").await;
    let student = app.person(STUDENT, &[]).await;
    let application = app
        .store
        .save_application(NewApplication {
            cycle_id: cycle,
            user_id: student,
            label_ids: &[],
            own_words: "my own words",
            course: "BSc Law",
            level: "ug2",
            interests: "",
            availability: "",
            hopes: "Better feedback.",
            school_id: None,
            consents: &ConsentKind::ALL,
        })
        .await
        .unwrap();
    app.store
        .decide_application(application, ApplicationStatus::Accepted, "", None)
        .await
        .unwrap();
    app.store
        .grant_role(
            student,
            Grant::new(Role::Mentor, Scope::Cycle(cycle)).unwrap(),
            None,
        )
        .await
        .unwrap();
    let (staff, invitation) = staff_leader(app, cycle, true).await;
    let pair = app
        .publish_pairs(
            cycle,
            &[flipside_store::NewPair {
                mentor_id: student,
                mentee_id: staff,
                reason: String::new(),
                cost: 0,
            }],
            None,
        )
        .await
        .unwrap()[0];
    let t = "2026-01-15T09:00:00+00:00";
    let sql = format!(
        "INSERT INTO instruments (id, audience) VALUES (9101, 'consent-test');
INSERT INTO instrument_statements (id, instrument_id, position, code, aim, text) VALUES (9101, 9101, 1, 'S1', 'aim', 'A statement');
INSERT INTO survey_participants (id, cycle_id, code, role, user_id, research_consent) VALUES
  (9101, {cycle}, 'STUDENTCODE', 'mentor', {student}, TRUE), (9102, {cycle}, 'STAFFCODE', 'mentee', {staff}, TRUE);
INSERT INTO survey_responses (participant_id, wave, statement_id, score, answered_at) VALUES (9101, 'pre', 9101, 3, '{t}'), (9102, 'pre', 9101, 4, '{t}');
INSERT INTO qual_chats (id, cycle_id, participant_user_id, participant_role, interviewer_user_id, held_on, stage, format, text, segments, recorded_by, created_at) VALUES
  (9101, {cycle}, {student}, 'mentor', NULL, '2026-03-01', 'end', 'typed', 'Student chat.', '0\t13\t\n', NULL, '{t}'),
  (9102, {cycle}, {staff}, 'mentee', NULL, '2026-03-01', 'end', 'typed', 'Staff chat.', '0\t11\t\n', NULL, '{t}');
INSERT INTO qual_excerpts (id, chat_id, coder_user_id, span_start, span_end, memo, created_at) VALUES
  (9101, 9101, {student}, 0, 7, '', '{t}'), (9102, 9102, {staff}, 0, 5, '', '{t}');
INSERT INTO qual_quotes (excerpt_id, participant_user_id, original, edited, promoted_by, created_at) VALUES
  (9101, {student}, 'Student', 'Student', NULL, '{t}'), (9102, {staff}, 'Staff', 'Staff', NULL, '{t}')"
    );
    for statement in sql.split(";\n") {
        app.store
            .execute_admin(statement)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{statement}"));
    }
    Scene {
        cycle,
        student,
        staff,
        invitation,
        pair,
    }
}

/// The pseudonymous codes in the cycle's research export.
async fn exported_codes(app: &TestApp, cycle: i64) -> Vec<String> {
    let mut codes: Vec<String> = app
        .store
        .research_rows(cycle)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.participant)
        .collect();
    codes.dedup();
    codes
}

/// How many chats the cycle's REFI-QDA export holds.
async fn exported_chats(app: &TestApp, cycle: i64) -> usize {
    let (_, counts) = export_project(&app.store, cycle, "http://test", flipside_store::now())
        .await
        .unwrap_or_else(|_| panic!("exporting cycle {cycle}"));
    counts.chats
}

/// The participants of the cycle's quotes.
async fn quoted(app: &TestApp, cycle: i64) -> Vec<i64> {
    app.store
        .quotes_of_cycle(cycle)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.participant_user_id)
        .collect()
}

#[tokio::test]
async fn withdrawing_take_part_ends_the_pair_removes_the_role_and_takes_answers_out_in_one_audited_step()
 {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let student = app.signed_in(STUDENT).await;
    let path = format!(
        "/cycles/{}/my-application/consents/take_part/withdraw",
        s.cycle
    );

    // The audit entry cannot be written: nothing of the withdrawal happens.
    app.refuse_inserts_into("audit_log").await;
    assert_eq!(student.post(&path, &[]).await.status, 500);
    app.allow_inserts_into("audit_log").await;
    assert_eq!(
        app.store.pair(s.pair).await.unwrap().status(),
        PairStatus::Active
    );
    assert_eq!(app.store.grants_of(s.student).await.unwrap().len(), 1);
    assert!(
        app.store
            .survey_participant(9101)
            .await
            .unwrap()
            .research_consent
    );

    let done = student.post(&path, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let pair = app.store.pair(s.pair).await.unwrap();
    assert_eq!(pair.status(), PairStatus::EndedEarly);
    assert_eq!(pair.ended_reason, "withdrew");
    assert!(
        app.store.grants_of(s.student).await.unwrap().is_empty(),
        "the cycle's role is removed"
    );
    assert!(
        !app.store
            .survey_participant(9101)
            .await
            .unwrap()
            .research_consent,
        "their answers are out of later analysis"
    );
    assert_eq!(exported_codes(&app, s.cycle).await, ["STAFFCODE"]);
    let application = app
        .store
        .application_of(s.cycle, s.student)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(application.status(), ApplicationStatus::Withdrawn);
    assert_eq!(application.own_words, "");
    assert_eq!(app.audited("consent_withdrawn").await, 1);
    // The partner keeps their own standing.
    assert_eq!(app.store.grants_of(s.staff).await.unwrap().len(), 1);
    assert_eq!(
        student.post(&path, &[]).await.status,
        303,
        "withdrawing again is refused with a message, not an error"
    );
    assert_eq!(app.audited("consent_withdrawn").await, 1);
}

#[tokio::test]
async fn withdrawing_research_use_takes_answers_and_chats_out_of_analysis_and_exports() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    assert_eq!(
        exported_codes(&app, s.cycle).await,
        ["STAFFCODE", "STUDENTCODE"]
    );
    assert_eq!(exported_chats(&app, s.cycle).await, 2);
    let student = app.signed_in(STUDENT).await;
    let done = student
        .post(
            &format!(
                "/cycles/{}/my-application/consents/research/withdraw",
                s.cycle
            ),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(exported_codes(&app, s.cycle).await, ["STAFFCODE"]);
    assert_eq!(exported_chats(&app, s.cycle).await, 1);
    assert_eq!(
        app.store.pair(s.pair).await.unwrap().status(),
        PairStatus::Active,
        "research use is not taking part"
    );
    assert_eq!(quoted(&app, s.cycle).await.len(), 2);
    assert_eq!(app.audited("consent_withdrawn").await, 1);
}

#[tokio::test]
async fn withdrawing_quote_consent_deletes_their_quotes_only() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let student = app.signed_in(STUDENT).await;
    assert!(
        app.store
            .quote_consenting(s.cycle)
            .await
            .unwrap()
            .contains(&s.student)
    );
    let done = student
        .post(
            &format!(
                "/cycles/{}/my-application/consents/quotes/withdraw",
                s.cycle
            ),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(quoted(&app, s.cycle).await, [s.staff]);
    assert!(
        app.store
            .quote_consenting(s.cycle)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(exported_codes(&app, s.cycle).await.len(), 2);
}

#[tokio::test]
async fn a_staff_leader_sees_gives_and_withdraws_their_own_consents_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let staff = app.signed_in(STAFF).await;
    assert!(
        staff
            .get("/account")
            .await
            .body
            .contains("href=\"/account/consents\""),
        "linked from the account page"
    );
    let page = staff.get("/account/consents").await;
    assert_eq!(page.status, 200);
    let row = |body: &str, kind: &str| {
        let at = body
            .find(&format!("id=\"consent-{}-{kind}\"", s.invitation))
            .unwrap_or_else(|| panic!("no {kind} row: {body}"));
        body[at..at + body[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(
        row(&page.body, "research").contains("Given"),
        "given on accepting"
    );
    assert!(row(&page.body, "quotes").contains("Not given"));
    assert!(!page.body.contains("take_part"));

    let base = format!("/account/consents/{}", s.invitation);
    let other = app.as_role("someone.else@tu.test", &[]).await;
    assert_eq!(
        other
            .post(&format!("{base}/research/withdraw"), &[])
            .await
            .status,
        403
    );
    let admin = app
        .as_role("admin@tu.test", &[(Role::Admin, Scope::Organisation)])
        .await;
    assert_eq!(
        admin
            .post(&format!("{base}/research/withdraw"), &[])
            .await
            .status,
        403,
        "nobody withdraws on another's behalf"
    );
    assert_eq!(
        staff
            .post(&format!("{base}/take_part/withdraw"), &[])
            .await
            .status,
        400
    );

    // Quotes: given, then withdrawn, which deletes their quote.
    assert!(
        !app.store
            .quote_consenting(s.cycle)
            .await
            .unwrap()
            .contains(&s.staff)
    );
    assert_eq!(
        staff.post(&format!("{base}/quotes/give"), &[]).await.status,
        303
    );
    assert!(
        app.store
            .quote_consenting(s.cycle)
            .await
            .unwrap()
            .contains(&s.staff)
    );
    assert_eq!(
        staff
            .post(&format!("{base}/quotes/withdraw"), &[])
            .await
            .status,
        303
    );
    assert_eq!(quoted(&app, s.cycle).await, [s.student]);

    // Research use: their answers and their chat leave the exports.
    assert_eq!(exported_chats(&app, s.cycle).await, 2);
    let done = staff.post(&format!("{base}/research/withdraw"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(exported_codes(&app, s.cycle).await, ["STUDENTCODE"]);
    assert_eq!(exported_chats(&app, s.cycle).await, 1);
    assert!(
        !app.store
            .survey_participant(9102)
            .await
            .unwrap()
            .research_consent
    );
    assert!(
        !app.store
            .consent_stands(s.cycle, s.staff, ConsentKind::Research)
            .await
            .unwrap()
    );

    let page = staff.follow(&done).await;
    assert!(
        row(&page.body, "research").contains("Withdrawn"),
        "{}",
        page.body
    );
    assert_eq!(app.audited("consent_given").await, 1);
    assert_eq!(app.audited("consent_withdrawn").await, 2);
    assert_eq!(
        app.store.pair(s.pair).await.unwrap().status(),
        PairStatus::Active
    );
}

#[tokio::test]
async fn the_consents_page_escapes_the_scheme_s_name() {
    let app = TestApp::spawn().await;
    let (_, cycle) = app.scheme_with_cycle("Mentoring <b>& co</b>", "{}").await;
    staff_leader(&app, cycle, false).await;
    let page = app.signed_in(STAFF).await.get("/account/consents").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Mentoring &#60;b&#62;&#38; co&#60;/b&#62;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<b>& co"));
}
