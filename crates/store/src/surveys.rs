//! Survey instruments, participants (by pseudonymous code) and their answers.
use crate::error::StoreError;
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::versions::Versioned;
use crate::{Result, Store, Tx, now};
use flipside_core::evaluation::{Wave, default_instruments};
use serde::Serialize;

/// One answer, as analysis reads it: by participant code, never by name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AnswerRow {
    pub role: String,
    pub code: String,
    pub research_consent: bool,
    pub wave: String,
    pub statement_code: String,
    pub aim: String,
    pub text: String,
    pub position: i64,
    pub score: i64,
}

/// A statement of an instrument.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StatementRow {
    pub id: i64,
    pub code: String,
    pub aim: String,
    pub text: String,
    pub position: i64,
}

impl Store {
    /// Adds the default instruments and statements that are missing (idempotent).
    pub async fn ensure_default_instruments(&self) -> Result<()> {
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for (audience, statements) in default_instruments() {
                sqlx::query("INSERT INTO instruments (audience) VALUES ($1) ON CONFLICT (audience) DO NOTHING").bind(audience).execute(&mut *tx).await?;
                let (instrument,): (i64,) = sqlx::query_as("SELECT id FROM instruments WHERE audience = $1").bind(audience).fetch_one(&mut *tx).await?;
                for (i, s) in statements.iter().enumerate() {
                    sqlx::query("INSERT INTO instrument_statements (instrument_id, position, code, aim, text) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instrument_id, code) DO NOTHING")
                        .bind(instrument).bind(i as i64).bind(s.code).bind(s.aim).bind(s.text).execute(&mut *tx).await?;
                }
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// The statement identities of an audience's instrument, in order: every code ever asked of
    /// it, with the words it was first added with. What a cycle asks, in its words, is
    /// [`Store::asked_statements`] or [`Store::cycle_instrument`].
    pub async fn statements(&self, audience: &str) -> Result<Vec<StatementRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, StatementRow>(
            "SELECT s.id, s.code, s.aim, s.text, s.position FROM instrument_statements s JOIN instruments i ON i.id = s.instrument_id WHERE i.audience = $1 ORDER BY s.position"
        ).bind(audience).fetch_all(pool).await)?)
    }

    /// The statements a cycle asks of `role`, in order, in the cycle's words (`aim` is the
    /// heading the survey groups them under; `id` the identity answers are stored under).
    pub async fn asked_statements(&self, cycle_id: i64, role: &str) -> Result<Vec<StatementRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, StatementRow>(
            "SELECT statement_id AS id, code, heading AS aim, text, position FROM cycle_statements
             WHERE cycle_id = $1 AND role = $2 AND NOT retired ORDER BY position, id"
        ).bind(cycle_id).bind(role).fetch_all(pool).await)?)
    }

    /// Enrols someone in a cycle's evaluation under a pseudonymous code.
    pub async fn add_survey_participant(
        &self,
        cycle_id: i64,
        code: &str,
        role: &str,
        user_id: Option<i64>,
        research_consent: bool,
    ) -> Result<i64> {
        let (id,): (i64,) = on_pool!(self, pool => sqlx::query_as(INSERT_PARTICIPANT)
            .bind(cycle_id).bind(code).bind(role).bind(user_id).bind(research_consent).fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("the code {code} is already used in this cycle")))?;
        Ok(id)
    }

    /// Saves one participant's answers to one wave, all or nothing. Answering again replaces
    /// earlier answers to the same statements (a respondent may save and return).
    pub async fn record_answers(
        &self,
        participant_id: i64,
        wave: Wave,
        answers: &[(&str, i64)],
    ) -> Result<()> {
        if let Some((code, score)) = answers.iter().find(|(_, s)| !(1..=5).contains(s)) {
            return Err(StoreError::Conflict(format!(
                "the answer to {code} must be from 1 to 5, not {score}"
            )));
        }
        let at = now();
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            for (code, score) in answers {
                let statement: Option<(i64,)> = sqlx::query_as(crate::surveys::ASKED_STATEMENT)
                    .bind(participant_id).bind(code).fetch_optional(&mut *tx).await?;
                let Some((statement_id,)) = statement else {
                    return Err(StoreError::Conflict(format!("'{code}' is not a statement of this participant's survey")));
                };
                sqlx::query(
                    "INSERT INTO survey_responses (participant_id, wave, statement_id, score, answered_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (participant_id, wave, statement_id) DO UPDATE SET score = excluded.score, answered_at = excluded.answered_at"
                ).bind(participant_id).bind(wave.as_str()).bind(statement_id).bind(score).bind(at).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every answer given in a cycle's evaluation, with the statement's heading and words as
    /// the cycle asked it.
    /// Kept in memory until an answer, a participant or a statement changes (see
    /// [`crate::versions`]).
    pub async fn survey_answers(&self, cycle_id: i64) -> Result<Vec<AnswerRow>> {
        let version = self.data_version(Versioned::Surveys).await?;
        let answers = self
            .caches
            .survey_answers
            .get(cycle_id, version, || self.read_survey_answers(cycle_id))
            .await?;
        Ok(answers.as_ref().clone())
    }

    async fn read_survey_answers(&self, cycle_id: i64) -> Result<Vec<AnswerRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, AnswerRow>(
            "SELECT p.role, p.code, p.research_consent, r.wave, s.code AS statement_code,
                    COALESCE(cs.heading, s.aim) AS aim, COALESCE(cs.text, s.text) AS text,
                    COALESCE(cs.position, s.position) AS position, r.score
             FROM survey_responses r JOIN survey_participants p ON p.id = r.participant_id
             JOIN instrument_statements s ON s.id = r.statement_id
             LEFT JOIN cycle_statements cs ON cs.cycle_id = p.cycle_id AND cs.statement_id = s.id
             WHERE p.cycle_id = $1 ORDER BY p.role, COALESCE(cs.position, s.position), p.code"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }

    /// How many people of each role take part in a cycle's evaluation.
    pub async fn survey_participant_counts(&self, cycle_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, (String, i64)>(
            "SELECT role, COUNT(*) FROM survey_participants WHERE cycle_id = $1 GROUP BY role ORDER BY role"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }
}

/// The identity of a statement the participant's cycle asks of their role, by its code:
/// retired statements and other cycles' statements take no answers.
pub(crate) const ASKED_STATEMENT: &str = "SELECT cs.statement_id FROM cycle_statements cs
     JOIN survey_participants p ON p.cycle_id = cs.cycle_id AND p.role = cs.role
     WHERE p.id = $1 AND cs.code = $2 AND NOT cs.retired";

const INSERT_PARTICIPANT: &str = "INSERT INTO survey_participants (cycle_id, code, role, user_id, research_consent) VALUES ($1, $2, $3, $4, $5) RETURNING id";

impl Tx {
    /// Enrols someone in a cycle's evaluation under a pseudonymous code, in the transaction of
    /// the operation that enrols them (inviting to a wave).
    pub async fn add_survey_participant(
        &mut self,
        cycle_id: i64,
        code: &str,
        role: &str,
        user_id: Option<i64>,
        research_consent: bool,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(INSERT_PARTICIPANT)
            .bind(cycle_id).bind(code).bind(role).bind(user_id).bind(research_consent).fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, format!("the code {code} is already used in this cycle; try again")))?;
        Ok(id)
    }
}
