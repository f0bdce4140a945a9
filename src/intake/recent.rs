//! What the quality checks remember between responses: recent answer sets per address and device, and each store's recent responses.
//!
//! In memory and bounded: entries older than their window are swept now and then, so
//! the maps hold only the last minutes' activity. A restart forgets them, which only
//! lets a few duplicates of the last minutes through unflagged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::quality::BURST_WINDOW;

/// The same answers from the same address or device within this long are a duplicate.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long a store's usual rate, read from the rollups, is kept.
pub const BASELINE_TTL: Duration = Duration::from_secs(3600);
const SWEEP_EVERY: u64 = 4096;

#[derive(Default)]
struct Maps {
    /// (who, digest) → when that answer set was last stored from there.
    answer_sets: HashMap<(String, [u8; 32]), Instant>,
    /// (store, form) → times of its recent stored responses.
    stores: HashMap<(String, String), VecDeque<Instant>>,
    /// (store, form) → (read at, usual responses per burst window).
    baselines: HashMap<(String, String), (Instant, f64)>,
    records: u64,
}

#[derive(Default)]
pub struct Recent {
    maps: Mutex<Maps>,
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= BURST_WINDOW)
    {
        times.pop_front();
    }
}

impl Recent {
    fn maps(&self) -> MutexGuard<'_, Maps> {
        // Each change is one insert or push, so a poisoned lock leaves usable maps.
        self.maps.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether any of `who` (an address key, a device id) stored this answer set lately.
    pub fn seen(&self, who: &[&str], digest: &[u8; 32], now: Instant) -> bool {
        let m = self.maps();
        who.iter().any(|w| {
            m.answer_sets
                .get(&((*w).to_owned(), *digest))
                .is_some_and(|at| now.saturating_duration_since(*at) < DUPLICATE_WINDOW)
        })
    }

    /// Responses `store` got for `form` within the burst window, counting one more.
    pub fn in_window_with_one_more(&self, store: &str, form: &str, now: Instant) -> u64 {
        let mut m = self.maps();
        match m.stores.get_mut(&(store.to_owned(), form.to_owned())) {
            Some(times) => {
                prune(times, now);
                times.len() as u64 + 1
            }
            None => 1,
        }
    }

    /// The store's usual responses per burst window, if read within [`BASELINE_TTL`].
    pub fn baseline(&self, store: &str, form: &str, now: Instant) -> Option<f64> {
        self.maps()
            .baselines
            .get(&(store.to_owned(), form.to_owned()))
            .filter(|(at, _)| now.saturating_duration_since(*at) < BASELINE_TTL)
            .map(|(_, v)| *v)
    }

    pub fn set_baseline(&self, store: &str, form: &str, per_window: f64, now: Instant) {
        self.maps()
            .baselines
            .insert((store.to_owned(), form.to_owned()), (now, per_window));
    }

    /// Remembers a stored response: its answer set for each of `who`, and its store.
    pub fn record(
        &self,
        who: &[&str],
        digest: &[u8; 32],
        store: Option<&str>,
        form: &str,
        now: Instant,
    ) {
        let mut m = self.maps();
        m.records += 1;
        if m.records.is_multiple_of(SWEEP_EVERY) {
            m.answer_sets
                .retain(|_, at| now.saturating_duration_since(*at) < DUPLICATE_WINDOW);
            m.stores.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
            m.baselines
                .retain(|_, (at, _)| now.saturating_duration_since(*at) < BASELINE_TTL);
        }
        for w in who {
            m.answer_sets.insert(((*w).to_owned(), *digest), now);
        }
        if let Some(store) = store {
            m.stores
                .entry((store.to_owned(), form.to_owned()))
                .or_default()
                .push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_set_is_a_duplicate_from_the_same_address_or_device_for_ten_minutes() {
        let r = Recent::default();
        let t0 = Instant::now();
        let d = [1u8; 32];
        assert!(!r.seen(&["1.2.3.4"], &d, t0));
        r.record(&["1.2.3.4", "dev-a"], &d, Some("S001"), "f", t0);
        assert!(r.seen(&["1.2.3.4"], &d, t0 + Duration::from_secs(60)));
        assert!(
            r.seen(&["5.6.7.8", "dev-a"], &d, t0),
            "the same phone on another network"
        );
        assert!(!r.seen(&["5.6.7.8", "dev-b"], &d, t0));
        assert!(!r.seen(&["1.2.3.4"], &[2u8; 32], t0), "other answers");
        assert!(!r.seen(&["1.2.3.4"], &d, t0 + DUPLICATE_WINDOW));
    }

    #[test]
    fn a_store_counts_its_responses_over_the_burst_window() {
        let r = Recent::default();
        let t0 = Instant::now();
        for i in 0..5 {
            r.record(&[], &[i; 32], Some("S001"), "f", t0);
        }
        assert_eq!(r.in_window_with_one_more("S001", "f", t0), 6);
        assert_eq!(r.in_window_with_one_more("S001", "g", t0), 1);
        assert_eq!(r.in_window_with_one_more("S001", "f", t0 + BURST_WINDOW), 1);
        r.set_baseline("S001", "f", 2.5, t0);
        assert_eq!(r.baseline("S001", "f", t0), Some(2.5));
        assert_eq!(r.baseline("S001", "f", t0 + BASELINE_TTL), None);
    }
}
