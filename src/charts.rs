//! Report charts as data: one model per chart, rendered to SVG (`render`) and to CSV (`to_csv`) from the same values.

mod render;

pub use render::render_svg;

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
    /// Labelled bars, drawn in the given order, each with its interval and n.
    Bars { bars: Vec<(String, Reading)> },
    /// Counts stacked per period as shares of the period's total (e.g. NPS groups).
    Stacked {
        periods: Vec<String>,
        segments: Vec<String>,
        counts: Vec<Vec<u64>>,
    },
    /// A value per row × column (sections × stores); `None` for no data.
    Heatmap {
        rows: Vec<String>,
        columns: Vec<String>,
        cells: Vec<Vec<Option<(f64, u64)>>>,
    },
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        match &self.kind {
            Kind::Trend {
                current, previous, ..
            } => current
                .iter()
                .chain(previous)
                .all(|r| r.estimate().is_none()),
            Kind::Bars { bars } => bars.is_empty(),
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
        Kind::Bars { bars } => {
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
                    let (v, n) = cell.map_or((String::new(), "0".into()), |(v, n)| {
                        (format!("{v:.4}"), n.to_string())
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
