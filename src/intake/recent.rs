//! What the quality checks remember between responses: recent answer sets per address and device, and each store's recent responses.
//!
//! In memory and bounded twice: entries leave when their window ends, and beyond a
//! fixed count the oldest leave first, so a flood of any size holds the same memory
//! (at most [`MAX_ANSWER_SETS`] answer sets, [`MAX_PER_STORE`] times per store). A
//! restart forgets them, which only lets a few duplicates of the last minutes through
//! unflagged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::quality::BURST_WINDOW;

/// The same answers from the same address or device within this long are a duplicate.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long a store's usual rate, read from the rollups, is kept.
pub const BASELINE_TTL: Duration = Duration::from_secs(3600);
const SWEEP_EVERY: u64 = 4096;
/// Answer sets remembered at most (about 40 bytes each, twice: map and order).
pub const MAX_ANSWER_SETS: usize = 200_000;
/// Times kept per store: far more than any burst threshold, so counting stops there.
pub const MAX_PER_STORE: usize = 10_000;

/// Who sent an answer set, and the set: one fixed-size key, no allocation.
type SetKey = u128;

fn set_key(who: &str, digest: &[u8; 32]) -> SetKey {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(who.as_bytes());
    h.update([0]);
    h.update(digest);
    let out = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&out[..16]);
    u128::from_be_bytes(first)
}

#[derive(Default)]
struct Maps {
    /// (who, answer set) → when that answer set was last stored from there.
    answer_sets: HashMap<SetKey, Instant>,
    /// The same keys in the order they were stored, to forget the oldest first.
    order: VecDeque<(SetKey, Instant)>,
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
                .get(&set_key(w, digest))
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
            m.stores.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
            m.baselines
                .retain(|_, (at, _)| now.saturating_duration_since(*at) < BASELINE_TTL);
        }
        for w in who {
            let key = set_key(w, digest);
            m.answer_sets.insert(key, now);
            m.order.push_back((key, now));
        }
        // Forget what left the window, and the oldest beyond the cap.
        while let Some(&(key, at)) = m.order.front() {
            let expired = now.saturating_duration_since(at) >= DUPLICATE_WINDOW;
            if !expired && m.order.len() <= MAX_ANSWER_SETS {
                break;
            }
            m.order.pop_front();
            // A later record of the same key keeps its own, newer time.
            if m.answer_sets.get(&key) == Some(&at) {
                m.answer_sets.remove(&key);
            }
        }
        if let Some(store) = store {
            let times = m
                .stores
                .entry((store.to_owned(), form.to_owned()))
                .or_default();
            times.push_back(now);
            if times.len() > MAX_PER_STORE {
                times.pop_front();
            }
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

    #[test]
    fn a_flood_holds_bounded_memory() {
        let r = Recent::default();
        let t0 = Instant::now();
        for i in 0..(MAX_ANSWER_SETS + 500) as u64 {
            let mut d = [0u8; 32];
            d[..8].copy_from_slice(&i.to_be_bytes());
            r.record(&["1.2.3.4"], &d, Some("S001"), "f", t0);
        }
        let m = r.maps();
        assert_eq!(m.order.len(), MAX_ANSWER_SETS);
        assert_eq!(m.answer_sets.len(), MAX_ANSWER_SETS);
        assert_eq!(
            m.stores[&("S001".to_owned(), "f".to_owned())].len(),
            MAX_PER_STORE
        );
        drop(m);
        // The newest are still remembered, the oldest are not.
        let newest = ((MAX_ANSWER_SETS + 499) as u64).to_be_bytes();
        let mut d = [0u8; 32];
        d[..8].copy_from_slice(&newest);
        assert!(r.seen(&["1.2.3.4"], &d, t0));
        assert!(!r.seen(&["1.2.3.4"], &[0u8; 32], t0));
    }
}
