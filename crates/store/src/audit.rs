//! The audit log: sign-ins, role changes and every read of special-category or private data.
use crate::pool::on_pool;
use crate::{Result, Store, now};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Something to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub actor_id: Option<i64>,
    /// What happened, e.g. `sign_in`, `role_granted`, `identity_read`.
    pub action: &'a str,
    /// The kind of thing it happened to, e.g. `user`, `application`.
    pub subject_kind: &'a str,
    pub subject_id: Option<i64>,
    pub detail: &'a str,
    /// The client's network address.
    pub address: &'a str,
}

/// A recorded entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub detail: String,
    pub address: String,
}

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, action, subject_kind, subject_id, detail, address) VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl Store {
    /// Records something that changes nothing else: a read of private or special-category
    /// data, a sign-in. The audit entry of a write goes in the write's own transaction
    /// ([`crate::Tx::audit`]).
    pub async fn audit(&self, entry: NewAuditEntry<'_>) -> Result<()> {
        on_pool!(self, pool => sqlx::query(INSERT_AUDIT).bind(now()).bind(entry.actor_id).bind(entry.action).bind(entry.subject_kind).bind(entry.subject_id)
            .bind(entry.detail).bind(entry.address).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The newest entries first, optionally only one action.
    pub async fn audit_entries(&self, action: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, AuditEntry>(
            "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.subject_kind, a.subject_id, a.detail, a.address
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             WHERE ($1 IS NULL OR a.action = $1) ORDER BY a.id DESC LIMIT $2"
        ).bind(action).bind(limit).fetch_all(pool).await)?)
    }

    /// A page of entries, newest first: those older than `before` (an entry id), filtered by
    /// action, actor and subject kind where given.
    pub async fn audit_page(
        &self,
        filter: AuditFilter<'_>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, AuditEntry>(
            "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.subject_kind, a.subject_id, a.detail, a.address
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             WHERE ($1 IS NULL OR a.action = $1) AND ($2 IS NULL OR a.actor_id = $2)
               AND ($3 IS NULL OR a.subject_kind = $3) AND ($4 IS NULL OR a.id < $4)
             ORDER BY a.id DESC LIMIT $5"
        ).bind(filter.action).bind(filter.actor_id).bind(filter.subject_kind).bind(before).bind(limit).fetch_all(pool).await)?)
    }
}

/// What a page of the audit log is narrowed to (`None`: any).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter<'a> {
    pub action: Option<&'a str>,
    pub actor_id: Option<i64>,
    pub subject_kind: Option<&'a str>,
}
