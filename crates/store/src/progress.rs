//! The counts behind the home pages' to-do lists and the cycle page's stages (issue 14). Each
//! figure is a scalar subquery over an indexed table, so that a page asks once for every cycle
//! (or pair) it shows, however many rows lie behind the counts. Every cycle's counts are kept
//! in memory while nothing behind them changes ([`ProgressFacts`], issue 15); the figures that
//! depend on the time of asking (expired invitations, pairs not meeting) are counted from the
//! instants kept with them.
use crate::decoded::Decoded;
use crate::pool::on_pool;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::actions::ActionStatus;
use flipside_core::cycle::{AcademicYear, CycleState};
use flipside_core::evaluation::Wave;
use flipside_core::meetings::MeetingStatus;
use flipside_core::progress::{Figures, OpenWave, not_meeting};
use std::collections::{HashMap, HashSet};

/// A cycle's figures, with its scheme's name.
#[derive(Debug, Clone)]
pub struct CycleProgress {
    pub cycle_id: i64,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub academic_year: i64,
    pub state: Decoded<CycleState>,
    counts: CycleCounts,
    invitations_waiting: usize,
    invitations_expired: usize,
    stale_pairs: usize,
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
        let c = &self.counts;
        Figures {
            applications: n(c.applications),
            undecided: n(c.undecided),
            accepted: n(c.accepted),
            invitations: n(c.invitations),
            staff_accepted: n(c.staff_accepted),
            invitations_waiting: self.invitations_waiting as u64,
            invitations_expired: self.invitations_expired as u64,
            pairs_matched: n(c.pairs_matched),
            pairs_active: n(c.pairs_active),
            pairs_completed: n(c.pairs_completed),
            pairs_ended_early: n(c.pairs_ended_early),
            agreements_missing: n(c.agreements_missing),
            stale_pairs: self.stale_pairs as u64,
            meetings_held: n(c.meetings_held),
            new_concerns: n(c.new_concerns),
            waves_set: n(c.waves_set),
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

/// What every cycle's figures are computed from, whenever they are asked for: the counts that
/// do not depend on the time of asking, and the instants that decide the ones that do. Kept in
/// memory under [`Store::progress_version`] (issue 15), so a home page asks nothing of the
/// database for them while nothing behind them changes.
#[derive(Debug)]
pub struct ProgressFacts {
    /// Every cycle, by scheme name, year and id.
    cycles: Vec<CycleFacts>,
    /// Every survey wave, by cycle and wave.
    waves: Vec<WaveRow>,
}

#[derive(Debug)]
struct CycleFacts {
    cycle: CycleRow,
    /// When the links of the invitations still unanswered expire.
    unanswered_expire_at: Vec<DateTime<Utc>>,
    /// Each active published pair's publication and latest held meeting.
    active_pairs: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

impl ProgressFacts {
    /// A cycle's figures as of `now`, with pairs unmet since `stale_cutoff` counted as not
    /// meeting.
    fn progress(
        facts: &CycleFacts,
        now: DateTime<Utc>,
        stale_cutoff: DateTime<Utc>,
    ) -> CycleProgress {
        let c = &facts.cycle;
        let expired = facts
            .unanswered_expire_at
            .iter()
            .filter(|at| **at <= now)
            .count();
        CycleProgress {
            cycle_id: c.cycle_id,
            scheme_id: c.scheme_id,
            scheme_name: c.scheme_name.clone(),
            academic_year: c.academic_year,
            state: c.state,
            counts: c.counts.clone(),
            invitations_waiting: facts.unanswered_expire_at.len() - expired,
            invitations_expired: expired,
            stale_pairs: facts
                .active_pairs
                .iter()
                .filter(|(published, last_met)| not_meeting(*published, *last_met, stale_cutoff))
                .count(),
        }
    }
}

/// Who takes part in what a home page lists for a person, kept in memory under
/// [`Store::progress_version`] like [`ProgressFacts`] (issue 15): who is in a pair and who is
/// enrolled in an evaluation (a person in neither has no pair or survey to list, so their page
/// asks the database nothing for them: most coordinators and tutors), and each person's count
/// of reflective chats and their applications, which their page reads from here.
#[derive(Debug, Default)]
pub struct TakingPart {
    /// Each member's pairs, newest first.
    pairs: HashMap<i64, Vec<i64>>,
    enrolled: HashSet<i64>,
    /// How many reflective chats were recorded with each person who had one.
    chats: HashMap<i64, usize>,
    /// Each applicant's applications, newest year first, as [`Store::applications_of_user`]
    /// lists them.
    applications: HashMap<i64, Vec<crate::MyApplication>>,
}

/// One application with whose it is.
#[derive(Debug, sqlx::FromRow)]
struct Applicant {
    user_id: i64,
    #[sqlx(flatten)]
    application: crate::MyApplication,
}

/// A cycle with its scheme's name and the counts that do not depend on the time.
#[derive(Debug, sqlx::FromRow)]
struct CycleRow {
    cycle_id: i64,
    scheme_id: i64,
    scheme_name: String,
    academic_year: i64,
    state: Decoded<CycleState>,
    #[sqlx(flatten)]
    counts: CycleCounts,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct CycleCounts {
    applications: i64,
    undecided: i64,
    accepted: i64,
    invitations: i64,
    staff_accepted: i64,
    pairs_matched: i64,
    pairs_active: i64,
    pairs_completed: i64,
    pairs_ended_early: i64,
    agreements_missing: i64,
    meetings_held: i64,
    new_concerns: i64,
    waves_set: i64,
}

/// A survey wave with its dates, enrolment and response.
#[derive(Debug, sqlx::FromRow)]
struct WaveRow {
    opens_on: NaiveDate,
    #[sqlx(flatten)]
    wave: WaveProgress,
}

/// One of a person's pairs, with what waits for them in it.
#[derive(Debug, Clone)]
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
    /// What waits for member `me` in a pair at `now`, from its records.
    fn of(
        records: &crate::PairRecords,
        me: i64,
        now: DateTime<Utc>,
        scheme_name: String,
        academic_year: i64,
    ) -> PairToDo {
        let pair = &records.pair;
        let (partner, partner_name) = pair.partner_of(me).unwrap_or((0, ""));
        let accepted = |who: i64| records.agreements.iter().any(|a| a.user_id == who);
        let to_come = |m: &&crate::Meeting| {
            m.starts_at >= now
                && matches!(
                    m.status(),
                    MeetingStatus::Proposed | MeetingStatus::Confirmed
                )
        };
        let next_meeting = records
            .meetings
            .iter()
            .filter(to_come)
            .map(|m| m.starts_at)
            .min();
        PairToDo {
            pair_id: pair.id,
            cycle_id: pair.cycle_id,
            scheme_name,
            academic_year,
            status: pair.status,
            partner_name: partner_name.to_string(),
            i_accepted: accepted(me),
            partner_accepted: accepted(partner),
            next_meeting,
            next_confirmed: records.meetings.iter().any(|m| {
                m.status() == MeetingStatus::Confirmed && Some(m.starts_at) == next_meeting
            }),
            to_answer: records
                .meetings
                .iter()
                .filter(to_come)
                .filter(|m| m.status() == MeetingStatus::Proposed && m.proposed_by != me)
                .count() as i64,
            open_actions: records
                .actions
                .iter()
                .filter(|(a, _)| {
                    a.owner_id == me
                        && !matches!(a.status(), ActionStatus::Done | ActionStatus::Declined)
                })
                .count() as i64,
        }
    }

    pub fn year(&self) -> AcademicYear {
        AcademicYear::from_start_year(self.academic_year as i32)
    }
}

/// Every cycle with the counts of [`CycleCounts`].
const CYCLE_COUNTS: &str = "SELECT c.id AS cycle_id, c.scheme_id, s.name AS scheme_name, c.academic_year, c.state,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status <> 'withdrawn') AS applications,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status = 'submitted') AS undecided,
    (SELECT COUNT(*) FROM applications a WHERE a.cycle_id = c.id AND a.status = 'accepted') AS accepted,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id) AS invitations,
    (SELECT COUNT(*) FROM staff_invitations i WHERE i.cycle_id = c.id AND i.status = 'accepted') AS staff_accepted,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id) AS pairs_matched,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'active') AS pairs_active,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'completed') AS pairs_completed,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'ended_early') AS pairs_ended_early,
    (SELECT COUNT(*) FROM pairs p WHERE p.cycle_id = c.id AND p.status = 'active'
        AND (SELECT COUNT(*) FROM pair_agreements g WHERE g.pair_id = p.id) < 2) AS agreements_missing,
    (SELECT COUNT(*) FROM meetings m JOIN pairs p ON p.id = m.pair_id WHERE p.cycle_id = c.id AND m.status = 'held') AS meetings_held,
    (SELECT COUNT(*) FROM concerns k WHERE k.cycle_id = c.id AND k.status = 'new') AS new_concerns,
    (SELECT COUNT(*) FROM survey_waves w WHERE w.cycle_id = c.id) AS waves_set
    FROM cycles c JOIN schemes s ON s.id = c.scheme_id
    ORDER BY s.name, c.academic_year, c.id";

/// Every survey wave with its enrolment and response.
const WAVES: &str = "SELECT w.cycle_id, w.wave, w.opens_on, w.closes_on,
    (SELECT COUNT(*) FROM survey_participants p WHERE p.cycle_id = w.cycle_id) AS enrolled,
    (SELECT COUNT(DISTINCT r.participant_id) FROM survey_responses r JOIN survey_participants p ON p.id = r.participant_id
        WHERE p.cycle_id = w.cycle_id AND r.wave = w.wave) AS responded
    FROM survey_waves w ORDER BY w.cycle_id, w.id";

impl Store {
    /// What every cycle's figures are computed from, as of the data versions read first (see
    /// [`ProgressFacts`]): four queries when something behind them changed, none otherwise.
    async fn progress_facts(&self) -> Result<std::sync::Arc<ProgressFacts>> {
        let version = self.progress_version().await?;
        self.caches
            .progress
            .get((), version, || async {
                let cycles = on_pool!(self, pool => sqlx::query_as::<_, CycleRow>(CYCLE_COUNTS)
                    .fetch_all(pool).await)?;
                let unanswered: Vec<(i64, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT cycle_id, expires_at FROM staff_invitations WHERE status = 'invited'"
                ).fetch_all(pool).await)?;
                let active: Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT p.cycle_id, p.published_at,
                        (SELECT MAX(m.starts_at) FROM meetings m WHERE m.pair_id = p.id AND m.status = $1) AS last_met
                     FROM pairs p WHERE p.status = 'active' AND p.published_at IS NOT NULL"
                ).bind(MeetingStatus::Held.as_str()).fetch_all(pool).await)?;
                let mut waves = on_pool!(self, pool => sqlx::query_as::<_, WaveRow>(WAVES)
                    .fetch_all(pool).await)?;
                waves.sort_by_key(|w| (w.wave.cycle_id, w.wave.wave.get()));
                let cycles = cycles
                    .into_iter()
                    .map(|cycle| CycleFacts {
                        unanswered_expire_at: unanswered
                            .iter()
                            .filter(|(id, _)| *id == cycle.cycle_id)
                            .map(|(_, at)| *at)
                            .collect(),
                        active_pairs: active
                            .iter()
                            .filter(|(id, ..)| *id == cycle.cycle_id)
                            .map(|(_, published, last_met)| (*published, *last_met))
                            .collect(),
                        cycle,
                    })
                    .collect();
                Ok(ProgressFacts { cycles, waves })
            })
            .await
    }

    /// Who takes part in pairs, surveys, reflective chats and applications (see
    /// [`TakingPart`]), as of the data versions read first: four queries when something
    /// behind them changed, none otherwise.
    async fn taking_part(&self) -> Result<std::sync::Arc<TakingPart>> {
        let version = self.progress_version().await?;
        self.caches
            .taking_part
            .get((), version, || async {
                let ids = async |sql: &str| -> Result<HashSet<i64>> {
                    let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                };
                let chats: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT participant_user_id, COUNT(*) FROM qual_chats GROUP BY participant_user_id"
                ).fetch_all(pool).await)?;
                let applications = on_pool!(self, pool => sqlx::query_as::<_, Applicant>(
                    "SELECT a.user_id, c.id AS cycle_id, c.academic_year, s.name AS scheme_name, a.status FROM applications a
                     JOIN cycles c ON c.id = a.cycle_id JOIN schemes s ON s.id = c.scheme_id
                     ORDER BY c.academic_year DESC, a.id DESC"
                ).fetch_all(pool).await)?;
                let members: Vec<(i64, i64, i64)> = on_pool!(self, pool => sqlx::query_as(
                    "SELECT id, mentor_id, mentee_id FROM pairs ORDER BY id DESC"
                ).fetch_all(pool).await)?;
                let mut pairs: HashMap<i64, Vec<i64>> = HashMap::new();
                for (pair, mentor, mentee) in members {
                    pairs.entry(mentor).or_default().push(pair);
                    pairs.entry(mentee).or_default().push(pair);
                }
                let mut by_applicant: HashMap<i64, Vec<crate::MyApplication>> = HashMap::new();
                for Applicant { user_id, application } in applications {
                    by_applicant.entry(user_id).or_default().push(application);
                }
                Ok(TakingPart {
                    pairs,
                    enrolled: ids("SELECT DISTINCT user_id FROM survey_participants WHERE user_id IS NOT NULL").await?,
                    chats: chats.into_iter().map(|(id, n)| (id, n as usize)).collect(),
                    applications: by_applicant,
                })
            })
            .await
    }

    /// Whether the person may be enrolled in a cycle's evaluation.
    pub(crate) async fn may_be_enrolled(&self, user_id: i64) -> Result<bool> {
        Ok(self.taking_part().await?.enrolled.contains(&user_id))
    }

    /// How many reflective chats were recorded with the person (their home page's count).
    pub async fn chat_count_with(&self, user_id: i64) -> Result<usize> {
        Ok(self
            .taking_part()
            .await?
            .chats
            .get(&user_id)
            .copied()
            .unwrap_or(0))
    }

    /// The person's own applications and their decisions, newest year first.
    pub async fn applications_of_user(&self, user_id: i64) -> Result<Vec<crate::MyApplication>> {
        Ok(self
            .taking_part()
            .await?
            .applications
            .get(&user_id)
            .cloned()
            .unwrap_or_default())
    }

    /// The figures of every cycle that is not closed, by scheme name and year. `now` decides
    /// which invitations have expired; a pair with no held meeting since `stale_cutoff` (and
    /// published before it) counts as not meeting.
    pub async fn cycles_in_progress(
        &self,
        now: DateTime<Utc>,
        stale_cutoff: DateTime<Utc>,
    ) -> Result<Vec<CycleProgress>> {
        let facts = self.progress_facts().await?;
        Ok(facts
            .cycles
            .iter()
            .filter(|c| c.cycle.state.get() != CycleState::Closed)
            .map(|c| ProgressFacts::progress(c, now, stale_cutoff))
            .collect())
    }

    /// One cycle's figures (any state), as [`Store::cycles_in_progress`] counts them.
    pub async fn cycle_progress(
        &self,
        cycle_id: i64,
        now: DateTime<Utc>,
        stale_cutoff: DateTime<Utc>,
    ) -> Result<CycleProgress> {
        let facts = self.progress_facts().await?;
        facts
            .cycles
            .iter()
            .find(|c| c.cycle.cycle_id == cycle_id)
            .map(|c| ProgressFacts::progress(c, now, stale_cutoff))
            .ok_or(crate::StoreError::NotFound)
    }

    /// The survey waves open on `today` in cycles that are not closed, with how many are
    /// enrolled and how many answered (everyone who submitted, with or without research
    /// consent, as the surveys page counts them).
    pub async fn open_waves(&self, today: NaiveDate) -> Result<Vec<WaveProgress>> {
        let facts = self.progress_facts().await?;
        let open = |cycle_id: i64| {
            facts
                .cycles
                .iter()
                .any(|c| c.cycle.cycle_id == cycle_id && c.cycle.state.get() != CycleState::Closed)
        };
        Ok(facts
            .waves
            .iter()
            .filter(|w| w.opens_on <= today && w.wave.closes_on >= today && open(w.wave.cycle_id))
            .map(|w| w.wave.clone())
            .collect())
    }

    /// One cycle's waves open on `today`.
    pub async fn open_waves_of(
        &self,
        cycle_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<WaveProgress>> {
        let facts = self.progress_facts().await?;
        Ok(facts
            .waves
            .iter()
            .filter(|w| {
                w.wave.cycle_id == cycle_id && w.opens_on <= today && w.wave.closes_on >= today
            })
            .map(|w| w.wave.clone())
            .collect())
    }

    /// Every pair a person is (or was) in, newest first, with what waits for them in each:
    /// the agreement, the next meeting, meetings to answer, their open actions. Read from what
    /// is kept in memory: the person's pairs, each pair's records, the cycles and schemes.
    pub async fn pairs_to_do(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<PairToDo>> {
        let Some(pairs) = self.taking_part().await?.pairs.get(&user_id).cloned() else {
            return Ok(Vec::new());
        };
        let mut to_do = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let records = self.pair_records(pair).await?;
            let cycle = self.cycle(records.pair.cycle_id).await?;
            let scheme = self.scheme(cycle.scheme_id).await?;
            to_do.push(PairToDo::of(
                &records,
                user_id,
                now,
                scheme.name,
                cycle.academic_year,
            ));
        }
        Ok(to_do)
    }
}
