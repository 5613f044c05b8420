//! Demo staff invitations for the recruiting cycle (SPEC §3.2): some accepted with interests
//! and availability (so that matching has mentees to propose pairs for), some still waiting,
//! some declined with a reason, and one expired. No pairs are made here.
use chrono::Duration;
use flipside_core::invitation::VALID_DAYS;
use flipside_store::{NewInvitation, Store};

/// (local part of the email, name, School code or "", answer) where the answer is
/// `accept:<interests>|<slots>`, `decline:<reason>`, `wait` or `expired`.
const INVITEES: &[(&str, &str, &str, &str)] = &[
    (
        "mentee",
        "Professor Helen Marsh",
        "HIS",
        "accept:assessment, belonging|mon-pm wed-pm",
    ),
    (
        "mentee2",
        "Dr Graham Holt",
        "ENGR",
        "accept:commuting, timetabling|tue-am thu-eve",
    ),
    (
        "pvc.education",
        "Professor Miriam Castell",
        "",
        "accept:student voice, belonging|wed-pm fri-am",
    ),
    (
        "dean.science",
        "Professor Arjun Mehta",
        "CHEM",
        "accept:careers, placements|thu-eve mon-pm",
    ),
    (
        "head.nursing",
        "Dr Sinead Fallon",
        "NURS",
        "accept:mental health, belonging|fri-am tue-am",
    ),
    (
        "registrar",
        "Ms Patricia Oduya",
        "",
        "accept:assessment, timetabling|mon-pm thu-eve",
    ),
    ("head.english", "Dr Colm Rafferty", "ENG", "wait"),
    ("library.director", "Ms Ingrid Solberg", "", "wait"),
    (
        "head.computing",
        "Professor Wen Liu",
        "COMP",
        "decline:On research leave for most of this year; please ask me again next year.",
    ),
    (
        "estates.director",
        "Mr Declan Hardy",
        "",
        "decline:Not able to commit to the meetings this term.",
    ),
    ("head.biosciences", "Dr Amara Nwosu", "BIOS", "expired"),
];

/// Seeds the invitations of the recruiting cycle `cycle`, sent by `coordinator`. Does nothing
/// if the cycle already has invitations.
pub async fn seed(store: &Store, cycle: i64, coordinator: i64) -> anyhow::Result<()> {
    if !store.invitations_of(cycle).await?.is_empty() {
        return Ok(());
    }
    let schools = store.schools().await?;
    for (local, name, school, answer) in INVITEES {
        let email = format!("{local}@demo.flipside.test");
        let expires_at = if *answer == "expired" {
            flipside_store::now() - Duration::days(2)
        } else {
            flipside_store::now() + Duration::days(VALID_DAYS)
        };
        let (_, token) = store
            .create_invitation(NewInvitation {
                cycle_id: cycle,
                email: &email,
                name,
                school_id: schools.iter().find(|s| s.code == *school).map(|s| s.id),
                invited_by: Some(coordinator),
                expires_at,
            })
            .await?;
        if let Some(rest) = answer.strip_prefix("accept:") {
            let (interests, slots) = rest.split_once('|').unwrap_or((rest, ""));
            store
                .accept_invitation(&token, interests, slots, true)
                .await?;
        } else if let Some(reason) = answer.strip_prefix("decline:") {
            store.decline_invitation(&token, reason).await?;
        }
    }
    Ok(())
}
