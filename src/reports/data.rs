//! The data behind a report: read once per request from the rollups, sales and audits, then read per metric.

use crate::db::Pool;

use std::collections::HashMap;

use super::{Filter, Metric};
use crate::db::reports::{self as q, Stat};
use crate::indicators::{self, Estimate, Reading};

/// Which parts of the data a chart needs; the dashboard needs them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Counters per period, for this range and the previous one.
    pub stats: bool,
    /// Counters per store (and the store names).
    pub store_stats: bool,
    pub sales: bool,
    pub audits: bool,
    pub heat: bool,
    pub channels: bool,
    pub gaps: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        stats: true,
        store_stats: true,
        sales: true,
        audits: true,
        heat: true,
        channels: true,
        gaps: true,
    };
    pub const NONE: Parts = Parts {
        stats: false,
        store_stats: false,
        sales: false,
        audits: false,
        heat: false,
        channels: false,
        gaps: false,
    };
}

pub(super) type Moments = (String, i64, f64, f64);

/// Everything the dashboard draws from, read once per request.
#[derive(Debug, Default)]
pub struct Data {
    pub periods: Vec<String>,
    /// Periods the range covers only in part.
    pub partial: Vec<bool>,
    pub previous_periods: Vec<String>,
    pub(super) by_period: Vec<Stat>,
    pub(super) by_store: Vec<Stat>,
    pub(super) previous: Vec<Stat>,
    pub(super) sales_by_period: Vec<(String, f64, i64)>,
    pub(super) sales_by_store: Vec<(String, f64, i64)>,
    pub(super) previous_sales: Vec<(String, f64, i64)>,
    pub(super) audits_by_period: Vec<Moments>,
    pub(super) audits_by_store: Vec<Moments>,
    pub(super) previous_audits: Vec<Moments>,
    pub(super) heat: Vec<(String, String, i64, f64)>,
    pub(super) channels: (Vec<(String, i64)>, i64),
    pub(super) gaps: Vec<(String, i64, f64, f64)>,
    pub(super) store_names: HashMap<String, String>,
    pub(super) min_n: u64,
}

impl Data {
    /// Reads what the filter needs: about a dozen grouped queries over the rollups.
    pub async fn load(pool: &Pool, f: &Filter) -> sqlx::Result<Data> {
        Data::load_for(pool, f, Parts::ALL).await
    }

    /// Reads only the parts a chart needs, with the queries running side by side
    /// (SQLite in WAL mode serves readers on separate connections in parallel).
    pub async fn load_for(pool: &Pool, f: &Filter, need: Parts) -> sqlx::Result<Data> {
        let p = f.previous();
        async fn when<T: Default>(
            on: bool,
            fut: impl std::future::Future<Output = sqlx::Result<T>>,
        ) -> sqlx::Result<T> {
            if on { fut.await } else { Ok(T::default()) }
        }
        let (by_period, by_store, previous, sales_by_period, sales_by_store, previous_sales) = tokio::try_join!(
            when(need.stats, q::stats(pool, f, false)),
            when(need.store_stats, q::stats(pool, f, true)),
            when(need.stats, q::stats(pool, &p, false)),
            when(need.sales, q::sales(pool, f, false)),
            when(need.sales && need.store_stats, q::sales(pool, f, true)),
            when(need.sales && need.stats, q::sales(pool, &p, false)),
        )?;
        let (audits_by_period, audits_by_store, previous_audits, heat, channels, gaps, stores) = tokio::try_join!(
            when(need.audits && need.stats, q::audit_scores(pool, f, false)),
            when(
                need.audits && need.store_stats,
                q::audit_scores(pool, f, true)
            ),
            when(need.audits && need.stats, q::audit_scores(pool, &p, false)),
            when(need.heat, q::section_heat(pool, f)),
            when(need.channels, q::channels(pool, f)),
            when(need.gaps, q::gaps(pool, f)),
            // Leagues and the heat map label their rows with store names.
            when(need.store_stats || need.heat, crate::db::stores::list(pool)),
        )?;
        Ok(Data {
            periods: f.periods(),
            partial: f.partial(),
            previous_periods: p.periods(),
            by_period,
            by_store,
            previous,
            sales_by_period,
            sales_by_store,
            previous_sales,
            audits_by_period,
            audits_by_store,
            previous_audits,
            heat,
            channels,
            gaps,
            // Names of the reader's stores only: a label is a figure's key, never shown alone.
            store_names: stores
                .into_iter()
                .filter(|s| f.sees(&s.code))
                .map(|s| (s.code, s.name))
                .collect(),
            min_n: f.min_n,
        })
    }

    pub(super) fn has_sales(&self) -> bool {
        self.sales_by_period.iter().any(|(_, _, t)| *t > 0)
    }

    /// The reading of a metric for one key (period or store) from the matching rows.
    pub(super) fn reading(
        &self,
        m: Metric,
        stat: Option<&Stat>,
        sales: Option<&(String, f64, i64)>,
        audits: Option<&Moments>,
    ) -> Reading {
        let s = stat.cloned().unwrap_or_default();
        let n = self.min_n;
        let u = |v: i64| v.max(0) as u64;
        let exact = |value: f64, count: u64| {
            Reading::Value(Estimate {
                value,
                low: value,
                high: value,
                n: count,
            })
        };
        match m {
            Metric::Csat => indicators::percent(u(s.sat_top2), u(s.sat_n), n),
            Metric::Reputation => indicators::percent(u(s.nps_promoters), u(s.nps_n), n),
            Metric::Nps => indicators::nps(
                u(s.nps_promoters),
                u(s.nps_n - s.nps_promoters - s.nps_detractors),
                u(s.nps_detractors),
                n,
            ),
            Metric::Return => indicators::percent(u(s.return_repeat), u(s.return_n), n),
            Metric::Complaints => {
                let transactions = if self.has_sales() {
                    Some(sales.map_or(0, |x| u(x.2)))
                } else {
                    None
                };
                let rate =
                    indicators::complaint_rate(u(s.complaints), u(s.complaint_n), transactions, n);
                // With sales data for the range but none for this key, say so rather than switch units.
                if transactions == Some(0) {
                    Reading::NotEnough {
                        n: u(s.complaint_n),
                    }
                } else {
                    rate.reading
                }
            }
            Metric::Mystery => audits.map_or(Reading::NotEnough { n: 0 }, |(_, k, sum, sq)| {
                indicators::mean(u(*k), *sum, *sq, n)
            }),
            Metric::Revenue => {
                sales.map_or(Reading::NotEnough { n: 0 }, |(_, r, t)| exact(*r, u(*t)))
            }
            Metric::Ticket => match sales {
                Some((_, r, t)) if *t > 0 => exact(r / *t as f64, u(*t)),
                _ => Reading::NotEnough { n: 0 },
            },
        }
    }

    pub(super) fn series(
        &self,
        m: Metric,
        periods: &[String],
        stats: &[Stat],
        sales: &[(String, f64, i64)],
        audits: &[Moments],
    ) -> Vec<Reading> {
        periods
            .iter()
            .map(|p| {
                self.reading(
                    m,
                    stats.iter().find(|s| &s.key == p),
                    sales.iter().find(|s| &s.0 == p),
                    audits.iter().find(|a| &a.0 == p),
                )
            })
            .collect()
    }

    pub(super) fn total(
        &self,
        m: Metric,
        stats: &[Stat],
        sales: &[(String, f64, i64)],
        audits: &[Moments],
    ) -> Reading {
        let mut s = Stat::default();
        for x in stats {
            s.add(x);
        }
        let sale = (
            String::new(),
            sales.iter().map(|x| x.1).sum(),
            sales.iter().map(|x| x.2).sum(),
        );
        let audit = audits.iter().fold((String::new(), 0, 0.0, 0.0), |a, x| {
            (a.0, a.1 + x.1, a.2 + x.2, a.3 + x.3)
        });
        self.reading(m, Some(&s), Some(&sale), Some(&audit))
    }
}
