//! Schemes.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::{Result, Store, now};
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

impl Store {
    pub async fn create_scheme(&self, new: NewScheme<'_>) -> Result<i64> {
        let (id,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "INSERT INTO schemes (name, kind, purpose, school_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(new.name).bind(new.kind.as_str()).bind(new.purpose).bind(new.school_id).bind(new.created_by).bind(now())
            .fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("a scheme called '{}' already exists", new.name)))?;
        Ok(id)
    }

    pub async fn schemes(&self) -> Result<Vec<Scheme>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Scheme>(
            "SELECT id, name, kind, purpose, school_id, created_at FROM schemes ORDER BY name"
        ).fetch_all(pool).await)?)
    }

    pub async fn scheme(&self, id: i64) -> Result<Scheme> {
        on_pool!(self, pool => sqlx::query_as::<_, Scheme>(
            "SELECT id, name, kind, purpose, school_id, created_at FROM schemes WHERE id = $1"
        ).bind(id).fetch_optional(pool).await)
        .or_not_found()
    }
}
