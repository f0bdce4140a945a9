//! Stored responses per client address on the public form: a few per form per hour, and a cap per day.
//!
//! A request takes a [`Permit`] just before it stores. The permit holds its place, so
//! a burst of simultaneous posts gets no more than the limit; it counts once
//! [`Permit::stored`] is called, and dropped instead (the write failed, or the token's
//! response was already stored) it is given back. Pure apart from a mutex: every call
//! takes `now`. Addresses are counted by `auth::ratelimit::address_key` (an IPv6 /64
//! counts as one), and keys whose windows have emptied are swept now and then, so the
//! table stays as large as the set of recently active addresses.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::auth::address_key;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
/// Sweep empty keys once per this many reservations.
const SWEEP_EVERY: u64 = 4096;

/// Defaults for `--form-per-hour` and `--form-per-day`. A store's guest Wi-Fi or a
/// carrier's shared address can hold several real customers, so the hourly limit is
/// a few, not one; the held-back checks catch what slips under it.
pub const DEFAULT_PER_HOUR: u32 = 5;
pub const DEFAULT_PER_DAY: u32 = 20;

/// The limits; zero turns one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Stored responses per address per form in any hour.
    pub per_hour: u32,
    /// Stored responses per address, all forms together, in any 24 hours.
    pub per_day: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            per_hour: DEFAULT_PER_HOUR,
            per_day: DEFAULT_PER_DAY,
        }
    }
}

/// Beyond a limit: how long until a response from this address would be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait(pub Duration);

impl Wait {
    /// Whole minutes, rounded up, at least one: what the page tells the customer.
    pub fn minutes(self) -> u64 {
        self.0.as_secs().div_ceil(60).max(1)
    }

    /// Whole seconds for `Retry-After`, at least one.
    pub fn secs(self) -> u64 {
        self.0.as_secs_f64().ceil().max(1.0) as u64
    }
}

#[derive(Default)]
struct Table {
    /// (address key, form) → times of stored or pending responses in the last hour.
    hourly: HashMap<(String, String), VecDeque<Instant>>,
    /// address key → times in the last 24 hours.
    daily: HashMap<String, VecDeque<Instant>>,
    reservations: u64,
}

pub struct AddressLimits {
    policy: Policy,
    table: Mutex<Table>,
}

/// A place held for one response; see the module docs.
pub struct Permit<'a> {
    limits: &'a AddressLimits,
    keys: Option<((String, String), Instant)>,
}

fn prune(times: &mut VecDeque<Instant>, window: Duration, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// The wait until `times` (pruned) has room for one more, if it is full.
fn full(times: &VecDeque<Instant>, limit: u32, window: Duration, now: Instant) -> Option<Wait> {
    if limit == 0 || times.len() < limit as usize {
        return None;
    }
    // The entry that must leave the window before one more fits.
    let blocking = times.get(times.len() - limit as usize)?;
    Some(Wait((*blocking + window).saturating_duration_since(now)))
}

impl AddressLimits {
    pub fn new(policy: Policy) -> AddressLimits {
        AddressLimits {
            policy,
            table: Mutex::new(Table::default()),
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // Every change below is a single push or pop, so a poisoned table is consistent.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds a place for one response from `address` to `form`, or says how long to wait.
    pub fn reserve(&self, address: &str, form: &str, now: Instant) -> Result<Permit<'_>, Wait> {
        if self.policy.per_hour == 0 && self.policy.per_day == 0 {
            return Ok(Permit {
                limits: self,
                keys: None,
            });
        }
        let addr = address_key(address);
        let pair = (addr.clone(), form.to_owned());
        let mut t = self.table();
        t.reservations += 1;
        if t.reservations.is_multiple_of(SWEEP_EVERY) {
            t.hourly.retain(|_, times| {
                prune(times, HOUR, now);
                !times.is_empty()
            });
            t.daily.retain(|_, times| {
                prune(times, DAY, now);
                !times.is_empty()
            });
        }
        let hourly = t.hourly.entry(pair.clone()).or_default();
        prune(hourly, HOUR, now);
        let wait_hour = full(hourly, self.policy.per_hour, HOUR, now);
        let daily = t.daily.entry(addr).or_default();
        prune(daily, DAY, now);
        let wait_day = full(daily, self.policy.per_day, DAY, now);
        if let Some(w) = wait_hour.into_iter().chain(wait_day).max_by_key(|w| w.0) {
            return Err(w);
        }
        t.hourly.entry(pair.clone()).or_default().push_back(now);
        t.daily.entry(pair.0.clone()).or_default().push_back(now);
        Ok(Permit {
            limits: self,
            keys: Some((pair, now)),
        })
    }
}

impl Permit<'_> {
    /// The response was stored: its place now counts until it leaves the windows.
    pub fn stored(mut self) {
        self.keys = None;
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let Some((pair, at)) = self.keys.take() else {
            return;
        };
        let mut t = self.limits.table();
        let give_back = |times: Option<&mut VecDeque<Instant>>| {
            if let Some(times) = times
                && let Some(i) = times.iter().rposition(|x| *x == at)
            {
                times.remove(i);
            }
        };
        give_back(t.hourly.get_mut(&pair));
        give_back(t.daily.get_mut(&pair.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_hour: u32, per_day: u32) -> AddressLimits {
        AddressLimits::new(Policy { per_hour, per_day })
    }

    #[test]
    fn an_address_gets_its_hourly_few_per_form_then_waits_for_the_oldest_to_age_out() {
        let l = limits(3, 0);
        let t0 = Instant::now();
        for i in 0..3 {
            l.reserve("198.51.100.7", "f", t0 + Duration::from_secs(i * 60))
                .unwrap()
                .stored();
        }
        let wait = l
            .reserve("198.51.100.7", "f", t0 + Duration::from_secs(600))
            .err()
            .unwrap();
        assert_eq!(
            wait.0,
            Duration::from_secs(3000),
            "the first leaves at 60 min"
        );
        assert_eq!((wait.minutes(), wait.secs()), (50, 3000));
        // Another form, and another address, are not affected.
        assert!(l.reserve("198.51.100.7", "g", t0).is_ok());
        assert!(l.reserve("198.51.100.8", "f", t0).is_ok());
        // An hour after the first, one more fits.
        assert!(l.reserve("198.51.100.7", "f", t0 + HOUR).is_ok());
    }

    #[test]
    fn the_daily_cap_counts_every_form_and_an_ipv6_64_is_one_address() {
        let l = limits(0, 2);
        let t0 = Instant::now();
        l.reserve("2001:db8:1:2::1", "f", t0).unwrap().stored();
        l.reserve("2001:db8:1:2::ffff", "g", t0).unwrap().stored();
        let wait = l.reserve("2001:db8:1:2:abcd::9", "h", t0).err().unwrap();
        assert_eq!(wait.0, DAY);
        assert!(l.reserve("2001:db8:1:3::1", "f", t0).is_ok());
    }

    #[test]
    fn a_permit_dropped_without_storing_gives_its_place_back_and_pending_ones_count() {
        let l = limits(1, 0);
        let t0 = Instant::now();
        let pending = l.reserve("192.0.2.1", "f", t0).unwrap();
        // While the first is being stored, a simultaneous second is refused.
        assert!(l.reserve("192.0.2.1", "f", t0).is_err());
        drop(pending);
        let p = l.reserve("192.0.2.1", "f", t0).unwrap();
        p.stored();
        assert!(l.reserve("192.0.2.1", "f", t0).is_err());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let l = limits(0, 0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            l.reserve("192.0.2.1", "f", t0).unwrap().stored();
        }
    }

    #[test]
    fn the_sweep_forgets_addresses_whose_windows_emptied() {
        let l = limits(5, 5);
        let t0 = Instant::now();
        for i in 0..SWEEP_EVERY {
            l.reserve(&format!("10.0.{}.{}", i / 256, i % 256), "f", t0)
                .unwrap()
                .stored();
        }
        let later = t0 + DAY + Duration::from_secs(1);
        for _ in 0..SWEEP_EVERY {
            l.reserve("192.0.2.1", "g", later).ok();
        }
        let t = l.table();
        assert!(
            t.hourly.len() <= 2 && t.daily.len() <= 2,
            "{}",
            t.hourly.len()
        );
    }
}
