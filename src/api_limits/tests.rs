use std::time::{Duration, Instant};

use super::*;

fn limits(per_minute: u32, trusted_per_minute: u32, gap_secs: u64) -> ApiLimits {
    ApiLimits::new(Policy {
        per_minute,
        trusted_per_minute,
        kiosk_min_gap: Duration::from_secs(gap_secs),
    })
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn a_token_stores_its_limit_per_minute_then_waits_for_the_oldest_to_age() {
    let l = limits(3, 100, 0);
    let t0 = Instant::now();
    for i in 0..3 {
        let at = t0 + secs(i * 10);
        l.reserve(1, Class::Integration, at).unwrap().stored(at);
    }
    let refused = l.reserve(1, Class::Integration, t0 + secs(30)).unwrap_err();
    // The first was stored at 0 s: it leaves the window at 60 s.
    assert_eq!(
        refused,
        Refusal::PerMinute {
            limit: 3,
            wait: secs(30)
        }
    );
    assert_eq!(refused.retry_after_secs(), 30);
    assert!(l.reserve(1, Class::Integration, t0 + secs(60)).is_ok());
}

#[test]
fn each_token_has_its_own_count() {
    let l = limits(1, 100, 0);
    let t0 = Instant::now();
    l.reserve(1, Class::Integration, t0).unwrap().stored(t0);
    assert!(l.reserve(1, Class::Integration, t0).is_err());
    assert!(l.reserve(2, Class::Integration, t0).is_ok());
}

#[test]
fn a_permit_dropped_without_storing_is_given_back() {
    let l = limits(1, 100, 20);
    let t0 = Instant::now();
    let permit = l.reserve(1, Class::Kiosk, t0).unwrap();
    drop(permit);
    // Neither the minute's count nor the kiosk gap remembers it.
    l.reserve(1, Class::Kiosk, t0).unwrap().stored(t0);
}

#[test]
fn open_permits_hold_their_place_so_a_burst_gets_no_more_than_the_limit() {
    let l = limits(2, 100, 0);
    let t0 = Instant::now();
    let a = l.reserve(1, Class::Integration, t0).unwrap();
    let b = l.reserve(1, Class::Integration, t0).unwrap();
    let refused = l.reserve(1, Class::Integration, t0).unwrap_err();
    // Nothing is stored yet, so the place frees when a permit ends: retry in a second.
    assert_eq!(refused.wait(), secs(1));
    a.stored(t0);
    drop(b);
    assert!(l.reserve(1, Class::Integration, t0).is_ok());
}

#[test]
fn a_kiosk_waits_the_gap_between_stored_responses() {
    let l = limits(100, 100, 20);
    let t0 = Instant::now();
    l.reserve(1, Class::Kiosk, t0).unwrap().stored(t0);
    let refused = l.reserve(1, Class::Kiosk, t0 + secs(5)).unwrap_err();
    assert_eq!(
        refused,
        Refusal::KioskGap {
            gap: secs(20),
            wait: secs(15)
        }
    );
    assert!(refused.message().contains("every 20 seconds"));
    assert!(refused.message().contains("15 second(s)"));
    assert!(l.reserve(1, Class::Kiosk, t0 + secs(20)).is_ok());
}

#[test]
fn a_kiosk_storing_a_response_refuses_the_next_until_it_is_done() {
    let l = limits(100, 100, 20);
    let t0 = Instant::now();
    let first = l.reserve(1, Class::Kiosk, t0).unwrap();
    assert!(matches!(
        l.reserve(1, Class::Kiosk, t0),
        Err(Refusal::KioskGap { .. })
    ));
    first.stored(t0 + secs(1));
    // The gap runs from when it was stored.
    assert_eq!(
        l.reserve(1, Class::Kiosk, t0 + secs(11))
            .unwrap_err()
            .wait(),
        secs(10)
    );
}

#[test]
fn trusted_and_unbound_tokens_have_no_gap() {
    let l = limits(100, 100, 20);
    let t0 = Instant::now();
    for class in [Class::Trusted, Class::Integration] {
        let token = if class == Class::Trusted { 1 } else { 2 };
        for _ in 0..5 {
            l.reserve(token, class, t0).unwrap().stored(t0);
        }
    }
}

#[test]
fn trusted_tokens_get_their_own_higher_limit() {
    let l = limits(1, 3, 0);
    let t0 = Instant::now();
    for _ in 0..3 {
        l.reserve(1, Class::Trusted, t0).unwrap().stored(t0);
    }
    assert_eq!(
        l.reserve(1, Class::Trusted, t0).unwrap_err(),
        Refusal::PerMinute {
            limit: 3,
            wait: secs(60)
        }
    );
}

#[test]
fn zero_turns_a_limit_off() {
    let l = limits(0, 0, 0);
    let t0 = Instant::now();
    for class in [Class::Integration, Class::Kiosk, Class::Trusted] {
        for _ in 0..1000 {
            l.reserve(1, class, t0).unwrap().stored(t0);
        }
    }
    // The per-minute limit off, the kiosk gap still on.
    let l = limits(0, 0, 20);
    l.reserve(1, Class::Kiosk, t0).unwrap().stored(t0);
    assert!(l.reserve(1, Class::Kiosk, t0 + secs(1)).is_err());
}

#[test]
fn permits_ending_out_of_order_still_age_out_in_time() {
    let l = limits(2, 100, 0);
    let t0 = Instant::now();
    let a = l.reserve(1, Class::Integration, t0).unwrap();
    let b = l.reserve(1, Class::Integration, t0).unwrap();
    b.stored(t0 + secs(10));
    a.stored(t0 + secs(5));
    // The one stored at 5 s ages out first, at 65 s.
    assert_eq!(
        l.reserve(1, Class::Integration, t0 + secs(20))
            .unwrap_err()
            .wait(),
        secs(45)
    );
    assert!(l.reserve(1, Class::Integration, t0 + secs(65)).is_ok());
}

#[test]
fn the_wait_is_whole_seconds_rounded_up() {
    let r = Refusal::KioskGap {
        gap: secs(20),
        wait: Duration::from_millis(1500),
    };
    assert_eq!(r.retry_after_secs(), 2);
    let r = Refusal::KioskGap {
        gap: secs(20),
        wait: Duration::from_millis(1),
    };
    assert_eq!(r.retry_after_secs(), 1);
}

#[test]
fn classes_follow_trust_then_store() {
    assert_eq!(Class::of(true, true), Class::Trusted);
    assert_eq!(Class::of(true, false), Class::Trusted);
    assert_eq!(Class::of(false, true), Class::Kiosk);
    assert_eq!(Class::of(false, false), Class::Integration);
}
