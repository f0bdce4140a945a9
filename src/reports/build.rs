//! Turns rollups, sales and audits for a filter into chart models, with words in the reader's language.

use std::collections::HashMap;

use super::{ChartName, Data, Metric};
use crate::charts::{Chart, Kind};
use crate::i18n::Lang;
use crate::indicators::{self, Reading};
use crate::survey::{Catalog, Indicator};

/// The unit shown after a metric's values.
fn unit(m: Metric, d: &Data, lang: Lang) -> String {
    match (m, lang) {
        (Metric::Nps, _) => "NPS (−100…100)".into(),
        (Metric::Complaints, Lang::Zh) if d.has_sales() => "每千笔交易投诉数".into(),
        (Metric::Complaints, Lang::En) if d.has_sales() => {
            "complaints per 1,000 transactions".into()
        }
        (Metric::Complaints, Lang::Zh) => "每百份问卷投诉数（无销售数据）".into(),
        (Metric::Complaints, Lang::En) => "complaints per 100 responses (no sales data)".into(),
        (Metric::Revenue | Metric::Ticket, Lang::Zh) => "元".into(),
        (Metric::Revenue | Metric::Ticket, Lang::En) => "yuan".into(),
        (_, _) => "%".into(),
    }
}

/// The headline of a metric for the whole range, and for the previous range.
pub fn headline(d: &Data, m: Metric) -> (Reading, Reading) {
    (
        d.total(m, &d.by_period, &d.sales_by_period, &d.audits_by_period),
        d.total(m, &d.previous, &d.previous_sales, &d.previous_audits),
    )
}

fn t(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::Zh {
        zh.into()
    } else {
        en.into()
    }
}

fn store_label(d: &Data, code: &str) -> String {
    match d.store_names.get(code) {
        Some(name) => format!("{code} {name}"),
        None if code.is_empty() => "(no store)".into(),
        None => code.into(),
    }
}

/// Builds one chart. Labels from the surveys (channels, aspects, sections) come from the catalog.
pub fn chart(name: ChartName, d: &Data, catalog: &Catalog, lang: Lang) -> Chart {
    let no_data = t(lang, "所选范围内没有数据", "No data for this selection");
    let period_word = t(lang, "时段", "Period");
    let base = |title: String, desc: String, x: String, y: String, kind: Kind| Chart {
        title,
        desc,
        x_label: x,
        y_label: y,
        no_data: no_data.clone(),
        kind,
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
            let desc = t(
                lang,
                "按时段的趋势，阴影为 95% 置信区间，虚线为上一时段；带 * 的时段只有部分天数在范围内。",
                "Trend by period with its 95% confidence band; the dashed line is the previous range; periods marked * are only partly inside the range.",
            );
            let legend = [
                t(lang, "本期", "This range"),
                t(lang, "上期", "Previous range"),
                t(lang, "95% 置信区间", "95% CI"),
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
                    .map(|a| (store_label(d, &a.0), d.reading(m, None, None, Some(a))))
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
                            store_label(d, k),
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
            let desc = t(
                lang,
                "门店排名，最好的在上，附样本量 n 与 95% 置信区间。",
                "Stores ranked best first, each with its sample size n and 95% interval.",
            );
            base(
                format!("{} · {}", m.name(lang), t(lang, "门店排名", "store league")),
                desc,
                t(lang, "门店", "Store"),
                unit(m, d, lang),
                Kind::Bars { bars },
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
                t(lang, "贬损者 0–6", "Detractors 0–6"),
                t(lang, "被动者 7–8", "Passives 7–8"),
                t(lang, "推荐者 9–10", "Promoters 9–10"),
            ];
            let desc = t(
                lang,
                "每个时段推荐意愿的构成。",
                "How the 0–10 recommend answers split in each period.",
            );
            base(
                t(lang, "NPS 构成", "NPS mix"),
                desc,
                period_word,
                t(lang, "占比 (%)", "Share (%)"),
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
            let desc = t(
                lang,
                "满意度 = 体验 − 期望；最负的差距最先改进。",
                "Satisfaction = experience − expectation; fix the most negative gap first.",
            );
            base(
                t(lang, "期望与体验的差距", "Expectation vs experience"),
                desc,
                t(lang, "方面", "Aspect"),
                t(lang, "平均差距（1–5 分制）", "Mean gap (points on 1–5)"),
                Kind::Bars { bars },
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
            let desc = t(
                lang,
                "顾客得知本店的渠道（可多选，占回答者比例）。",
                "How customers heard of the store (several allowed; share of respondents).",
            );
            base(
                t(lang, "知名度：获知渠道", "Awareness: channels"),
                desc,
                t(lang, "渠道", "Channel"),
                "%".into(),
                Kind::Bars { bars },
            )
        }
        ChartName::Heatmap => {
            let sections = section_labels(catalog, lang);
            let mut rows: Vec<String> = Vec::new();
            let mut columns: Vec<String> = Vec::new();
            for (s, store, _, _) in &d.heat {
                if !rows.contains(s) {
                    rows.push(s.clone());
                }
                if !columns.contains(store) {
                    columns.push(store.clone());
                }
            }
            rows.sort_by_key(|r| {
                sections
                    .iter()
                    .position(|(n, _)| n == r)
                    .unwrap_or(usize::MAX)
            });
            columns.sort();
            let cells = rows
                .iter()
                .map(|r| {
                    columns
                        .iter()
                        .map(|c| {
                            d.heat
                                .iter()
                                .find(|h| &h.0 == r && &h.1 == c)
                                .map(|h| (h.3, h.2.max(0) as u64))
                        })
                        .collect()
                })
                .collect();
            let row_labels = rows
                .iter()
                .map(|r| {
                    sections
                        .iter()
                        .find(|(n, _)| n == r)
                        .map_or(r.clone(), |(_, l)| l.clone())
                })
                .collect();
            let desc = t(
                lang,
                "已批准的神秘顾客检查中，各门店各环节的平均得分。",
                "Mean section scores of approved mystery-shop audits, by store.",
            );
            base(
                t(
                    lang,
                    "神秘顾客：环节 × 门店",
                    "Mystery shop: sections × stores",
                ),
                desc,
                t(lang, "门店", "Store"),
                t(lang, "环节", "Section"),
                Kind::Heatmap {
                    rows: row_labels,
                    columns,
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
