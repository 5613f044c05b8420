//! One business operation, one transaction.
//!
//! A [`Tx`] is a database transaction on whichever backend the store holds. Every write that a
//! business operation makes — its state change, the audit entry that records it and the emails
//! it causes (queued in the outbox, never sent from here) — is a method on `Tx`, so that the
//! operation commits or rolls back as one. Dropping a `Tx` without [`Tx::commit`] rolls it
//! back: an error anywhere in the operation leaves nothing half done.
//!
//! On SQLite the transaction begins `IMMEDIATE`, taking the write lock at the start: two
//! operations that read and then write (check capacity, then move) cannot interleave, and a
//! read-then-write transaction never fails halfway on a lock upgrade. On PostgreSQL an
//! operation that checks before it writes takes [`Tx::lock`] on what it checks.
use crate::error::StoreError;
use crate::pool::Pool;
use crate::{NewAuditEntry, NewEmail, Result, Store, now};
use sqlx::{PgConnection, Postgres, Sqlite, Transaction};

/// An open transaction. Commit it with [`Tx::commit`]; dropped, it rolls back.
pub struct Tx {
    pub(crate) conn: TxConn,
    /// Told of the commit, so that this process's next reader trusts nothing it kept from
    /// before the write (`crate::versions`).
    watch: std::sync::Arc<crate::versions::VersionWatch>,
}

/// The transaction of one backend.
pub(crate) enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.conn {
            TxConn::Sqlite(_) => "Tx(sqlite)",
            TxConn::Postgres(_) => "Tx(postgres)",
        })
    }
}

/// Runs the same block against the transaction's connection. Inside the block `$conn` is a
/// `&mut SqliteConnection` or a `&mut PgConnection`; pass it on as `&mut *$conn` so that it can
/// be used more than once. Like `on_pool!`, the block is type-checked once per backend.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.conn {
            $crate::tx::TxConn::Sqlite(t) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *t;
                $body
            }
            $crate::tx::TxConn::Postgres(t) => {
                let $conn: &mut sqlx::PgConnection = &mut *t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Begins the transaction of one business operation.
    pub async fn begin(&self) -> Result<Tx> {
        let conn = match &self.pool {
            // IMMEDIATE: see the module's comment.
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            watch: self.watch.clone(),
        })
    }
}

impl Tx {
    /// Makes every write of the operation permanent at once.
    pub async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        self.watch.wrote();
        Ok(())
    }

    /// Serialises the operations that take the same `key` (e.g. `tutor-capacity:2026`) until
    /// this transaction ends, so that a check and the write that depends on it cannot be
    /// overtaken by another instance's. SQLite needs nothing: its transactions begin
    /// `IMMEDIATE` and so run one at a time.
    pub async fn lock(&mut self, key: &str) -> Result<()> {
        if let TxConn::Postgres(t) = &mut self.conn {
            lock_postgres(t, key).await?;
        }
        Ok(())
    }

    /// Records what the operation did, in the operation's transaction.
    pub async fn audit(&mut self, entry: NewAuditEntry<'_>) -> Result<()> {
        on_tx!(self, c => sqlx::query(crate::audit::INSERT_AUDIT)
            .bind(now()).bind(entry.actor_id).bind(entry.action).bind(entry.subject_kind).bind(entry.subject_id)
            .bind(entry.detail).bind(entry.address).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Queues an email in the operation's transaction (the outbox pattern): it is sent only if
    /// the operation commits, and the worker sends it even if the process stops right after.
    /// Returns false when an email with the same `dedup_key` was already queued.
    pub async fn enqueue_email(&mut self, email: &NewEmail<'_>) -> Result<bool> {
        let at = now();
        let added = on_tx!(self, c => sqlx::query(crate::outbox::INSERT_EMAIL)
            .bind(email.dedup_key).bind(email.to_address).bind(email.to_name).bind(email.subject).bind(email.body_text)
            .bind(email.calendar).bind(at)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(added == 1)
    }
}

async fn lock_postgres(conn: &mut PgConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
