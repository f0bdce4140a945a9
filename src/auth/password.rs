//! Password hashing and checking behind a process-wide gate: each argon2id run is deliberately slow and takes 19 MiB, so only a few run at once, on threads of their own.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use argon2::Block;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::argon::{DUMMY_HASH, hash_with, verify_with};

/// Work for a password thread, given that thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// Bounds how many argon2 runs happen at once, so a burst of logins costs at most
/// `running × 19 MiB` however many arrive. A few more may wait their turn; beyond that
/// a login is refused at once rather than queueing memory and time without bound.
///
/// The runs happen on `running` threads of the gate's own, each with its 19 MiB
/// allocated once, not on tokio's blocking pool: memory freed on dozens of pool
/// threads stays resident long after a burst (see `argon.rs`).
#[derive(Debug)]
pub struct PasswordGate {
    running: Arc<Semaphore>,
    queue: usize,
    waiting: AtomicUsize,
    jobs: mpsc::Sender<Job>,
}

/// Every argon2 run is busy and the queue is full: the caller should answer 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateFull;

/// Permission to run one argon2 computation on the gate's threads. Moved into the
/// job, so it is held until the computation ends even when the request that asked is
/// dropped.
pub struct Turn {
    permit: OwnedSemaphorePermit,
    jobs: mpsc::Sender<Job>,
}

/// Waiting longer than this for a turn is refused too: the client would rather hear
/// "busy" now than wait on a server that is falling behind.
const QUEUE_WAIT: Duration = Duration::from_secs(3);

/// Logins that may wait per running check.
const QUEUE_PER_RUNNING: usize = 2;

/// The most checks the shared gate runs at once, whatever the core count: 4 × 19 MiB
/// keeps a burst's memory under 128 MB, and 4 checks at once already answer a hundred
/// logins a second. (A flag `--login-checks N` would set this.)
const MAX_RUNNING: usize = 4;

/// The gate every login in this process goes through: one run per core, up to 4.
static SHARED: LazyLock<Arc<PasswordGate>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let running = cores.min(MAX_RUNNING);
    Arc::new(PasswordGate::new(running, running * QUEUE_PER_RUNNING))
});

pub fn shared_gate() -> Arc<PasswordGate> {
    SHARED.clone()
}

struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One worker: runs jobs in its own argon2 memory until the gate (the sending side) is gone.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory = Vec::new();
    loop {
        let next = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        // A panicking job must not take the worker down with it.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
    }
}

impl PasswordGate {
    /// At most `running` computations at once and `queue` callers waiting for one.
    pub fn new(running: usize, queue: usize) -> PasswordGate {
        let running = running.max(1);
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..running {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&rx));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        PasswordGate {
            running: Arc::new(Semaphore::new(running)),
            queue,
            waiting: AtomicUsize::new(0),
            jobs,
        }
    }

    fn turn_from(&self, permit: OwnedSemaphorePermit) -> Turn {
        Turn {
            permit,
            jobs: self.jobs.clone(),
        }
    }

    /// A turn at once, or after a short wait in the queue; `GateFull` when the queue is full.
    pub async fn turn(&self) -> Result<Turn, GateFull> {
        if let Ok(permit) = self.running.clone().try_acquire_owned() {
            return Ok(self.turn_from(permit));
        }
        let ahead = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _leave = Leave(&self.waiting);
        if ahead >= self.queue {
            return Err(GateFull);
        }
        match tokio::time::timeout(QUEUE_WAIT, self.running.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(self.turn_from(permit)),
            _ => Err(GateFull),
        }
    }

    /// A turn however long it takes (the semaphore is fair, so it does come): for
    /// admins setting passwords, who are logged in and few, and must not be refused
    /// because strangers are guessing. (`None` only if the semaphore were closed,
    /// which nothing does.)
    async fn turn_waiting(&self) -> Option<Turn> {
        let permit = self.running.clone().acquire_owned().await.ok()?;
        Some(self.turn_from(permit))
    }
}

impl Turn {
    /// Runs `f` on one of the gate's threads, holding this turn until `f` returns.
    async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let Turn { permit, jobs } = self;
        let job: Job = Box::new(move |memory| {
            let out = f(memory);
            // Free the turn before answering, so whoever reads the answer finds the gate open.
            drop(permit);
            let _ = tx.send(out);
        });
        // Without a worker thread (none could start), the blocking pool does it.
        if let Err(mpsc::SendError(job)) = jobs.send(job) {
            tokio::task::spawn_blocking(move || job(&mut Vec::new()));
        }
        rx.await.ok()
    }
}

/// Hashes a password into a PHC string (salt and parameters included).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    let turn = SHARED
        .turn_waiting()
        .await
        .ok_or_else(|| anyhow::anyhow!("the password gate is closed"))?;
    turn.run(move |memory| hash_with(memory, &password))
        .await
        .ok_or_else(|| anyhow::anyhow!("the password thread stopped"))?
}

/// Checks a password against a stored hash in the given turn; `None` checks against
/// a dummy hash, so a login for an unknown name takes as long as one for a known name.
pub async fn verify_password(turn: Turn, hash: Option<String>, password: String) -> bool {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let ok = turn
        .run(move |memory| verify_with(memory, &hash, &password))
        .await
        .unwrap_or(false);
    known && ok
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(hash: Option<String>, password: &str) -> bool {
        let turn = shared_gate().turn().await.expect("a turn");
        verify_password(turn, hash, password.into()).await
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let hash = hash_password("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(check(Some(hash.clone()), "correct horse").await);
        assert!(!check(Some(hash), "wrong horse").await);
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!check(None, "anything").await);
        assert!(!check(Some("not a hash".into()), "x").await);
    }

    #[tokio::test]
    async fn the_gate_lets_the_queue_wait_and_refuses_beyond_it() {
        let gate = Arc::new(PasswordGate::new(1, 1));
        let first = gate.turn().await.expect("free");
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.turn().await.is_ok() })
        };
        while gate.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.turn().await.err(), Some(GateFull), "queue full");
        drop(first);
        assert!(waiter.await.unwrap(), "the waiter got the freed turn");
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn a_turn_is_held_until_the_computation_ends_even_if_the_caller_gives_up() {
        let gate = PasswordGate::new(1, 0);
        let turn = gate.turn().await.unwrap();
        let hash = Some(DUMMY_HASH.to_owned());
        // Dropping the future once it is running leaves the blocking task holding the turn.
        let check = verify_password(turn, hash, "x".into());
        let _ = tokio::time::timeout(Duration::from_millis(1), check).await;
        assert_eq!(gate.turn().await.err(), Some(GateFull));
    }
}
