//! Report charts as data: one model per chart, rendered to SVG (`render`) and to CSV (`to_csv`) from the same values.

pub mod pareto;
mod render;
mod rows;
mod svg;

pub use render::{WIDTH, height, render_svg};

use crate::i18n::Lang;
use crate::i18n::format;
use crate::i18n::reports::Report;
use crate::indicators::Reading;

/// Okabe–Ito colours: told apart by readers with the common forms of colour blindness.
pub mod palette {
    pub const BLUE: (u8, u8, u8) = (0, 114, 178);
    pub const ORANGE: (u8, u8, u8) = (230, 159, 0);
    pub const VERMILLION: (u8, u8, u8) = (213, 94, 0);
    pub const GREEN: (u8, u8, u8) = (0, 158, 115);
    pub const GREY: (u8, u8, u8) = (153, 153, 153);
    pub const SKY: (u8, u8, u8) = (86, 180, 233);
}

/// A chart: its words (already in the reader's language) and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// One sentence for screen readers (`<desc>`).
    pub desc: String,
    pub x_label: String,
    pub y_label: String,
    /// Shown instead of a chart when there is nothing to draw.
    pub no_data: String,
    pub kind: Kind,
    /// The reader's language, for the words the drawing adds ("n < 5", "… 14 more stores …").
    pub lang: Lang,
    /// Fewer answers than this: a point or cell says "n < min_n", never a number.
    pub min_n: u64,
    /// How a value is written.
    pub unit: Unit,
    /// What n counts.
    pub counts: Counts,
}

/// How a chart's values are written, with their unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 54.5%
    Percent,
    /// 4.0‰ (per 1,000)
    PerMille,
    /// 9.1 (NPS points, gap points)
    Points,
    /// ¥108,770,064
    Money,
}

impl Unit {
    pub fn value(self, x: f64) -> String {
        match self {
            Unit::Percent => format::percent(x, 1),
            Unit::PerMille => format!("{}‰", format::number(x, 1)),
            Unit::Points => format::number(x, 1),
            Unit::Money => format::money(x),
        }
    }

    /// An interval as "[−23.1, −19.7]", in the value's decimals.
    pub fn interval(self, lo: f64, hi: f64) -> String {
        match self {
            Unit::Money => format::interval(lo, hi, 0),
            _ => format::interval(lo, hi, 1),
        }
    }
}

/// What a chart's n counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counts {
    Responses,
    Transactions,
    Audits,
    Respondents,
}

impl Counts {
    pub fn noun(self, lang: Lang) -> &'static str {
        match self {
            Counts::Responses => Report::NResponses.text(lang),
            Counts::Transactions => Report::NTransactions.text(lang),
            Counts::Audits => Report::NAudits.text(lang),
            Counts::Respondents => Report::NRespondents.text(lang),
        }
    }

    /// "n = 271,211 笔交易".
    pub fn n(self, n: u64, lang: Lang) -> String {
        format!(
            "n = {} {}",
            format::thousands(i64::try_from(n).unwrap_or(i64::MAX)),
            self.noun(lang)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A value per period with its 95% band, against the same periods of the previous range.
    Trend {
        periods: Vec<String>,
        /// Periods the range covers only in part (drawn with a `*`): fewer answers, wider band.
        partial: Vec<bool>,
        current: Vec<Reading>,
        previous: Vec<Reading>,
        legend: [String; 3],
    },
    /// Labelled bars, drawn in the given order, each with its interval and n. With `keep`,
    /// a long list draws only its first and last `keep` (a league's top and bottom).
    Bars {
        bars: Vec<(String, Reading)>,
        keep: Option<usize>,
        /// Labels carry their rank ("3. S007 …").
        ranked: bool,
    },
    /// Counts stacked per period as shares of the period's total (e.g. NPS groups).
    Stacked {
        periods: Vec<String>,
        segments: Vec<String>,
        counts: Vec<Vec<u64>>,
    },
    /// A value (mean %) with its n per row × column (stores × sections); `None` for no data.
    Heatmap {
        rows: Vec<String>,
        columns: Vec<String>,
        cells: Vec<Vec<Option<(f64, u64)>>>,
    },
}

impl Chart {
    /// The chart with every bar drawn (a league's "show all").
    pub fn with_all_rows(mut self) -> Chart {
        if let Kind::Bars { keep, .. } = &mut self.kind {
            *keep = Some(usize::MAX / 4);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        match &self.kind {
            Kind::Trend {
                current, previous, ..
            } => current
                .iter()
                .chain(previous)
                .all(|r| r.estimate().is_none()),
            Kind::Bars { bars, .. } => bars.is_empty(),
            Kind::Stacked { counts, .. } => counts.iter().flatten().all(|c| *c == 0),
            Kind::Heatmap { cells, .. } => cells.iter().flatten().all(Option::is_none),
        }
    }
}

fn reading_fields(r: &Reading) -> [String; 4] {
    match r.estimate() {
        Some(e) => [
            format!("{:.4}", e.value),
            format!("{:.4}", e.low),
            format!("{:.4}", e.high),
            e.n.to_string(),
        ],
        None => ["".into(), "".into(), "".into(), r.n().to_string()],
    }
}

/// The numbers behind a chart, one row per point, so a download matches what is drawn.
pub fn to_csv(chart: &Chart) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = Vec::new();
    match &chart.kind {
        Kind::Trend {
            periods,
            partial,
            current,
            previous,
            ..
        } => {
            rows.push(
                [
                    "period",
                    "value",
                    "low",
                    "high",
                    "n",
                    "previous_value",
                    "previous_low",
                    "previous_high",
                    "previous_n",
                    "partial",
                ]
                .map(String::from)
                .to_vec(),
            );
            for (i, p) in periods.iter().enumerate() {
                let mut row = vec![p.clone()];
                row.extend(current.get(i).map_or_else(
                    || [String::new(), String::new(), String::new(), String::new()],
                    reading_fields,
                ));
                row.extend(previous.get(i).map_or_else(
                    || [String::new(), String::new(), String::new(), String::new()],
                    reading_fields,
                ));
                row.push(partial.get(i).copied().unwrap_or(false).to_string());
                rows.push(row);
            }
        }
        Kind::Bars { bars, .. } => {
            rows.push(
                ["label", "value", "low", "high", "n"]
                    .map(String::from)
                    .to_vec(),
            );
            for (label, r) in bars {
                let mut row = vec![label.clone()];
                row.extend(reading_fields(r));
                rows.push(row);
            }
        }
        Kind::Stacked {
            periods,
            segments,
            counts,
        } => {
            let mut header = vec!["period".to_owned()];
            header.extend(segments.iter().cloned());
            header.push("n".into());
            rows.push(header);
            for (p, c) in periods.iter().zip(counts) {
                let mut row = vec![p.clone()];
                row.extend(c.iter().map(u64::to_string));
                row.push(c.iter().sum::<u64>().to_string());
                rows.push(row);
            }
        }
        Kind::Heatmap {
            rows: names,
            columns,
            cells,
        } => {
            rows.push(["row", "column", "value", "n"].map(String::from).to_vec());
            for (r, line) in names.iter().zip(cells) {
                for (c, cell) in columns.iter().zip(line) {
                    // Below min n the value is left out, as for every other reading.
                    let (v, n) = cell.map_or((String::new(), "0".into()), |(v, n)| {
                        let v = if n >= chart.min_n.max(1) {
                            format!("{v:.4}")
                        } else {
                            String::new()
                        };
                        (v, n.to_string())
                    });
                    rows.push(vec![r.clone(), c.clone(), v, n]);
                }
            }
        }
    }
    for row in rows {
        // Writing to a Vec cannot fail. Labels are store and channel names people typed.
        let _ = w.write_record(row.iter().map(|c| crate::csv_safe::cell(c).into_owned()));
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
