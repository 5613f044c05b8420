//! What matching a cycle needs from the database (SPEC §3.3): the people who can be matched,
//! the coordinator's weights and do-not-pair rules, and who left the scheme after a drop-out.
//! Pairs themselves are in `pairs.rs`.
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use flipside_core::cycle_matching::Candidate;
use flipside_core::recruitment::ApplicationStatus;
use flipside_core::role::Role;
use serde::Serialize;

/// The coordinator's weights and rules for a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MatchingSettings {
    pub interests_weight: i64,
    pub availability_weight: i64,
    pub preferences_weight: i64,
    pub allow_same_school: bool,
    pub require_common_availability: bool,
}

/// A pair the coordinator said must never be made.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DoNotPair {
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
}

type CandidateRow = (i64, String, Option<String>, String, String);

fn candidates(rows: Vec<CandidateRow>) -> Vec<Candidate> {
    rows.into_iter()
        .map(
            |(user_id, name, school, interests, availability)| Candidate {
                user_id,
                name,
                school,
                interests,
                availability,
            },
        )
        .collect()
}

impl Store {
    /// Students whose application to the cycle was accepted, oldest application first, with
    /// the School named on the application (else the one on their account).
    pub async fn accepted_mentors(&self, cycle_id: i64) -> Result<Vec<Candidate>> {
        let rows: Vec<CandidateRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT a.user_id, u.display_name, s.name, a.interests, a.availability
             FROM applications a JOIN users u ON u.id = a.user_id LEFT JOIN schools s ON s.id = COALESCE(a.school_id, u.school_id)
             WHERE a.cycle_id = $1 AND a.status = $2 ORDER BY a.id"
        ).bind(cycle_id).bind(ApplicationStatus::Accepted.as_str()).fetch_all(pool).await)?;
        Ok(candidates(rows))
    }

    /// Staff leaders who accepted their invitation to the cycle, oldest invitation first.
    pub async fn accepted_mentees(&self, cycle_id: i64) -> Result<Vec<Candidate>> {
        let rows: Vec<CandidateRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT u.id, u.display_name, s.name, i.interests, i.availability
             FROM staff_invitations i JOIN users u ON u.id = i.user_id LEFT JOIN schools s ON s.id = COALESCE(i.school_id, u.school_id)
             WHERE i.cycle_id = $1 AND i.status = 'accepted' ORDER BY i.id"
        ).bind(cycle_id).fetch_all(pool).await)?;
        Ok(candidates(rows))
    }

    /// The cycle's weights and rules, if the coordinator has set them.
    pub async fn matching_settings(&self, cycle_id: i64) -> Result<Option<MatchingSettings>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, MatchingSettings>(
            "SELECT interests_weight, availability_weight, preferences_weight, allow_same_school, require_common_availability
             FROM matching_settings WHERE cycle_id = $1"
        ).bind(cycle_id).fetch_optional(pool).await)?,
        )
    }

    /// The cycle's do-not-pair rules, by mentor then mentee name.
    pub async fn do_not_pair_of(&self, cycle_id: i64) -> Result<Vec<DoNotPair>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, DoNotPair>(
            "SELECT d.mentor_id, mr.display_name AS mentor_name, d.mentee_id, me.display_name AS mentee_name
             FROM do_not_pair d JOIN users mr ON mr.id = d.mentor_id JOIN users me ON me.id = d.mentee_id
             WHERE d.cycle_id = $1 ORDER BY mr.display_name, me.display_name"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }

    /// [`Tx::add_do_not_pair`] in a transaction of its own (tests).
    pub async fn add_do_not_pair(
        &self,
        cycle_id: i64,
        mentor_id: i64,
        mentee_id: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.add_do_not_pair(cycle_id, mentor_id, mentee_id).await?;
        tx.commit().await
    }

    /// Records that someone left the cycle's scheme (they are not re-matched).
    pub async fn add_leaver(&self, cycle_id: i64, user_id: i64) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query(
            "INSERT INTO cycle_leavers (cycle_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        ).bind(cycle_id).bind(user_id).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Who left the cycle's scheme.
    pub async fn leavers_of(&self, cycle_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT user_id FROM cycle_leavers WHERE cycle_id = $1 ORDER BY user_id"
        ).bind(cycle_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}

impl Tx {
    /// Keeps the coordinator's weights and rules for a cycle.
    pub async fn save_matching_settings(
        &mut self,
        cycle_id: i64,
        s: &MatchingSettings,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO matching_settings (cycle_id, interests_weight, availability_weight, preferences_weight, allow_same_school, require_common_availability, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (cycle_id) DO UPDATE SET interests_weight = excluded.interests_weight, availability_weight = excluded.availability_weight,
               preferences_weight = excluded.preferences_weight, allow_same_school = excluded.allow_same_school,
               require_common_availability = excluded.require_common_availability, updated_at = excluded.updated_at"
        ).bind(cycle_id).bind(s.interests_weight).bind(s.availability_weight).bind(s.preferences_weight)
            .bind(s.allow_same_school).bind(s.require_common_availability).bind(now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds a do-not-pair rule; adding one twice keeps one. Returns whether it is new.
    pub async fn add_do_not_pair(
        &mut self,
        cycle_id: i64,
        mentor_id: i64,
        mentee_id: i64,
    ) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query(
            "INSERT INTO do_not_pair (cycle_id, mentor_id, mentee_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        ).bind(cycle_id).bind(mentor_id).bind(mentee_id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Removes a do-not-pair rule. Returns whether there was one.
    pub async fn remove_do_not_pair(
        &mut self,
        cycle_id: i64,
        mentor_id: i64,
        mentee_id: i64,
    ) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM do_not_pair WHERE cycle_id = $1 AND mentor_id = $2 AND mentee_id = $3"
        ).bind(cycle_id).bind(mentor_id).bind(mentee_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records that someone left the cycle's scheme (kept once).
    pub async fn add_leaver(&mut self, cycle_id: i64, user_id: i64) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO cycle_leavers (cycle_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        ).bind(cycle_id).bind(user_id).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Grants the mentor role in the cycle, unless the person holds it already.
    pub async fn grant_mentor_in_cycle(
        &mut self,
        user_id: i64,
        cycle_id: i64,
        granted_by: Option<i64>,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_by, granted_at) VALUES ($1, $2, 'cycle', $3, $4, $5)
             ON CONFLICT (user_id, role, scope_kind, scope_id) DO NOTHING"
        ).bind(user_id).bind(Role::Mentor.as_str()).bind(cycle_id).bind(granted_by).bind(now())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
