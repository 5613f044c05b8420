//! Sending a survey wave's emails: its invitations (which open the wave) and its reminders.
use crate::error::AppError;
use crate::mail::messages::{Recipient, SurveyWaveMail};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use crate::webhooks::{self, Event};
use chrono::NaiveDate;
use flipside_store::{Cycle, NewAuditEntry, Scheme, SurveyWave, Tx};

/// Which emails a wave action sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailing {
    Invite,
    Remind,
}

/// What a wave's mailing queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mailed {
    /// Emails queued now.
    pub queued: usize,
    /// Emails already queued earlier (today, for reminders) and not sent again.
    pub already: usize,
    /// People enrolled in the evaluation by this invitation.
    pub enrolled: usize,
}

/// Invites a wave's respondents (enrolling whoever has joined the cycle since the last
/// invitation) or reminds those who have not responded: the enrolments, the "survey wave
/// opened" event (invitations open the wave; recorded the first time only), every email and
/// the audit entry, in one transaction. The caller has checked the policy and that the wave
/// may be mailed on `today`.
pub async fn mail_wave(
    state: &AppState,
    actor: Actor<'_>,
    (cycle, scheme): (&Cycle, &Scheme),
    w: &SurveyWave,
    mailing: Mailing,
    today: NaiveDate,
) -> Result<Mailed, AppError> {
    let wave = w.wave();
    let mut tx = state.store.begin().await?;
    let enrolled = if mailing == Mailing::Invite {
        enrol(&mut tx, cycle.id).await?
    } else {
        0
    };
    if mailing == Mailing::Invite {
        webhooks::record(
            &mut tx,
            &state.settings,
            Event::SurveyWaveOpened {
                cycle_id: cycle.id,
                wave_id: w.id,
                wave: wave.as_str(),
                opens_on: &w.opens_on.to_string(),
                closes_on: &w.closes_on.to_string(),
            },
        )
        .await?;
    }
    let mut queued = 0;
    let mut already = 0;
    let year = cycle.year().to_string();
    let closes_on = w.closes_on.to_string();
    let day = today.to_string();
    for r in tx.wave_recipients(cycle.id, wave).await? {
        if mailing == Mailing::Remind && r.responded {
            continue;
        }
        let link = state
            .settings
            .link(&format!("surveys/{}/{}", r.participant_id, wave.as_str()));
        let email = SurveyWaveMail {
            wave_id: w.id,
            participant_id: r.participant_id,
            reminder_on: (mailing == Mailing::Remind).then_some(day.as_str()),
            wave: wave.label(),
            scheme: &scheme.name,
            year: &year,
            closes_on: &closes_on,
            link: &link,
        }
        .to(Recipient {
            name: &r.display_name,
            email: &r.email,
        });
        if tx.enqueue_email(&email.as_new()).await? {
            queued += 1;
        } else {
            already += 1;
        }
    }
    let (action, what) = match mailing {
        Mailing::Invite => ("survey_invitations_sent", "invitations"),
        Mailing::Remind => ("survey_reminders_sent", "reminders"),
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action,
        subject_kind: "survey_wave",
        subject_id: Some(w.id),
        detail: &format!(
            "{} wave: {queued} {what} queued, {already} already queued, {enrolled} enrolled",
            wave.as_str()
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(Mailed {
        queued,
        already,
        enrolled,
    })
}

/// Enrols everyone taking part in the cycle who is not enrolled yet (accepted student
/// applicants as mentors, staff leaders who accepted as mentees), each under a new random
/// code that says nothing about them. Returns how many were enrolled.
/// Inside the inviting operation's transaction, reading only through it: on SQLite it holds
/// the write lock, and waiting for another connection of the pool would starve every writer
/// waiting for that lock. Invitations sent at once (two tabs) take turns on the cycle's lock,
/// so each person is enrolled once. A code already taken (about one chance in a billion)
/// fails the whole operation with a conflict that asks to try again: on PostgreSQL a failed
/// statement ends the transaction, so drawing again inside it is not possible.
pub async fn enrol(tx: &mut Tx, cycle_id: i64) -> Result<usize, AppError> {
    tx.lock(&format!("survey-enrolment:{cycle_id}")).await?;
    let mut added = 0;
    for (user_id, role, consent) in tx.survey_enrolment_candidates(cycle_id).await? {
        let code = participant_code(&role);
        tx.add_survey_participant(cycle_id, &code, &role, Some(user_id), consent)
            .await?;
        added += 1;
    }
    Ok(added)
}

/// A pseudonymous participant code: `M-` (mentor) or `S-` (staff mentee) and six characters
/// drawn at random from letters and digits that cannot be misread.
fn participant_code(role: &str) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    let prefix = if role == "mentor" { "M" } else { "S" };
    format!("{prefix}-{tail}")
}

/// Sets the dates of a cycle's waves, with the audit entry naming them, in one transaction.
pub async fn set_dates(
    state: &AppState,
    actor: Actor<'_>,
    cycle_id: i64,
    waves: &[flipside_core::surveys::WaveDates],
) -> Result<(), AppError> {
    let detail = waves
        .iter()
        .map(|w| format!("{}: {} to {}", w.wave.as_str(), w.opens_on, w.closes_on))
        .collect::<Vec<_>>()
        .join("; ");
    let mut tx = state.store.begin().await?;
    tx.set_wave_dates(cycle_id, waves).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "survey_dates_set",
        subject_kind: "cycle",
        subject_id: Some(cycle_id),
        detail: &detail,
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
