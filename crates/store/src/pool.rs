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
    /// Figures kept in memory between requests, each valid for one data version (see
    /// [`crate::versions`]).
    pub(crate) caches: std::sync::Arc<crate::versions::Caches>,
    /// The process's last reading of the data versions.
    pub(crate) watch: std::sync::Arc<crate::versions::VersionWatch>,
}

/// Connections to the SQLite file. Readers run side by side (WAL); writers take turns on the
/// file's lock whatever the pool size.
const SQLITE_CONNECTIONS: u32 = 8;

/// Prepared statements each connection keeps (sqlx's default is 100; flipside has a few
/// hundred distinct queries, and a mixed load would otherwise prepare them again and again).
const STATEMENT_CACHE: usize = 1000;

/// Rows `ANALYZE` samples per index when refreshing planner statistics (SQLite's own
/// recommendation for long-running processes): a fifth of a second on the full-size demo.
const ANALYSIS_LIMIT: u32 = 400;

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

/// [`on_pool!`] for a write outside a [`crate::Tx`]: once the block has run, this process's
/// next reader reads the data versions again (`crate::versions`), as after a committed `Tx`.
/// Every such write uses it, whether or not a version covers its tables today, except writes
/// only to the bookkeeping tables that none ever will (the audit log, the outbox, webhook
/// deliveries, idempotency keys, API tokens' last use, sign-in flows and failures, retention's
/// own runs), which use `on_pool!`.
macro_rules! on_pool_write {
    ($store:expr, $pool:ident => $body:expr) => {{
        let written = $crate::pool::on_pool!($store, $pool => $body);
        $store.watch.wrote();
        written
    }};
}
pub(crate) use on_pool_write;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    fn with_pool(pool: Pool) -> Store {
        Store {
            pool,
            caches: Default::default(),
            watch: std::sync::Arc::new(crate::versions::VersionWatch::new(
                crate::versions::VERSION_STALENESS,
            )),
        }
    }

    /// The same database, with another bound on how long another process's write may go
    /// unseen by what this store keeps in memory (`Duration::ZERO`: read the data versions on
    /// every request).
    pub fn with_version_staleness(mut self, staleness: Duration) -> Store {
        self.watch = std::sync::Arc::new(crate::versions::VersionWatch::new(staleness));
        self
    }

    /// Opens (creating if needed) the SQLite database file `flipside.db` in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(sqlx::Error::Io)?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("flipside.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .statement_cache_capacity(STATEMENT_CACHE);
        let pool = SqlitePoolOptions::new()
            .max_connections(SQLITE_CONNECTIONS)
            // sqlx pings every connection before handing it out unless told not to: a round trip
            // to the connection's thread before every query. A broken SQLite connection is not
            // something a ping would catch (the file is local), and a query on one fails anyway.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Store::with_pool(Pool::Sqlite(pool)))
    }

    /// Connects to PostgreSQL.
    pub async fn open_postgres(url: &str) -> Result<Store> {
        let options = PgConnectOptions::from_str(url)?.statement_cache_capacity(STATEMENT_CACHE);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // Not a network round trip before every query: a connection the server dropped
            // fails its query, sqlx closes it and the next acquire opens a fresh one.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Store::with_pool(Pool::Postgres(pool)))
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

    /// Refreshes the query planner's statistics (after bulk imports and allocations). Without
    /// them SQLite picks an index that reads a whole academic year to find one tutor's tutees
    /// (3 ms instead of 0.1); PostgreSQL's autovacuum analyses a freshly loaded table only a
    /// minute or so later.
    pub async fn optimize(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query(&format!(
                    "PRAGMA analysis_limit = {ANALYSIS_LIMIT}; ANALYZE"
                ))
                .execute(p)
                .await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// [`Store::optimize`] on a database whose planner statistics were never gathered (an
    /// instance upgraded from a version that did not gather them): at start-up, once.
    pub async fn optimize_if_never_analysed(&self) -> Result<()> {
        let analysed = match &self.pool {
            Pool::Sqlite(p) => sqlx::query_as::<_, (i64,)>(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
            )
            .fetch_one(p)
            .await
            .map(|(n,)| n > 0)?,
            // autovacuum analyses PostgreSQL's tables on its own.
            Pool::Postgres(_) => true,
        };
        if !analysed {
            self.optimize().await?;
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
        on_pool_write!(self, pool => sqlx::query(sql).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }
}
