//! What a pair does between them (SPEC §3.4): the expectations agreement, meetings from
//! proposal to held, private notes, and concerns raised to the scheme's coordinators.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, User, now};
use chrono::{DateTime, Utc};
use flipside_core::concerns::ConcernStatus;
use flipside_core::meetings::{MeetingStatus, Slot};
use serde::Serialize;

/// A member's acceptance of the expectations agreement.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Agreement {
    pub user_id: i64,
    pub user_name: String,
    pub accepted_at: DateTime<Utc>,
}

/// A meeting of a pair.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    pub pair_id: i64,
    /// The session of the plan, counted from 0.
    pub session_index: i64,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub status: Decoded<MeetingStatus>,
    pub proposed_by: i64,
    pub proposed_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub held_minutes: Option<i64>,
    pub held_at: Option<DateTime<Utc>>,
}

impl Meeting {
    pub fn status(&self) -> MeetingStatus {
        self.status.get()
    }

    pub fn slot(&self) -> Slot {
        Slot {
            start: self.starts_at,
            minutes: self.duration_minutes,
        }
    }
}

/// A confirmed meeting about to happen, with both members, for reminders.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UpcomingMeeting {
    pub id: i64,
    pub pair_id: i64,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentor_email: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    pub mentee_email: String,
}

/// A private note.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub pair_id: i64,
    pub author_id: i64,
    pub body: String,
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

/// A concern raised to the coordinators.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Concern {
    pub id: i64,
    pub pair_id: i64,
    pub cycle_id: i64,
    pub raised_by: i64,
    pub raiser_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub status: Decoded<ConcernStatus>,
    /// The coordinators' reply, which the raiser sees; empty until they write one.
    pub reply: String,
    pub answered_at: Option<DateTime<Utc>>,
    /// How many answers the coordinators have given.
    pub answers: i64,
}

impl Concern {
    pub fn status(&self) -> ConcernStatus {
        self.status.get()
    }
}

const CONCERN_COLUMNS: &str = "c.id, c.pair_id, c.cycle_id, c.raised_by, u.display_name AS raiser_name, c.body, c.created_at, c.status, c.reply, c.answered_at, c.answers";

/// Hours met by one pair of a cycle (no content: what the coordinator sees).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PairHours {
    pub pair_id: i64,
    pub mentor_name: String,
    pub mentee_name: String,
    pub status: Decoded<crate::pairs::PairStatus>,
    pub meetings_held: i64,
    pub minutes_held: i64,
    /// When the pair's latest held meeting started.
    pub last_met: Option<DateTime<Utc>>,
    pub published_at: DateTime<Utc>,
}

const MEETING_COLUMNS: &str = "m.id, m.pair_id, m.session_index, m.starts_at, m.duration_minutes, m.status, m.proposed_by, m.proposed_at, m.responded_at, m.held_minutes, m.held_at";

impl Store {
    /// Records that a member accepted the expectations; accepting again changes nothing.
    pub async fn accept_agreement(&self, pair_id: i64, user_id: i64) -> Result<()> {
        self.accept_agreement_at(pair_id, user_id, now()).await
    }

    /// As [`Store::accept_agreement`], at a given instant (for the demo's past cycle).
    pub async fn accept_agreement_at(
        &self,
        pair_id: i64,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query(
            "INSERT INTO pair_agreements (pair_id, user_id, accepted_at) VALUES ($1, $2, $3) ON CONFLICT (pair_id, user_id) DO NOTHING"
        ).bind(pair_id).bind(user_id).bind(at).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Who accepted the expectations, and when, first first.
    pub async fn agreements(&self, pair_id: i64) -> Result<Vec<Agreement>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Agreement>(
            "SELECT a.user_id, u.display_name AS user_name, a.accepted_at FROM pair_agreements a JOIN users u ON u.id = a.user_id WHERE a.pair_id = $1 ORDER BY a.accepted_at, a.user_id"
        ).bind(pair_id).fetch_all(pool).await)?)
    }

    /// Confirmed meetings of active pairs starting at or after `from` and before `to`.
    pub async fn meetings_starting(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<UpcomingMeeting>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, UpcomingMeeting>(
            "SELECT m.id, m.pair_id, m.starts_at, m.duration_minutes,
                    p.mentor_id, mr.display_name AS mentor_name, mr.email AS mentor_email,
                    p.mentee_id, me.display_name AS mentee_name, me.email AS mentee_email
             FROM meetings m JOIN pairs p ON p.id = m.pair_id
             JOIN users mr ON mr.id = p.mentor_id JOIN users me ON me.id = p.mentee_id
             WHERE m.status = $1 AND p.status = 'active' AND m.starts_at >= $2 AND m.starts_at < $3
             ORDER BY m.starts_at, m.id"
        ).bind(MeetingStatus::Confirmed.as_str()).bind(from).bind(to).fetch_all(pool).await)?)
    }

    /// Records a proposed meeting; the caller has checked it (future, no overlap, session).
    pub async fn propose_meeting(
        &self,
        pair_id: i64,
        session_index: i64,
        slot: Slot,
        proposed_by: i64,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx
            .propose_meeting(pair_id, session_index, slot, proposed_by)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn meeting(&self, id: i64) -> Result<Meeting> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Meeting>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A pair's meetings, soonest first.
    pub async fn meetings_of_pair(&self, pair_id: i64) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.pair_id = $1 ORDER BY m.starts_at, m.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Meeting>(&sql).bind(pair_id).fetch_all(pool).await)?,
        )
    }

    /// Every meeting, in any pair, of either person that still takes up time (not declined).
    pub async fn busy_meetings(&self, a: i64, b: i64) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m JOIN pairs p ON p.id = m.pair_id
             WHERE (p.mentor_id = $1 OR p.mentee_id = $1 OR p.mentor_id = $2 OR p.mentee_id = $2) AND m.status <> $3
             ORDER BY m.starts_at"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Meeting>(&sql).bind(a).bind(b)
            .bind(MeetingStatus::Declined.as_str()).fetch_all(pool).await)?,
        )
    }

    /// Confirms or declines a proposed meeting. A meeting no longer proposed is a conflict.
    pub async fn respond_to_meeting(&self, id: i64, confirm: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.respond_to_meeting(id, confirm).await?;
        tx.commit().await
    }

    /// Logs a confirmed meeting as held, with how long the pair met (a held one may be
    /// corrected).
    pub async fn mark_meeting_held(&self, id: i64, minutes: i64) -> Result<()> {
        let n = on_pool_write!(self, pool => sqlx::query(
            "UPDATE meetings SET status = $1, held_minutes = $2, held_at = $3 WHERE id = $4 AND status IN ($5, $1)"
        ).bind(MeetingStatus::Held.as_str()).bind(minutes).bind(now()).bind(id).bind(MeetingStatus::Confirmed.as_str())
            .execute(pool).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            self.meeting(id).await?;
            return Err(StoreError::Conflict(
                "Only a confirmed meeting can be logged as held.".into(),
            ));
        }
        Ok(())
    }

    /// Minutes a pair has met in held meetings.
    pub async fn minutes_held(&self, pair_id: i64) -> Result<i64> {
        let (m,): (Option<i64>,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT CAST(SUM(held_minutes) AS BIGINT) FROM meetings WHERE pair_id = $1 AND status = $2"
        ).bind(pair_id).bind(MeetingStatus::Held.as_str()).fetch_one(pool).await)?;
        Ok(m.unwrap_or(0))
    }

    /// Meetings held and minutes met, per pair of a cycle, in the order pairs were published.
    pub async fn hours_of_cycle(&self, cycle_id: i64) -> Result<Vec<PairHours>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PairHours>(
            "SELECT p.id AS pair_id, mr.display_name AS mentor_name, me.display_name AS mentee_name, p.status,
                    CAST(COUNT(m.id) AS BIGINT) AS meetings_held, CAST(COALESCE(SUM(m.held_minutes), 0) AS BIGINT) AS minutes_held,
                    MAX(m.starts_at) AS last_met, p.published_at
             FROM pairs p JOIN users mr ON mr.id = p.mentor_id JOIN users me ON me.id = p.mentee_id
             LEFT JOIN meetings m ON m.pair_id = p.id AND m.status = $2
             WHERE p.cycle_id = $1
             GROUP BY p.id, mr.display_name, me.display_name, p.status, p.published_at ORDER BY p.id"
        ).bind(cycle_id).bind(MeetingStatus::Held.as_str()).fetch_all(pool).await)?)
    }

    /// Writes a private note.
    pub async fn add_note(
        &self,
        pair_id: i64,
        author_id: i64,
        body: &str,
        shared: bool,
    ) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO pair_notes (pair_id, author_id, body, shared, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(pair_id).bind(author_id).bind(body).bind(shared).bind(now()).fetch_one(pool).await)?;
        Ok(id)
    }

    /// Every note of a pair, newest first. The caller shows each only if
    /// `policy::private_note` allows it.
    pub async fn notes_of_pair(&self, pair_id: i64) -> Result<Vec<Note>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Note>(
            "SELECT id, pair_id, author_id, body, shared, created_at FROM pair_notes WHERE pair_id = $1 ORDER BY id DESC"
        ).bind(pair_id).fetch_all(pool).await)?)
    }

    pub async fn note(&self, id: i64) -> Result<Note> {
        on_pool!(self, pool => sqlx::query_as::<_, Note>(
            "SELECT id, pair_id, author_id, body, shared, created_at FROM pair_notes WHERE id = $1"
        ).bind(id).fetch_optional(pool).await)
        .or_not_found()
    }

    /// Shares a note with the partner, or stops sharing it.
    pub async fn set_note_shared(&self, id: i64, shared: bool) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query("UPDATE pair_notes SET shared = $1 WHERE id = $2")
            .bind(shared).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a concern raised by a member of a pair.
    pub async fn raise_concern(
        &self,
        pair_id: i64,
        cycle_id: i64,
        raised_by: i64,
        body: &str,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.raise_concern(pair_id, cycle_id, raised_by, body).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A cycle's concerns, newest first.
    pub async fn concerns_of_cycle(&self, cycle_id: i64) -> Result<Vec<Concern>> {
        let sql = format!(
            "SELECT {CONCERN_COLUMNS} FROM concerns c JOIN users u ON u.id = c.raised_by WHERE c.cycle_id = $1 ORDER BY c.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Concern>(&sql).bind(cycle_id).fetch_all(pool).await)?,
        )
    }

    /// One concern.
    pub async fn concern(&self, id: i64) -> Result<Concern> {
        let sql = format!(
            "SELECT {CONCERN_COLUMNS} FROM concerns c JOIN users u ON u.id = c.raised_by WHERE c.id = $1"
        );
        on_pool!(self, pool => sqlx::query_as::<_, Concern>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// Every concern raised in a pair, newest first (each member sees only their own:
    /// [`crate::PairRecords::concerns_raised_by`]).
    pub(crate) async fn concerns_of_pair(&self, pair_id: i64) -> Result<Vec<Concern>> {
        let sql = format!(
            "SELECT {CONCERN_COLUMNS} FROM concerns c JOIN users u ON u.id = c.raised_by WHERE c.pair_id = $1 ORDER BY c.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Concern>(&sql).bind(pair_id).fetch_all(pool).await)?,
        )
    }

    /// The people who coordinate a scheme (organisation-wide or for this scheme), enabled
    /// accounts only: who a concern goes to.
    pub async fn coordinators_of(&self, scheme_id: i64) -> Result<Vec<User>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, User>(
            "SELECT DISTINCT u.id, u.email, u.display_name, u.password_hash, u.school_id, u.disabled, u.created_at
             FROM users u JOIN role_grants g ON g.user_id = u.id
             WHERE g.role = 'coordinator' AND (g.scope_kind = 'organisation' OR (g.scope_kind = 'scheme' AND g.scope_id = $1))
               AND NOT u.disabled ORDER BY u.id"
        ).bind(scheme_id).fetch_all(pool).await)?)
    }
}

impl Tx {
    /// Records that a member accepted the pair's expectations agreement (once).
    pub async fn accept_agreement(&mut self, pair_id: i64, user_id: i64) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO pair_agreements (pair_id, user_id, accepted_at) VALUES ($1, $2, $3) ON CONFLICT (pair_id, user_id) DO NOTHING"
        ).bind(pair_id).bind(user_id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a proposed meeting. Returns its id.
    pub async fn propose_meeting(
        &mut self,
        pair_id: i64,
        session_index: i64,
        slot: Slot,
        proposed_by: i64,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO meetings (pair_id, session_index, starts_at, duration_minutes, status, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        ).bind(pair_id).bind(session_index).bind(slot.start).bind(slot.minutes).bind(MeetingStatus::Proposed.as_str())
            .bind(proposed_by).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// A meeting as this transaction sees it.
    pub async fn meeting(&mut self, id: i64) -> Result<Meeting> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM meetings m WHERE m.id = $1");
        on_tx!(self, c => sqlx::query_as::<_, Meeting>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()
    }

    /// Confirms or declines a proposed meeting. One already answered is a conflict.
    pub async fn respond_to_meeting(&mut self, id: i64, confirm: bool) -> Result<()> {
        let to = if confirm {
            MeetingStatus::Confirmed
        } else {
            MeetingStatus::Declined
        };
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE meetings SET status = $1, responded_at = $2 WHERE id = $3 AND status = $4"
        ).bind(to.as_str()).bind(now()).bind(id).bind(MeetingStatus::Proposed.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            self.meeting(id).await?;
            return Err(StoreError::Conflict(
                "This meeting has already been answered.".into(),
            ));
        }
        Ok(())
    }

    /// A coordinator's answer to a concern still in `from`: its new status and reply (an empty
    /// reply keeps the last one). Returns how many answers it has had, this one included. A
    /// concern that moved on since the page was loaded is a conflict.
    pub async fn answer_concern(
        &mut self,
        id: i64,
        from: ConcernStatus,
        to: ConcernStatus,
        reply: &str,
        by: i64,
    ) -> Result<i64> {
        let row: Option<(i64,)> = on_tx!(self, c => sqlx::query_as(
            "UPDATE concerns SET status = $1, reply = CASE WHEN $2 = '' THEN reply ELSE $2 END, answered_at = $3, answered_by = $4, answers = answers + 1
             WHERE id = $5 AND status = $6 RETURNING answers"
        ).bind(to.as_str()).bind(reply).bind(now()).bind(by).bind(id).bind(from.as_str()).fetch_optional(&mut *c).await)?;
        row.map(|(n,)| n).ok_or_else(|| {
            StoreError::Conflict(
                "The concern has changed since the page was loaded; reload and try again.".into(),
            )
        })
    }

    /// Records a concern a member of a pair raised. Returns its id.
    pub async fn raise_concern(
        &mut self,
        pair_id: i64,
        cycle_id: i64,
        raised_by: i64,
        body: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO concerns (pair_id, cycle_id, raised_by, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(pair_id).bind(cycle_id).bind(raised_by).bind(body).bind(now()).fetch_one(&mut *c).await)?;
        Ok(id)
    }
}
