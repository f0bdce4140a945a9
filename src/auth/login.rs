//! What the login endpoint keeps between requests: the attempt counts, the gate its password checks pass, how many checks ran, and the key that signs its cookies.

use crate::db::Pool;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::OnceCell;

use super::password::{GateFull, PasswordGate, shared_gate, verify_password};
use super::ratelimit::{Attempts, Policy, Refusal, Slot};
use super::signed::KEY_NAME;

pub struct LoginLimiter {
    attempts: Attempts,
    gate: Arc<PasswordGate>,
    checks: AtomicU64,
    // Loaded from the database on first use (the state is built before anything is
    // read), then kept: every login page and post needs it.
    key: OnceCell<[u8; 32]>,
}

impl std::fmt::Debug for LoginLimiter {
    // Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimiter")
            .field("attempts", &self.attempts)
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

impl Default for LoginLimiter {
    /// The default limits, and the password gate shared by the whole process.
    fn default() -> Self {
        LoginLimiter::new(Policy::default(), shared_gate())
    }
}

impl LoginLimiter {
    pub fn new(policy: Policy, gate: Arc<PasswordGate>) -> LoginLimiter {
        LoginLimiter {
            attempts: Attempts::new(policy),
            gate,
            checks: AtomicU64::new(0),
            key: OnceCell::new(),
        }
    }

    /// Takes the attempt's slot; see [`Attempts::reserve`]. Done before any password
    /// is checked, so simultaneous guesses cannot all pass a check made before any fails.
    pub fn reserve(
        &self,
        username: &str,
        address: &str,
        known_device: bool,
    ) -> Result<Slot<'_>, Refusal> {
        self.attempts.reserve(username, address, known_device)
    }

    /// Checks a password through the gate (`None`: against the dummy hash).
    pub async fn check_password(
        &self,
        hash: Option<String>,
        password: String,
    ) -> Result<bool, GateFull> {
        let turn = self.gate.turn().await?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        Ok(verify_password(turn, hash, password).await)
    }

    /// How many password checks this limiter has run: what a burst actually cost.
    pub fn password_checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// The key that signs the login form's token and the device cookie.
    pub async fn key(&self, write: &Pool) -> sqlx::Result<[u8; 32]> {
        self.key
            .get_or_try_init(|| crate::db::secrets::get_or_create(write, KEY_NAME))
            .await
            .copied()
    }
}
