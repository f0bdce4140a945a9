//! Unit tests for the attempt counts: pairs, addresses, slots in flight, slow mode and IPv6 prefixes.

use super::*;

fn policy(per_pair: usize, per_address: usize, slow_after: usize) -> Policy {
    Policy {
        window: Duration::from_secs(60),
        per_pair,
        per_address,
        account_slow_after: slow_after,
        account_spacing: Duration::from_secs(60),
    }
}

fn fail(a: &Attempts, user: &str, addr: &str) {
    a.reserve(user, addr, false).expect("a slot").failed();
}

#[test]
fn a_pair_is_refused_after_its_limit_but_the_account_still_opens_elsewhere() {
    let a = Attempts::new(policy(3, 100, 100));
    for _ in 0..3 {
        fail(&a, "Ann", "1.1.1.1");
    }
    let Err(Refusal::TooMany(wait)) = a.reserve("ann", "1.1.1.1", false) else {
        panic!("the pair is over its limit");
    };
    assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
    assert!(
        a.reserve("ann", "2.2.2.2", false).is_ok(),
        "the owner at another address is not locked out"
    );
    assert!(a.reserve("bob", "1.1.1.1", false).is_ok());
}

#[test]
fn an_address_is_refused_after_its_limit_across_accounts() {
    let a = Attempts::new(policy(100, 2, 100));
    fail(&a, "a", "9.9.9.9");
    fail(&a, "b", "9.9.9.9");
    assert!(matches!(
        a.reserve("c", "9.9.9.9", false),
        Err(Refusal::TooMany(_))
    ));
    assert!(a.reserve("c", "8.8.8.8", false).is_ok());
}

#[test]
fn slots_in_flight_count_so_a_burst_gets_no_more_checks_than_the_limit() {
    let a = Attempts::new(policy(5, 100, 100));
    let slots: Vec<_> = (0..5)
        .map(|_| {
            a.reserve("ann", "1.1.1.1", false)
                .expect("within the limit")
        })
        .collect();
    let refused = (0..195)
        .filter(|_| a.reserve("ann", "1.1.1.1", false).is_err())
        .count();
    assert_eq!(refused, 195);
    // A slot given back uncounted (the check never ran) frees its place.
    drop(slots);
    assert!(a.reserve("ann", "1.1.1.1", false).is_ok());
}

#[test]
fn success_forgets_the_pairs_failures_but_not_the_addresss() {
    let a = Attempts::new(policy(2, 100, 100));
    fail(&a, "ann", "x");
    fail(&a, "ann", "y");
    a.reserve("ANN", "y", false).unwrap().succeeded();
    fail(&a, "ann", "y");
    assert!(a.reserve("ann", "y", false).is_ok(), "y's pair starts over");
    fail(&a, "ann", "x");
    assert!(a.reserve("ann", "x", false).is_err(), "x's pair does not");

    let a = Attempts::new(policy(10, 2, 100));
    fail(&a, "ann", "z");
    a.reserve("ann", "z", false).unwrap().succeeded();
    fail(&a, "bob", "z");
    assert!(
        a.reserve("carl", "z", false).is_err(),
        "one valid account does not wash an address's count"
    );
}

#[test]
fn failures_age_out_of_the_window() {
    let a = Attempts::new(Policy {
        window: Duration::from_millis(20),
        ..policy(1, 1, 100)
    });
    fail(&a, "a", "x");
    assert!(a.reserve("a", "x", false).is_err());
    std::thread::sleep(Duration::from_millis(30));
    assert!(a.reserve("a", "x", false).is_ok());
}

#[test]
fn an_account_under_attack_slows_new_browsers_but_not_its_own() {
    let a = Attempts::new(policy(5, 100, 10));
    for address in ["10.0.0.1", "10.0.0.2"] {
        for _ in 0..5 {
            fail(&a, "ada", address);
        }
    }
    // One new browser gets its check; the next one within the spacing waits.
    let first = a
        .reserve("ada", "10.0.0.3", false)
        .expect("one per spacing");
    let Err(Refusal::Slowed(wait)) = a.reserve("ada", "10.0.0.4", false) else {
        panic!("slowed");
    };
    assert!(wait <= Duration::from_secs(60));
    assert!(
        Refusal::Slowed(wait)
            .message(crate::i18n::Lang::En)
            .contains("slowed down")
    );
    assert!(
        a.reserve("ada", "10.0.0.4", true).is_ok(),
        "a browser the account logged in from is not slowed"
    );
    drop(first);
    assert!(
        a.reserve("bob", "10.0.0.4", false).is_ok(),
        "other accounts"
    );
}

#[test]
fn one_address_alone_cannot_put_an_account_under_attack() {
    let a = Attempts::new(Policy::default());
    let mut failures = 0;
    while let Ok(slot) = a.reserve("ada", "10.0.0.1", false) {
        slot.failed();
        failures += 1;
    }
    assert_eq!(failures, 5);
    assert!(failures < Policy::default().account_slow_after);
    for _ in 0..3 {
        assert!(
            a.reserve("ada", "10.0.0.2", false)
                .map(Slot::succeeded)
                .is_ok(),
            "the owner is neither locked out nor slowed"
        );
    }
}

#[test]
fn ipv6_addresses_count_by_their_64_prefix() {
    assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert_eq!(address_key("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
    assert_eq!(address_key("::ffff:192.0.2.7"), "192.0.2.7");
    assert_eq!(address_key("192.0.2.7"), "192.0.2.7");
    let a = Attempts::new(policy(100, 2, 100));
    fail(&a, "a", "2001:db8:1:2::1");
    fail(&a, "b", "2001:db8:1:2::2");
    assert!(a.reserve("c", "2001:db8:1:2::3", false).is_err());
    assert!(a.reserve("c", "2001:db8:1:3::3", false).is_ok());
}
