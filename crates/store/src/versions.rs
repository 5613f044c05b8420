//! Figures computed from many rows, kept in memory while the rows behind them are unchanged.
//!
//! Each group of tables has a counter in `data_versions` that a trigger raises in the same
//! transaction as every write to one of its tables (migration 0180: on SQLite per row, on
//! PostgreSQL per statement), whichever code path, process or tool writes. A cached figure is
//! stored with the counter as read *before* it was computed, so the figure is at least as new
//! as that version; it is served to a reader whose own reading of the counter is not newer.
//! Every server process sharing the database therefore answers exactly what a fresh
//! computation would have answered when the reader's request read the counter: a write
//! acknowledged before the request began is always seen.
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
}

impl Versioned {
    fn name(self) -> &'static str {
        match self {
            Versioned::Tutoring => "tutoring",
            Versioned::Surveys => "surveys",
            Versioned::Allocation => "allocation",
        }
    }
}

/// Values by key, each with the data version it was computed at. Misses are computed one at a
/// time, so that many requests arriving together after a write compute the figure once.
pub(crate) struct VersionCache<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
    filling: tokio::sync::Mutex<()>,
}

impl<K, V> Default for VersionCache<K, V> {
    fn default() -> Self {
        VersionCache {
            entries: Mutex::new(HashMap::new()),
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
            .get(key)
            .filter(|(at, _)| *at >= version)
            .map(|(_, v)| v.clone())
    }

    /// The value for `key` as of `version` (read by the caller before calling), computing it
    /// with `compute` unless a value at least that new is stored.
    pub(crate) async fn get<F, Fut>(&self, key: K, version: i64, compute: F) -> Result<Arc<V>>
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
        let newer = entries.get(&key).is_some_and(|(at, _)| *at > version);
        if !newer {
            entries.insert(key, (version, value.clone()));
        }
        Ok(value)
    }
}

/// The store's caches.
#[derive(Debug, Default)]
pub(crate) struct Caches {
    /// The tutoring dashboard's figures, by academic year.
    pub dashboard: VersionCache<i32, crate::DashboardFigures>,
    /// Every answer of a cycle's evaluation, by cycle (the results page and the annual report).
    pub survey_answers: VersionCache<i64, Vec<crate::AnswerRow>>,
    /// The allocation page's preview of a draft, by academic year and unplaced students shown.
    pub draft_previews: VersionCache<(i32, i64), crate::DraftPreview>,
}

impl Store {
    /// The current version of a group of tables.
    pub(crate) async fn data_version(&self, of: Versioned) -> Result<i64> {
        let (v,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT version FROM data_versions WHERE name = $1"
        ).bind(of.name()).fetch_one(pool).await)?;
        Ok(v)
    }

    /// The version of the personal tutoring data: it changes with every write to the tables
    /// behind the dashboard's figures, and only then.
    pub async fn tutoring_data_version(&self) -> Result<i64> {
        self.data_version(Versioned::Tutoring).await
    }

    /// The version of the allocation preview's data.
    pub async fn allocation_data_version(&self) -> Result<i64> {
        self.data_version(Versioned::Allocation).await
    }

    /// The version of the evaluation answers.
    pub async fn survey_data_version(&self) -> Result<i64> {
        self.data_version(Versioned::Surveys).await
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
