//! Where the database is (a SQLite file or a PostgreSQL URL) and how each backend is opened: connection settings, pools and migrations.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, PgPool, SqlitePool};

use super::faults;

/// Where the data lives: `--db` / `MANYI_DB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An embedded SQLite file, created with its folder on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL database that any number of manyi servers may share.
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else is a file path.
    pub fn parse(s: &str) -> Location {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(s.trim().to_owned())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    /// For messages and logs: the file path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }

    /// Whether there is something to open: the file exists (PostgreSQL: always, the
    /// server answers for itself).
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Sqlite(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::Sqlite(path.clone())
    }
}

impl From<&Location> for Location {
    fn from(l: &Location) -> Location {
        l.clone()
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(an unreadable PostgreSQL URL)".into(),
    }
}

/// How long a staff write or a batch waits for a write connection before the request
/// is answered 503 instead of queueing further.
pub const WRITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite pools: one write connection, and read-only connections beside it.
pub async fn sqlite(path: &Path) -> anyhow::Result<(SqlitePool, SqlitePool)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("Failed to create the database folder {}", dir.display()))?;
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
        .map_err(|e| open_error(&path.display().to_string(), e))?;
    migrate_sqlite(&write, path).await?;
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
        .map_err(|e| open_error(&path.display().to_string(), e))?;
    Ok((read, write))
}

/// Applies pending migrations with foreign keys off, as SQLite's table rebuild (new
/// table, copy, drop, rename) requires, then checks every reference before turning them
/// on again. The write pool's one connection carries the pragma, so nothing else runs
/// meanwhile.
async fn migrate_sqlite(write: &SqlitePool, path: &Path) -> anyhow::Result<()> {
    let damaged = |e: sqlx::Error| open_error(&path.display().to_string(), e);
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

/// Connections a server keeps to PostgreSQL (`--db-connections`). Several servers
/// share one database, so each keeps few: the writer batches responses, and pages
/// wait their turn in the pool rather than opening more.
pub const DEFAULT_PG_CONNECTIONS: u32 = 16;

/// Any number of servers may start at once against one database; this lock (a
/// PostgreSQL advisory lock, held on its own connection) lets one migrate while the
/// others wait, then find nothing left to do.
const MIGRATION_LOCK: i64 = 0x6d61_6e79_695f_6462; // "manyi_db"

/// The PostgreSQL pool, after migrations under the advisory lock.
pub async fn postgres(url: &str, connections: u32) -> anyhow::Result<PgPool> {
    let described = redact(url);
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("'{described}' is not a PostgreSQL URL"))?
        .application_name("manyi");
    migrate_postgres(&options, &described).await?;
    let pool = PgPoolOptions::new()
        .max_connections(connections.max(2))
        .min_connections(1)
        .acquire_timeout(WRITE_ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| open_error(&described, e))?;
    Ok(pool)
}

/// Runs the migrations and the session table's creation on a dedicated connection
/// holding [`MIGRATION_LOCK`]. The connection is closed afterwards, success or not, so
/// a failed migration never leaves a lock behind in a pooled connection.
async fn migrate_postgres(options: &PgConnectOptions, described: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .map_err(|e| open_error(described, e))?;
    sqlx::query("select pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut conn)
        .await
        .map_err(|e| open_error(described, e))?;
    // Times and days are text compared as text (RFC 3339 sorts as time only byte by
    // byte); a language collation would order some of them otherwise.
    let collation: String =
        sqlx::query_scalar("select datcollate from pg_database where datname = current_database()")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| open_error(described, e))?;
    if !matches!(collation.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8") {
        let _ = conn.close().await;
        anyhow::bail!(
            "the database {described} sorts text by '{collation}'; manyi needs byte order: \
             create it with `createdb --template=template0 --locale=C.UTF-8 …`"
        );
    }
    let applied = sqlx::migrate!("./migrations/postgres")
        .run(&mut conn)
        .await
        .context("Failed to apply database migrations");
    let sessions = match applied {
        Ok(()) => session_table(&mut conn).await,
        Err(e) => Err(e),
    };
    let _ = conn.close().await;
    sessions
}

/// tower-sessions' table, created as its store's `migrate` would, but on the locked
/// connection: `create schema if not exists` alone races between two servers.
async fn session_table(conn: &mut PgConnection) -> anyhow::Result<()> {
    for statement in [
        "create schema if not exists tower_sessions",
        "create table if not exists tower_sessions.session (
            id text primary key not null,
            data bytea not null,
            expiry_date timestamptz not null
        )",
    ] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .context("Failed to create the session table")?;
    }
    Ok(())
}

/// Opening errors in words a person running the command understands.
pub fn open_error(described: &str, e: sqlx::Error) -> anyhow::Error {
    let hint = match faults::classify(&e) {
        faults::Fault::Corrupt => {
            " — the file is damaged or not a manyi database; restore it from a backup"
        }
        _ => "",
    };
    anyhow::anyhow!("Failed to open the database {described}{hint}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_postgres_and_the_rest_are_files() {
        assert_eq!(
            Location::parse("data/manyi.db"),
            Location::Sqlite("data/manyi.db".into())
        );
        assert_eq!(
            Location::parse("postgres://u:p@h/db"),
            Location::Postgres("postgres://u:p@h/db".into())
        );
        assert!(matches!(
            Location::parse("PostgreSQL://h/db"),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn passwords_never_reach_the_log() {
        let l = Location::parse("postgres://manyi:secret@db.local:5432/manyi");
        assert_eq!(l.describe(), "postgres://manyi:***@db.local:5432/manyi");
        assert!(!l.to_string().contains("secret"));
    }
}
