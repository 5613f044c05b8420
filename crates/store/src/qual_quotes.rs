//! The quote bank's edits, a scheme's aims and which aim each survey statement evidences, and
//! giving a quote consent after the fact (issue 11). The rules are
//! `flipside_core::qualitative`; reads are methods on [`Store`], writes on [`Tx`], each
//! business operation one transaction with its audit entry (the caller writes it).
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::recruitment::{ConsentEvent, current_consents};
use crate::tx::on_tx;
use crate::{QuoteRow, Result, Store, Tx, now};
use flipside_core::qualitative::aims::Aim;
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use std::collections::{BTreeMap, BTreeSet};

/// A quote with the cycle it belongs to.
#[derive(Debug, Clone)]
pub struct QuoteInCycle {
    pub quote: QuoteRow,
    pub cycle_id: i64,
}

/// Who a chat is with, without its text: for counting and labelling excerpts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChatPerson {
    pub chat_id: i64,
    pub participant_user_id: i64,
    /// `mentor` or `mentee`.
    pub participant_role: String,
}

impl Store {
    /// One quote of the bank and its cycle.
    pub async fn quote_in_cycle(&self, quote_id: i64) -> Result<QuoteInCycle> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            quote: QuoteRow,
            cycle_id: i64,
        }
        let row = on_pool!(self, pool => sqlx::query_as::<_, Row>(
            "SELECT q.id, q.excerpt_id, e.chat_id, q.participant_user_id, q.original, q.edited, q.created_at, c.cycle_id
             FROM qual_quotes q JOIN qual_excerpts e ON e.id = q.excerpt_id JOIN qual_chats c ON c.id = e.chat_id
             WHERE q.id = $1"
        ).bind(quote_id).fetch_optional(pool).await)
        .or_not_found()?;
        Ok(QuoteInCycle {
            quote: row.quote,
            cycle_id: row.cycle_id,
        })
    }

    /// The participant and side of every chat of a cycle.
    pub async fn chat_people(&self, cycle_id: i64) -> Result<Vec<ChatPerson>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ChatPerson>(
            "SELECT id AS chat_id, participant_user_id, participant_role FROM qual_chats WHERE cycle_id = $1 ORDER BY id"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }

    /// The aims a scheme has tied its statements to, by statement code (only those set on the
    /// aims page; any other statement evidences its default aim).
    pub async fn statement_aims_of_scheme(
        &self,
        scheme_id: i64,
    ) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT statement_code, aim FROM qual_statement_aims WHERE scheme_id = $1"
        ).bind(scheme_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().collect())
    }
}

impl Tx {
    /// Replaces a quote's shown words (checked by `check_trim` against its original).
    pub async fn trim_quote(&mut self, quote_id: i64, edited: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE qual_quotes SET edited = $1 WHERE id = $2")
            .bind(edited).bind(quote_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Takes a quote out of the bank (its excerpt stays coded).
    pub async fn remove_quote(&mut self, quote_id: i64) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("DELETE FROM qual_quotes WHERE id = $1")
            .bind(quote_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Saves a scheme's aims in the order given: labels of existing keys are replaced, new keys
    /// added; aims left out keep their place after the given ones (an aim is never deleted:
    /// findings and codes refer to it by key).
    pub async fn save_aims(&mut self, scheme_id: i64, aims: &[Aim]) -> Result<()> {
        self.ensure_aims(scheme_id).await?;
        let given: BTreeSet<&str> = aims.iter().map(|a| a.key.as_str()).collect();
        let stored: Vec<(String,)> = on_tx!(self, c => sqlx::query_as(
            "SELECT key FROM qual_aims WHERE scheme_id = $1 ORDER BY position, id"
        ).bind(scheme_id).fetch_all(&mut *c).await)?;
        let rest = stored
            .into_iter()
            .map(|(k,)| k)
            .filter(|k| !given.contains(k.as_str()));
        for (position, aim) in aims.iter().enumerate() {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO qual_aims (scheme_id, key, label, audience, position) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (scheme_id, key) DO UPDATE SET label = excluded.label, position = excluded.position"
            ).bind(scheme_id).bind(&aim.key).bind(&aim.label).bind(aim.audience.as_str()).bind(position as i64)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        for (i, key) in rest.enumerate() {
            on_tx!(self, c => sqlx::query("UPDATE qual_aims SET position = $1 WHERE scheme_id = $2 AND key = $3")
                .bind((aims.len() + i) as i64).bind(scheme_id).bind(&key)
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Ties a survey statement to one of the scheme's aims, in every cycle of the scheme.
    pub async fn set_statement_aim(
        &mut self,
        scheme_id: i64,
        statement_code: &str,
        aim: &str,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO qual_statement_aims (scheme_id, statement_code, aim) VALUES ($1, $2, $3)
             ON CONFLICT (scheme_id, statement_code) DO UPDATE SET aim = excluded.aim"
        ).bind(scheme_id).bind(statement_code).bind(aim).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        // Each cycle's instrument holds its statements' aims: the scheme's choice applies to all
        // of its cycles, past ones too (an aim groups figures; it is not words anyone read).
        on_tx!(self, c => sqlx::query(
            "UPDATE cycle_statements SET aim = $3
             WHERE code = $2 AND cycle_id IN (SELECT id FROM cycles WHERE scheme_id = $1)"
        ).bind(scheme_id).bind(statement_code).bind(aim).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A student gives a consent on their application again after withdrawing it (or gives it
    /// for the first time). Only consent to quotes can be given this way: taking part is the
    /// application itself. A consent that stands, or an application withdrawn, is a conflict.
    pub async fn give_application_consent(
        &mut self,
        application_id: i64,
        kind: ConsentKind,
    ) -> Result<()> {
        if kind != ConsentKind::Quotes {
            return Err(StoreError::Conflict(format!(
                "consent to {} cannot be given again here",
                kind.label().to_lowercase()
            )));
        }
        let (status,): (String,) = on_tx!(self, c => sqlx::query_as(
            "SELECT status FROM applications WHERE id = $1"
        ).bind(application_id).fetch_optional(&mut *c).await)
        .or_not_found()?;
        if status == ApplicationStatus::Withdrawn.as_str() {
            return Err(StoreError::Conflict(
                "your application is withdrawn, so no consent can be given on it".into(),
            ));
        }
        let history = on_tx!(self, c => sqlx::query_as::<_, ConsentEvent>(
            "SELECT kind, given, at FROM application_consents WHERE application_id = $1 ORDER BY id"
        ).bind(application_id).fetch_all(&mut *c).await)?;
        if current_consents(&history).contains(&kind) {
            return Err(StoreError::Conflict(format!(
                "consent to {} is already given",
                kind.label().to_lowercase()
            )));
        }
        on_tx!(self, c => sqlx::query("INSERT INTO application_consents (application_id, kind, given, at) VALUES ($1, $2, $3, $4)")
            .bind(application_id).bind(kind.as_str()).bind(true).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a consent a staff leader gave while accepting their invitation (research use is
    /// recorded by `accept_invitation` itself).
    pub async fn give_consent_on_accepting(
        &mut self,
        invitation_id: i64,
        kind: ConsentKind,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query("INSERT INTO invitation_consents (invitation_id, kind, given, at) VALUES ($1, $2, $3, $4)")
            .bind(invitation_id).bind(kind.as_str()).bind(true).bind(now()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
