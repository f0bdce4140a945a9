//! What a database error means for the write path: retry later, disk full, a bad row, or a broken connection.

use sqlx::{Connection, SqliteConnection};

/// The classes of database error the write path treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The lock or the pool was not had in time: try again shortly (503).
    Busy,
    /// The disk (or the database's size limit) is full (507).
    Full,
    /// A constraint refused one row: the others in its batch are fine.
    Constraint,
    /// The file is damaged or not a database.
    Corrupt,
    /// An I/O error, or anything else after which the connection is suspect.
    Io,
    Other,
}

/// SQLite's primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_NOMEM: i64 = 7;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_CONSTRAINT: i64 = 19;
const SQLITE_NOTADB: i64 = 26;

pub fn classify(e: &sqlx::Error) -> Fault {
    match e {
        sqlx::Error::PoolTimedOut => Fault::Busy,
        sqlx::Error::Io(io) if io.raw_os_error() == Some(28) => Fault::Full,
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => Fault::Io,
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(-1);
            match code & 0xff {
                SQLITE_BUSY | SQLITE_LOCKED => Fault::Busy,
                SQLITE_FULL => Fault::Full,
                SQLITE_CONSTRAINT => Fault::Constraint,
                SQLITE_CORRUPT | SQLITE_NOTADB => Fault::Corrupt,
                SQLITE_IOERR | SQLITE_NOMEM | SQLITE_READONLY | SQLITE_CANTOPEN => Fault::Io,
                _ => Fault::Other,
            }
        }
        _ => Fault::Other,
    }
}

/// Whether a write connection handed back to the pool can serve the next writer.
///
/// A dropped transaction queues its `ROLLBACK` on the connection's worker; a ping
/// lets that run first. If sqlx still believes a transaction is open afterwards, the
/// rollback failed because SQLite had already rolled back by itself (SQLITE_FULL,
/// SQLITE_IOERR): that connection would fail every later `begin`, so it is closed
/// and the pool opens a fresh one.
pub async fn still_usable(conn: &mut SqliteConnection) -> bool {
    if !conn.is_in_transaction() {
        return true;
    }
    let _ = sqlx::query("select 1").execute(&mut *conn).await;
    if conn.is_in_transaction() {
        tracing::warn!("closing a write connection left in a failed transaction");
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeouts_are_busy_and_full_disks_are_full() {
        assert_eq!(classify(&sqlx::Error::PoolTimedOut), Fault::Busy);
        let enospc = std::io::Error::from_raw_os_error(28);
        assert_eq!(classify(&sqlx::Error::Io(enospc)), Fault::Full);
        assert_eq!(classify(&sqlx::Error::RowNotFound), Fault::Other);
    }
}
