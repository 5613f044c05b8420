//! Figures computed from many rows, kept in memory while the rows behind them are unchanged.
//!
//! Each group of tables has a counter in `data_versions` that a trigger raises in the same
//! transaction as every write to one of its tables (migration 0180: on SQLite per row, on
//! PostgreSQL per statement), whichever code path, process or tool writes. On PostgreSQL the
//! triggers only note the group, and the transaction's counters are raised as it commits, in
//! the order of their names (migration 0250), so that writers to a group do not wait for each
//! other's whole transaction and two transactions never lock two counters in opposite orders.
//!
//! A cached figure is stored with the counter as read *before* it was computed, so the figure
//! is at least as new as that version; it is served to a reader whose own reading of the
//! counter is not newer.
//!
//! Readers do not ask the database for the counters on every request: [`VersionWatch`] keeps
//! the process's last reading of all of them. It reads them again before answering when this
//! process has committed a write since (so a person always sees what they just did, and so does
//! everyone else on this server), and otherwise when the last reading is older than
//! [`VERSION_STALENESS`]. A write made by another process (a second server, the command line)
//! is therefore seen within that bound, with one query per bound under load instead of one per
//! request (issue 15).
use crate::pool::on_pool;
use crate::{Result, Store};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

/// A group of tables with one version counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Versioned {
    /// Personal tutoring: tutors, students, assignments, contacts and the Schools' rules.
    Tutoring,
    /// Evaluation answers: survey participants and responses, and the statements asked.
    Surveys,
    /// The allocation preview: drafts, assignments, and the students', tutors' and Schools'
    /// columns it shows (migration 0220); contacts leave it alone.
    Allocation,
    /// Who is asking: accounts, grants, ended sessions, the organisation and the tutoring
    /// records' links to accounts (migration 0230; [`crate::Store::session_context`]).
    People,
    /// The Schools and their tutoring rules (migration 0240).
    Schools,
    /// What a cycle's results page reads besides its answers and participants: cycles,
    /// schemes, instruments' versions, applications and identity labels, aims (migration 0260);
    /// also every cycle and scheme, which nearly every mentoring page reads.
    Evaluation,
    /// What the to-do lists count besides those: pairs, their agreements and meetings, staff
    /// invitations, concerns and survey waves (migration 0270), and reflective chats (0280).
    Mentoring,
    /// What else a pair's page reads: the pair's notes, actions and their evidence (migration
    /// 0290; [`crate::Store::pair_records`]).
    PairRecords,
}

/// Every group, in the order of [`VersionWatch`]'s readings: the order they are declared in.
const GROUPS: [Versioned; 8] = [
    Versioned::Tutoring,
    Versioned::Surveys,
    Versioned::Allocation,
    Versioned::People,
    Versioned::Schools,
    Versioned::Evaluation,
    Versioned::Mentoring,
    Versioned::PairRecords,
];

/// How old a reading of the counters may be before a reader reads them again, unless this
/// process has written since: how long another process's write may go unseen.
pub const VERSION_STALENESS: std::time::Duration = std::time::Duration::from_millis(100);

impl Versioned {
    fn name(self) -> &'static str {
        match self {
            Versioned::Tutoring => "tutoring",
            Versioned::Surveys => "surveys",
            Versioned::Allocation => "allocation",
            Versioned::People => "people",
            Versioned::Schools => "schools",
            Versioned::Evaluation => "evaluation",
            Versioned::Mentoring => "mentoring",
            Versioned::PairRecords => "pair_records",
        }
    }

    /// Its place in [`GROUPS`] (declared in the same order).
    fn index(self) -> usize {
        self as usize
    }
}

/// The process's last reading of every counter (see the module's comment).
#[derive(Debug)]
pub(crate) struct VersionWatch {
    reading: Mutex<Reading>,
    /// Raised after every commit this process makes; a reading taken before the last raise is
    /// not trusted.
    writes: std::sync::atomic::AtomicU64,
    /// One reader reads the counters at a time; the others wait for its reading.
    reading_again: tokio::sync::Mutex<()>,
    staleness: std::time::Duration,
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    versions: [i64; GROUPS.len()],
    /// When it was read (`None`: never).
    at: Option<std::time::Instant>,
    /// The value of `writes` when the reading began.
    writes: u64,
}

impl VersionWatch {
    pub(crate) fn new(staleness: std::time::Duration) -> VersionWatch {
        VersionWatch {
            reading: Mutex::new(Reading {
                versions: [0; GROUPS.len()],
                at: None,
                writes: 0,
            }),
            writes: Default::default(),
            reading_again: Default::default(),
            staleness,
        }
    }

    /// This process committed a write: the next reader reads the counters again.
    pub(crate) fn wrote(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The reading, if it is still to be trusted.
    fn current(&self) -> Option<[i64; GROUPS.len()]> {
        let reading = *self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = reading.at.is_some_and(|at| at.elapsed() < self.staleness)
            && reading.writes == self.writes.load(std::sync::atomic::Ordering::SeqCst);
        fresh.then_some(reading.versions)
    }

    fn store(&self, versions: [i64; GROUPS.len()], at: std::time::Instant, writes: u64) {
        let mut reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
        // Counters only rise: a slower reader's older reading never replaces a newer one.
        for (kept, read) in reading.versions.iter_mut().zip(versions) {
            *kept = (*kept).max(read);
        }
        if reading.at.is_none_or(|kept| kept <= at) {
            reading.at = Some(at);
        }
        reading.writes = reading.writes.max(writes);
    }
}

/// Values by key, each with the data version it was computed at. Misses are computed one at a
/// time, so that many requests arriving together after a write compute the figure once.
/// Public for figures computed outside the store from what it reads (a cycle's results page).
pub struct VersionCache<K, V> {
    entries: Mutex<Entries<K, V>>,
    filling: tokio::sync::Mutex<()>,
}

/// The values kept, and the newest version any was stored at: values older than that are
/// dropped when it rises, since no reader as new would be served them (so a cache keyed by
/// pair keeps only the pairs read since the last write, not every pair ever read).
struct Entries<K, V> {
    values: HashMap<K, (i64, Arc<V>)>,
    newest: i64,
}

impl<K, V> Default for VersionCache<K, V> {
    fn default() -> Self {
        VersionCache {
            entries: Mutex::new(Entries {
                values: HashMap::new(),
                newest: i64::MIN,
            }),
            filling: tokio::sync::Mutex::new(()),
        }
    }
}

impl<K, V> std::fmt::Debug for VersionCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VersionCache")
    }
}

impl<K: Eq + Hash + Clone, V> VersionCache<K, V> {
    /// The value stored for `key` at `version` or later.
    fn lookup(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .values
            .get(key)
            .filter(|(at, _)| *at >= version)
            .map(|(_, v)| v.clone())
    }

    /// The value for `key` as of `version` (read by the caller before calling), computing it
    /// with `compute` unless a value at least that new is stored.
    pub async fn get<F, Fut>(&self, key: K, version: i64, compute: F) -> Result<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        if let Some(v) = self.lookup(&key, version) {
            return Ok(v);
        }
        let _one_at_a_time = self.filling.lock().await;
        if let Some(v) = self.lookup(&key, version) {
            return Ok(v);
        }
        let value = Arc::new(compute().await?);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if version > entries.newest {
            entries.newest = version;
            entries.values.retain(|_, (at, _)| *at >= version);
        }
        let newer = entries
            .values
            .get(&key)
            .is_some_and(|(at, _)| *at > version);
        if !newer {
            entries.values.insert(key, (version, value.clone()));
        }
        Ok(value)
    }
}

/// Who is asking, by session (the hash of its token): [`crate::Store::session_context`]'s
/// answers, each with the `people` version it was read at and the session's expiry.
#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, SessionEntry>>,
}

#[derive(Debug)]
struct SessionEntry {
    version: i64,
    expires_at: chrono::DateTime<chrono::Utc>,
    context: crate::SessionContext,
}

/// Sessions kept at most; beyond it the entries no longer current are dropped, and all of them
/// if that is not enough (a few hundred bytes each).
const SESSIONS_KEPT: usize = 20_000;

impl SessionCache {
    /// The context of the session hashed `hash`, if one read at `version` or later is kept and
    /// the session is still live at `at`.
    pub(crate) fn lookup(
        &self,
        hash: &str,
        version: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Option<crate::SessionContext> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(hash)
            .filter(|e| e.version >= version && e.expires_at > at)
            .map(|e| e.context.clone())
    }

    pub(crate) fn keep(
        &self,
        hash: String,
        version: i64,
        expires_at: chrono::DateTime<chrono::Utc>,
        context: crate::SessionContext,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= SESSIONS_KEPT && !entries.contains_key(&hash) {
            entries.retain(|_, e| e.version >= version);
            if entries.len() >= SESSIONS_KEPT {
                entries.clear();
            }
        }
        let newer = entries.get(&hash).is_some_and(|e| e.version > version);
        if !newer {
            entries.insert(
                hash,
                SessionEntry {
                    version,
                    expires_at,
                    context,
                },
            );
        }
    }
}

/// The store's caches.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    /// Who is asking, by session.
    pub sessions: SessionCache,
    /// Every School with its tutoring rules.
    pub school_rules: VersionCache<(), Vec<crate::SchoolRulesRow>>,
    /// A tutor's tutees with their contacts counted, by tutor and academic year.
    pub tutees: VersionCache<(i64, i32), Vec<crate::Tutee>>,
    /// The tutoring dashboard's figures, by academic year.
    pub dashboard: VersionCache<i32, crate::DashboardFigures>,
    /// What the dashboard counts of each academic year besides contacts and rules, by year,
    /// under the allocation's version.
    pub year_rosters: VersionCache<i32, crate::tutoring_contacts::YearRoster>,
    /// Each student's first contact day, by academic year: brought up to date rather than read
    /// again whole when contacts are only added (see its type).
    pub first_contact_days: Mutex<HashMap<i32, Arc<crate::tutoring_contacts::FirstContactDays>>>,
    /// Every answer of a cycle's evaluation, by cycle (the results page and the annual report).
    pub survey_answers: VersionCache<i64, Vec<crate::AnswerRow>>,
    /// The allocation page's preview of a draft, by academic year and unplaced students shown.
    pub draft_previews: VersionCache<(i32, i64), crate::DraftPreview>,
    /// Each academic year's allocation run, if any.
    pub allocation_runs: VersionCache<i32, Option<crate::AllocationRun>>,
    /// Every scheme, by name.
    pub schemes: VersionCache<(), Vec<crate::Scheme>>,
    /// Each cycle's history, by cycle.
    pub cycle_events: VersionCache<i64, Vec<crate::CycleEvent>>,
    /// Every cycle, by scheme and newest year first.
    pub cycles: VersionCache<(), Vec<crate::Cycle>>,
    /// What every cycle's to-do figures are computed from.
    pub progress: VersionCache<(), crate::progress::ProgressFacts>,
    /// Who takes part in pairs, surveys, chats and applications.
    pub taking_part: VersionCache<(), crate::progress::TakingPart>,
    /// What a pair's page reads of one pair, by pair.
    pub pair_records: VersionCache<i64, crate::PairRecords>,
}

impl Store {
    /// The version of a group of tables as this process last read it, reading the counters
    /// again first when this process has written since or the reading is older than the
    /// store's staleness bound ([`VERSION_STALENESS`] unless set otherwise).
    pub(crate) async fn data_version(&self, of: Versioned) -> Result<i64> {
        Ok(self.data_versions().await?[of.index()])
    }

    /// Every group's version, from one reading (see [`Store::data_version`]).
    async fn data_versions(&self) -> Result<[i64; GROUPS.len()]> {
        if let Some(versions) = self.watch.current() {
            return Ok(versions);
        }
        let _one_at_a_time = self.watch.reading_again.lock().await;
        if let Some(versions) = self.watch.current() {
            return Ok(versions);
        }
        // Taken before the query: a commit after this point makes the reading untrusted.
        let writes = self.watch.writes.load(std::sync::atomic::Ordering::SeqCst);
        let at = std::time::Instant::now();
        let rows: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT name, version FROM data_versions"
        ).fetch_all(pool).await)?;
        let mut versions = [0; GROUPS.len()];
        for (name, version) in rows {
            if let Some(group) = GROUPS.iter().find(|g| g.name() == name) {
                versions[group.index()] = version;
            }
        }
        self.watch.store(versions, at, writes);
        Ok(versions)
    }

    /// The version of everything a cycle's results page shows, for a [`VersionCache`] of its
    /// figures: the sum of the `surveys` and `evaluation` counters from one reading. Every
    /// reading is one snapshot of counters that only rise, so any two readings are ordered
    /// counter by counter, and comparing their sums compares them.
    pub async fn evaluation_version(&self) -> Result<i64> {
        self.summed_version(&[Versioned::Surveys, Versioned::Evaluation])
            .await
    }

    /// The version of everything the tutoring dashboard shows: the sum of the `tutoring` and
    /// `schools` counters from one reading, ordered as [`Store::evaluation_version`]'s sums are.
    pub async fn tutoring_dashboard_version(&self) -> Result<i64> {
        self.summed_version(&[Versioned::Tutoring, Versioned::Schools])
            .await
    }

    /// The version of what a cycle's page shows of its own record: the cycle (its plan, hours
    /// target and the cycle it copied) and its history with the names of who moved it on (the
    /// `evaluation` and `people` counters, summed from one reading as
    /// [`Store::evaluation_version`]'s are).
    pub async fn cycle_record_version(&self) -> Result<i64> {
        self.summed_version(&[Versioned::Evaluation, Versioned::People])
            .await
    }

    /// The version of everything the to-do figures count ([`Store::cycles_in_progress`]): the
    /// sum of the `surveys`, `evaluation` and `mentoring` counters from one reading, ordered as
    /// [`Store::evaluation_version`]'s sums are.
    pub(crate) async fn progress_version(&self) -> Result<i64> {
        self.summed_version(&[
            Versioned::Surveys,
            Versioned::Evaluation,
            Versioned::Mentoring,
        ])
        .await
    }

    /// The sum of some groups' counters from one reading of them all.
    pub(crate) async fn summed_version(&self, groups: &[Versioned]) -> Result<i64> {
        let versions = self.data_versions().await?;
        Ok(groups.iter().map(|g| versions[g.index()]).sum())
    }

    /// The version of a group of tables as the database holds it now.
    async fn stored_data_version(&self, of: Versioned) -> Result<i64> {
        let (v,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT version FROM data_versions WHERE name = $1"
        ).bind(of.name()).fetch_one(pool).await)?;
        Ok(v)
    }

    /// This process wrote outside a [`crate::Tx`] (which says so itself on commit): pages read
    /// the data versions again before trusting what they keep in memory.
    pub fn note_write(&self) {
        self.watch.wrote();
    }

    /// The version of the personal tutoring data as the database holds it now: it changes with every write to the tables
    /// behind the dashboard's figures, and only then.
    pub async fn tutoring_data_version(&self) -> Result<i64> {
        self.stored_data_version(Versioned::Tutoring).await
    }

    /// The version of the allocation preview's data.
    pub async fn allocation_data_version(&self) -> Result<i64> {
        self.stored_data_version(Versioned::Allocation).await
    }

    /// The version of the evaluation answers.
    pub async fn survey_data_version(&self) -> Result<i64> {
        self.stored_data_version(Versioned::Surveys).await
    }

    /// The version of who is asking: accounts, grants, ended sessions, the organisation and the
    /// tutoring records' links to accounts.
    pub async fn people_data_version(&self) -> Result<i64> {
        self.stored_data_version(Versioned::People).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_value_is_computed_once_per_version_and_never_served_to_a_newer_reader() {
        let cache: VersionCache<i32, u32> = VersionCache::default();
        let computed = AtomicU32::new(0);
        let compute = |n: u32| {
            computed.fetch_add(1, Ordering::SeqCst);
            async move { Ok(n) }
        };
        assert_eq!(*cache.get(2026, 5, || compute(10)).await.unwrap(), 10);
        assert_eq!(*cache.get(2026, 5, || compute(11)).await.unwrap(), 10);
        // A reader of an older version may have the newer value.
        assert_eq!(*cache.get(2026, 4, || compute(12)).await.unwrap(), 10);
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // A newer version is computed afresh; another key is its own.
        assert_eq!(*cache.get(2026, 6, || compute(13)).await.unwrap(), 13);
        assert_eq!(*cache.get(2025, 6, || compute(14)).await.unwrap(), 14);
        assert_eq!(*cache.get(2026, 6, || compute(15)).await.unwrap(), 13);
        assert_eq!(computed.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn values_older_than_the_newest_stored_are_dropped() {
        let cache: VersionCache<i32, u32> = VersionCache::default();
        for pair in 1..=3 {
            cache.get(pair, 5, || async move { Ok(10) }).await.unwrap();
        }
        assert_eq!(cache.entries.lock().unwrap().values.len(), 3);
        // An older reader's value is stored beside them…
        cache.get(4, 4, || async { Ok(10) }).await.unwrap();
        assert_eq!(cache.entries.lock().unwrap().values.len(), 4);
        // …and a newer one drops every value older than it.
        cache.get(2, 6, || async { Ok(20) }).await.unwrap();
        let kept: Vec<_> = cache
            .entries
            .lock()
            .unwrap()
            .values
            .keys()
            .copied()
            .collect();
        assert_eq!(kept, [2]);
        assert_eq!(*cache.get(2, 6, || async { Ok(30) }).await.unwrap(), 20);
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let cache: VersionCache<i32, u32> = VersionCache::default();
        let failed = cache
            .get(1, 1, || async { Err(crate::StoreError::NotFound) })
            .await;
        assert!(failed.is_err());
        assert_eq!(*cache.get(1, 1, || async { Ok(7) }).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn readers_arriving_together_compute_once() {
        let cache: Arc<VersionCache<i32, u32>> = Arc::default();
        let computed = Arc::new(AtomicU32::new(0));
        let readers = (0..16).map(|_| {
            let (cache, computed) = (cache.clone(), computed.clone());
            tokio::spawn(async move {
                *cache
                    .get(1, 3, || async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(42)
                    })
                    .await
                    .unwrap()
            })
        });
        for r in readers.collect::<Vec<_>>() {
            assert_eq!(r.await.unwrap(), 42);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}
