//! The database on either backend: the pools, the group-commit writer, and what only one backend can do (SQLite's check and backup).
//!
//! SQLite allows one writer at a time. Writers sleeping in SQLite's busy handler
//! starve each other, so every write in this process waits its turn in the process
//! instead: the write pool holds exactly one connection, and sqlx hands it out in
//! FIFO order. Customer answers go through [`writer::Writer`], which borrows that
//! connection once per batch and commits everything waiting in one transaction.
//! Reads never wait for writes (WAL): they use their own read-only pool.
//!
//! PostgreSQL takes concurrent writers itself, from any number of servers: there
//! `read` and `write` are one bounded pool, and the writer still batches responses,
//! which keeps commits few and load shedding the same on both.

pub mod audits;
pub mod case_hooks;
pub mod case_list;
pub mod case_reports;
pub mod cases;
pub mod copy;
pub mod dialect;
pub mod evidence;
pub mod export;
pub mod faults;
pub mod held;
mod open;
mod pool;
pub mod reports;
pub mod responses;
pub mod rollups;
pub mod sales;
pub mod secrets;
pub mod sessions;
pub mod stores;
pub mod tokens;
pub mod user_stores;
pub mod users;
pub mod webhooks;
pub mod writer;

use std::path::Path;

use anyhow::Context;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnectOptions;

pub use open::{DEFAULT_PG_CONNECTIONS, Location, WRITE_ACQUIRE_TIMEOUT};
pub use pool::{Backend, Conn, Pool, Tx};
pub use writer::{WriteError, Writer, WriterConfig};

/// The open database: what the server and the commands share.
#[derive(Clone)]
pub struct Db {
    /// Connections for pages, reports and exports: SQLite's read-only pool, or on
    /// PostgreSQL the one pool.
    pub read: Pool,
    /// Connections for writes: SQLite's one write connection, which every write waits
    /// its turn for in the process; on PostgreSQL the same pool as `read`.
    pub write: Pool,
    /// The group-commit queue for customer responses.
    pub writer: Writer,
    /// Store codes recently found in the registry.
    pub known_stores: std::sync::Arc<stores::KnownStores>,
    pub location: Location,
}

/// How a database is opened: the write queue's bounds and, on PostgreSQL, the pool size.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub writer: WriterConfig,
    pub pg_connections: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            writer: WriterConfig::default(),
            pg_connections: open::DEFAULT_PG_CONNECTIONS,
        }
    }
}

impl Db {
    /// Opens the database (creating a SQLite file if needed), brings its schema up to
    /// date and starts the writer.
    pub async fn open(location: &Location, options: OpenOptions) -> anyhow::Result<Db> {
        let (read, write) = match location {
            Location::Sqlite(path) => {
                let (read, write) = open::sqlite(path).await?;
                (Pool::Sqlite(read), Pool::Sqlite(write))
            }
            Location::Postgres(url) => {
                let pool = Pool::Postgres(open::postgres(url, options.pg_connections).await?);
                (pool.clone(), pool)
            }
        };
        let writer = Writer::start(write.clone(), options.writer);
        Ok(Db {
            read,
            write,
            writer,
            known_stores: Default::default(),
            location: location.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.write.backend()
    }

    /// Checks a SQLite file's structure (`PRAGMA quick_check`): a corrupt database
    /// refuses to start instead of answering with half its data. PostgreSQL checks its
    /// own pages (data checksums) and has nothing to run here.
    pub async fn quick_check(&self) -> anyhow::Result<()> {
        let Some(read) = self.read.as_sqlite() else {
            return Ok(());
        };
        let mut conn = read.acquire().await?;
        let problems: Vec<String> = sqlx::query_scalar("pragma quick_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| open::open_error(&self.location.describe(), e))?;
        if problems.len() == 1 && problems[0] == "ok" {
            return Ok(());
        }
        let first = problems.first().cloned().unwrap_or_default();
        anyhow::bail!(
            "the database {} is damaged ({} problem(s), first: {first}); restore it from a backup (manyi backup)",
            self.location,
            problems.len()
        )
    }

    /// Stops taking responses, writes what is queued, and closes every connection.
    /// On SQLite, closing the last connection checkpoints the WAL, so the database file
    /// alone then holds everything.
    pub async fn close(&self) {
        self.writer.shutdown().await;
        self.read.close().await;
        // A last explicit checkpoint; closing the connection would do it too, but
        // this way a failure is logged instead of silent.
        if let Some(write) = self.write.as_sqlite()
            && let Ok(mut conn) = write.acquire().await
            && let Err(e) = sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(&mut *conn)
                .await
        {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.write.close().await;
    }
}

/// Opens a database with the default options, for commands and tests.
pub async fn connect(location: impl Into<Location>) -> anyhow::Result<Db> {
    Db::open(&location.into(), OpenOptions::default()).await
}

/// Copies the whole database into a new file while it stays in use (`VACUUM INTO`):
/// a consistent snapshot, safe while the server runs. Refuses to overwrite a file.
pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<u64> {
    if target.exists() {
        anyhow::bail!(
            "{} already exists; choose a new file name",
            target.display()
        );
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("Failed to create the folder {}", dir.display()))?;
    }
    let target_text = target
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    let Some(read) = db.read.as_sqlite() else {
        anyhow::bail!(
            "manyi backup copies a SQLite file; back up a PostgreSQL database with pg_dump"
        );
    };
    let mut conn = read.acquire().await?;
    sqlx::query("vacuum into ?")
        .bind(target_text)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("Failed to write the backup {}", target.display()))?;
    drop(conn);
    // The copy must open and pass the same check the server runs at start.
    let mut copy = sqlx::SqliteConnection::connect_with(
        &SqliteConnectOptions::new().filename(target).read_only(true),
    )
    .await?;
    let check: String = sqlx::query_scalar("pragma quick_check")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    if check != "ok" {
        anyhow::bail!("the backup {} failed its check: {check}", target.display());
    }
    Ok(std::fs::metadata(target)?.len())
}

/// The current time as stored: RFC 3339, UTC, whole seconds.
pub fn now_rfc3339() -> String {
    use time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}
