//! The counts behind the home pages' to-do lists and the cycle page's stages (issue 14). Each
//! figure is a scalar subquery over an indexed table, so that a page asks once for every cycle
//! (or pair) it shows, however many rows lie behind the counts.
use crate::decoded::Decoded;
use crate::pool::on_pool;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::actions::ActionStatus;
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::evaluation::Wave;
use flipside_core::meetings::MeetingStatus;
use flipside_core::progress::{Figures, OpenWave};

/// A cycle's figures, with its scheme's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CycleProgress {
    pub cycle_id: i64,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub academic_year: i64,
    pub state: Decoded<CycleState>,
    applications: i64,
    undecided: i64,
    accepted: i64,
    invitations: i64,
    staff_accepted: i64,
    invitations_waiting: i64,
    invitations_expired: i64,
    pairs_matched: i64,
    pairs_active: i64,
    pairs_completed: i64,
    pairs_ended_early: i64,
    agreements_missing: i64,
    stale_pairs: i64,
    meetings_held: i64,
    new_concerns: i64,
    waves_set: i64,
}

fn n(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl CycleProgress {
    pub fn year(&self) -> AcademicYear {
        AcademicYear::from_start_year(self.academic_year as i32)
    }

    pub fn state(&self) -> CycleState {
        self.state.get()
    }

    /// The figures, with the cycle's open waves (from [`Store::open_waves`]).
    pub fn figures(&self, waves: &[WaveProgress]) -> Figures {
        Figures {
            applications: n(self.applications),
            undecided: n(self.undecided),
            accepted: n(self.accepted),
            invitations: n(self.invitations),
            staff_accepted: n(self.staff_accepted),
            invitations_waiting: n(self.invitations_waiting),
            invitations_expired: n(self.invitations_expired),
            pairs_matched: n(self.pairs_matched),
            pairs_active: n(self.pairs_active),
            pairs_completed: n(self.pairs_completed),
            pairs_ended_early: n(self.pairs_ended_early),
            agreements_missing: n(self.agreements_missing),
            stale_pairs: n(self.stale_pairs),
            meetings_held: n(self.meetings_held),
            new_concerns: n(self.new_concerns),
            waves_set: n(self.waves_set),
            open_waves: waves
                .iter()
                .filter(|w| w.cycle_id == self.cycle_id)
                .map(|w| OpenWave {
                    wave: w.wave.get(),
                    closes_on: w.closes_on,
                    enrolled: n(w.enrolled),
                    responded: n(w.responded),
                })
                .collect(),
        }
    }
}

/// A survey wave open today and its response so far.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaveProgress {
    pub cycle_id: i64,
    pub wave: Decoded<Wave>,
    pub closes_on: NaiveDate,
    /// Enrolled in the cycle's evaluation.
    pub enrolled: i64,
    /// Of them, submitted this wave.
    pub responded: i64,
}

/// One of a person's pairs, with what waits for them in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PairToDo {
    pub pair_id: i64,
    pub cycle_id: i64,
    pub scheme_name: String,
    pub academic_year: i64,
    pub status: Decoded<crate::pairs::PairStatus>,
    pub partner_name: String,
    /// This person has accepted the expectations agreement.
    pub i_accepted: bool,
    /// The partner has.
    pub partner_accepted: bool,
    /// The earliest meeting to come, proposed or confirmed.
    pub next_meeting: Option<DateTime<Utc>>,
    /// Whether that meeting is confirmed (rather than only proposed).
    pub next_confirmed: bool,
    /// Meetings to come that the partner proposed and this person has not answered.
    pub to_answer: i64,
    /// Actions this person owns that are not done or declined.
    pub open_actions: i64,
}

impl PairToDo {
    pub fn year(&self) -> AcademicYear {
        AcademicYear::from_start_year(self.academic_year as i32)
    }
}

/// Every figure of [`CycleProgress`], for the cycles `c` the query selects. The binds: $1 now,
/// $2 the stale cutoff.
const PROGRESS_COLUMNS: &str = "c.id AS cycle_id, c.scheme_id, s.name AS scheme_name, c.academic_year, c.state,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status <> 'withdrawn') AS applications,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status = 'submitted') AS undecided,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status = 'accepted') AS accepted,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id) AS invitations,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id AND i.status = 'accepted') AS staff_accepted,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id AND i.status = 'invited' AND i.expires_at > $1) AS invitations_waiting,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id AND i.status = 'invited' AND i.expires_at <= $1) AS invitations_expired,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id) AS pairs_matched,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'active') AS pairs_active,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'completed') AS pairs_completed,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'ended_early') AS pairs_ended_early,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'active'
        AND (SELECT COUNT(*) FROM pair_agreements g WHERE g.pair_id = p.id) < 2) AS agreements_missing,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'active' AND p.published_at < $2
        AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.pair_id = p.id AND m.status = 'held' AND m.starts_at >= $2)) AS stale_pairs,
    (SELECT COUNT(*) FROM meetings m JOIN pairs p ON p.id = m.pair_id WHERE p.cycle_id = c.id AND m.status = 'held') AS meetings_held,
    (SELECT COUNT(*) FROM concerns k WHERE k.cycle_id = c.id AND k.status = 'new') AS new_concerns,
    (SELECT COUNT(*) FROM survey_waves w WHERE w.cycle_id = c.id) AS waves_set
    FROM cycles c JOIN schemes s ON s.id = c.scheme_id";

/// Open waves with enrolment and response counts, for the waves `w` the query selects. $1 is
/// today, in the organisation's calendar.
const WAVE_COLUMNS: &str = "w.cycle_id, w.wave, w.closes_on,
    (SELECT COUNT(*) FROM survey_participants p WHERE p.cycle_id = w.cycle_id) AS enrolled,
    (SELECT COUNT(DISTINCT r.participant_id) FROM survey_responses r JOIN survey_participants p ON p.id = r.participant_id
        WHERE p.cycle_id = w.cycle_id AND r.wave = w.wave) AS responded
    FROM survey_waves w JOIN cycles c ON c.id = w.cycle_id";

impl Store {
    /// The figures of every cycle that is not closed, by scheme name and year. `now` decides
    /// which invitations have expired; a pair with no held meeting since `stale_cutoff` (and
    /// published before it) counts as not meeting.
    pub async fn cycles_in_progress(
        &self,
        now: DateTime<Utc>,
        stale_cutoff: DateTime<Utc>,
    ) -> Result<Vec<CycleProgress>> {
        let sql = format!(
            "SELECT {PROGRESS_COLUMNS} WHERE c.state <> $3 ORDER BY s.name, c.academic_year, c.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, CycleProgress>(&sql)
            .bind(now).bind(stale_cutoff).bind(CycleState::Closed.as_str()).fetch_all(pool).await)?,
        )
    }

    /// One cycle's figures (any state), as [`Store::cycles_in_progress`] counts them.
    pub async fn cycle_progress(
        &self,
        cycle_id: i64,
        now: DateTime<Utc>,
        stale_cutoff: DateTime<Utc>,
    ) -> Result<CycleProgress> {
        use crate::error::OrNotFound;
        let sql = format!("SELECT {PROGRESS_COLUMNS} WHERE c.id = $3");
        on_pool!(self, pool => sqlx::query_as::<_, CycleProgress>(&sql)
            .bind(now).bind(stale_cutoff).bind(cycle_id).fetch_optional(pool).await)
        .or_not_found()
    }

    /// The survey waves open on `today` in cycles that are not closed, with how many are
    /// enrolled and how many answered (everyone who submitted, with or without research
    /// consent, as the surveys page counts them).
    pub async fn open_waves(&self, today: NaiveDate) -> Result<Vec<WaveProgress>> {
        let sql = format!(
            "SELECT {WAVE_COLUMNS} WHERE w.opens_on <= $1 AND w.closes_on >= $1 AND c.state <> $2 ORDER BY w.cycle_id, w.id"
        );
        let mut waves = on_pool!(self, pool => sqlx::query_as::<_, WaveProgress>(&sql)
            .bind(today).bind(CycleState::Closed.as_str()).fetch_all(pool).await)?;
        waves.sort_by_key(|w| (w.cycle_id, w.wave.get()));
        Ok(waves)
    }

    /// One cycle's waves open on `today`.
    pub async fn open_waves_of(
        &self,
        cycle_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<WaveProgress>> {
        let sql = format!(
            "SELECT {WAVE_COLUMNS} WHERE w.opens_on <= $1 AND w.closes_on >= $1 AND w.cycle_id = $2"
        );
        let mut waves = on_pool!(self, pool => sqlx::query_as::<_, WaveProgress>(&sql)
            .bind(today).bind(cycle_id).fetch_all(pool).await)?;
        waves.sort_by_key(|w| w.wave.get());
        Ok(waves)
    }

    /// Every pair a person is (or was) in, newest first, with what waits for them in each:
    /// the agreement, the next meeting, meetings to answer, their open actions.
    pub async fn pairs_to_do(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<PairToDo>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, PairToDo>(
            "SELECT p.id AS pair_id, p.cycle_id, s.name AS scheme_name, c.academic_year, p.status,
                u.display_name AS partner_name,
                EXISTS (SELECT 1 FROM pair_agreements g WHERE g.pair_id = p.id AND g.user_id = $1) AS i_accepted,
                EXISTS (SELECT 1 FROM pair_agreements g WHERE g.pair_id = p.id AND g.user_id = u.id) AS partner_accepted,
                (SELECT MIN(m.starts_at) FROM meetings m WHERE m.pair_id = p.id AND m.starts_at >= $2 AND m.status IN ($3, $4)) AS next_meeting,
                EXISTS (SELECT 1 FROM meetings m WHERE m.pair_id = p.id AND m.status = $4 AND m.starts_at = (
                    SELECT MIN(m2.starts_at) FROM meetings m2 WHERE m2.pair_id = p.id AND m2.starts_at >= $2 AND m2.status IN ($3, $4))) AS next_confirmed,
                (SELECT COUNT(*) FROM meetings m WHERE m.pair_id = p.id AND m.status = $3 AND m.starts_at >= $2 AND m.proposed_by <> $1) AS to_answer,
                (SELECT COUNT(*) FROM follow_up_actions a WHERE a.pair_id = p.id AND a.owner_id = $1 AND a.status NOT IN ($5, $6)) AS open_actions
             FROM pairs p JOIN cycles c ON c.id = p.cycle_id JOIN schemes s ON s.id = c.scheme_id
             JOIN users u ON u.id = CASE WHEN p.mentor_id = $1 THEN p.mentee_id ELSE p.mentor_id END
             WHERE p.mentor_id = $1 OR p.mentee_id = $1
             ORDER BY p.id DESC"
        ).bind(user_id).bind(now)
            .bind(MeetingStatus::Proposed.as_str()).bind(MeetingStatus::Confirmed.as_str())
            .bind(ActionStatus::Done.as_str()).bind(ActionStatus::Declined.as_str())
            .fetch_all(pool).await)?)
    }
}
