//! What a pair's page reads of one pair, kept in memory per pair (issue 15): the pair, its
//! agreements, meetings, notes, actions with their evidence and concerns, under the sum of the
//! `mentoring`, `people` (the names shown) and `pair_records` (notes, actions, evidence)
//! counters (migration 0290). The records are the pair's whole: what a viewer may read of them
//! (another's private notes, someone else's concerns) is the page's policy to filter, as it was
//! when they were read per request.
use crate::versions::Versioned;
use crate::{Agreement, Concern, Evidence, FollowUpAction, Meeting, Note, Pair, Result, Store};
use std::sync::Arc;

/// One pair's records as its page reads them.
#[derive(Debug, Clone)]
pub struct PairRecords {
    pub pair: Pair,
    /// Who accepted the expectations agreement, first first.
    pub agreements: Vec<Agreement>,
    /// Every meeting, by start.
    pub meetings: Vec<Meeting>,
    /// Every note of either member, newest first.
    pub notes: Vec<Note>,
    /// Every action raised in the pair, oldest first, each with its evidence, oldest first.
    pub actions: Vec<(FollowUpAction, Vec<Evidence>)>,
    /// Every concern raised in the pair, newest first.
    pub concerns: Vec<Concern>,
}

impl PairRecords {
    /// The concerns one member raised, newest first (only the raiser sees them).
    pub fn concerns_raised_by(&self, user_id: i64) -> Vec<Concern> {
        self.concerns
            .iter()
            .filter(|c| c.raised_by == user_id)
            .cloned()
            .collect()
    }
}

impl Store {
    /// The pair's records as they stand (a pair that does not exist is not found).
    pub async fn pair_records(&self, pair_id: i64) -> Result<Arc<PairRecords>> {
        let version = self
            .summed_version(&[
                Versioned::Mentoring,
                Versioned::People,
                Versioned::PairRecords,
            ])
            .await?;
        self.caches
            .pair_records
            .get(pair_id, version, || async {
                let pair = self.pair(pair_id).await?;
                let actions = self.actions_of_pair(pair_id).await?;
                let mut evidence = if actions.is_empty() {
                    Default::default()
                } else {
                    self.evidence_of_pair(pair_id).await?
                };
                let actions = actions
                    .into_iter()
                    .map(|a| {
                        let of_this = evidence.remove(&a.id).unwrap_or_default();
                        (a, of_this)
                    })
                    .collect();
                Ok(PairRecords {
                    agreements: self.agreements(pair_id).await?,
                    meetings: self.meetings_of_pair(pair_id).await?,
                    notes: self.notes_of_pair(pair_id).await?,
                    actions,
                    concerns: self.concerns_of_pair(pair_id).await?,
                    pair,
                })
            })
            .await
    }
}
