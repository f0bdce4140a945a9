//! The dashboard's complaint-handling section as data: read once per request, then turned into KPI cards, the Pareto chart and the CSV downloads, all from the same `Summary`.

use crate::db::Pool;

use time::{OffsetDateTime, UtcOffset};

use super::Filter;
use crate::cases::stats::{self, Summary};
use crate::cases::taxonomy::Taxonomy;
use crate::charts::pareto::{ParetoChart, ParetoRow};
use crate::i18n::reports::Report;
use crate::i18n::{Lang, format};
use crate::indicators::Reading;

/// The section's figures with what it needs to label them.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub summary: Summary,
    pub taxonomy: Taxonomy,
    pub min_n: u64,
}

/// How a KPI's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseUnit {
    Hours,
    Percent,
}

impl CaseUnit {
    pub fn value(self, x: f64, lang: Lang) -> String {
        match self {
            CaseUnit::Hours => Report::CaseHours.fill(lang, format::number(x, 1)),
            CaseUnit::Percent => format::percent(x, 1),
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            CaseUnit::Hours => "hours",
            CaseUnit::Percent => "percent",
        }
    }
}

/// One KPI card (and one CSV row).
#[derive(Debug, Clone, Copy)]
pub struct CaseKpi {
    /// The CSV's name for it.
    pub id: &'static str,
    pub name: Report,
    pub reading: Reading,
    pub unit: CaseUnit,
    /// What n counts.
    pub counts: Report,
    /// How the interval is made, for the CSV.
    pub method: &'static str,
}

const ORDER_STAT: &str = "order-statistic 95% CI";
const WILSON: &str = "Wilson 95% CI";

impl CaseReport {
    /// Reads the cases the filter covers; `now` decides what is overdue.
    pub async fn load(
        pool: &Pool,
        f: &Filter,
        offset: UtcOffset,
        now: OffsetDateTime,
        taxonomy: &Taxonomy,
    ) -> sqlx::Result<CaseReport> {
        let facts = crate::db::case_reports::facts(pool, f, offset).await?;
        Ok(CaseReport {
            summary: stats::summarise(&facts, now, f.min_n),
            taxonomy: taxonomy.clone(),
            min_n: f.min_n,
        })
    }

    /// The cards in reading order: speed, keeping the deadline, then the outcome.
    pub fn kpis(&self) -> [CaseKpi; 7] {
        let s = &self.summary;
        let hours = |id, name, reading| CaseKpi {
            id,
            name,
            reading,
            unit: CaseUnit::Hours,
            counts: Report::NCases,
            method: ORDER_STAT,
        };
        let share = |id, name, reading, counts| CaseKpi {
            id,
            name,
            reading,
            unit: CaseUnit::Percent,
            counts,
            method: WILSON,
        };
        [
            hours(
                "reply_median_hours",
                Report::CaseReplyMedian,
                s.reply.median,
            ),
            hours("reply_p90_hours", Report::CaseReplyP90, s.reply.p90),
            share(
                "reply_within_deadline",
                Report::CaseOnTime,
                s.on_time,
                Report::NCases,
            ),
            hours(
                "close_median_hours",
                Report::CaseCloseMedian,
                s.close.median,
            ),
            hours("close_p90_hours", Report::CaseCloseP90, s.close.p90),
            share(
                "recovery_rate",
                Report::CaseRecovery,
                s.recovery,
                Report::NCases,
            ),
            share(
                "repeat_complainants",
                Report::CaseRepeat,
                s.repeat,
                Report::NContacts,
            ),
        ]
    }

    /// "not enough data (n = 3)" below min n, else `None`.
    fn pareto_too_few(&self, lang: Lang) -> Option<String> {
        let p = &self.summary.pareto;
        (!p.enough).then(|| {
            format!(
                "{} (n = {})",
                Report::NotEnoughData.text(lang),
                p.categorised
            )
        })
    }

    pub fn pareto_chart(&self, lang: Lang) -> ParetoChart {
        let p = &self.summary.pareto;
        ParetoChart {
            title: Report::CaseParetoTitle.text(lang).to_owned(),
            desc: format!(
                "{} n = {} {}.",
                Report::CaseParetoDesc.text(lang),
                p.categorised,
                Report::NCases.text(lang)
            ),
            axis: Report::CaseParetoAxis.text(lang).to_owned(),
            no_data: self.pareto_too_few(lang),
            legend: [
                Report::CaseLegendCount.text(lang).to_owned(),
                Report::CaseLegendCumulative.text(lang).to_owned(),
                Report::CaseLegendEighty.text(lang).to_owned(),
            ],
            rows: p
                .bars
                .iter()
                .map(|b| ParetoRow {
                    label: self.taxonomy.label(&b.category, lang).to_owned(),
                    count: b.count,
                    cumulative: b.cumulative,
                })
                .collect(),
        }
    }

    /// One row per category: counts always (they are counts, not estimates); the shares
    /// only from min n on, as every other reading.
    pub fn pareto_csv(&self, lang: Lang) -> String {
        let p = &self.summary.pareto;
        let mut rows = vec![header(&[
            "category",
            "label",
            "count",
            "share",
            "share_low",
            "share_high",
            "cumulative_share",
            "n",
        ])];
        for b in &p.bars {
            let [value, low, high] = match b.share.estimate() {
                Some(e) if p.enough => [e.value, e.low, e.high].map(|x| format!("{x:.4}")),
                _ => [String::new(), String::new(), String::new()],
            };
            let cumulative = if p.enough {
                format!("{:.4}", b.cumulative)
            } else {
                String::new()
            };
            rows.push(vec![
                b.category.clone(),
                self.taxonomy.label(&b.category, lang).to_owned(),
                b.count.to_string(),
                value,
                low,
                high,
                cumulative,
                p.categorised.to_string(),
            ]);
        }
        rows.push(vec![
            String::new(),
            "(uncategorised)".into(),
            p.uncategorised.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.categorised.to_string(),
        ]);
        write(rows)
    }

    /// The KPIs, then the open and overdue counts, one per row.
    pub fn kpis_csv(&self) -> String {
        let mut rows = vec![header(&[
            "indicator",
            "value",
            "low",
            "high",
            "n",
            "unit",
            "interval",
        ])];
        for k in self.kpis() {
            let [value, low, high] = match k.reading.estimate() {
                Some(e) => [e.value, e.low, e.high].map(|x| format!("{x:.4}")),
                None => [String::new(), String::new(), String::new()],
            };
            rows.push(vec![
                k.id.to_owned(),
                value,
                low,
                high,
                k.reading.n().to_string(),
                k.unit.word().to_owned(),
                k.method.to_owned(),
            ]);
        }
        let s = &self.summary;
        for (id, count) in [("open_cases", s.open), ("overdue_cases", s.overdue)] {
            rows.push(vec![
                id.to_owned(),
                count.to_string(),
                String::new(),
                String::new(),
                s.cases.to_string(),
                "cases".into(),
                "exact count".into(),
            ]);
        }
        write(rows)
    }

    /// Open and overdue cases per store, with the store's name.
    pub fn stores_csv(&self, names: &dyn Fn(&str) -> Option<String>) -> String {
        let mut rows = vec![header(&["store", "name", "open", "overdue"])];
        for s in &self.summary.stores {
            rows.push(vec![
                s.store.clone(),
                names(&s.store).unwrap_or_default(),
                s.open.to_string(),
                s.overdue.to_string(),
            ]);
        }
        write(rows)
    }
}

fn header(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| (*c).to_owned()).collect()
}

/// The rows as CSV, every cell made spreadsheet-safe (store and category names are typed by people).
fn write(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row.iter().map(|c| crate::csv_safe::cell(c).into_owned()));
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::stats::CaseFacts;
    use time::macros::datetime;

    fn report(categories: &[&str], min_n: u64) -> CaseReport {
        let at = datetime!(2026-03-01 02:00 UTC);
        let facts: Vec<CaseFacts> = categories
            .iter()
            .map(|c| CaseFacts {
                store: "=S1".into(),
                category: Some((*c).to_owned()),
                opened_at: at,
                due: crate::cases::deadline::Due {
                    reply: at,
                    resolve: at,
                },
                first_reply_at: None,
                closed_at: None,
                valid: None,
                recovery_satisfied: None,
                contact: None,
            })
            .collect();
        CaseReport {
            // A second past both deadlines: every case is overdue.
            summary: stats::summarise(&facts, at + time::Duration::seconds(1), min_n),
            taxonomy: Taxonomy::shipped(),
            min_n,
        }
    }

    #[test]
    fn pareto_csv_labels_categories_and_hides_shares_below_min_n() {
        let r = report(&["delivery", "delivery", "stock", "=cmd"], 3);
        let csv = r.pareto_csv(Lang::En);
        let lines: Vec<&str> = csv.lines().collect();
        // 2 of 4 = 50%, cumulative 50%; then stock and "=cmd" tie at 1, by name: "=cmd" first.
        assert_eq!(
            lines[1].split(',').take(3).collect::<Vec<_>>(),
            ["delivery", "Delivery and installation", "2"]
        );
        assert!(lines[1].contains(",50.0000,") && lines[1].ends_with(",4"));
        assert!(
            lines[2].starts_with("'=cmd,'=cmd,1,"),
            "a formula-looking name is neutralised: {}",
            lines[2]
        );
        let few = report(&["delivery", "stock"], 3).pareto_csv(Lang::Zh);
        assert!(
            few.lines()
                .nth(1)
                .unwrap()
                .starts_with("delivery,送货与安装,1,,,,,2"),
            "{few}"
        );
        assert!(
            !report(&["delivery"], 3)
                .pareto_chart(Lang::En)
                .no_data
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn stores_csv_is_spreadsheet_safe() {
        let r = report(&["delivery"], 1);
        let csv = r.stores_csv(&|_| Some("@evil".into()));
        assert_eq!(csv, "store,name,open,overdue\n'=S1,'@evil,1,1\n");
        assert!(
            r.kpis_csv()
                .contains("overdue_cases,1,,,1,cases,exact count")
        );
    }
}
