//! Per-token limits on the JSON API: stored responses per minute for each integration token, and a kiosk's minimum gap between responses.
//!
//! Only responses that are actually stored count. A request takes a [`Permit`] just
//! before it stores; the permit counts once [`Permit::stored`] is called. Dropped
//! instead (the write failed, or an `Idempotency-Key` replay stored nothing new), it is
//! given back uncounted. While a permit is open it holds its place, so a burst of
//! simultaneous requests gets no more than the limit.
//!
//! Pure apart from a mutex: every call takes `now`, so tests step time by hand. The
//! login limiter (`auth::ratelimit`) counts failures per account and address with its
//! own clock; these counts are per token id, and only ids of valid tokens reach them,
//! so the table is as large as the token list.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Every per-minute count is over this sliding window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Default for `--api-token-per-minute`.
pub const DEFAULT_PER_MINUTE: u32 = 120;
/// Default for `--api-trusted-per-minute`.
pub const DEFAULT_TRUSTED_PER_MINUTE: u32 = 6000;
/// Default for `--kiosk-min-gap-secs`: a person needs longer than this to answer.
pub const DEFAULT_KIOSK_MIN_GAP_SECS: u64 = 20;

/// The limits. A zero turns that limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Stored responses per minute for an untrusted token.
    pub per_minute: u32,
    /// The same for a trusted token (a POS or CRM forwarding what it collected).
    pub trusted_per_minute: u32,
    /// Least time between two stored responses of a kiosk: an untrusted token bound to
    /// one store, which one person at a time answers on.
    pub kiosk_min_gap: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            per_minute: DEFAULT_PER_MINUTE,
            trusted_per_minute: DEFAULT_TRUSTED_PER_MINUTE,
            kiosk_min_gap: Duration::from_secs(DEFAULT_KIOSK_MIN_GAP_SECS),
        }
    }
}

/// Which limits a token gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Untrusted, any store: `per_minute`.
    Integration,
    /// Untrusted and bound to one store: `per_minute` and `kiosk_min_gap`.
    Kiosk,
    /// Trusted: `trusted_per_minute` only.
    Trusted,
}

impl Class {
    pub fn of(trusted: bool, store_bound: bool) -> Class {
        match (trusted, store_bound) {
            (true, _) => Class::Trusted,
            (false, true) => Class::Kiosk,
            (false, false) => Class::Integration,
        }
    }
}

/// Why a response may not be stored now, and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `limit` responses stored (or being stored) in the last minute.
    PerMinute { limit: u32, wait: Duration },
    /// A kiosk stored its last response less than `gap` ago (or is storing one).
    KioskGap { gap: Duration, wait: Duration },
}

impl Refusal {
    pub fn wait(self) -> Duration {
        match self {
            Refusal::PerMinute { wait, .. } | Refusal::KioskGap { wait, .. } => wait,
        }
    }

    /// The wait as `Retry-After` gives it: whole seconds, rounded up, at least 1.
    pub fn retry_after_secs(self) -> u64 {
        (self.wait().as_millis().div_ceil(1000) as u64).max(1)
    }

    /// What the API answers.
    pub fn message(self) -> String {
        let secs = self.retry_after_secs();
        match self {
            Refusal::PerMinute { limit, .. } => format!(
                "This token has reached its limit of {limit} responses per minute. Nothing was stored; try again in {secs} second(s)."
            ),
            Refusal::KioskGap { gap, .. } => format!(
                "This kiosk token stores at most one response every {} seconds. Nothing was stored; try again in {secs} second(s).",
                gap.as_secs()
            ),
        }
    }
}

#[derive(Debug, Default)]
struct Count {
    /// When each response of the last window was stored, oldest first.
    stored: VecDeque<Instant>,
    /// Permits taken and not yet ended.
    pending: usize,
    /// The latest stored response, for the kiosk gap.
    last: Option<Instant>,
    /// A kiosk's permit is open: its response may be stored any moment.
    gap_pending: bool,
}

impl Count {
    fn expire(&mut self, now: Instant) {
        while self
            .stored
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            self.stored.pop_front();
        }
    }

    /// How long until one more fits under `limit`; `None` when it fits now.
    fn per_minute_wait(&self, now: Instant, limit: usize) -> Option<Duration> {
        let load = self.stored.len() + self.pending;
        if load < limit {
            return None;
        }
        let must_age = load + 1 - limit;
        Some(match self.stored.get(must_age - 1) {
            Some(t) => WINDOW
                .saturating_sub(now.saturating_duration_since(*t))
                .max(Duration::from_secs(1)),
            // Open permits fill it; they end within moments.
            None => Duration::from_secs(1),
        })
    }

    fn gap_wait(&self, now: Instant, gap: Duration) -> Option<Duration> {
        if self.gap_pending {
            return Some(gap);
        }
        let since = now.saturating_duration_since(self.last?);
        (since < gap).then(|| gap - since)
    }
}

/// The counts of every token, shared by all API requests.
#[derive(Debug)]
pub struct ApiLimits {
    policy: Policy,
    tokens: Mutex<HashMap<i64, Count>>,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits::new(Policy::default())
    }
}

/// A place taken for one response. [`Permit::stored`] counts it; dropping it gives it back.
#[derive(Debug)]
pub struct Permit<'a> {
    limits: &'a ApiLimits,
    token: i64,
    kiosk: bool,
    open: bool,
}

impl ApiLimits {
    pub fn new(policy: Policy) -> ApiLimits {
        ApiLimits {
            policy,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Count>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a place for one response of `token`, or says why not and for how long.
    pub fn reserve(&self, token: i64, class: Class, now: Instant) -> Result<Permit<'_>, Refusal> {
        let p = &self.policy;
        let limit = match class {
            Class::Trusted => p.trusted_per_minute,
            Class::Integration | Class::Kiosk => p.per_minute,
        };
        let kiosk = class == Class::Kiosk && !p.kiosk_min_gap.is_zero();
        if limit == 0 && !kiosk {
            // Nothing to count: the permit does nothing.
            return Ok(Permit {
                limits: self,
                token,
                kiosk: false,
                open: false,
            });
        }
        let mut tokens = self.lock();
        let count = tokens.entry(token).or_default();
        count.expire(now);
        if kiosk && let Some(wait) = count.gap_wait(now, p.kiosk_min_gap) {
            return Err(Refusal::KioskGap {
                gap: p.kiosk_min_gap,
                wait,
            });
        }
        if limit > 0
            && let Some(wait) = count.per_minute_wait(now, limit as usize)
        {
            return Err(Refusal::PerMinute { limit, wait });
        }
        count.pending += 1;
        count.gap_pending |= kiosk;
        Ok(Permit {
            limits: self,
            token,
            kiosk,
            open: true,
        })
    }
}

impl Permit<'_> {
    /// The response was stored at `now`: it counts from then on.
    pub fn stored(mut self, now: Instant) {
        self.end(Some(now));
    }

    fn end(&mut self, stored_at: Option<Instant>) {
        if !std::mem::replace(&mut self.open, false) {
            return;
        }
        let mut tokens = self.limits.lock();
        let Some(count) = tokens.get_mut(&self.token) else {
            return;
        };
        count.pending = count.pending.saturating_sub(1);
        if self.kiosk {
            count.gap_pending = false;
        }
        if let Some(at) = stored_at {
            // Permits may end out of order; keep the times sorted for `expire`.
            let i = count.stored.partition_point(|t| *t <= at);
            count.stored.insert(i, at);
            count.last = count.last.max(Some(at));
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.end(None);
    }
}

#[cfg(test)]
mod tests;
