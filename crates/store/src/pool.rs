//! Connecting, migrating, and running one piece of SQL on whichever backend is configured.
use crate::Result;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The connection pool of one backend.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database, organised by business operation.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
}

/// Runs the same block against whichever pool the store holds. Inside the block `$pool` is a
/// `&SqlitePool` or a `&PgPool`; the block is type-checked once per backend, so a query that
/// one backend cannot decode fails to compile rather than at run time.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite($pool) => $body,
            $crate::pool::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens (creating if needed) the SQLite database file `flipside.db` in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(sqlx::Error::Io)?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("flipside.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
        })
    }

    /// Connects to PostgreSQL.
    pub async fn open_postgres(url: &str) -> Result<Store> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
        })
    }

    /// Opens PostgreSQL when `database_url` is a `postgres://` (or `postgresql://`) URL, and the
    /// SQLite file in `data_dir` otherwise.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Store> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Store::open_postgres(url).await
            }
            Some(url) => Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must be a postgres:// URL (got '{}'); leave it unset for the embedded SQLite database", url.split(':').next().unwrap_or("")).into(),
            )
            .into()),
            None => Store::open_sqlite(data_dir).await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await.map_err(sqlx::Error::from)?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS
                .run(p)
                .await
                .map_err(sqlx::Error::from)?,
        }
        Ok(())
    }

    /// Applies only the migrations numbered below `version`: a test of a migration sets up the
    /// data of an older schema, then runs [`Store::migrate`] to see what the migration does to
    /// it.
    #[doc(hidden)]
    pub async fn migrate_below(&self, version: i64) -> Result<()> {
        let below = |all: &sqlx::migrate::Migrator| sqlx::migrate::Migrator {
            migrations: all
                .iter()
                .filter(|m| m.version < version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        match &self.pool {
            Pool::Sqlite(p) => below(&SQLITE_MIGRATIONS)
                .run(p)
                .await
                .map_err(sqlx::Error::from)?,
            Pool::Postgres(p) => below(&POSTGRES_MIGRATIONS)
                .run(p)
                .await
                .map_err(sqlx::Error::from)?,
        }
        Ok(())
    }

    /// A trivial query, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Runs one administrative statement (such as `CREATE DATABASE` for a test database).
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        on_pool!(self, pool => sqlx::query(sql).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}
