//! Survey reminders on a schedule the coordinator sets per wave (issue 14): setting a wave's
//! schedule, with its audit entry; and the email worker's pass that sends each scheduled
//! reminder once, to those who have not submitted, in one transaction with its audit entry.
use crate::error::AppError;
use crate::mail::messages::{Recipient, SurveyWaveMail};
use crate::operations::cycles::Actor;
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::survey_reminders::ReminderSchedule;
use flipside_store::{NewAuditEntry, Store, SurveyWave};

/// Sets a wave's reminder schedule, audited, in one transaction.
pub async fn set_schedule(
    store: &Store,
    actor: Actor<'_>,
    wave: &SurveyWave,
    schedule: &ReminderSchedule,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.set_wave_reminder_schedule(
        wave.id,
        schedule.every_days.map(i64::from),
        &schedule.dates_text(),
    )
    .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "survey_reminder_schedule_set",
        subject_kind: "cycle",
        subject_id: Some(wave.cycle_id),
        detail: &format!("{}: {}", wave.wave().title(), schedule.words()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The schedule stored with a wave. A stored value that does not read is an error, never an
/// empty schedule.
pub fn schedule_of(wave: &SurveyWave) -> Result<ReminderSchedule, AppError> {
    ReminderSchedule::stored(wave.remind_every_days, &wave.remind_on_dates)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("wave {}: {e}", wave.id)))
}

/// Queues the scheduled reminders due on the organisation's date at `now`: for each wave whose
/// schedule has a day due, the day is claimed (a conditional UPDATE: exactly one transaction
/// wins it, even across instances sharing the database), then every enrolled person who has
/// not submitted is emailed and the audit entry written, all in that transaction. A wave
/// whose day is already claimed sends nothing. Returns how many emails were queued, or the last
/// error after trying every wave.
pub async fn queue_scheduled_survey_reminders(
    store: &Store,
    public_url: &url::Url,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let today = store.zone().await?.date_of(now);
    let mut queued = 0;
    let mut failed = None;
    for wave in store.waves_with_reminder_schedules().await? {
        let schedule = ReminderSchedule::stored(wave.remind_every_days, &wave.remind_on_dates)
            .map_err(|e| anyhow::anyhow!("wave {}: {e}", wave.id));
        let Some(day) = schedule
            .as_ref()
            .ok()
            .and_then(|s| s.due_on(&wave.dates(), today))
        else {
            if let Err(e) = schedule {
                failed = Some(e);
            }
            continue;
        };
        // One wave that cannot be reminded does not hold up the others.
        match remind_on_schedule(store, public_url, &wave, day, today).await {
            Ok(n) => queued += n,
            Err(e) => {
                tracing::error!(wave = wave.id, error = %e, "scheduled survey reminders not queued");
                failed = Some(e);
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(queued),
    }
}

async fn remind_on_schedule(
    store: &Store,
    public_url: &url::Url,
    wave: &SurveyWave,
    day: NaiveDate,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let cycle = store.cycle(wave.cycle_id).await?;
    let scheme = store.scheme(cycle.scheme_id).await?;
    let mut tx = store.begin().await?;
    if !tx.claim_scheduled_reminder(wave.id, day).await? {
        return Ok(0);
    }
    let year = cycle.year().to_string();
    let closes_on = wave.closes_on.to_string();
    // One reminder a day, whoever sends it: one sent by hand today is not sent again.
    let sent_on = today.to_string();
    let mut queued = 0;
    for r in tx.wave_recipients(wave.cycle_id, wave.wave()).await? {
        if r.responded {
            continue;
        }
        let link = public_url.join(&format!(
            "surveys/{}/{}",
            r.participant_id,
            wave.wave().as_str()
        ))?;
        let email = SurveyWaveMail {
            wave_id: wave.id,
            participant_id: r.participant_id,
            reminder_on: Some(&sent_on),
            wave: wave.wave().label(),
            scheme: &scheme.name,
            year: &year,
            closes_on: &closes_on,
            link: link.as_str(),
        }
        .to(Recipient {
            name: &r.display_name,
            email: &r.email,
        });
        if tx.enqueue_email(&email.as_new()).await? {
            queued += 1;
        }
    }
    tx.audit(NewAuditEntry {
        actor_id: None,
        action: "survey_reminders_scheduled",
        subject_kind: "cycle",
        subject_id: Some(wave.cycle_id),
        detail: &format!(
            "{}: the reminder of {day}, {queued} emailed",
            wave.wave().title()
        ),
        address: "",
    })
    .await?;
    tx.commit().await?;
    Ok(queued)
}
