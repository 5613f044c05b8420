//! Schemes.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::versions::Versioned;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A programme the organisation runs.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Scheme {
    pub id: i64,
    pub name: String,
    pub kind: Decoded<flipside_core::scheme::SchemeKind>,
    pub purpose: String,
    pub school_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// When a coordinator archived it: it leaves the lists, its data stays readable.
    pub archived_at: Option<DateTime<Utc>>,
}

/// What creating a scheme needs (already validated by the caller).
#[derive(Debug, Clone)]
pub struct NewScheme<'a> {
    pub name: &'a str,
    pub kind: flipside_core::scheme::SchemeKind,
    pub purpose: &'a str,
    pub school_id: Option<i64>,
    pub created_by: Option<i64>,
}

const SCHEME_COLUMNS: &str = "id, name, kind, purpose, school_id, created_at, archived_at";

impl Store {
    pub async fn create_scheme(&self, new: NewScheme<'_>) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO schemes (name, kind, purpose, school_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(new.name).bind(new.kind.as_str()).bind(new.purpose).bind(new.school_id).bind(new.created_by).bind(now())
            .fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("a scheme called '{}' already exists", new.name)))?;
        Ok(id)
    }

    /// Every scheme, archived ones included (reports of past years read them); the lists
    /// people browse leave the archived ones out ([`Scheme::archived_at`]).
    pub async fn schemes(&self) -> Result<Vec<Scheme>> {
        Ok(self.all_schemes().await?.as_ref().clone())
    }

    pub async fn scheme(&self, id: i64) -> Result<Scheme> {
        self.all_schemes()
            .await?
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    /// Every scheme by name: a handful that nearly every mentoring page reads, kept in memory
    /// under the `evaluation` data version.
    async fn all_schemes(&self) -> Result<std::sync::Arc<Vec<Scheme>>> {
        let version = self.data_version(Versioned::Evaluation).await?;
        self.caches
            .schemes
            .get((), version, || async {
                let sql = format!("SELECT {SCHEME_COLUMNS} FROM schemes ORDER BY name");
                Ok(on_pool!(self, pool => sqlx::query_as::<_, Scheme>(&sql).fetch_all(pool).await)?)
            })
            .await
    }
}

impl Tx {
    /// A scheme as this transaction sees it.
    pub async fn scheme(&mut self, id: i64) -> Result<Scheme> {
        let sql = format!("SELECT {SCHEME_COLUMNS} FROM schemes WHERE id = $1");
        on_tx!(self, c => sqlx::query_as::<_, Scheme>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()
    }

    /// Renames a scheme and rewrites its purpose (already validated). Another scheme's name is
    /// a conflict.
    pub async fn update_scheme(&mut self, id: i64, name: &str, purpose: &str) -> Result<()> {
        // Mapped at the statement: a `?` inside the block would leave the function first.
        let done = on_tx!(self, c => sqlx::query("UPDATE schemes SET name = $1, purpose = $2 WHERE id = $3")
            .bind(name).bind(purpose).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))
            .map_err(|e| StoreError::unique(e, format!("a scheme called '{name}' already exists")))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Archives a scheme, or brings it back (`archived` false). Archiving one already archived,
    /// or restoring one that is not, is a conflict: the page that asked was out of date.
    pub async fn set_scheme_archived(&mut self, id: i64, archived: bool) -> Result<()> {
        let at = archived.then(now);
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE schemes SET archived_at = $1 WHERE id = $2 AND (archived_at IS NULL) = $3"
        ).bind(at).bind(id).bind(archived)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            self.scheme(id).await?;
            return Err(StoreError::Conflict(if archived {
                "this scheme is already archived".into()
            } else {
                "this scheme is not archived".into()
            }));
        }
        Ok(())
    }
}
