//! The two backends behind one handle: a pool, a connection and a transaction on SQLite or PostgreSQL, and the macros that run one query on either.
//!
//! Entity modules write their SQL once, with `$1`-style placeholders, which both
//! drivers read. Where the dialects differ (JSON, dates, string search) a query picks
//! its text with [`Pool::pick`] or [`Tx::pick`]. The macros expand a query into one arm
//! per backend, so each runs on its own driver with its own types checked at compile
//! time; nothing goes through a lowest-common-denominator driver.

use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The text of a query for this backend, where the two dialects differ.
    pub fn pick(self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        }
    }
}

/// A connection pool on either backend. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection taken from a [`Pool`], on either backend.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// An open transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

/// Runs `$body` with `$p` bound to the pool of whichever backend `$pool` holds.
#[macro_export]
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the connection (`&mut SqliteConnection` or
/// `&mut PgConnection`) inside the transaction `$tx` (a `&mut Tx`).
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the driver's connection inside `$conn` (a `&mut Conn`).
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(pc) => {
                let $c = &mut **pc;
                $body
            }
            $crate::db::Conn::Postgres(pc) => {
                let $c = &mut **pc;
                $body
            }
        }
    };
}

impl Pool {
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The text of a query for this pool's backend, where the two dialects differ.
    pub fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        self.backend().pick(sqlite, postgres)
    }

    /// Begins a transaction. On SQLite it takes the write lock up front (`begin
    /// immediate`), so it cannot fail halfway with SQLITE_BUSY against another process;
    /// PostgreSQL locks rows as it goes.
    pub async fn begin(&self) -> sqlx::Result<Tx<'static>> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("begin immediate").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Begins a read-only snapshot: every query in it sees the same data.
    pub async fn begin_read(&self) -> sqlx::Result<Tx<'static>> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(
                p.begin_with("begin transaction isolation level repeatable read read only")
                    .await?,
            ),
        })
    }

    pub async fn acquire(&self) -> sqlx::Result<Conn> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    pub async fn close(&self) {
        with_pool!(self, p => p.close().await)
    }

    /// The SQLite pool, for the SQLite-only parts (backup, pragmas, session store).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }
}

impl Conn {
    /// Begins a write transaction on this connection (see [`Pool::begin`]).
    pub async fn begin(&mut self) -> sqlx::Result<Tx<'_>> {
        Ok(match self {
            Conn::Sqlite(c) => Tx::Sqlite(c.begin_with("begin immediate").await?),
            Conn::Postgres(c) => Tx::Postgres(c.begin().await?),
        })
    }

    /// Closes the connection instead of returning it to the pool: after an I/O error
    /// it may be in a state the next user must not inherit.
    pub async fn close(self) -> sqlx::Result<()> {
        match self {
            Conn::Sqlite(c) => c.close().await,
            Conn::Postgres(c) => c.close().await,
        }
    }
}

impl Tx<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// The text of a query for this transaction's backend, where the dialects differ.
    pub fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        self.backend().pick(sqlite, postgres)
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}
