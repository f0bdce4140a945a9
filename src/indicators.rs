//! The satisfaction indicators' formulas with their 95% intervals, and the rule for too little data.
//!
//! Formulas (also in the README, "Indicators"):
//! - A proportion p = k / n gets the Wilson score interval
//!   (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.96.
//! - NPS = %promoters − %detractors, with standard error √((p₊ + p₋ − (p₊ − p₋)²) / n);
//!   the interval is NPS ± 1.96·SE, clipped to [−100, 100].
//! - A mean (the expectation–experience gap) gets mean ± 1.96·s/√n, s the sample standard deviation.
//! - Below the minimum n a value is "not enough data", never a number.

use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Fewer answers than this and a value is not shown as a fact.
pub const DEFAULT_MIN_N: u64 = 5;

/// A value with its 95% interval and the number of answers behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub n: u64,
}

/// What a report may say about an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reading {
    /// Too few answers (`n` of them) to show a number.
    NotEnough {
        n: u64,
    },
    Value(Estimate),
}

impl Reading {
    pub fn estimate(&self) -> Option<Estimate> {
        match self {
            Reading::Value(e) => Some(*e),
            Reading::NotEnough { .. } => None,
        }
    }

    pub fn n(&self) -> u64 {
        match self {
            Reading::Value(e) => e.n,
            Reading::NotEnough { n } => *n,
        }
    }

    /// The reading scaled (e.g. a share to a percentage).
    pub fn scaled(self, factor: f64) -> Reading {
        match self {
            Reading::Value(e) => Reading::Value(Estimate {
                value: e.value * factor,
                low: e.low * factor,
                high: e.high * factor,
                n: e.n,
            }),
            other => other,
        }
    }
}

/// The Wilson score interval of k successes in n trials, as fractions; `None` when n = 0.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k.min(n) as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = p + z2 / (2.0 * n);
    let spread = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    Some((
        ((centre - spread) / denom).max(0.0),
        ((centre + spread) / denom).min(1.0),
    ))
}

/// A share k / n as a percentage with its Wilson interval.
pub fn percent(k: u64, n: u64, min_n: u64) -> Reading {
    match wilson(k, n) {
        Some((low, high)) if n >= min_n.max(1) => Reading::Value(Estimate {
            value: 100.0 * k.min(n) as f64 / n as f64,
            low: 100.0 * low,
            high: 100.0 * high,
            n,
        }),
        _ => Reading::NotEnough { n },
    }
}

/// Net Promoter Score from the 0–10 answers' three groups.
pub fn nps(promoters: u64, passives: u64, detractors: u64, min_n: u64) -> Reading {
    let n = promoters + passives + detractors;
    if n == 0 || n < min_n.max(1) {
        return Reading::NotEnough { n };
    }
    let (pp, pd) = (promoters as f64 / n as f64, detractors as f64 / n as f64);
    let score = pp - pd;
    let se = ((pp + pd - score * score).max(0.0) / n as f64).sqrt();
    Reading::Value(Estimate {
        value: 100.0 * score,
        low: (100.0 * (score - Z95 * se)).max(-100.0),
        high: (100.0 * (score + Z95 * se)).min(100.0),
        n,
    })
}

/// A mean from running sums (n, Σx, Σx²) with a normal-approximation interval.
pub fn mean(n: u64, sum: f64, sum_sq: f64, min_n: u64) -> Reading {
    if n == 0 || n < min_n.max(2) {
        return Reading::NotEnough { n };
    }
    let nf = n as f64;
    let m = sum / nf;
    let var = ((sum_sq - nf * m * m) / (nf - 1.0)).max(0.0);
    let half = Z95 * (var / nf).sqrt();
    Reading::Value(Estimate {
        value: m,
        low: m - half,
        high: m + half,
        n,
    })
}

/// Complaint rate: per 1,000 transactions when sales data cover the period, else per 100 responses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ComplaintRate {
    pub reading: Reading,
    /// true: per 1,000 transactions; false: per 100 responses.
    pub per_transactions: bool,
}

pub fn complaint_rate(
    complaints: u64,
    responses: u64,
    transactions: Option<u64>,
    min_n: u64,
) -> ComplaintRate {
    // Enough data means enough survey answers: the complaints come from them.
    let enough = responses >= min_n.max(1);
    match transactions.filter(|t| *t > 0) {
        Some(t) => {
            let reading = match wilson(complaints, t) {
                Some((low, high)) if enough => Reading::Value(Estimate {
                    value: 1000.0 * complaints.min(t) as f64 / t as f64,
                    low: 1000.0 * low,
                    high: 1000.0 * high,
                    n: t,
                }),
                _ => Reading::NotEnough { n: responses },
            };
            ComplaintRate {
                reading,
                per_transactions: true,
            }
        }
        None => ComplaintRate {
            reading: percent(complaints, responses, min_n),
            per_transactions: false,
        },
    }
}

/// Sales over a period: revenue, transactions and the average ticket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sales {
    pub revenue: f64,
    pub transactions: u64,
    /// Revenue per transaction; `None` without transactions.
    pub average_ticket: Option<f64>,
}

pub fn sales(revenue: f64, transactions: u64) -> Sales {
    Sales {
        revenue,
        transactions,
        average_ticket: (transactions > 0).then(|| revenue / transactions as f64),
    }
}

/// A reading as people read it: "72.4% (68.1–76.3, n = 412)" or "not enough data (n = 3)".
pub fn describe(r: &Reading, unit: &str) -> String {
    match r {
        Reading::Value(e) => format!(
            "{:.1}{unit} (95% CI {:.1}–{:.1}, n = {})",
            e.value, e.low, e.high, e.n
        ),
        Reading::NotEnough { n } => format!("not enough data (n = {n})"),
    }
}

#[cfg(test)]
mod tests;
