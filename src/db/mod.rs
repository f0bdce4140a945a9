//! The database: one write connection, a read-only pool, the group-commit writer, and the connection settings.
//!
//! SQLite allows one writer at a time. Writers sleeping in SQLite's busy handler
//! starve each other, so every write in this process waits its turn in the process
//! instead: the write pool holds exactly one connection, and sqlx hands it out in
//! FIFO order. Customer answers go through [`writer::Writer`], which borrows that
//! connection once per batch and commits everything waiting in one transaction.
//! Reads never wait for writes (WAL): they use their own read-only pool.

pub mod audits;
pub mod case_hooks;
pub mod case_list;
pub mod case_reports;
pub mod cases;
pub mod evidence;
pub mod export;
pub mod faults;
pub mod held;
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

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};

pub use writer::{WriteError, Writer, WriterConfig};

/// The open database: what the server and the commands share.
#[derive(Clone)]
pub struct Db {
    /// Read-only connections for pages, reports and exports.
    pub read: SqlitePool,
    /// The one write connection. Every write waits its turn for it in the process.
    pub write: SqlitePool,
    /// The group-commit queue for customer responses.
    pub writer: Writer,
    /// Store codes recently found in the registry.
    pub known_stores: std::sync::Arc<stores::KnownStores>,
    pub path: PathBuf,
}

/// Applies pending migrations with foreign keys off, as SQLite's table rebuild (new
/// table, copy, drop, rename) requires, then checks every reference before turning them
/// on again. The write pool's one connection carries the pragma, so nothing else runs
/// meanwhile.
async fn migrate(write: &SqlitePool, path: &Path) -> anyhow::Result<()> {
    let damaged = |e: sqlx::Error| open_error(path, e);
    let mut conn = write.acquire().await.map_err(damaged)?;
    sqlx::query("pragma foreign_keys = off")
        .execute(&mut *conn)
        .await
        .map_err(damaged)?;
    let applied = sqlx::migrate!("./migrations/sqlite").run(&mut *conn).await;
    let broken: Vec<(String, i64, String, i64)> = sqlx::query_as("pragma foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(damaged)?;
    sqlx::query("pragma foreign_keys = on")
        .execute(&mut *conn)
        .await
        .map_err(damaged)?;
    applied.context("Failed to apply database migrations")?;
    if let Some((table, row, parent, _)) = broken.first() {
        anyhow::bail!(
            "Database migration left {} broken reference(s), e.g. {table} row {row} → {parent}",
            broken.len()
        );
    }
    Ok(())
}

/// How long a staff write or a batch waits for the write connection before the
/// request is answered 503 instead of queueing further.
const WRITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

impl Db {
    /// Opens (creating if needed) the database file, brings its schema up to date and
    /// starts the writer. Commands that only import or read use [`connect`].
    pub async fn open(path: &Path, config: WriterConfig) -> anyhow::Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| {
                format!("Failed to create the database folder {}", dir.display())
            })?;
        }
        let base = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .foreign_keys(true)
            // A last resort for other processes (a CLI import while serving): within
            // this process writers never meet in SQLite, they queue for the pool.
            .busy_timeout(Duration::from_secs(5));
        let write_options = base
            .clone()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL syncs the WAL on every commit: an acknowledged response
            // survives a crash or power loss, not just a killed process.
            .synchronous(SqliteSynchronous::Full);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // Kept open for the process's life: it keeps the WAL and its index in place
            // for the read-only connections, which cannot create them.
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
            // A connection whose transaction SQLite already rolled back (disk full, I/O
            // error) leaves sqlx believing a transaction is open, and every later `begin`
            // on it fails (transact-rs/sqlx#3932). Such a connection is closed, not reused.
            .after_release(|conn, _| Box::pin(async move { Ok(faults::still_usable(conn).await) }))
            .connect_with(write_options)
            .await
            .map_err(|e| open_error(path, e))?;
        migrate(&write, path).await?;
        tower_sessions_sqlx_store::SqliteStore::new(write.clone())
            .migrate()
            .await
            .context("Failed to create the session table")?;
        let readers = std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).max(4));
        let read = SqlitePoolOptions::new()
            .max_connections(readers as u32)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(base.read_only(true))
            .await
            .map_err(|e| open_error(path, e))?;
        let writer = Writer::start(write.clone(), config);
        Ok(Db {
            read,
            write,
            writer,
            known_stores: Default::default(),
            path: path.to_owned(),
        })
    }

    /// Checks the whole file's structure (`PRAGMA quick_check`): a corrupt database
    /// refuses to start instead of answering with half its data.
    pub async fn quick_check(&self) -> anyhow::Result<()> {
        let mut conn = self.read.acquire().await?;
        let problems: Vec<String> = sqlx::query_scalar("pragma quick_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| open_error(&self.path, e))?;
        if problems.len() == 1 && problems[0] == "ok" {
            return Ok(());
        }
        let first = problems.first().cloned().unwrap_or_default();
        anyhow::bail!(
            "the database {} is damaged ({} problem(s), first: {first}); restore it from a backup (manyi backup)",
            self.path.display(),
            problems.len()
        )
    }

    /// Stops taking responses, writes what is queued, and closes every connection.
    /// Closing the last connection checkpoints the WAL, so the database file alone
    /// then holds everything.
    pub async fn close(&self) {
        self.writer.shutdown().await;
        self.read.close().await;
        // A last explicit checkpoint; closing the connection would do it too, but
        // this way a failure is logged instead of silent.
        if let Ok(mut conn) = self.write.acquire().await
            && let Err(e) = sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(&mut *conn)
                .await
        {
            tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
        }
        self.write.close().await;
    }
}

/// Opens the database with the default write queue, for commands and tests.
pub async fn connect(path: &Path) -> anyhow::Result<Db> {
    Db::open(path, WriterConfig::default()).await
}

/// Opening errors in words a person running the command understands.
fn open_error(path: &Path, e: sqlx::Error) -> anyhow::Error {
    let hint = match faults::classify(&e) {
        faults::Fault::Corrupt => {
            " — the file is damaged or not a manyi database; restore it from a backup"
        }
        _ => "",
    };
    anyhow::anyhow!("Failed to open the database {}{hint}: {e}", path.display())
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
    let mut conn = db.read.acquire().await?;
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
