//! The case-report formulas against values worked out by hand (in the comments).

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.05
}

fn est(r: Reading) -> Estimate {
    r.estimate().expect("a value")
}

/// A case opened at `at` with the default 24 h reply and a 7-day resolution.
fn case(store: &str, at: OffsetDateTime) -> CaseFacts {
    CaseFacts {
        store: store.into(),
        category: None,
        opened_at: at,
        due: Due {
            reply: at + Duration::hours(24),
            resolve: at + Duration::days(7),
        },
        first_reply_at: None,
        closed_at: None,
        valid: None,
        recovery_satisfied: None,
        contact: None,
    }
}

const T0: OffsetDateTime = datetime!(2026-03-01 02:00 UTC);

fn replied(hours: i64) -> CaseFacts {
    CaseFacts {
        first_reply_at: Some(T0 + Duration::hours(hours)),
        ..case("S001", T0)
    }
}

#[test]
fn quantiles_interpolate_between_order_statistics() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 30.0];
    // n = 7: the median is at h = 6 × 0.5 = 3 → the 4th value, 4.
    assert_eq!(quantile(&v, 0.5), Some(4.0));
    // p90: h = 6 × 0.9 = 5.4 → 6 + 0.4 × (30 − 6) = 15.6.
    assert!(close(quantile(&v, 0.9).unwrap(), 15.6));
    // n = 4: the median is halfway between the 2nd and 3rd (48 and 72) = 60.
    assert_eq!(quantile(&[24.0, 48.0, 72.0, 96.0], 0.5), Some(60.0));
    assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
    assert_eq!(quantile(&[], 0.5), None);
}

#[test]
fn quantile_interval_ranks_match_the_binomial_tables() {
    // n = 10, p = ½: P(X ≤ 1) = 11/1024 = 0.011 ≤ 0.025 < P(X ≤ 2) = 56/1024, so l = 2;
    // P(X ≤ 7) = 968/1024 = 0.945 < 0.975 ≤ P(X ≤ 8) = 1013/1024, so u = 9 (coverage 0.979).
    assert_eq!(quantile_ranks(10, 0.5), Some((2, 9)));
    // n = 100, p = ½: the textbook ranks 40 and 61.
    assert_eq!(quantile_ranks(100, 0.5), Some((40, 61)));
    // n = 5, p = ½: P(X = 0) = 1/32 = 0.031 > 0.025, so no lower rank: clamped to 1;
    // P(X ≤ 4) = 31/32 = 0.969 < 0.975, so u = 6, clamped to 5: the range, coverage 30/32.
    assert_eq!(quantile_ranks(5, 0.5), Some((1, 5)));
    // n = 7, p = 0.9: P(X ≤ 3) = 0.00273 ≤ 0.025 < P(X ≤ 4) = 0.0257, so l = 4; u clamps to 7.
    assert_eq!(quantile_ranks(7, 0.9), Some((4, 7)));
    // n = 10, p = 0.9: P(X ≤ 6) = 0.0128 ≤ 0.025 < P(X ≤ 7) = 0.0702, so l = 7.
    assert_eq!(quantile_ranks(10, 0.9), Some((7, 10)));
    assert_eq!(quantile_ranks(0, 0.5), None);
}

#[test]
fn large_samples_do_not_underflow() {
    // 0.5^20000 underflows f64; the log-space sum still finds ranks around n/2 ± 1.96·√n/2 ≈ ±139.
    let (l, u) = quantile_ranks(20_000, 0.5).unwrap();
    assert!((9_855..=9_865).contains(&l), "{l}");
    assert!((10_135..=10_145).contains(&u), "{u}");
}

#[test]
fn reply_times_with_interval_and_min_n() {
    let cases: Vec<CaseFacts> = [2, 4, 6, 30, 3, 1, 5].map(replied).to_vec();
    let t = times(&reply_hours(&cases), 5);
    // Sorted 1 2 3 4 5 6 30: median 4, CI [X(1), X(7)] = [1, 30]; p90 15.6, CI [X(4), X(7)] = [4, 30].
    let m = est(t.median);
    assert_eq!((m.value, m.low, m.high, m.n), (4.0, 1.0, 30.0, 7));
    let p = est(t.p90);
    assert!(close(p.value, 15.6));
    assert_eq!((p.low, p.high, p.n), (4.0, 30.0, 7));
    // Four values under min n = 5: not enough data, with n.
    let few = times(&[1.0, 2.0, 3.0, 4.0], 5);
    assert_eq!(few.median, Reading::NotEnough { n: 4 });
    assert_eq!(times(&[], 5).p90, Reading::NotEnough { n: 0 });
}

#[test]
fn closing_time_leaves_out_invalid_cases() {
    let mut cases: Vec<CaseFacts> = [24, 48, 72, 96]
        .map(|h| CaseFacts {
            closed_at: Some(T0 + Duration::hours(h)),
            ..case("S001", T0)
        })
        .to_vec();
    cases.push(CaseFacts {
        closed_at: Some(T0 + Duration::hours(3)),
        valid: Some(false),
        ..case("S001", T0)
    });
    assert_eq!(close_hours(&cases), vec![24.0, 48.0, 72.0, 96.0]);
    // Median of 24 48 72 96 = 60; n = 4 < 6, so the interval is the range.
    let m = est(times(&close_hours(&cases), 3).median);
    assert_eq!((m.value, m.low, m.high), (60.0, 24.0, 96.0));
    // p90: h = 3 × 0.9 = 2.7 → 72 + 0.7 × 24 = 88.8.
    assert!(close(est(times(&close_hours(&cases), 3).p90).value, 88.8));
}

#[test]
fn within_deadline_counts_late_unanswered_cases_as_misses() {
    // Replied at 2, 4, 6, 10 h (in time) and 30 h (late); one unanswered past its
    // deadline; one unanswered whose deadline is still ahead (not counted).
    let mut cases: Vec<CaseFacts> = [2, 4, 6, 10, 30].map(replied).to_vec();
    cases.push(case("S001", T0));
    let now = T0 + Duration::hours(40);
    cases.push(case("S001", now - Duration::hours(1)));
    // 4 of 6. Wilson: p = 0.6667, z²/n = 0.6403; centre 0.6667 + 3.8415/12 = 0.9868;
    // spread 1.96·√(0.2222/6 + 3.8415/144) = 0.4947; ÷ 1.6403 → [30.0, 90.3].
    let r = est(on_time(&cases, now, 5));
    assert!(
        close(r.value, 66.7) && close(r.low, 30.0) && close(r.high, 90.3),
        "{r:?}"
    );
    assert_eq!(r.n, 6);
    // The deadline's own second is in time.
    let edge = replied(24);
    assert!(close(est(on_time(&[edge], now, 1)).value, 100.0));
    assert_eq!(on_time(&cases, now, 7), Reading::NotEnough { n: 6 });
}

#[test]
fn recovery_counts_closed_cases_with_an_answer() {
    let closed = |answer: Option<bool>| CaseFacts {
        closed_at: Some(T0 + Duration::days(2)),
        recovery_satisfied: answer,
        ..case("S001", T0)
    };
    let mut cases = vec![
        closed(Some(true)),
        closed(Some(true)),
        closed(Some(false)),
        closed(None),
    ];
    // An open case's answer (cannot happen through the flow) is not counted.
    cases.push(CaseFacts {
        recovery_satisfied: Some(false),
        ..case("S001", T0)
    });
    // 2 of 3. Wilson: centre 0.6667 + 3.8415/6 = 1.3069; spread 1.96·√(0.2222/3 + 3.8415/36)
    // = 0.8334; ÷ (1 + 3.8415/3 = 2.2805) → [20.8, 93.9].
    let r = est(recovery(&cases, 3));
    assert!(
        close(r.value, 66.7) && close(r.low, 20.8) && close(r.high, 93.9),
        "{r:?}"
    );
    assert_eq!(recovery(&cases, 5), Reading::NotEnough { n: 3 });
}

#[test]
fn repeat_contacts_are_trimmed_and_lowercased() {
    let with = |contact: Option<&str>| CaseFacts {
        contact: contact.map(str::to_owned),
        ..case("S001", T0)
    };
    let cases = vec![
        with(Some(" Amy@Example.com ")),
        with(Some("amy@example.com")),
        with(Some("13800000000")),
        with(Some("13800000000 ")),
        with(Some("bob@x.cn")),
        with(Some("carol")),
        with(Some("   ")),
        with(None),
    ];
    // Contacts: amy (2), 138… (2), bob (1), carol (1) → 2 of 4 = 50%. Wilson: centre
    // 0.5 + 3.8415/8 = 0.9802; spread 1.96·√(0.0625 + 3.8415/64) = 0.6861; ÷ 1.9604 → [15.0, 85.0].
    let r = est(repeat_contacts(&cases, 3));
    assert!(
        close(r.value, 50.0) && close(r.low, 15.0) && close(r.high, 85.0),
        "{r:?}"
    );
    assert_eq!(r.n, 4);
    assert_eq!(repeat_contacts(&cases, 5), Reading::NotEnough { n: 4 });
}

#[test]
fn pareto_sorts_by_count_with_cumulative_shares() {
    let cat = |c: Option<&str>| CaseFacts {
        category: c.map(str::to_owned),
        ..case("S001", T0)
    };
    let cases = vec![
        cat(Some("staff_attitude")),
        cat(Some("delivery")),
        cat(Some("waiting")),
        cat(Some("delivery")),
        cat(None),
        cat(Some("staff_attitude")),
        cat(Some("delivery")),
    ];
    let p = pareto(&cases, 5);
    assert_eq!((p.categorised, p.uncategorised, p.enough), (6, 1, true));
    let names: Vec<(&str, u64)> = p
        .bars
        .iter()
        .map(|b| (b.category.as_str(), b.count))
        .collect();
    assert_eq!(
        names,
        [("delivery", 3), ("staff_attitude", 2), ("waiting", 1)]
    );
    // Cumulative 3/6 = 50.0, 5/6 = 83.3, 6/6 = 100.
    let cum: Vec<f64> = p.bars.iter().map(|b| b.cumulative).collect();
    assert!(close(cum[0], 50.0) && close(cum[1], 83.3) && close(cum[2], 100.0));
    // 3 of 6: Wilson centre 0.5 + 3.8415/12 = 0.8201, spread 0.5124, ÷ 1.6402 → [18.8, 81.2].
    let s = est(p.bars[0].share);
    assert!(close(s.low, 18.8) && close(s.high, 81.2), "{s:?}");
    // Ties break by name, so the order never flickers between requests.
    let tie = pareto(&[cat(Some("b")), cat(Some("a"))], 1);
    assert_eq!(tie.bars[0].category, "a");
    assert!(!pareto(&cases, 7).enough);
    assert!(!pareto(&[], 0).enough);
}

#[test]
fn backlog_counts_open_and_overdue_per_store() {
    let now = T0 + Duration::hours(30);
    let cases = vec![
        // S001: open, unanswered past its 24 h → overdue; open and answered → not overdue.
        case("S001", T0),
        replied(2),
        // S002: open, fresh; and one closed (not in the backlog).
        case("S002", now - Duration::hours(1)),
        CaseFacts {
            closed_at: Some(T0 + Duration::hours(5)),
            ..case("S002", T0)
        },
        // S003: answered but past its 7-day resolution at `late_now` only.
        CaseFacts {
            first_reply_at: Some(T0 + Duration::hours(1)),
            ..case("S003", T0)
        },
    ];
    let b = backlog(&cases, now);
    let rows: Vec<(&str, u64, u64)> = b
        .iter()
        .map(|s| (s.store.as_str(), s.open, s.overdue))
        .collect();
    assert_eq!(rows, [("S001", 2, 1), ("S002", 1, 0), ("S003", 1, 0)]);
    let late_now = T0 + Duration::days(8);
    let s = summarise(&cases, late_now, 5);
    // Eight days on, every open case is past its resolution: 4 open, 4 overdue.
    assert_eq!((s.cases, s.open, s.overdue), (5, 4, 4));
    assert_eq!(s.stores[0].store, "S001");
}
