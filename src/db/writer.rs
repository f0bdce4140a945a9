//! The group-commit writer: one task takes every waiting response, stores them in one transaction, commits once, then answers each waiter.
//!
//! The queue is bounded twice: by how many wait, and by how long the oldest has
//! waited. A submission that would wait longer is refused at once ([`WriteError::Busy`],
//! a 503 with `Retry-After`), so overload never turns into a queue that grows.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use super::faults::{Fault, classify};
use super::pool::{Conn, Pool};
use super::responses::{Outcome, Stored, Submission, insert_many};

/// Bounds of the write queue (flags `--write-batch`, `--write-queue`, `--write-queue-wait-ms`).
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most responses stored in one transaction.
    pub max_batch: usize,
    /// Most responses waiting; one more is refused.
    pub max_queue: usize,
    /// When the oldest waiting response has waited this long, new ones are refused.
    pub max_wait: Duration,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            max_batch: 256,
            max_queue: 2048,
            max_wait: Duration::from_millis(500),
        }
    }
}

/// Why a response was not stored. Nothing was written in any of these cases.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WriteError {
    /// Too much is waiting; try again in a moment.
    #[error("the server is busy storing other responses")]
    Busy,
    /// The disk is full.
    #[error("the server's storage is full")]
    Full,
    /// The database could not write (I/O error, shutting down); the reason is for the log.
    #[error("the database cannot store responses right now: {0}")]
    Unavailable(String),
    /// The submission's receipt code already stored a response.
    #[error("this receipt code has already been used")]
    ReceiptUsed,
}

impl From<Outcome> for Result<Stored, WriteError> {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Stored(s) => Ok(s),
            Outcome::ReceiptUsed => Err(WriteError::ReceiptUsed),
        }
    }
}

impl WriteError {
    fn from_sqlx(e: &sqlx::Error) -> WriteError {
        match classify(e) {
            Fault::Busy => WriteError::Busy,
            Fault::Full => WriteError::Full,
            _ => WriteError::Unavailable(e.to_string()),
        }
    }
}

type Reply = oneshot::Sender<Result<Stored, WriteError>>;

struct Waiting {
    submission: Submission,
    since: Instant,
    reply: Reply,
}

/// Consecutive batch failures after which `/healthz` reports the write path as down.
const UNHEALTHY_AFTER: u32 = 3;

struct Shared {
    queue: Mutex<VecDeque<Waiting>>,
    wake: Notify,
    config: WriterConfig,
    closed: AtomicBool,
    failures: AtomicU32,
    last_failure: Mutex<Option<String>>,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, VecDeque<Waiting>> {
        // A panic while holding the lock cannot leave the queue half-changed
        // (push and drain are single calls), so a poisoned lock is still usable.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn succeeded(&self) {
        self.failures.store(0, Ordering::Relaxed);
    }

    fn failed(&self, e: &sqlx::Error) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
    }
}

/// The handle handlers use to store responses. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    shared: Arc<Shared>,
    pool: Pool,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Starts the writer task on the write pool.
    pub fn start(pool: Pool, config: WriterConfig) -> Writer {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            wake: Notify::new(),
            config,
            closed: AtomicBool::new(false),
            failures: AtomicU32::new(0),
            last_failure: Mutex::new(None),
        });
        let task = tokio::spawn(run(shared.clone(), pool.clone()));
        Writer {
            shared,
            pool,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// Queues a response and waits until it is committed to disk, or refuses at once
    /// when the queue is full or its oldest entry has waited too long.
    pub async fn submit(&self, submission: Submission) -> Result<Stored, WriteError> {
        let (reply, answer) = oneshot::channel();
        {
            let mut queue = self.shared.queue();
            if self.shared.closed.load(Ordering::Acquire) {
                return Err(WriteError::Unavailable(
                    "the server is shutting down".into(),
                ));
            }
            let stale = queue
                .front()
                .is_some_and(|w| w.since.elapsed() > self.shared.config.max_wait);
            if queue.len() >= self.shared.config.max_queue || stale {
                return Err(WriteError::Busy);
            }
            queue.push_back(Waiting {
                submission,
                since: Instant::now(),
                reply,
            });
        }
        self.shared.wake.notify_one();
        answer
            .await
            .unwrap_or_else(|_| Err(WriteError::Unavailable("the writer stopped".into())))
    }

    /// How many responses wait to be written.
    pub fn queued(&self) -> usize {
        self.shared.queue().len()
    }

    /// `Some(reason)` once several batches in a row have failed, until one succeeds.
    /// While failing, it first tries a tiny write, so a freed disk shows as healthy
    /// again without waiting for the next customer.
    pub async fn health(&self) -> Option<String> {
        let stopped = self
            .task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_none_or(|t| t.is_finished());
        if stopped && !self.shared.closed.load(Ordering::Acquire) {
            return Some("the writer task stopped".into());
        }
        if self.shared.failures.load(Ordering::Relaxed) < UNHEALTHY_AFTER {
            return None;
        }
        match probe(&self.pool).await {
            Ok(()) => {
                self.shared.succeeded();
                None
            }
            Err(e) => {
                self.shared.failed(&e);
                let last = self
                    .shared
                    .last_failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                Some(last.clone().unwrap_or_else(|| e.to_string()))
            }
        }
    }

    /// Refuses new responses, writes everything already queued, and waits for the task.
    pub async fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, "the writer task ended abnormally");
        }
    }
}

/// A write as large as a big batch: proves the disk takes real batches again. Two
/// commits (write 1 MiB, then drop it), so the pages really reach the WAL; the freed
/// pages are reused by the next responses.
async fn probe(pool: &Pool) -> sqlx::Result<()> {
    const PAD_BYTES: i64 = 1 << 20;
    let write = pool.pick(
        "insert into write_probe (id, at, pad) values (1, $1, zeroblob($2)) \
         on conflict (id) do update set at = excluded.at, pad = excluded.pad",
        "insert into write_probe (id, at, pad) values (1, $1, decode(repeat('00', $2::integer), 'hex')) \
         on conflict (id) do update set at = excluded.at, pad = excluded.pad",
    );
    crate::with_pool!(pool, p => {
        sqlx::query(write)
            .bind(super::now_rfc3339())
            .bind(PAD_BYTES)
            .execute(p)
            .await?;
        sqlx::query("update write_probe set pad = null")
            .execute(p)
            .await
            .map(|_| ())
    })
}

async fn run(shared: Arc<Shared>, pool: Pool) {
    let mut batch: Vec<Waiting> = Vec::with_capacity(shared.config.max_batch);
    loop {
        {
            let mut queue = shared.queue();
            let n = queue.len().min(shared.config.max_batch);
            batch.extend(queue.drain(..n));
        }
        if batch.is_empty() {
            if shared.closed.load(Ordering::Acquire) {
                return;
            }
            // notify_one keeps a permit when nobody waits, so a push between the
            // check above and this await still wakes us.
            shared.wake.notified().await;
            continue;
        }
        write_batch(&shared, &pool, std::mem::take(&mut batch)).await;
    }
}

/// Stores one batch and answers every waiter in it.
async fn write_batch(shared: &Shared, pool: &Pool, batch: Vec<Waiting>) {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail_all(shared, batch, &e),
    };
    let submissions: Vec<&Submission> = batch.iter().map(|w| &w.submission).collect();
    let outcome = insert_many(&mut conn, &submissions).await;
    drop(submissions);
    match outcome {
        Ok(stored) => {
            shared.succeeded();
            for (waiting, outcome) in batch.into_iter().zip(stored) {
                // A client that went away is fine: its retry finds the same key.
                let _ = waiting.reply.send(outcome.into());
            }
        }
        Err(e) if matches!(classify(&e), Fault::Constraint | Fault::Other) => {
            // One response broke the batch: store each on its own, so only it fails.
            tracing::warn!(error = %e, size = batch.len(), "batch refused; storing one by one");
            one_by_one(shared, conn, batch).await;
        }
        Err(e) => {
            close(conn).await;
            fail_all(shared, batch, &e);
        }
    }
}

async fn one_by_one(shared: &Shared, mut conn: Conn, batch: Vec<Waiting>) {
    let mut rest = batch.into_iter();
    while let Some(waiting) = rest.next() {
        match insert_many(&mut conn, &[&waiting.submission]).await {
            Ok(stored) => {
                shared.succeeded();
                if let Some(outcome) = stored.into_iter().next() {
                    let _ = waiting.reply.send(outcome.into());
                }
            }
            Err(e) if matches!(classify(&e), Fault::Constraint | Fault::Other) => {
                tracing::error!(error = %e, form = %waiting.submission.survey.id, "response refused by the database");
                let _ = waiting
                    .reply
                    .send(Err(WriteError::Unavailable(e.to_string())));
            }
            Err(e) => {
                close(conn).await;
                let mut left = vec![waiting];
                left.extend(rest);
                return fail_all(shared, left, &e);
            }
        }
    }
}

/// After a disk-full or I/O error SQLite may have rolled back by itself; the
/// connection is closed so the next batch starts on a fresh one.
async fn close(conn: Conn) {
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing a failed write connection");
    }
}

fn fail_all(shared: &Shared, batch: Vec<Waiting>, e: &sqlx::Error) {
    tracing::error!(error = %e, size = batch.len(), "could not store a batch of responses");
    shared.failed(e);
    let error = WriteError::from_sqlx(e);
    for waiting in batch {
        let _ = waiting.reply.send(Err(error.clone()));
    }
}
