//! Erasure of a person: a preview of what goes and what stays (and why), then the erasure
//! itself in the caller's transaction, audited without the erased data.
use super::{Erase, Person, REGISTRY, with_person};
use crate::tx::on_tx;
use crate::{NewAuditEntry, Result, Store, Tx};
use flipside_core::privacy::DataKind;
use serde::Serialize;

/// What happens to the rows of one erasure step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    Deleted,
    Anonymised,
    Kept,
}

/// One line of an erasure preview (or of what an erasure did).
#[derive(Debug, Clone, Serialize)]
pub struct ErasureStep {
    pub table: &'static str,
    pub kind: DataKind,
    pub treatment: Treatment,
    pub rows: u64,
    pub why: &'static str,
}

/// What erasing a person will do, step by step; only steps with rows are listed.
#[derive(Debug, Clone, Serialize)]
pub struct ErasurePreview {
    pub user_id: i64,
    pub steps: Vec<ErasureStep>,
}

impl ErasurePreview {
    /// Rows deleted, anonymised and kept, in total.
    pub fn totals(&self) -> (u64, u64, u64) {
        let sum = |t| {
            self.steps
                .iter()
                .filter(|s| s.treatment == t)
                .map(|s| s.rows)
                .sum()
        };
        (
            sum(Treatment::Deleted),
            sum(Treatment::Anonymised),
            sum(Treatment::Kept),
        )
    }
}

fn treatment(erase: Erase) -> Treatment {
    match erase {
        Erase::Delete => Treatment::Deleted,
        Erase::Anonymise(_) => Treatment::Anonymised,
        Erase::Keep => Treatment::Kept,
    }
}

impl Store {
    /// What [`Tx::erase_person`] would do now, without doing it.
    pub async fn erasure_preview(&self, person: &Person) -> Result<ErasurePreview> {
        let mut tx = self.begin().await?;
        let preview = tx.erasure_counts(person).await?;
        drop(tx);
        Ok(preview)
    }
}

impl Tx {
    async fn erasure_counts(&mut self, person: &Person) -> Result<ErasurePreview> {
        let mut steps = Vec::new();
        for entry in REGISTRY {
            for step in entry.erasure {
                let sql = with_person(&format!(
                    "SELECT COUNT(*) FROM {} WHERE {}",
                    entry.table, step.rows
                ));
                let (n,): (i64,) = on_tx!(self, c => sqlx::query_as(&sql)
                    .bind(person.user_id).bind(&person.email).bind(&person.display_name)
                    .fetch_one(&mut *c).await)?;
                if n > 0 {
                    steps.push(ErasureStep {
                        table: entry.table,
                        kind: entry.kind,
                        treatment: treatment(step.erase),
                        rows: n as u64,
                        why: step.why,
                    });
                }
            }
        }
        Ok(ErasurePreview {
            user_id: person.user_id,
            steps,
        })
    }

    /// Erases `person` in this transaction, step by step in the registry's order, and records
    /// it in the audit log with counts only. `actor_id` is the administrator processing the
    /// request. Returns what was done (the same shape as the preview).
    pub async fn erase_person(
        &mut self,
        person: &Person,
        actor_id: i64,
        address: &str,
    ) -> Result<ErasurePreview> {
        let mut steps = Vec::new();
        for entry in REGISTRY {
            for step in entry.erasure {
                let sql = match step.erase {
                    Erase::Delete => format!("DELETE FROM {} WHERE {}", entry.table, step.rows),
                    Erase::Anonymise(set) => {
                        format!("UPDATE {} SET {set} WHERE {}", entry.table, step.rows)
                    }
                    Erase::Keep => {
                        format!("SELECT COUNT(*) FROM {} WHERE {}", entry.table, step.rows)
                    }
                };
                let sql = with_person(&sql);
                let rows = if step.erase == Erase::Keep {
                    let (n,): (i64,) = on_tx!(self, c => sqlx::query_as(&sql)
                        .bind(person.user_id).bind(&person.email).bind(&person.display_name)
                        .fetch_one(&mut *c).await)?;
                    n as u64
                } else {
                    on_tx!(self, c => sqlx::query(&sql)
                        .bind(person.user_id).bind(&person.email).bind(&person.display_name)
                        .execute(&mut *c).await.map(|r| r.rows_affected()))?
                };
                if rows > 0 {
                    steps.push(ErasureStep {
                        table: entry.table,
                        kind: entry.kind,
                        treatment: treatment(step.erase),
                        rows,
                        why: step.why,
                    });
                }
            }
        }
        let done = ErasurePreview {
            user_id: person.user_id,
            steps,
        };
        let (deleted, anonymised, kept) = done.totals();
        // Counts only: the entry must not carry what it erased.
        let detail = format!("{deleted} rows deleted, {anonymised} anonymised, {kept} kept");
        self.audit(NewAuditEntry {
            actor_id: Some(actor_id),
            action: "person_erased",
            subject_kind: "user",
            subject_id: Some(person.user_id),
            detail: &detail,
            address,
        })
        .await?;
        Ok(done)
    }
}
