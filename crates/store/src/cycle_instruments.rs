//! Each cycle's own instrument (issue 11): the statements it asks, in the words its respondents
//! saw, and its version. Answers and drafts are stored under a statement's identity
//! (`instrument_statements`: its audience and code); the words, the aim and whether it is still
//! asked belong to the cycle (`cycle_statements`). The rules of copying and editing are
//! `flipside_core::qualitative::instrument`.
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx};
use flipside_core::evaluation::default_instruments;
use flipside_core::qualitative::aims::default_aim_of_statement;
use flipside_core::qualitative::instrument::{CycleInstrument, InstrumentStatement};
use serde::Serialize;

/// One statement of a cycle's instrument.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CycleStatement {
    /// The identity its answers are stored under.
    pub statement_id: i64,
    /// Who is asked it: `mentor` or `mentee`.
    pub role: String,
    pub position: i64,
    pub code: String,
    /// The key of the scheme's aim it evidences.
    pub aim: String,
    /// The short heading the survey groups it under and the results name it by.
    pub heading: String,
    /// The words respondents of this cycle see.
    pub text: String,
    /// Retired: kept, but no longer asked nor copied into the next cycle.
    pub retired: bool,
}

/// A cycle's instrument as stored: its version and its statements, mentors' first, in order.
#[derive(Debug, Clone, Serialize)]
pub struct StoredInstrument {
    pub cycle_id: i64,
    pub version: i64,
    pub statements: Vec<CycleStatement>,
}

impl StoredInstrument {
    /// The instrument as the rules see it.
    pub fn rules(&self) -> CycleInstrument {
        CycleInstrument {
            version: u32::try_from(self.version).unwrap_or(1),
            statements: self
                .statements
                .iter()
                .map(|s| InstrumentStatement {
                    code: s.code.clone(),
                    role: s.role.clone(),
                    aim: s.aim.clone(),
                    text: s.text.clone(),
                    retired: s.retired,
                })
                .collect(),
        }
    }

    /// Which aim of the scheme each statement still asked evidences, by statement code.
    pub fn aims_by_statement(self) -> std::collections::BTreeMap<String, String> {
        self.statements
            .into_iter()
            .filter(|s| !s.retired)
            .map(|s| (s.code, s.aim))
            .collect()
    }

    /// The statements asked of `role`, in order.
    pub fn asked_of<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a CycleStatement> {
        self.statements
            .iter()
            .filter(move |s| !s.retired && s.role == role)
    }
}

const STATEMENTS: &str = "SELECT statement_id, role, position, code, aim, heading, text, retired
     FROM cycle_statements WHERE cycle_id = $1
     ORDER BY CASE role WHEN 'mentor' THEN 0 ELSE 1 END, position, id";

impl Store {
    /// A cycle's instrument.
    pub async fn cycle_instrument(&self, cycle_id: i64) -> Result<StoredInstrument> {
        let (version,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT version FROM cycle_instruments WHERE cycle_id = $1"
        ).bind(cycle_id).fetch_optional(pool).await)
        .or_not_found()?;
        let statements = on_pool!(self, pool => sqlx::query_as::<_, CycleStatement>(STATEMENTS)
            .bind(cycle_id).fetch_all(pool).await)?;
        Ok(StoredInstrument {
            cycle_id,
            version,
            statements,
        })
    }

    /// Whether anyone has saved or submitted an answer in a cycle's evaluation.
    pub async fn cycle_has_answers(&self, cycle_id: i64) -> Result<bool> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM survey_responses r JOIN survey_participants p ON p.id = r.participant_id WHERE p.cycle_id = $1)
                  + (SELECT COUNT(*) FROM survey_drafts d JOIN survey_participants p ON p.id = d.participant_id WHERE p.cycle_id = $1)"
        ).bind(cycle_id).fetch_one(pool).await)?;
        Ok(n > 0)
    }
}

impl Tx {
    /// A cycle's instrument, as the operation's transaction sees it.
    pub async fn cycle_instrument(&mut self, cycle_id: i64) -> Result<StoredInstrument> {
        let (version,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "SELECT version FROM cycle_instruments WHERE cycle_id = $1"
        ).bind(cycle_id).fetch_optional(&mut *c).await)
        .or_not_found()?;
        let statements = on_tx!(self, c => sqlx::query_as::<_, CycleStatement>(STATEMENTS)
            .bind(cycle_id).fetch_all(&mut *c).await)?;
        Ok(StoredInstrument {
            cycle_id,
            version,
            statements,
        })
    }

    /// Gives a new cycle its instrument, in the transaction that creates the cycle: a copy of
    /// the statements still in use in `copy_from`, or else in the scheme's latest cycle before
    /// it (version one more); a scheme's first cycle takes the default statements (version 1),
    /// each under the aim the scheme chose for it.
    pub(crate) async fn create_cycle_instrument(
        &mut self,
        cycle_id: i64,
        scheme_id: i64,
        academic_year: i64,
        copy_from: Option<i64>,
    ) -> Result<()> {
        let source: Option<(i64, i64)> = match copy_from {
            Some(from) => on_tx!(self, c => sqlx::query_as(
                "SELECT cycle_id, version FROM cycle_instruments WHERE cycle_id = $1"
            ).bind(from).fetch_optional(&mut *c).await)?,
            None => on_tx!(self, c => sqlx::query_as(
                "SELECT i.cycle_id, i.version FROM cycle_instruments i JOIN cycles c ON c.id = i.cycle_id
                 WHERE c.scheme_id = $1 AND c.id <> $2
                 ORDER BY CASE WHEN c.academic_year < $3 THEN 0 ELSE 1 END, c.academic_year DESC LIMIT 1"
            ).bind(scheme_id).bind(cycle_id).bind(academic_year).fetch_optional(&mut *c).await)?,
        };
        let version = source.map_or(1, |(_, v)| v + 1);
        on_tx!(self, c => sqlx::query("INSERT INTO cycle_instruments (cycle_id, version) VALUES ($1, $2)")
            .bind(cycle_id).bind(version).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if let Some((from, _)) = source {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO cycle_statements (cycle_id, statement_id, role, position, code, aim, heading, text, retired)
                 SELECT $1, statement_id, role, position, code, aim, heading, text, FALSE
                 FROM cycle_statements WHERE cycle_id = $2 AND NOT retired"
            ).bind(cycle_id).bind(from).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            return Ok(());
        }
        for (role, statements) in default_instruments() {
            for (position, s) in statements.iter().enumerate() {
                let position = position as i64;
                let statement_id = self
                    .statement_identity(role, s.code, s.aim, s.text, Some(position))
                    .await?;
                let chosen: Option<(String,)> = on_tx!(self, c => sqlx::query_as(
                    "SELECT aim FROM qual_statement_aims WHERE scheme_id = $1 AND statement_code = $2"
                ).bind(scheme_id).bind(s.code).fetch_optional(&mut *c).await)?;
                let aim = chosen.map_or_else(
                    || {
                        default_aim_of_statement(s.code)
                            .unwrap_or(s.code)
                            .to_string()
                    },
                    |(a,)| a,
                );
                on_tx!(self, c => sqlx::query(INSERT_STATEMENT)
                    .bind(cycle_id).bind(statement_id).bind(role).bind(position).bind(s.code)
                    .bind(&aim).bind(s.aim).bind(s.text)
                    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }

    /// The identity answers to a statement are stored under (an audience's instrument and a
    /// code), added if it is new.
    async fn statement_identity(
        &mut self,
        role: &str,
        code: &str,
        heading: &str,
        text: &str,
        position: Option<i64>,
    ) -> Result<i64> {
        let id = on_tx!(self, c => {
            sqlx::query("INSERT INTO instruments (audience) VALUES ($1) ON CONFLICT (audience) DO NOTHING")
                .bind(role).execute(&mut *c).await?;
            let (instrument,): (i64,) = sqlx::query_as("SELECT id FROM instruments WHERE audience = $1")
                .bind(role).fetch_one(&mut *c).await?;
            sqlx::query(
                "INSERT INTO instrument_statements (instrument_id, position, code, aim, text)
                 VALUES ($1, COALESCE($2, (SELECT COALESCE(MAX(position), -1) + 1 FROM instrument_statements WHERE instrument_id = $1)), $3, $4, $5)
                 ON CONFLICT (instrument_id, code) DO NOTHING"
            ).bind(instrument).bind(position).bind(code).bind(heading).bind(text).execute(&mut *c).await?;
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM instrument_statements WHERE instrument_id = $1 AND code = $2")
                .bind(instrument).bind(code).fetch_one(&mut *c).await?;
            id
        });
        Ok(id)
    }

    /// Adds a statement to a cycle's instrument, after the ones already asked of its role.
    /// `heading` is what the survey groups it under (the label of its aim).
    pub async fn add_cycle_statement(
        &mut self,
        cycle_id: i64,
        statement: &InstrumentStatement,
        heading: &str,
    ) -> Result<()> {
        let statement_id = self
            .statement_identity(
                &statement.role,
                &statement.code,
                heading,
                &statement.text,
                None,
            )
            .await?;
        let (position,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM cycle_statements WHERE cycle_id = $1 AND role = $2"
        ).bind(cycle_id).bind(&statement.role).fetch_one(&mut *c).await)?;
        on_tx!(self, c => sqlx::query(INSERT_STATEMENT)
            .bind(cycle_id).bind(statement_id).bind(&statement.role).bind(position).bind(&statement.code)
            .bind(&statement.aim).bind(heading).bind(&statement.text)
            .execute(&mut *c).await.map(|r| r.rows_affected()))
            .map_err(|e| StoreError::unique(e, format!("the code {} is already used in this instrument", statement.code)))?;
        Ok(())
    }

    /// Replaces the words of one statement of a cycle's instrument.
    pub async fn reword_cycle_statement(
        &mut self,
        cycle_id: i64,
        code: &str,
        text: &str,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE cycle_statements SET text = $1 WHERE cycle_id = $2 AND code = $3")
            .bind(text).bind(cycle_id).bind(code).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Stops asking one statement of a cycle's instrument (it stays, marked retired).
    pub async fn retire_cycle_statement(&mut self, cycle_id: i64, code: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE cycle_statements SET retired = TRUE WHERE cycle_id = $1 AND code = $2")
            .bind(cycle_id).bind(code).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

const INSERT_STATEMENT: &str = "INSERT INTO cycle_statements (cycle_id, statement_id, role, position, code, aim, heading, text, retired)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE)";
