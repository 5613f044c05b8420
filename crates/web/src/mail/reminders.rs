//! Reminders queued by the worker before it sends: each member of a confirmed meeting is
//! reminded once, the day before (SPEC §3.4).
use super::messages::{MeetingReminder, Recipient};
use chrono::{DateTime, Duration, Utc};
use flipside_store::Store;

/// How far ahead a meeting is reminded of.
pub const MEETING_REMINDER_AHEAD: Duration = Duration::hours(24);

/// Queues a reminder to both members of every confirmed meeting starting within the next day.
/// The dedup key names the meeting and the member, so running this again (every pass of the
/// worker) queues nothing more. Returns how many reminders were newly queued.
pub async fn queue_meeting_reminders(
    store: &Store,
    public_url: &url::Url,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    let zone = store.zone().await?;
    for m in store
        .meetings_starting(now, now + MEETING_REMINDER_AHEAD)
        .await?
    {
        let link = public_url.join(&format!("pairs/{}", m.pair_id))?;
        let when = zone.span(m.starts_at, m.duration_minutes);
        // Both members' reminders of a meeting are queued together or not at all.
        let mut tx = store.begin().await?;
        for (member, name, email, partner) in [
            (m.mentor_id, &m.mentor_name, &m.mentor_email, &m.mentee_name),
            (m.mentee_id, &m.mentee_name, &m.mentee_email, &m.mentor_name),
        ] {
            let reminder = MeetingReminder {
                meeting_id: m.id,
                member_id: member,
                partner,
                when: &when,
                link: link.as_str(),
            }
            .to(Recipient { name, email });
            if tx.enqueue_email(&reminder.as_new()).await? {
                queued += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(queued)
}
