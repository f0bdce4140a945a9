//! Login attempt counting: failures per (account, address), per address and per account, with a slot taken before the password is checked.
//!
//! A slot is taken before the slow password check and counts like a failure until the
//! check ends, so a burst of simultaneous guesses gets no more checks than the limit.
//! Failures lock only the (account, address) pair and the address: a stranger's wrong
//! guesses never lock the owner out at another address. Account-wide, many failures
//! from many addresses only space out attempts from browsers the account has not
//! logged in from (see [`Policy`]).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The limits. Every count is over the sliding `window`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub window: Duration,
    /// Failures for one account from one address: the guesses one stranger gets at it.
    pub per_pair: usize,
    /// Failures from one address across all accounts: the guesses it gets at all.
    pub per_address: usize,
    /// Failures for one account from every address after which it is "under attack".
    /// It is a multiple of `per_pair`, so no single address can reach it.
    pub account_slow_after: usize,
    /// Under attack, a browser without the account's device cookie gets one check per
    /// this long (all such browsers together): guesses slow down, the owner is not locked out.
    pub account_spacing: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            window: Duration::from_secs(15 * 60),
            per_pair: 5,
            per_address: 20,
            account_slow_after: 20,
            account_spacing: Duration::from_secs(2),
        }
    }
}

/// Why an attempt is refused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures for this account from this address, or from this address.
    TooMany(Duration),
    /// The account is under attack from many addresses; a new browser waits a moment.
    Slowed(Duration),
}

impl Refusal {
    pub fn wait(self) -> Duration {
        match self {
            Refusal::TooMany(w) | Refusal::Slowed(w) => w,
        }
    }

    /// What the login page says.
    pub fn message(self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::staff::Staff;
        match self {
            Refusal::TooMany(wait) => {
                Staff::ErrTooManyLogins.fill(lang, wait.as_secs().div_ceil(60).max(1))
            }
            Refusal::Slowed(wait) => {
                Staff::ErrLoginSlowed.fill(lang, wait.as_millis().div_ceil(1000).max(1))
            }
        }
    }
}

/// Above this many keys, idle ones are forgotten, so a scan of many names cannot grow
/// the tables forever.
const MAX_KEYS: usize = 10_000;
/// The most failures remembered per key: enough to compare with every limit.
const MAX_REMEMBERED: usize = 1024;

#[derive(Debug, Default)]
struct Count {
    failures: VecDeque<Instant>,
    /// Slots taken whose password check has not ended.
    pending: usize,
}

impl Count {
    fn expire(&mut self, now: Instant, window: Duration) {
        while self
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.failures.pop_front();
        }
    }

    fn load(&self) -> usize {
        self.failures.len() + self.pending
    }

    /// How long until one more attempt fits under `limit`; `None` when it fits now.
    fn wait(&self, now: Instant, window: Duration, limit: usize) -> Option<Duration> {
        let load = self.load();
        if load < limit {
            return None;
        }
        let must_age = load + 1 - limit;
        Some(match self.failures.get(must_age - 1) {
            Some(t) => window
                .saturating_sub(now.duration_since(*t))
                .max(Duration::from_secs(1)),
            // Checks in flight fill it, and they end within moments.
            None => Duration::from_secs(1),
        })
    }

    fn fail(&mut self, now: Instant) {
        self.failures.push_back(now);
        if self.failures.len() > MAX_REMEMBERED {
            self.failures.pop_front();
        }
    }

    fn idle(&self) -> bool {
        self.pending == 0 && self.failures.is_empty()
    }
}

#[derive(Debug, Default)]
struct Account {
    count: Count,
    last_slowed: Option<Instant>,
}

#[derive(Debug, Default)]
struct Tables {
    pairs: HashMap<(String, String), Count>,
    addresses: HashMap<String, Count>,
    accounts: HashMap<String, Account>,
}

impl Tables {
    fn prune(&mut self, now: Instant, window: Duration) {
        if self.pairs.len() + self.addresses.len() + self.accounts.len() <= MAX_KEYS {
            return;
        }
        let keep = |c: &mut Count| {
            c.expire(now, window);
            !c.idle()
        };
        self.pairs.retain(|_, c| keep(c));
        self.addresses.retain(|_, c| keep(c));
        self.accounts.retain(|_, a| keep(&mut a.count));
    }
}

/// The counts, shared by every login request.
#[derive(Debug)]
pub struct Attempts {
    policy: Policy,
    tables: Mutex<Tables>,
}

/// A taken slot. End it with [`Slot::failed`] or [`Slot::succeeded`]; dropped otherwise
/// (the check could not run, or the request went away), it is given back uncounted.
#[derive(Debug)]
pub struct Slot<'a> {
    attempts: &'a Attempts,
    account: String,
    address: String,
    open: bool,
}

/// The key an address is counted under. An IPv6 customer line usually holds a whole
/// /64, so one person could otherwise try from 2^64 "different" addresses.
pub fn address_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.chars().take(64).collect(),
    }
}

impl Attempts {
    pub fn new(policy: Policy) -> Attempts {
        Attempts {
            policy,
            tables: Mutex::new(Tables::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot for one password check, or says why not. `known_device`: the
    /// browser carries this account's device cookie, so it is not slowed when the
    /// account is under attack.
    pub fn reserve(
        &self,
        username: &str,
        address: &str,
        known_device: bool,
    ) -> Result<Slot<'_>, Refusal> {
        let p = &self.policy;
        let account = username.to_lowercase();
        let address = address_key(address);
        let pair = (account.clone(), address.clone());
        let mut t = self.lock();
        let now = Instant::now();
        t.prune(now, p.window);
        let mut wait: Option<Duration> = None;
        if let Some(c) = t.pairs.get_mut(&pair) {
            c.expire(now, p.window);
            wait = wait.max(c.wait(now, p.window, p.per_pair));
        }
        if let Some(c) = t.addresses.get_mut(&address) {
            c.expire(now, p.window);
            wait = wait.max(c.wait(now, p.window, p.per_address));
        }
        if let Some(wait) = wait {
            return Err(Refusal::TooMany(wait));
        }
        let a = t.accounts.entry(account.clone()).or_default();
        a.count.expire(now, p.window);
        if !known_device && a.count.load() >= p.account_slow_after {
            if let Some(since) = a.last_slowed.map(|l| now.duration_since(l))
                && since < p.account_spacing
            {
                return Err(Refusal::Slowed(p.account_spacing - since));
            }
            a.last_slowed = Some(now);
        }
        a.count.pending += 1;
        t.pairs.entry(pair).or_default().pending += 1;
        t.addresses.entry(address.clone()).or_default().pending += 1;
        Ok(Slot {
            attempts: self,
            account,
            address,
            open: true,
        })
    }
}

impl Slot<'_> {
    /// The password was wrong: the slot becomes a failure everywhere it was counted.
    pub fn failed(mut self) {
        self.end(true);
    }

    /// The password was right: the pair's failures are forgotten. The address's and the
    /// account's stay, so a stranger with one valid account cannot wash their count.
    pub fn succeeded(mut self) {
        self.end(false);
        let mut t = self.attempts.lock();
        if let Some(c) = t
            .pairs
            .get_mut(&(self.account.clone(), self.address.clone()))
        {
            c.failures.clear();
        }
    }

    fn end(&mut self, failed: bool) {
        if !std::mem::replace(&mut self.open, false) {
            return;
        }
        let mut t = self.attempts.lock();
        let now = Instant::now();
        let tables = &mut *t;
        let pair = tables
            .pairs
            .get_mut(&(self.account.clone(), self.address.clone()));
        let address = tables.addresses.get_mut(&self.address);
        let account = tables.accounts.get_mut(&self.account).map(|a| &mut a.count);
        for c in [pair, address, account].into_iter().flatten() {
            c.pending = c.pending.saturating_sub(1);
            if failed {
                c.fail(now);
            }
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.end(false);
    }
}

#[cfg(test)]
mod tests;
