//! Each formula against values worked out by hand (the arithmetic is in the comments).

use super::*;

fn near(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() < tol, "{a} is not {b} (±{tol})");
}

#[test]
fn wilson_interval_matches_a_hand_computed_case() {
    // k = 8, n = 10: p = .8, z² = 3.8415; centre = .8 + .19207 = .99207;
    // spread = 1.96·√(.016 + .0096037) = 1.96 × .16001 = .31362; denom = 1.38415
    // → ((.99207 − .31362) / 1.38415, (.99207 + .31362) / 1.38415) = (.4902, .9433)
    let (low, high) = wilson(8, 10).unwrap();
    near(low, 0.4902, 5e-4);
    near(high, 0.9433, 5e-4);
}

#[test]
fn wilson_handles_zero_all_and_one() {
    assert_eq!(wilson(0, 0), None);
    // k = 0, n = 10: low = 0, high = 3.8415/10 / 1.38415 ≈ .2775
    let (low, high) = wilson(0, 10).unwrap();
    assert_eq!(low, 0.0);
    near(high, 0.2775, 5e-4);
    // k = n = 10 mirrors it.
    let (low, high) = wilson(10, 10).unwrap();
    near(low, 0.7225, 5e-4);
    near(high, 1.0, 1e-12);
    // n = 1, k = 1: (1 + 1.92) ± 1.96·√(0 + .96) / 4.8415 → (.2065, 1)
    let (low, _) = wilson(1, 1).unwrap();
    near(low, 0.2065, 5e-4);
}

#[test]
fn a_percentage_below_the_minimum_n_is_not_a_number() {
    assert_eq!(percent(3, 4, 5), Reading::NotEnough { n: 4 });
    assert_eq!(percent(0, 0, 5), Reading::NotEnough { n: 0 });
    let r = percent(1, 1, 1).estimate().unwrap();
    assert_eq!((r.value, r.n), (100.0, 1));
    let r = percent(8, 10, 5).estimate().unwrap();
    near(r.value, 80.0, 1e-12);
    near(r.low, 49.02, 0.05);
    assert_eq!(
        describe(&percent(8, 10, 5), "%"),
        "80.0% (95% CI 49.0–94.3, n = 10)"
    );
    assert_eq!(describe(&percent(1, 2, 5), "%"), "not enough data (n = 2)");
}

#[test]
fn nps_and_its_standard_error_match_hand_computation() {
    // 50 promoters, 30 passives, 20 detractors: NPS = .5 − .2 = .3 → 30;
    // SE = √((.5 + .2 − .09)/100) = √.0061 = .078102; ±1.96·SE = ±.15308 → 14.69 to 45.31
    let e = nps(50, 30, 20, 5).estimate().unwrap();
    near(e.value, 30.0, 1e-9);
    near(e.low, 14.692, 0.01);
    near(e.high, 45.308, 0.01);
    assert_eq!(e.n, 100);
}

#[test]
fn nps_of_all_promoters_is_100_with_no_spread() {
    // p₊ = 1, p₋ = 0: SE = √((1 − 1)/n) = 0.
    let e = nps(12, 0, 0, 5).estimate().unwrap();
    assert_eq!((e.value, e.low, e.high), (100.0, 100.0, 100.0));
    let e = nps(0, 0, 7, 5).estimate().unwrap();
    assert_eq!(e.value, -100.0);
    assert_eq!(nps(0, 0, 0, 5), Reading::NotEnough { n: 0 });
    assert_eq!(nps(1, 0, 0, 5), Reading::NotEnough { n: 1 });
}

#[test]
fn a_mean_gap_gets_a_normal_interval() {
    // gaps −2, −1, 0, −1, −1: n = 5, Σ = −5, Σx² = 7; mean = −1;
    // s² = (7 − 5·1)/4 = .5; half = 1.96·√(.5/5) = .61981
    let r = mean(5, -5.0, 7.0, 5).estimate().unwrap();
    near(r.value, -1.0, 1e-12);
    near(r.low, -1.61981, 1e-4);
    near(r.high, -0.38019, 1e-4);
    assert_eq!(
        mean(1, 3.0, 9.0, 1),
        Reading::NotEnough { n: 1 },
        "one answer has no spread"
    );
}

#[test]
fn complaint_rate_uses_transactions_when_there_are_sales_data() {
    // 6 complaints in 40 responses, 3,000 transactions: 2 per 1,000.
    let r = complaint_rate(6, 40, Some(3000), 5);
    assert!(r.per_transactions);
    near(r.reading.estimate().unwrap().value, 2.0, 1e-12);
    // No sales data: 6 / 40 = 15 per 100 responses.
    let r = complaint_rate(6, 40, None, 5);
    assert!(!r.per_transactions);
    near(r.reading.estimate().unwrap().value, 15.0, 1e-12);
    // Few responses: not enough data either way.
    assert_eq!(
        complaint_rate(1, 3, Some(500), 5).reading,
        Reading::NotEnough { n: 3 }
    );
    assert_eq!(
        complaint_rate(0, 0, None, 5).reading,
        Reading::NotEnough { n: 0 }
    );
}

#[test]
fn sales_give_the_average_ticket() {
    assert_eq!(sales(12_500.0, 50).average_ticket, Some(250.0));
    assert_eq!(sales(0.0, 0).average_ticket, None);
}
