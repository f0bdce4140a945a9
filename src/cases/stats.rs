//! Complaint-case report formulas over plain facts: the Pareto of causes, reply and closing times (median and p90 with order-statistic intervals), the share replied within the deadline, recovery, repeat complainants and the open/overdue backlog per store.
//!
//! Formulas (also in the README, "Complaint reports"):
//! - Quantiles of hours use linear interpolation between order statistics (R's type 7,
//!   Excel's PERCENTILE.INC). Their 95% interval is distribution-free: the order statistics
//!   X₍l₎ and X₍u₎ with l − 1 the largest k where P(Bin(n, p) ≤ k) ≤ 0.025 and u − 1 the
//!   smallest k where P(Bin(n, p) ≤ k) ≥ 0.975, clamped to 1..n. When the clamp bites
//!   (a median with n < 6, a p90 with n < 36) the interval reaches the sample's extreme
//!   and covers less than 95%.
//! - Shares (within deadline, recovery, repeat contacts, a category's share) use the
//!   dashboard's Wilson interval (`indicators::percent`).
//! - Below `min_n` a value is "not enough data", as every other indicator.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::deadline::{Due, late};
use crate::indicators::{self, Estimate, Reading};

/// What the reports need to know about one case (read by `db::case_reports`).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub store: String,
    pub category: Option<String>,
    pub opened_at: OffsetDateTime,
    pub due: Due,
    pub first_reply_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    /// `Some(false)`: judged invalid at step 2 (and closed there).
    pub valid: Option<bool>,
    /// The recovery survey's "satisfied after handling?"; `None` unanswered.
    pub recovery_satisfied: Option<bool>,
    /// Only with the customer's consent.
    pub contact: Option<String>,
}

/// One bar of the Pareto chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoBar {
    pub category: String,
    pub count: u64,
    /// This category's share of the categorised cases, % with its Wilson interval.
    pub share: Reading,
    /// The running total of shares up to and including this bar, %.
    pub cumulative: f64,
}

/// Cases by cause category, most frequent first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pareto {
    pub bars: Vec<ParetoBar>,
    /// Cases with a category (the n of the chart).
    pub categorised: u64,
    /// Cases not (yet) given a category: suggestions, invalid cases, cases before step 4.
    pub uncategorised: u64,
    /// `categorised >= min_n`.
    pub enough: bool,
}

/// A median and a 90th percentile, in hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Times {
    pub median: Reading,
    pub p90: Reading,
}

/// Open and overdue cases of one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLoad {
    pub store: String,
    pub open: u64,
    pub overdue: u64,
}

/// Every figure of the dashboard's "Complaint handling" section.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Cases opened in the period.
    pub cases: u64,
    pub pareto: Pareto,
    pub reply: Times,
    pub close: Times,
    pub on_time: Reading,
    pub recovery: Reading,
    pub repeat: Reading,
    /// Stores with an open case, most overdue first.
    pub stores: Vec<StoreLoad>,
    pub open: u64,
    pub overdue: u64,
}

/// Everything at once, `now` deciding what is overdue.
pub fn summarise(cases: &[CaseFacts], now: OffsetDateTime, min_n: u64) -> Summary {
    let stores = backlog(cases, now);
    Summary {
        cases: cases.len() as u64,
        pareto: pareto(cases, min_n),
        reply: times(&reply_hours(cases), min_n),
        close: times(&close_hours(cases), min_n),
        on_time: on_time(cases, now, min_n),
        recovery: recovery(cases, min_n),
        repeat: repeat_contacts(cases, min_n),
        open: stores.iter().map(|s| s.open).sum(),
        overdue: stores.iter().map(|s| s.overdue).sum(),
        stores,
    }
}

/// Counts per category, descending (ties by name, so the order is stable), with shares.
pub fn pareto(cases: &[CaseFacts], min_n: u64) -> Pareto {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for c in cases {
        if let Some(cat) = c.category.as_deref().filter(|c| !c.is_empty()) {
            *counts.entry(cat).or_default() += 1;
        }
    }
    let mut sorted: Vec<(&str, u64)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let n: u64 = sorted.iter().map(|(_, k)| k).sum();
    let mut running = 0;
    let bars = sorted
        .into_iter()
        .map(|(cat, k)| {
            running += k;
            ParetoBar {
                category: cat.to_owned(),
                count: k,
                share: indicators::percent(k, n, min_n),
                cumulative: 100.0 * running as f64 / n as f64,
            }
        })
        .collect();
    Pareto {
        bars,
        categorised: n,
        uncategorised: cases.len() as u64 - n,
        enough: n > 0 && n >= min_n,
    }
}

fn hours(from: OffsetDateTime, to: OffsetDateTime) -> f64 {
    // A stamp before the opening cannot happen through the flow; never report it negative.
    ((to - from).as_seconds_f64() / 3600.0).max(0.0)
}

/// Hours from opening to the first answer, for every case answered.
pub fn reply_hours(cases: &[CaseFacts]) -> Vec<f64> {
    cases
        .iter()
        .filter_map(|c| c.first_reply_at.map(|r| hours(c.opened_at, r)))
        .collect()
}

/// Hours from opening to closing, for closed cases judged valid: an invalid case is
/// dismissed at step 2 and would make handling look faster than it is.
pub fn close_hours(cases: &[CaseFacts]) -> Vec<f64> {
    cases
        .iter()
        .filter(|c| c.valid != Some(false))
        .filter_map(|c| c.closed_at.map(|t| hours(c.opened_at, t)))
        .collect()
}

/// The p-quantile of sorted values by linear interpolation (type 7); `None` when empty.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let i = h.floor() as usize;
    let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
    Some(sorted[i] + (h - i as f64) * (next - sorted[i]))
}

/// P(Bin(n, p) ≤ k) for k = 0..=n, summed in log space so large n does not underflow
/// at the start (terms below f64's range are negligible anyway).
fn binomial_cdf(n: u64, p: f64) -> Vec<f64> {
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_pmf = n as f64 * lq;
    let mut total = 0.0;
    let mut out = Vec::with_capacity(n as usize + 1);
    for k in 0..=n {
        if k > 0 {
            log_pmf += ((n - k + 1) as f64 / k as f64).ln() + lp - lq;
        }
        total += log_pmf.exp();
        out.push(total.min(1.0));
    }
    out
}

/// The 1-based ranks (l, u) of the order statistics bounding the p-quantile's
/// distribution-free 95% interval; `None` when n = 0.
pub fn quantile_ranks(n: u64, p: f64) -> Option<(u64, u64)> {
    if n == 0 || !(0.0..1.0).contains(&p) || p == 0.0 {
        return None;
    }
    let cdf = binomial_cdf(n, p);
    let alpha = 0.025;
    // l − 1 = the largest k with P(X ≤ k) ≤ α/2; none → l = 0, clamped to 1.
    let l = cdf
        .iter()
        .rposition(|c| *c <= alpha)
        .map_or(0, |k| k as u64 + 1);
    // u − 1 = the smallest k with P(X ≤ k) ≥ 1 − α/2 (rounding: 1e-12 slack).
    let u = cdf
        .iter()
        .position(|c| *c >= 1.0 - alpha - 1e-12)
        .map_or(n, |k| k as u64 + 1);
    Some((l.clamp(1, n), u.clamp(1, n)))
}

/// The p-quantile of `values` with its interval and n; "not enough" below `min_n`.
pub fn quantile_reading(values: &[f64], p: f64, min_n: u64) -> Reading {
    let n = values.len() as u64;
    if n == 0 || n < min_n {
        return Reading::NotEnough { n };
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match (quantile(&sorted, p), quantile_ranks(n, p)) {
        (Some(value), Some((l, u))) => Reading::Value(Estimate {
            value,
            low: sorted[l as usize - 1],
            high: sorted[u as usize - 1],
            n,
        }),
        _ => Reading::NotEnough { n },
    }
}

pub fn times(values: &[f64], min_n: u64) -> Times {
    Times {
        median: quantile_reading(values, 0.5, min_n),
        p90: quantile_reading(values, 0.9, min_n),
    }
}

/// The share of cases first answered by their reply deadline (the deadline's second
/// itself counts as in time, as `deadline::late` does). Cases not answered yet count once
/// their deadline has passed, as misses; before that their outcome is unknown.
pub fn on_time(cases: &[CaseFacts], now: OffsetDateTime, min_n: u64) -> Reading {
    let (mut k, mut n) = (0, 0);
    for c in cases {
        match c.first_reply_at {
            Some(r) => {
                n += 1;
                if r <= c.due.reply {
                    k += 1;
                }
            }
            None if now > c.due.reply => n += 1,
            None => {}
        }
    }
    indicators::percent(k, n, min_n)
}

/// Satisfied after handling, among closed cases whose customer answered the recovery question.
pub fn recovery(cases: &[CaseFacts], min_n: u64) -> Reading {
    let answers = cases
        .iter()
        .filter(|c| c.closed_at.is_some())
        .filter_map(|c| c.recovery_satisfied);
    let (k, n) = answers.fold((0, 0), |(k, n), yes| (k + u64::from(yes), n + 1));
    indicators::percent(k, n, min_n)
}

/// Contacts with two or more cases, among contacts with any case. A contact is compared
/// trimmed and lowercased, so " Amy@Example.com" and "amy@example.com" are one person.
pub fn repeat_contacts(cases: &[CaseFacts], min_n: u64) -> Reading {
    let mut seen: HashMap<String, u64> = HashMap::new();
    for c in cases {
        let Some(contact) = c
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        *seen.entry(contact.to_lowercase()).or_default() += 1;
    }
    let repeat = seen.values().filter(|k| **k >= 2).count() as u64;
    indicators::percent(repeat, seen.len() as u64, min_n)
}

/// Open cases per store and how many of them are past a deadline at `now`; stores with
/// none open are left out. Most overdue first, then most open, then by code.
pub fn backlog(cases: &[CaseFacts], now: OffsetDateTime) -> Vec<StoreLoad> {
    let mut by: HashMap<&str, (u64, u64)> = HashMap::new();
    for c in cases.iter().filter(|c| c.closed_at.is_none()) {
        let e = by.entry(&c.store).or_default();
        e.0 += 1;
        if late(now, c.due, c.first_reply_at, None).is_some() {
            e.1 += 1;
        }
    }
    let mut out: Vec<StoreLoad> = by
        .into_iter()
        .map(|(s, (open, overdue))| StoreLoad {
            store: s.to_owned(),
            open,
            overdue,
        })
        .collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then(a.store.cmp(&b.store))
    });
    out
}

#[cfg(test)]
mod tests;
