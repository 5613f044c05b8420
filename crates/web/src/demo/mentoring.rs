//! The demo's mentoring in practice: last year's (2025/26, closed) cycle of the institutional
//! scheme with its 26 pairs (25 completed, one ended early), expectations accepted, meetings
//! held for around the 20-hour target, a few private notes, and actions in every state so that
//! "you said, we did" has something to show; and two active pairs in this year's Law School
//! pilot for trying the pair page (one yet to accept its expectations, one under way). Every name and text is invented. Running it again on the
//! same data changes nothing.
use chrono::{DateTime, Duration, TimeZone, Utc};
use flipside_core::actions::ActionStatus;
use flipside_core::meetings::Slot;
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::{Grant, Role, Scope};
use flipside_store::{
    NewApplication, NewFollowUpAction, NewInvitation, NewPair, NewUser, Store, StoreError,
};

const STUDENTS: [&str; 26] = [
    "Adaeze Okonkwo",
    "Bilal Hussain",
    "Chloe Fenwick",
    "Dariusz Nowak",
    "Efua Asante",
    "Farah Siddiqui",
    "Gethin Rowlands",
    "Hana Yilmaz",
    "Isaac Boateng",
    "Jasmin Kaur",
    "Kieran Doherty",
    "Lina Haddad",
    "Marcus Greaves",
    "Nia Roberts",
    "Omar Farouk",
    "Precious Dube",
    "Qasim Malik",
    "Rhiannon Evans",
    "Samir Bensaid",
    "Tendai Moyo",
    "Uchenna Eze",
    "Vanessa Lima",
    "Wiktoria Kowalska",
    "Xavier Mensah",
    "Yasmin Rahman",
    "Zainab Olatunji",
];

const STAFF: [&str; 25] = [
    "Professor Alan Whitcombe",
    "Dr Beatrice Lang",
    "Professor Colin Ashdown",
    "Dr Deborah Finch",
    "Professor Edward Carrow",
    "Dr Fiona McAllister",
    "Professor Gregory Hale",
    "Dr Harriet Stone",
    "Professor Ian Pemberton",
    "Dr Julia Crane",
    "Professor Kenneth Moss",
    "Dr Lorraine Tate",
    "Professor Martin Ellwood",
    "Dr Nicola Bright",
    "Professor Oliver Stanton",
    "Dr Penelope Shaw",
    "Professor Quentin Hart",
    "Dr Rosalind Frost",
    "Professor Simon Lowther",
    "Dr Teresa Vaughan",
    "Professor Victor Kemp",
    "Dr Wendy Ashford",
    "Professor Yusuf Clarke",
    "Dr Zoe Marchant",
    "Professor Neil Ormerod",
];

/// (pair index, title, description, anonymous, status reached, declined reason, evidence
/// text, evidence link).
type DemoAction = (
    usize,
    &'static str,
    &'static str,
    bool,
    ActionStatus,
    &'static str,
    &'static str,
    &'static str,
);

const ACTIONS: &[DemoAction] = &[
    (
        0,
        "Feedback before the next assignment is due",
        "Marked work often comes back after the next assignment is handed in, so the feedback cannot be used.",
        false,
        ActionStatus::Done,
        "",
        "Every School now returns feedback within 15 working days, and before the next related deadline.",
        "https://intranet.northmoor.example/education/feedback-turnaround",
    ),
    (
        1,
        "A quiet room for prayer and reflection in the main library",
        "The nearest faith room is a ten-minute walk, which does not fit between back-to-back lectures.",
        false,
        ActionStatus::Done,
        "",
        "A reflection room opened on the library's second floor in March.",
        "",
    ),
    (
        2,
        "Explain the unwritten rules of placements in week one",
        "How to find a placement, what to wear, who to ask: students with family in the profession already know.",
        true,
        ActionStatus::InProgress,
        "",
        "",
        "",
    ),
    (
        3,
        "No 9am-then-6pm days for commuting students",
        "Timetables with one early and one late class cost commuting students four hours of travel for two hours of teaching.",
        false,
        ActionStatus::Agreed,
        "",
        "",
        "",
    ),
    (
        4,
        "A named contact for students who are carers",
        "Carers explain their situation again to every module leader; one contact would know it.",
        true,
        ActionStatus::Done,
        "",
        "Each School has named a carers' contact, listed on the student support pages.",
        "https://northmoor.example/support/carers",
    ),
    (
        5,
        "Free printing for dissertation drafts",
        "Printing drafts for supervisors costs some students more than they can spare.",
        false,
        ActionStatus::Declined,
        "Printing budgets are set centrally for 2026/27; the request has gone to next year's budget round with the Students' Union.",
        "",
        "",
    ),
    (
        6,
        "Reading lists that mark the cheaper editions",
        "Students buy the newest edition when an older, much cheaper one would do.",
        false,
        ActionStatus::Proposed,
        "",
        "",
        "",
    ),
    (
        7,
        "Students on the School education committee",
        "Decisions about teaching are made without students who are affected by them in the room.",
        false,
        ActionStatus::Done,
        "",
        "Two student members, paid for their time, joined the committee from January.",
        "",
    ),
    (
        8,
        "Captions on every recorded lecture",
        "Recordings without captions are hard to follow for deaf students and for anyone studying in a second language.",
        false,
        ActionStatus::InProgress,
        "",
        "",
        "",
    ),
    (
        9,
        "Stop labelling students at 'widening participation' events",
        "Being invited to an event because of a label feels like being singled out.",
        true,
        ActionStatus::Proposed,
        "",
        "",
        "",
    ),
];

fn email(local: &str) -> String {
    format!("{local}@demo.flipside.test")
}

/// The person with this email, created (without a password: they cannot sign in) if missing,
/// holding `role` in `cycle`.
async fn person(
    store: &Store,
    local: &str,
    name: &str,
    role: Role,
    cycle: i64,
) -> anyhow::Result<i64> {
    let id = match store.user_by_email(&email(local)).await {
        Ok(u) => u.id,
        Err(StoreError::NotFound) => {
            store
                .create_user(NewUser {
                    email: &email(local),
                    display_name: name,
                    password_hash: None,
                    school_id: None,
                })
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    grant(store, id, role, cycle).await?;
    Ok(id)
}

/// Grants a cycle role unless it is held already.
async fn grant(store: &Store, user: i64, role: Role, cycle: i64) -> anyhow::Result<()> {
    match store
        .grant_role(
            user,
            Grant {
                role,
                scope: Scope::Cycle(cycle),
            },
            None,
        )
        .await
    {
        Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("a valid demo date")
}

/// Seeds last year's pairs in `past` (the institutional scheme's closed 2025/26 cycle), with
/// `former_mentee` (a member of staff who took part then) as one of its staff mentees, and one
/// active pair in `pilot` (this year's Law School pilot).
pub async fn seed(store: &Store, past: i64, pilot: i64, former_mentee: i64) -> anyhow::Result<()> {
    if store.pairs_of_cycle(past).await?.is_empty() {
        past_cycle(store, past, former_mentee).await?;
    }
    if store.pairs_of_cycle(pilot).await?.is_empty() {
        let mentor = person(store, "mentor2", "Tomasz Wiśniewski", Role::Mentor, pilot).await?;
        let mentee = person(store, "mentee2", "Dr Graham Holt", Role::Mentee, pilot).await?;
        let mut tx = store.begin().await?;
        tx.publish_pairs(
            pilot,
            &[NewPair {
                mentor_id: mentor,
                mentee_id: mentee,
                reason:
                    "Both interested in assessment and feedback; both free on Tuesday afternoons."
                        .into(),
                cost: 4,
            }],
            None,
        )
        .await?;
        tx.commit().await?;
    }
    if store.pairs_of_cycle(pilot).await?.len() < 2 {
        pilot_pair_under_way(store, pilot).await?;
    }
    Ok(())
}

/// The demo's headline mentor and mentee (`mentor@`, `mentee@`) as a second pilot pair that
/// has accepted its expectations and has its first meeting in the diary, so that both have a
/// pair to open.
async fn pilot_pair_under_way(store: &Store, pilot: i64) -> anyhow::Result<()> {
    let mentor = person(store, "mentor", "Amara Nwosu", Role::Mentor, pilot).await?;
    let mentee = person(
        store,
        "mentee",
        "Professor Helen Marsh",
        Role::Mentee,
        pilot,
    )
    .await?;
    let mut tx = store.begin().await?;
    tx.publish_pairs(
        pilot,
        &[NewPair {
            mentor_id: mentor,
            mentee_id: mentee,
            reason: "Both interested in belonging and commuting; both free on Wednesday mornings."
                .into(),
            cost: 6,
        }],
        None,
    )
    .await?;
    tx.commit().await?;
    let pair = store
        .pairs_of_cycle(pilot)
        .await?
        .into_iter()
        .find(|p| p.mentor_id == mentor)
        .ok_or_else(|| anyhow::anyhow!("the pilot pair just published"))?;
    store.accept_agreement(pair.id, mentor).await?;
    store.accept_agreement(pair.id, mentee).await?;
    Ok(())
}

/// Students who applied to last year's cycle and were not offered a place.
const NOT_PLACED: usize = 14;
/// Staff who were invited last year and declined.
const DECLINED: [&str; 4] = [
    "Professor Ruth Calloway",
    "Dr Owen Mercer",
    "Dr Priyanka Shah",
    "Professor Tom Ellery",
];

/// Last year's recruitment, so that the annual report's participation figures have the seeds'
/// shape: every mentor applied and was accepted, and a further 14 students applied without a
/// place; every staff mentee accepted an invitation, and four more staff declined theirs.
async fn recruitment(
    store: &Store,
    past: i64,
    mentors: &[i64],
    mentees: &[i64],
) -> anyhow::Result<()> {
    let mut applicants: Vec<(i64, bool)> = mentors.iter().map(|m| (*m, true)).collect();
    for i in 0..NOT_PLACED {
        let local = format!("rm2526.applicant{:02}", i + 1);
        let id = match store.user_by_email(&email(&local)).await {
            Ok(u) => u.id,
            Err(StoreError::NotFound) => {
                store
                    .create_user(NewUser {
                        email: &email(&local),
                        display_name: &format!("Applicant {}", i + 1),
                        password_hash: None,
                        school_id: None,
                    })
                    .await?
            }
            Err(e) => return Err(e.into()),
        };
        applicants.push((id, false));
    }
    for (i, (user_id, placed)) in applicants.into_iter().enumerate() {
        // As the reflective chats expect: research consent from everyone, quotes from all but
        // every fourth mentor.
        let mut consents = vec![ConsentKind::TakePart, ConsentKind::Research];
        if i % 4 != 3 {
            consents.push(ConsentKind::Quotes);
        }
        let id = store
            .save_application(NewApplication {
                cycle_id: past,
                user_id,
                label_ids: &[],
                own_words: "",
                course: "",
                level: "",
                interests: "",
                availability: "",
                hopes: "That the people who run the university hear what studying here is like.",
                school_id: None,
                consents: &consents,
            })
            .await?;
        let decision = if placed {
            ApplicationStatus::Accepted
        } else {
            ApplicationStatus::Declined
        };
        store
            .decide_application(id, decision, "Thank you for applying.", None)
            .await?;
    }
    let staff = mentees.iter().map(|m| (Some(*m), None));
    let declined = DECLINED.iter().map(|name| (None, Some(*name)));
    for (i, (mentee, declined_name)) in staff.chain(declined).enumerate() {
        let (address, name) = match mentee {
            Some(id) => {
                let u = store.user(id).await?;
                (u.email, u.display_name)
            }
            None => (
                email(&format!("rm2526.invitee{:02}", i + 1)),
                declined_name.unwrap_or_default().to_owned(),
            ),
        };
        let (_, token) = store
            .create_invitation(NewInvitation {
                cycle_id: past,
                email: &address,
                name: &name,
                school_id: None,
                invited_by: None,
                expires_at: flipside_store::now() + Duration::days(14),
            })
            .await?;
        if mentee.is_some() {
            store.accept_invitation(&token, "", "", true).await?;
        } else {
            store
                .decline_invitation(
                    &token,
                    "My teaching load this year does not leave the time.",
                )
                .await?;
        }
    }
    Ok(())
}

async fn past_cycle(store: &Store, past: i64, former_mentee: i64) -> anyhow::Result<()> {
    let mut mentors = Vec::new();
    for (i, name) in STUDENTS.iter().enumerate() {
        mentors.push(
            person(
                store,
                &format!("rm2526.student{:02}", i + 1),
                name,
                Role::Mentor,
                past,
            )
            .await?,
        );
    }
    grant(store, former_mentee, Role::Mentee, past).await?;
    let mut mentees = vec![former_mentee];
    for (i, name) in STAFF.iter().enumerate() {
        mentees.push(
            person(
                store,
                &format!("rm2526.staff{:02}", i + 1),
                name,
                Role::Mentee,
                past,
            )
            .await?,
        );
    }
    recruitment(store, past, &mentors, &mentees).await?;
    let new: Vec<NewPair> = mentors
        .iter()
        .zip(&mentees)
        .map(|(m, e)| NewPair {
            mentor_id: *m,
            mentee_id: *e,
            reason: "Matched on shared interests and overlapping availability.".into(),
            cost: 5,
        })
        .collect();
    let mut tx = store.begin().await?;
    let pairs = tx.publish_pairs(past, &new, None).await?;
    tx.commit().await?;
    let early = pairs.len() - 1;
    for (i, pair) in pairs.iter().enumerate() {
        let (mentor, mentee) = (mentors[i], mentees[i]);
        store
            .accept_agreement_at(*pair, mentor, at(2025, 10, 6 + (i % 5) as u32, 10))
            .await?;
        store
            .accept_agreement_at(*pair, mentee, at(2025, 10, 8 + (i % 5) as u32, 15))
            .await?;
        // Seven monthly meetings, 18 to 23 hours in all; the pair that ended early met twice.
        let (count, total) = if i == early {
            (2, 180)
        } else {
            (7, 1080 + (i as i64 * 37) % 300)
        };
        for s in 0..count {
            let start = at(2025, 10, 20, 9 + (i % 8) as u32) + Duration::weeks(4 * s);
            let planned = 180;
            let minutes = if s == count - 1 {
                total - (total / count) * (count - 1)
            } else {
                total / count
            };
            let proposer = if s % 2 == 0 { mentor } else { mentee };
            let id = store
                .propose_meeting(
                    *pair,
                    s,
                    Slot {
                        start,
                        minutes: planned,
                    },
                    proposer,
                )
                .await?;
            store.respond_to_meeting(id, true).await?;
            store.mark_meeting_held(id, minutes).await?;
        }
    }
    store
        .end_pair_early(pairs[early], "The staff mentee left the university in January; the student chose not to be re-matched.")
        .await?;
    let mut tx = store.begin().await?;
    tx.complete_active_pairs(past).await?;
    tx.commit().await?;

    store.add_note(pairs[0], mentors[0], "Remember to bring the module handbook example next time: the deadlines page makes my point.", false).await?;
    store.add_note(pairs[0], mentees[0], "I had not realised how much feedback timing shapes whether students use it. Follow up with the Schools.", true).await?;
    store
        .add_note(
            pairs[3],
            mentors[3],
            "Travel times for the week, to show the real cost of a split day.",
            false,
        )
        .await?;

    for (p, title, description, anonymous, reached, reason, evidence, link) in ACTIONS {
        let id = store
            .raise_action(&NewFollowUpAction {
                pair_id: pairs[*p],
                cycle_id: past,
                raised_by: mentors[*p],
                anonymous: *anonymous,
                owner_id: mentees[*p],
                title,
                description,
            })
            .await?;
        let path: &[ActionStatus] = match reached {
            ActionStatus::Proposed => &[],
            ActionStatus::Agreed => &[ActionStatus::Agreed],
            ActionStatus::InProgress => &[ActionStatus::Agreed, ActionStatus::InProgress],
            ActionStatus::Done => &[
                ActionStatus::Agreed,
                ActionStatus::InProgress,
                ActionStatus::Done,
            ],
            ActionStatus::Declined => &[ActionStatus::Declined],
        };
        let mut from = ActionStatus::Proposed;
        for to in path {
            store.move_action(id, from, *to, reason).await?;
            from = *to;
        }
        if !evidence.is_empty() || !link.is_empty() {
            store.add_evidence(id, mentees[*p], evidence, link).await?;
        }
    }
    Ok(())
}
