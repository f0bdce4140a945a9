//! Turns rollups, sales and audits for a filter into chart models, with words in the reader's language.

use std::collections::HashMap;

use super::{ChartName, Data, Metric};
use crate::charts::{Chart, Counts, Kind, Unit};
use crate::i18n::Lang;
use crate::i18n::reports::Report;
use crate::indicators::{self, Reading};
use crate::survey::{Catalog, Indicator};

/// The unit shown above a metric's chart.
fn unit(m: Metric, d: &Data, lang: Lang) -> String {
    match m {
        Metric::Nps => Report::UnitNps.text(lang).into(),
        Metric::Complaints if d.has_sales() => Report::UnitComplaintsSales.text(lang).into(),
        Metric::Complaints => Report::UnitComplaintsResponses.text(lang).into(),
        Metric::Revenue | Metric::Ticket => Report::UnitYuan.text(lang).into(),
        _ => "%".into(),
    }
}

/// How a metric's values are written, and what its n counts.
pub fn value_format(m: Metric, d: &Data) -> (Unit, Counts) {
    match m {
        Metric::Csat | Metric::Reputation | Metric::Return => (Unit::Percent, Counts::Responses),
        Metric::Nps => (Unit::Points, Counts::Responses),
        Metric::Complaints if d.has_sales() => (Unit::PerMille, Counts::Transactions),
        Metric::Complaints => (Unit::Percent, Counts::Responses),
        Metric::Mystery => (Unit::Percent, Counts::Audits),
        Metric::Revenue | Metric::Ticket => (Unit::Money, Counts::Transactions),
    }
}

/// The headline of a metric for the whole range, and for the previous range.
pub fn headline(d: &Data, m: Metric) -> (Reading, Reading) {
    (
        d.total(m, &d.by_period, &d.sales_by_period, &d.audits_by_period),
        d.total(m, &d.previous, &d.previous_sales, &d.previous_audits),
    )
}

fn t(lang: Lang, key: Report) -> String {
    key.text(lang).to_owned()
}

fn store_label(d: &Data, code: &str, lang: Lang) -> String {
    match d.store_names.get(code) {
        Some(name) => format!("{code} {name}"),
        None if code.is_empty() => t(lang, Report::NoStore),
        None => code.into(),
    }
}

/// Stores a league shows at its top and at its bottom; "show all" draws every one.
pub const LEAGUE_KEEP: usize = 5;

/// Builds one chart. Labels from the surveys (channels, aspects, sections) come from the catalog.
pub fn chart(name: ChartName, d: &Data, catalog: &Catalog, lang: Lang) -> Chart {
    let no_data = t(lang, Report::NoData);
    let period_word = t(lang, Report::PeriodAxis);
    let (unit_of, counts_of) = match name {
        ChartName::Trend(m) | ChartName::League(m) => value_format(m, d),
        ChartName::NpsMix => (Unit::Percent, Counts::Responses),
        ChartName::Gaps => (Unit::Points, Counts::Responses),
        ChartName::Awareness => (Unit::Percent, Counts::Respondents),
        ChartName::Heatmap => (Unit::Percent, Counts::Audits),
    };
    let base = |title: String, desc: String, x: String, y: String, kind: Kind| Chart {
        title,
        desc,
        x_label: x,
        y_label: y,
        no_data: no_data.clone(),
        kind,
        lang,
        min_n: d.min_n,
        unit: unit_of,
        counts: counts_of,
    };
    match name {
        ChartName::Trend(m) => {
            let current = d.series(
                m,
                &d.periods,
                &d.by_period,
                &d.sales_by_period,
                &d.audits_by_period,
            );
            let previous = d.series(
                m,
                &d.previous_periods,
                &d.previous,
                &d.previous_sales,
                &d.previous_audits,
            );
            let desc = t(lang, Report::TrendDesc);
            let legend = [
                t(lang, Report::LegendThis),
                t(lang, Report::LegendPrevious),
                t(lang, Report::Interval),
            ];
            base(
                m.name(lang).into(),
                desc,
                period_word,
                unit(m, d, lang),
                Kind::Trend {
                    periods: d.periods.clone(),
                    partial: d.partial.clone(),
                    current,
                    previous,
                    legend,
                },
            )
        }
        ChartName::League(m) => {
            let mut bars: Vec<(String, Reading)> = if m == Metric::Mystery {
                d.audits_by_store
                    .iter()
                    .map(|a| {
                        (
                            store_label(d, &a.0, lang),
                            d.reading(m, None, None, Some(a)),
                        )
                    })
                    .collect()
            } else {
                let keys: Vec<&String> = if matches!(m, Metric::Revenue | Metric::Ticket) {
                    d.sales_by_store.iter().map(|s| &s.0).collect()
                } else {
                    d.by_store.iter().map(|s| &s.key).collect()
                };
                keys.into_iter()
                    .map(|k| {
                        (
                            store_label(d, k, lang),
                            d.reading(
                                m,
                                d.by_store.iter().find(|s| &s.key == k),
                                d.sales_by_store.iter().find(|s| &s.0 == k),
                                None,
                            ),
                        )
                    })
                    .collect()
            };
            let value = |r: &Reading| r.estimate().map(|e| e.value);
            // Best first; stores without enough data go last.
            bars.sort_by(|a, b| match (value(&a.1), value(&b.1)) {
                (Some(x), Some(y)) if m.higher_is_better() => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => b.1.n().cmp(&a.1.n()),
            });
            base(
                format!("{} · {}", m.name(lang), t(lang, Report::LeagueTitle)),
                t(lang, Report::LeagueDesc),
                t(lang, Report::StoreAxis),
                unit(m, d, lang),
                Kind::Bars {
                    bars,
                    keep: Some(LEAGUE_KEEP),
                    ranked: true,
                },
            )
        }
        ChartName::NpsMix => {
            let counts = d
                .periods
                .iter()
                .map(|p| {
                    let s = d
                        .by_period
                        .iter()
                        .find(|s| &s.key == p)
                        .cloned()
                        .unwrap_or_default();
                    let u = |v: i64| v.max(0) as u64;
                    vec![
                        u(s.nps_detractors),
                        u(s.nps_n - s.nps_promoters - s.nps_detractors),
                        u(s.nps_promoters),
                    ]
                })
                .collect();
            let segments = vec![
                t(lang, Report::Detractors),
                t(lang, Report::Passives),
                t(lang, Report::Promoters),
            ];
            base(
                t(lang, Report::NpsMixTitle),
                t(lang, Report::NpsMixDesc),
                period_word,
                t(lang, Report::ShareAxis),
                Kind::Stacked {
                    periods: d.periods.clone(),
                    segments,
                    counts,
                },
            )
        }
        ChartName::Gaps => {
            let labels = aspect_labels(catalog, lang);
            let mut bars: Vec<(String, Reading)> = d
                .gaps
                .iter()
                .map(|(a, n, sum, sq)| {
                    (
                        labels.get(a).cloned().unwrap_or_else(|| a.clone()),
                        indicators::mean((*n).max(0) as u64, *sum, *sq, d.min_n),
                    )
                })
                .collect();
            bars.sort_by(|a, b| match (a.1.estimate(), b.1.estimate()) {
                (Some(x), Some(y)) => x.value.total_cmp(&y.value),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
            base(
                t(lang, Report::GapsTitle),
                t(lang, Report::GapsDesc),
                t(lang, Report::AspectAxis),
                t(lang, Report::GapAxis),
                Kind::Bars {
                    bars,
                    keep: None,
                    ranked: false,
                },
            )
        }
        ChartName::Awareness => {
            let labels = channel_labels(catalog, lang);
            let (channels, total) = &d.channels;
            let bars = channels
                .iter()
                .map(|(c, n)| {
                    (
                        labels.get(c).cloned().unwrap_or_else(|| c.clone()),
                        indicators::percent((*n).max(0) as u64, (*total).max(0) as u64, d.min_n),
                    )
                })
                .collect();
            base(
                t(lang, Report::AwarenessTitle),
                t(lang, Report::AwarenessDesc),
                t(lang, Report::ChannelAxis),
                "%".into(),
                Kind::Bars {
                    bars,
                    keep: None,
                    ranked: false,
                },
            )
        }
        ChartName::Heatmap => {
            let sections = section_labels(catalog, lang);
            let mut stores: Vec<String> = Vec::new();
            let mut columns: Vec<String> = Vec::new();
            for (section, store, _, _) in &d.heat {
                if !columns.contains(section) {
                    columns.push(section.clone());
                }
                if !stores.contains(store) {
                    stores.push(store.clone());
                }
            }
            columns.sort_by_key(|c| {
                sections
                    .iter()
                    .position(|(n, _)| n == c)
                    .unwrap_or(usize::MAX)
            });
            stores.sort();
            // Rows are stores, so the map grows downwards with the chain, not sideways.
            let cells = stores
                .iter()
                .map(|store| {
                    columns
                        .iter()
                        .map(|c| {
                            d.heat
                                .iter()
                                .find(|h| &h.0 == c && &h.1 == store)
                                .map(|h| (h.3, h.2.max(0) as u64))
                        })
                        .collect()
                })
                .collect();
            let column_labels = columns
                .iter()
                .map(|c| {
                    sections
                        .iter()
                        .find(|(n, _)| n == c)
                        .map_or(c.clone(), |(_, l)| l.clone())
                })
                .collect();
            base(
                t(lang, Report::HeatTitle),
                t(lang, Report::HeatDesc),
                t(lang, Report::StoreAxis),
                t(lang, Report::SectionAxis),
                Kind::Heatmap {
                    rows: stores.iter().map(|s| store_label(d, s, lang)).collect(),
                    columns: column_labels,
                    cells,
                },
            )
        }
    }
}

fn aspect_labels(catalog: &Catalog, lang: Lang) -> HashMap<String, String> {
    catalog
        .iter()
        .flat_map(|s| {
            s.questions()
                .filter_map(|q| match &q.indicator {
                    Some(Indicator::Experience(a)) => {
                        Some((a.clone(), q.label.get(lang).to_owned()))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn channel_labels(catalog: &Catalog, lang: Lang) -> HashMap<String, String> {
    catalog
        .iter()
        .flat_map(|s| {
            s.questions()
                .filter(|q| q.indicator == Some(Indicator::Awareness))
                .flat_map(|q| {
                    q.kind
                        .choices()
                        .unwrap_or_default()
                        .iter()
                        .map(|c| (c.name.clone(), c.label.get(lang).to_owned()))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn section_labels(catalog: &Catalog, lang: Lang) -> Vec<(String, String)> {
    catalog
        .iter()
        .filter(|s| s.is_audit())
        .flat_map(|s| {
            s.groups
                .iter()
                .map(|g| (g.name.clone(), g.label.get(lang).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}
