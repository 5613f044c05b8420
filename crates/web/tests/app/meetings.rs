//! A pair's page (SPEC §3.4): the expectations agreement, meetings from proposal to held with
//! their emails and calendar file, private notes that nobody else reads, concerns raised with
//! the coordinators, and the coordinators' hours per pair.
use crate::helpers::{Browser, TestApp};
use chrono::{Duration, Utc};
use flipside_core::framework::Framework;
use flipside_core::meetings::Slot;
use flipside_core::role::{Role, Scope};
use flipside_store::{NewPair, NewScheme};

/// A scheme, a cycle with the default plan, and one published pair.
pub struct Setup {
    pub scheme: i64,
    pub cycle: i64,
    pub mentor: i64,
    pub mentee: i64,
    pub pair: i64,
}

pub const MENTOR: &str = "amara.nwosu@tu.test";
pub const MENTEE: &str = "helen.marsh@tu.test";
pub const COORDINATOR: &str = "priya@tu.test";

pub async fn setup(app: &TestApp) -> Setup {
    let plan = serde_json::to_string(&Framework::default_plan()).unwrap();
    let (scheme, cycle) = app.scheme_with_cycle("Reverse Mentoring", &plan).await;
    let mentor = app
        .person(MENTOR, &[(Role::Mentor, Scope::Cycle(cycle))])
        .await;
    let mentee = app
        .person(MENTEE, &[(Role::Mentee, Scope::Cycle(cycle))])
        .await;
    app.person(COORDINATOR, &[(Role::Coordinator, Scope::Scheme(scheme))])
        .await;
    let pair = app
        .publish_pairs(
            cycle,
            &[NewPair {
                mentor_id: mentor,
                mentee_id: mentee,
                reason: "shared interest in assessment".into(),
                cost: 3,
            }],
            None,
        )
        .await
        .unwrap()[0];
    Setup {
        scheme,
        cycle,
        mentor,
        mentee,
        pair,
    }
}

/// Both members accept the expectations agreement.
pub async fn both_accept(s: &Setup, mentor: &Browser, mentee: &Browser) {
    for b in [mentor, mentee] {
        let r = b.post(&format!("/pairs/{}/agreement", s.pair), &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
}

fn in_days(days: i64) -> (String, String) {
    let t = Utc::now() + Duration::days(days);
    (t.format("%Y-%m-%d").to_string(), "14:00".to_string())
}

/// Unfolds an iCalendar text's continuation lines (RFC 5545 §3.1).
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "").replace("\r\n\t", "")
}

#[tokio::test]
async fn members_agree_then_propose_confirm_download_and_log_a_meeting() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    let (date, time) = in_days(3);
    let pair = s.pair;
    async fn propose_in(
        pair: i64,
        b: &Browser,
        date: String,
        time: String,
        minutes: &str,
    ) -> crate::helpers::Page {
        b.post(
            &format!("/pairs/{pair}/meetings"),
            &[
                ("date", &date),
                ("time", &time),
                ("minutes", minutes),
                ("session", "2"),
            ],
        )
        .await
    }

    // The home page links each member to the pair; the page names the partner and the plan.
    assert!(
        mentor
            .get("/")
            .await
            .body
            .contains(&format!("/pairs/{}", s.pair))
    );
    let page = mentor.get(&format!("/pairs/{}", s.pair)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your pair with helen marsh"));
    assert!(
        page.body
            .contains("Met so far: 0 hours of the 20 hours aimed for.")
    );
    assert!(page.body.contains("Belonging"));

    // Before both accept the expectations, no meeting can be proposed.
    let r = propose_in(pair, &mentor, date.clone(), time.clone(), "60").await;
    assert_eq!(r.status, 409);
    assert!(
        r.body
            .contains("Both of you must accept the expectations agreement")
    );
    mentor
        .post(&format!("/pairs/{}/agreement", s.pair), &[])
        .await;
    assert_eq!(
        propose_in(pair, &mentor, date.clone(), time.clone(), "60")
            .await
            .status,
        409
    );
    mentee
        .post(&format!("/pairs/{}/agreement", s.pair), &[])
        .await;
    let agreed = app.store.agreements(s.pair).await.unwrap();
    assert_eq!(
        agreed.iter().map(|a| a.user_id).collect::<Vec<_>>().len(),
        2
    );
    assert!(
        mentor
            .get(&format!("/pairs/{}", s.pair))
            .await
            .body
            .contains("Accepted by helen marsh on")
    );

    // A time in the past is refused next to the field, and nothing is stored.
    let (past, _) = in_days(-1);
    let r = propose_in(pair, &mentor, past, time.clone(), "60").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choose a time in the future"));
    assert!(r.body.contains("id=\"date-error\""));
    assert!(app.store.meetings_of_pair(s.pair).await.unwrap().is_empty());

    // A proposal is stored and emailed to the partner, once.
    let r = propose_in(pair, &mentor, date.clone(), time.clone(), "60").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let meetings = app.store.meetings_of_pair(s.pair).await.unwrap();
    assert_eq!(meetings.len(), 1);
    let m = &meetings[0];
    assert_eq!(
        (m.status.as_str(), m.session_index, m.duration_minutes),
        ("proposed", 1, 60)
    );
    let to_mentee = app.store.emails_to(MENTEE).await.unwrap();
    assert_eq!(to_mentee.len(), 1);
    assert_eq!(to_mentee[0].dedup_key, format!("meeting:{}:proposed", m.id));
    assert!(
        to_mentee[0]
            .body_text
            .contains(&format!("/pairs/{}", s.pair))
    );

    // An overlapping proposal (by either member) is refused with a clear message.
    let r = propose_in(pair, &mentee, date.clone(), "14:30".into(), "30").await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("overlaps another meeting of one of you"),
        "{}",
        r.body
    );
    assert_eq!(app.store.meetings_of_pair(s.pair).await.unwrap().len(), 1);

    // Not yet confirmed: no calendar file. The proposer cannot confirm their own proposal.
    assert_eq!(
        mentor
            .get(&format!("/meetings/{}/calendar.ics", m.id))
            .await
            .status,
        409
    );
    let r = mentor
        .post(
            &format!("/meetings/{}/respond", m.id),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(r.status, 409);
    let r = mentee
        .post(
            &format!("/meetings/{}/respond", m.id),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.meeting(m.id).await.unwrap().status, "confirmed");

    // Both members get the confirmation with the calendar attached.
    for (who, id) in [(MENTOR, s.mentor), (MENTEE, s.mentee)] {
        let mail = app.store.emails_to(who).await.unwrap();
        let confirmed = mail
            .iter()
            .find(|e| e.dedup_key == format!("meeting:{}:confirmed:{id}", m.id))
            .unwrap_or_else(|| panic!("no confirmation to {who}"));
        let ics = unfold(
            confirmed
                .calendar
                .as_deref()
                .expect("a calendar attachment"),
        );
        assert!(ics.contains("BEGIN:VEVENT"));
        assert!(
            ics.contains("SUMMARY:Reverse mentoring: The student's experience of the institution")
        );
    }

    // The .ics download: RFC 5545 with the session's topic and prompts in DESCRIPTION.
    let r = mentor
        .get(&format!("/meetings/{}/calendar.ics", m.id))
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = unfold(&r.body);
    assert!(ics.starts_with("BEGIN:VCALENDAR"));
    // 14:00 on the organisation's clock (Europe/London), in UTC.
    let start = flipside_core::local_time::Zone::default()
        .instant(
            chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap(),
            chrono::NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
        )
        .unwrap();
    let utc = |t: chrono::DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    assert!(ics.contains(&format!("DTSTART:{}", utc(start))), "{ics}");
    assert!(ics.contains(&format!("DTEND:{}", utc(start + Duration::hours(1)))));
    let description = ics
        .lines()
        .find(|l| l.starts_with("DESCRIPTION:"))
        .expect("a description");
    assert!(description.contains("Session 2: The student's experience of the institution"));
    assert!(description.contains("Walk through a typical week"));
    // Someone outside the pair cannot download it.
    let coordinator = app.signed_in(COORDINATOR).await;
    assert_eq!(
        coordinator
            .get(&format!("/meetings/{}/calendar.ics", m.id))
            .await
            .status,
        403
    );

    // A future meeting cannot be logged as held yet.
    let r = mentor
        .post(
            &format!("/meetings/{}/held", m.id),
            &[("held_minutes", "60")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("once it has started"));

    // A meeting that took place is logged with its real length, and the hours add up.
    let past = app
        .store
        .propose_meeting(
            s.pair,
            0,
            Slot {
                start: Utc::now() - Duration::days(7),
                minutes: 60,
            },
            s.mentor,
        )
        .await
        .unwrap();
    app.store.respond_to_meeting(past, true).await.unwrap();
    let r = mentee
        .post(
            &format!("/meetings/{past}/held"),
            &[("held_minutes", "nine")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&format!("id=\"held-{past}-error\"")));
    let r = mentee
        .post(&format!("/meetings/{past}/held"), &[("held_minutes", "90")])
        .await;
    assert_eq!(r.status, 303);
    let pair_page = mentor.get(&format!("/pairs/{}", s.pair)).await.body;
    assert!(pair_page.contains("Met so far: 1 hour 30 minutes of the 20 hours aimed for."));
    // Logged as held, it is no longer offered to be logged as held: its time can be corrected.
    assert!(
        pair_page.contains("met for 1 hour 30 minutes."),
        "{pair_page}"
    );
    assert!(!pair_page.contains("Log as held"), "{pair_page}");
    assert!(pair_page.contains("<button type=\"submit\">Correct the time met</button>"));
    let r = mentee
        .post(&format!("/meetings/{past}/held"), &[("held_minutes", "75")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.minutes_held(s.pair).await.unwrap(), 75);
    let r = mentee
        .post(&format!("/meetings/{past}/held"), &[("held_minutes", "90")])
        .await;
    assert_eq!(r.status, 303);

    // The coordinator sees hours per pair against the target, and totals.
    let r = coordinator
        .get(&format!("/cycles/{}/meetings", s.cycle))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<td>amara nwosu</td><td>helen marsh</td><td>Active</td><td>1</td><td>1 hour 30 minutes</td><td>no</td>"), "{}", r.body);
    assert!(
        r.body
            .contains("<dt>Time met in all</dt><dd>1 hour 30 minutes</dd>")
    );
}

#[tokio::test]
async fn a_declined_proposal_frees_its_time() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let (date, time) = in_days(5);
    let fields = [
        ("date", date.as_str()),
        ("time", time.as_str()),
        ("minutes", "60"),
        ("session", "1"),
    ];
    let path = format!("/pairs/{}/meetings", s.pair);
    assert_eq!(mentor.post(&path, &fields).await.status, 303);
    let m = app.store.meetings_of_pair(s.pair).await.unwrap()[0].id;
    let r = mentee
        .post(
            &format!("/meetings/{m}/respond"),
            &[("decision", "decline")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.store.meeting(m).await.unwrap().status, "declined");
    // Answering twice is refused; the same slot can be proposed again.
    let r = mentee
        .post(
            &format!("/meetings/{m}/respond"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(mentee.post(&path, &fields).await.status, 303);
    assert!(
        app.store
            .emails_to(MENTOR)
            .await
            .unwrap()
            .iter()
            .all(|e| e.calendar.is_none())
    );
}

#[tokio::test]
async fn a_pair_that_ended_early_takes_no_new_meetings_or_confirmations() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let (date, time) = in_days(2);
    let fields = [
        ("date", date.as_str()),
        ("time", time.as_str()),
        ("minutes", "45"),
        ("session", "1"),
    ];
    assert_eq!(
        mentor
            .post(&format!("/pairs/{}/meetings", s.pair), &fields)
            .await
            .status,
        303
    );
    let m = app.store.meetings_of_pair(s.pair).await.unwrap()[0].id;
    app.store
        .end_pair_early(s.pair, "The leader moved to another university.")
        .await
        .unwrap();
    let r = mentor
        .post(&format!("/pairs/{}/meetings", s.pair), &fields)
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("This pair has ended"));
    assert_eq!(
        mentee
            .post(
                &format!("/meetings/{m}/respond"),
                &[("decision", "confirm")]
            )
            .await
            .status,
        409
    );
    assert_eq!(app.store.meeting(m).await.unwrap().status, "proposed");
    let page = mentor.get_ok(&format!("/pairs/{}", s.pair)).await.body;
    assert!(page.contains("Ended early: The leader moved to another university."));
    assert!(!page.contains("Propose this meeting"));
}

#[tokio::test]
async fn private_notes_are_read_by_their_author_and_the_partner_they_share_with_and_nobody_else() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    const PRIVATE: &str = "Mentor-only thought 7f3a about the leader";
    const SHARED: &str = "Shared reflection 9c1e for us both";
    const MENTEE_NOTE: &str = "Leader private line 2b8d";
    let notes = format!("/pairs/{}/notes", s.pair);
    // An empty note is refused next to its field.
    let r = mentor.post(&notes, &[("note_body", "  ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"note_body-error\""));
    assert_eq!(
        mentor.post(&notes, &[("note_body", PRIVATE)]).await.status,
        303
    );
    assert_eq!(
        mentor
            .post(&notes, &[("note_body", SHARED), ("note_shared", "yes")])
            .await
            .status,
        303
    );
    assert_eq!(
        mentee
            .post(&notes, &[("note_body", MENTEE_NOTE)])
            .await
            .status,
        303
    );

    // Notes are shown as text, never as markup.
    assert_eq!(
        mentor
            .post(
                &notes,
                &[("note_body", "<b>bold</b> & <script>x()</script>")]
            )
            .await
            .status,
        303
    );
    let path = format!("/pairs/{}", s.pair);
    let mine = mentor.get_ok(&path).await.body;
    assert!(
        mine.contains("&#60;b&#62;bold&#60;/b&#62; &#38; &#60;script&#62;")
            && !mine.contains("<script>x()")
    );
    assert!(mine.contains(PRIVATE) && mine.contains(SHARED) && !mine.contains(MENTEE_NOTE));
    let theirs = mentee.get_ok(&path).await.body;
    assert!(theirs.contains(SHARED) && theirs.contains(MENTEE_NOTE) && !theirs.contains(PRIVATE));
    // The partner's read of a shared note is audited, without its words; the author's own
    // reads of their notes are not reads of someone else's private data.
    let reads = app
        .store
        .audit_entries(Some("shared_notes_read"), 10)
        .await
        .unwrap();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0].actor_id, Some(s.mentee));
    assert_eq!(reads[0].subject_id, Some(s.pair));
    assert!(!reads[0].detail.contains("9c1e"));
    // A form sent back with an error shows the page again, the partner's shared note with it:
    // that is a read like any other, and is audited too.
    let refused = mentee.post(&notes, &[("note_body", "  ")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains(SHARED));
    let reads = app
        .store
        .audit_entries(Some("shared_notes_read"), 10)
        .await
        .unwrap();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert_eq!(reads[0].actor_id, Some(s.mentee));

    // The partner cannot change the sharing of a note that is not theirs.
    let shared_id = app
        .store
        .notes_of_pair(s.pair)
        .await
        .unwrap()
        .iter()
        .find(|n| n.body == SHARED)
        .unwrap()
        .id;
    let r = mentee
        .post(
            &format!("/pairs/{}/notes/{shared_id}/share", s.pair),
            &[("shared", "no")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(app.store.note(shared_id).await.unwrap().shared);

    // Every other role, the scheme's coordinator and an administrator included, is refused the
    // pair page, and no page they can reach shows any note.
    let other_mentor = app
        .person(
            "other.mentor@tu.test",
            &[(Role::Mentor, Scope::Cycle(s.cycle))],
        )
        .await;
    let other_mentee = app
        .person(
            "other.mentee@tu.test",
            &[(Role::Mentee, Scope::Cycle(s.cycle))],
        )
        .await;
    app.publish_pairs(
        s.cycle,
        &[NewPair {
            mentor_id: other_mentor,
            mentee_id: other_mentee,
            reason: String::new(),
            cost: 0,
        }],
        None,
    )
    .await
    .unwrap();
    let everyone: Vec<(&str, Vec<(Role, Scope)>)> = vec![
        ("admin@tu.test", vec![(Role::Admin, Scope::Organisation)]),
        (
            "org.coordinator@tu.test",
            vec![(Role::Coordinator, Scope::Organisation)],
        ),
        (
            "researcher@tu.test",
            vec![(Role::Researcher, Scope::Organisation)],
        ),
        ("tutor@tu.test", vec![(Role::Tutor, Scope::Organisation)]),
        (
            "student@tu.test",
            vec![(Role::Student, Scope::Organisation)],
        ),
        (
            "lead@tu.test",
            vec![(Role::StudentLead, Scope::Organisation)],
        ),
        (
            "school.lead@tu.test",
            vec![(Role::SchoolLead, Scope::School(1))],
        ),
        ("nobody@tu.test", vec![]),
        (
            "everything@tu.test",
            vec![
                (Role::Admin, Scope::Organisation),
                (Role::Coordinator, Scope::Organisation),
                (Role::Researcher, Scope::Organisation),
                (Role::Mentor, Scope::Cycle(s.cycle)),
                (Role::Mentee, Scope::Cycle(s.cycle)),
            ],
        ),
    ];
    let mut browsers = vec![
        ("scheme coordinator", app.signed_in(COORDINATOR).await),
        ("other mentor", app.signed_in("other.mentor@tu.test").await),
        ("other mentee", app.signed_in("other.mentee@tu.test").await),
    ];
    for (email, grants) in &everyone {
        browsers.push((email, app.as_role(email, grants).await));
    }
    let pages = [
        format!("/pairs/{}", s.pair),
        "/".to_string(),
        format!("/cycles/{}", s.cycle),
        format!("/cycles/{}/meetings", s.cycle),
        format!("/cycles/{}/concerns", s.cycle),
        format!("/schemes/{}/you-said-we-did", s.scheme),
        "/admin/audit".to_string(),
        "/admin/people".to_string(),
        format!("/admin/people/{}", s.mentor),
        "/account".to_string(),
        "/api/v1/me".to_string(),
    ];
    for (who, b) in &browsers {
        let r = b.get(&format!("/pairs/{}", s.pair)).await;
        assert!(
            matches!(r.status, 403 | 404),
            "{who} got {} for the pair page",
            r.status
        );
        let r = b
            .post(
                &format!("/pairs/{}/notes/{shared_id}/share", s.pair),
                &[("shared", "yes")],
            )
            .await;
        assert!(
            matches!(r.status, 403 | 404),
            "{who} got {} sharing a note",
            r.status
        );
        for path in &pages {
            // Either refused or shown without the notes; an error page proves nothing.
            let r = b.get(path).await;
            assert!(
                matches!(r.status, 200 | 403 | 404),
                "{who} got {} for {path}",
                r.status
            );
            for secret in [PRIVATE, SHARED, MENTEE_NOTE] {
                assert!(!r.body.contains(secret), "{who} read a note on {path}");
            }
        }
    }
}

#[tokio::test]
async fn a_concern_reaches_the_coordinators_page_and_inbox_and_the_audit_log_without_its_words() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let elsewhere = app
        .store
        .create_scheme(NewScheme {
            name: "Elsewhere",
            kind: flipside_core::scheme::SchemeKind::Institutional,
            purpose: "p",
            school_id: None,
            created_by: None,
        })
        .await
        .unwrap();
    app.person(
        "elsewhere@tu.test",
        &[(Role::Coordinator, Scope::Scheme(elsewhere))],
    )
    .await;
    let mentee = app.signed_in(MENTEE).await;
    let path = format!("/pairs/{}/concerns", s.pair);
    let r = mentee.post(&path, &[("concern", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"concern-error\""));
    const WORDS: &str = "Our meetings keep being moved at short notice";
    assert_eq!(mentee.post(&path, &[("concern", WORDS)]).await.status, 303);

    let mail = app.store.emails_to(COORDINATOR).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body_text.contains(WORDS));
    assert!(
        app.store
            .emails_to("elsewhere@tu.test")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store.emails_to(MENTOR).await.unwrap().is_empty(),
        "the partner is not told"
    );

    let audit = app
        .store
        .audit_entries(Some("concern_raised"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_id, Some(s.mentee));
    assert!(!audit[0].detail.contains("short notice"));

    let coordinator = app.signed_in(COORDINATOR).await;
    let r = coordinator
        .get(&format!("/cycles/{}/concerns", s.cycle))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(WORDS) && r.body.contains("From helen marsh"));
    let mentor = app.signed_in(MENTOR).await;
    assert_eq!(
        mentor
            .get(&format!("/cycles/{}/concerns", s.cycle))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_demo_has_last_years_pairs_hours_and_actions_in_every_state_once() {
    let app = TestApp::spawn_demo().await;
    let schemes = app.store.schemes().await.unwrap();
    let institutional = schemes
        .iter()
        .find(|s| s.kind == "institutional")
        .unwrap()
        .id;
    let law = schemes.iter().find(|s| s.kind == "school").unwrap().id;
    let past = app
        .store
        .cycles_of(institutional)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.year().to_string() == "2025/26")
        .unwrap();
    let pilot = app.store.cycles_of(law).await.unwrap()[0].id;
    let counts = app.store.pair_counts(past.id).await.unwrap();
    assert_eq!(
        (counts.matched, counts.completed, counts.ended_early),
        (26, 25, 1)
    );
    let hours = app.store.hours_of_cycle(past.id).await.unwrap();
    let completed: Vec<_> = hours.iter().filter(|h| h.status == "completed").collect();
    assert!(
        completed
            .iter()
            .all(|h| (18 * 60..=23 * 60).contains(&h.minutes_held) && h.meetings_held == 7)
    );
    let mean = completed.iter().map(|h| h.minutes_held).sum::<i64>() as f64 / 25.0 / 60.0;
    assert!((19.0..=21.5).contains(&mean), "mean hours {mean}");
    for p in app.store.pairs_of_cycle(past.id).await.unwrap() {
        assert_eq!(app.store.agreements(p.id).await.unwrap().len(), 2);
    }
    let actions = app.store.actions_of_scheme(institutional).await.unwrap();
    for status in ["proposed", "agreed", "in_progress", "done", "declined"] {
        assert!(
            actions.iter().any(|a| a.status == status),
            "no {status} action"
        );
    }
    // Two pilot pairs: one yet to accept its expectations, the headline mentor's under way.
    assert_eq!(app.store.pair_counts(pilot).await.unwrap().active, 2);

    // Seeding again changes nothing.
    let users = app.store.users().await.unwrap().len();
    let coordinator = app
        .store
        .user_by_email("coordinator@demo.flipside.test")
        .await
        .unwrap();
    flipside_web::demo::mentoring::seed(&app.store, past.id, pilot, coordinator.id)
        .await
        .unwrap();
    flipside_web::demo::ensure(&app.store).await.unwrap();
    assert_eq!(app.store.users().await.unwrap().len(), users);
    assert_eq!(app.store.pair_counts(past.id).await.unwrap().matched, 26);
    assert_eq!(app.store.pair_counts(pilot).await.unwrap().matched, 2);
    assert_eq!(
        app.store
            .actions_of_scheme(institutional)
            .await
            .unwrap()
            .len(),
        actions.len()
    );

    // The coordinator sees the hours and "you said, we did"; no note reaches them.
    let b = app.browser();
    let r = b
        .post(
            "/sign-in",
            &[
                ("email", "coordinator@demo.flipside.test"),
                ("password", "flipside-demo"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = b.get(&format!("/cycles/{}/meetings", past.id)).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<dt>Pairs</dt><dd>26</dd>"));
    assert!(!r.body.contains("module handbook"));
    let r = b
        .get(&format!("/schemes/{institutional}/you-said-we-did"))
        .await;
    assert!(
        r.body
            .contains("Feedback before the next assignment is due")
            && r.body.contains("Raised anonymously")
    );
}

#[tokio::test]
async fn members_are_reminded_once_of_a_confirmed_meeting_the_day_before() {
    // The app's own worker runs once at start, before any meeting exists, then waits an hour.
    let app = TestApp::spawn_with(|s| s.mail_poll_seconds = 3600).await;
    let s = setup(&app).await;
    let now = flipside_store::now();
    let meeting = |hours: i64, confirm: bool| {
        let app = &app;
        async move {
            let id = app
                .store
                .propose_meeting(
                    s.pair,
                    0,
                    Slot {
                        start: now + Duration::hours(hours),
                        minutes: 60,
                    },
                    s.mentor,
                )
                .await
                .unwrap();
            if confirm {
                app.store.respond_to_meeting(id, true).await.unwrap();
            }
            id
        }
    };
    let soon = meeting(3, true).await;
    meeting(5, false).await; // proposed, not confirmed
    meeting(72, true).await; // three days away
    let url = url::Url::parse("https://flipside.example/").unwrap();
    let queue = || flipside_web::mail::queue_meeting_reminders(&app.store, &url, now);
    assert_eq!(queue().await.unwrap(), 2, "one reminder to each member");
    assert_eq!(queue().await.unwrap(), 0, "never twice");
    for (address, member) in [(MENTOR, s.mentor), (MENTEE, s.mentee)] {
        let reminders: Vec<_> = app
            .store
            .emails_to(address)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.dedup_key.contains(":reminder:"))
            .collect();
        assert_eq!(reminders.len(), 1, "{address}");
        assert_eq!(
            reminders[0].dedup_key,
            format!("meeting:{soon}:reminder:{member}")
        );
        assert!(
            reminders[0]
                .body_text
                .contains(&format!("https://flipside.example/pairs/{}", s.pair))
        );
    }
}

#[tokio::test]
async fn a_confirmation_whose_emails_cannot_be_queued_leaves_the_meeting_proposed() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentor = app.signed_in(MENTOR).await;
    let mentee = app.signed_in(MENTEE).await;
    both_accept(&s, &mentor, &mentee).await;
    let (date, time) = in_days(5);
    let fields = [
        ("date", date.as_str()),
        ("time", time.as_str()),
        ("minutes", "60"),
        ("session", "1"),
    ];
    let r = mentor
        .post(&format!("/pairs/{}/meetings", s.pair), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let m = app.store.meetings_of_pair(s.pair).await.unwrap()[0].id;
    app.refuse_emails().await;
    let r = mentee
        .post(
            &format!("/meetings/{m}/respond"),
            &[("decision", "confirm")],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(app.store.meeting(m).await.unwrap().status, "proposed");
}

#[tokio::test]
async fn a_concern_whose_emails_cannot_be_queued_is_not_stored_or_audited() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let mentee = app.signed_in(MENTEE).await;
    app.refuse_emails().await;
    let r = mentee
        .post(
            &format!("/pairs/{}/concerns", s.pair),
            &[("concern", "Our meetings keep being moved")],
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        app.store
            .concerns_of_cycle(s.cycle)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.audited("concern_raised").await, 0);
}
