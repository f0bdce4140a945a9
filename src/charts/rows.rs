//! Charts with one row per item, so they grow downwards on a phone: labelled bars (leagues,
//! gaps, channels) and the stores × sections heat map.

use super::render::{TEXT, WIDTH, too_few};
use super::svg::{self, Anchor, Svg, Swatch};
use super::{Chart, Kind, palette};
use crate::i18n::reports::Report;
use crate::indicators::Reading;

/// Most bars drawn when the model does not say; the CSV always holds every row.
const MAX_BARS: usize = 40;
/// Most heat-map rows (stores) drawn: the weakest, in their order.
const MAX_ROWS: usize = 40;

const TOP: f64 = 24.0;
const BAR_ROW: f64 = 34.0;
const GAP_ROW: f64 = 24.0;

enum Row<'a> {
    Bar(usize, &'a str, &'a Reading),
    Hidden(usize),
}

/// One row per bar: the label and its value with n on one line, the bar and its 95%
/// interval below. A league with `keep` shows its top and bottom, and says how many are left out.
pub(super) fn bars(chart: &Chart) -> String {
    let Kind::Bars { bars, keep, ranked } = &chart.kind else {
        return String::new();
    };
    let total = bars.len();
    let keep = keep.or((total > MAX_BARS).then_some(MAX_BARS / 2));
    let mut rows: Vec<Row> = Vec::new();
    let mut desc = chart.desc.clone();
    match keep {
        Some(k) if total > 2 * k => {
            rows.extend(
                bars[..k]
                    .iter()
                    .enumerate()
                    .map(|(i, (l, r))| Row::Bar(i + 1, l, r)),
            );
            rows.push(Row::Hidden(total - 2 * k));
            rows.extend(
                bars[total - k..]
                    .iter()
                    .enumerate()
                    .map(|(i, (l, r))| Row::Bar(total - k + i + 1, l, r)),
            );
            desc = format!(
                "{desc} {}",
                Report::LeagueCut
                    .fill(chart.lang, k)
                    .replace("{total}", &total.to_string())
            );
        }
        _ => rows.extend(
            bars.iter()
                .enumerate()
                .map(|(i, (l, r))| Row::Bar(i + 1, l, r)),
        ),
    }
    let shown = || {
        rows.iter().filter_map(|r| match r {
            Row::Bar(_, _, reading) => reading.estimate(),
            Row::Hidden(_) => None,
        })
    };
    let lo = shown().map(|e| e.low).fold(0.0, f64::min);
    let hi = shown().map(|e| e.high).fold(0.0, f64::max);
    let hi = if hi - lo < 1e-9 { lo + 1.0 } else { hi };
    let x = |v: f64| 4.0 + (v - lo) / (hi - lo) * (WIDTH - 8.0);
    let height: f64 = TOP
        + rows
            .iter()
            .map(|r| {
                if matches!(r, Row::Bar(..)) {
                    BAR_ROW
                } else {
                    GAP_ROW
                }
            })
            .sum::<f64>()
        + 6.0;
    let mut s = Svg::new(WIDTH, height);
    s.text(
        (4.0, 14.0),
        TEXT,
        Anchor::Start,
        svg::BLACK,
        &svg::fit(&chart.y_label, TEXT, WIDTH - 8.0),
    );
    let mut top = TOP;
    if lo < 0.0 {
        s.line((x(0.0), TOP), (x(0.0), height - 6.0), svg::LIGHT, 1.0);
    }
    for row in &rows {
        match row {
            Row::Hidden(n) => {
                let text = Report::HiddenRows.fill(chart.lang, n);
                s.text(
                    (WIDTH / 2.0, top + 16.0),
                    TEXT,
                    Anchor::Middle,
                    svg::GREY,
                    &text,
                );
                top += GAP_ROW;
            }
            Row::Bar(rank, label, reading) => {
                let (value, color) = match reading.estimate() {
                    Some(e) => (
                        format!(
                            "{} · {}",
                            chart.unit.value(e.value),
                            chart.counts.n(e.n, chart.lang)
                        ),
                        svg::BLACK,
                    ),
                    None => (too_few(chart), svg::GREY),
                };
                let value_w = svg::text_width(&value, TEXT);
                let label = if *ranked {
                    format!("{rank}. {label}")
                } else {
                    (*label).to_owned()
                };
                let room = WIDTH - 8.0 - value_w - 10.0;
                s.text(
                    (4.0, top + 13.0),
                    TEXT,
                    Anchor::Start,
                    svg::BLACK,
                    &svg::fit(&label, TEXT, room),
                );
                s.text((WIDTH - 4.0, top + 13.0), TEXT, Anchor::End, color, &value);
                if let Some(e) = reading.estimate() {
                    let fill = svg::rgb(if e.value < 0.0 {
                        palette::VERMILLION
                    } else {
                        palette::BLUE
                    });
                    let (a, b) = (x(0.0).min(x(e.value)), x(0.0).max(x(e.value)));
                    s.rect(a, top + 18.0, (b - a).max(1.0), 10.0, &fill);
                    s.line(
                        (x(e.low), top + 23.0),
                        (x(e.high), top + 23.0),
                        svg::BLACK,
                        1.5,
                    );
                }
                top += BAR_ROW;
            }
        }
    }
    s.finish(&chart.title, &desc)
}

/// Light to dark blue: one hue, so order is clear without telling colours apart.
fn shade(v: f64) -> String {
    let t = (v / 100.0).clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    svg::rgb((mix(247, 8), mix(251, 48), mix(255, 107)))
}

const HEAT_ROW: f64 = 24.0;
const NOT_ENOUGH: &str = "#eeeeee";

/// Stores down, sections across with their names written upwards; a cell shows its mean
/// score, or "n < 5" when fewer audits than min n back it. The colour key sits below.
pub(super) fn heatmap(chart: &Chart) -> String {
    let Kind::Heatmap {
        rows,
        columns,
        cells,
    } = &chart.kind
    else {
        return String::new();
    };
    let min_n = chart.min_n.max(1);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut desc = chart.desc.clone();
    if rows.len() > MAX_ROWS {
        let mean = |r: usize| {
            let v: Vec<f64> = cells[r]
                .iter()
                .flatten()
                .filter(|(_, n)| *n >= min_n)
                .map(|(x, _)| *x)
                .collect();
            if v.is_empty() {
                f64::INFINITY
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        order.sort_by(|a, b| mean(*a).total_cmp(&mean(*b)));
        order.truncate(MAX_ROWS);
        order.sort();
        desc = format!(
            "{desc} {}",
            Report::HeatCut
                .fill(chart.lang, MAX_ROWS)
                .replace("{total}", &rows.len().to_string())
        );
    }
    let label_w = order
        .iter()
        .map(|r| svg::text_width(&rows[*r], TEXT))
        .fold(40.0, f64::max)
        .min(WIDTH * 0.4)
        + 8.0;
    let header = columns
        .iter()
        .map(|c| svg::text_width(c, TEXT))
        .fold(30.0, f64::max)
        .min(130.0)
        + 10.0;
    let col_w = (WIDTH - label_w - 4.0) / columns.len().max(1) as f64;
    let legend: Vec<(Swatch, String)> = [0.0, 25.0, 50.0, 75.0, 100.0]
        .into_iter()
        .map(|v| {
            (
                Swatch::Block(shade(v)),
                if v == 100.0 {
                    "100%".to_owned()
                } else {
                    format!("{v:.0}")
                },
            )
        })
        .chain([(Swatch::Block(NOT_ENOUGH.into()), too_few(chart))])
        .collect();
    let (_, legend_rows) = svg::legend_layout(&legend, TEXT, WIDTH);
    let grid_bottom = header + HEAT_ROW * order.len() as f64;
    let mut s = Svg::new(
        WIDTH,
        grid_bottom + 8.0 + legend_rows as f64 * svg::LEGEND_ROW + 6.0,
    );
    s.text(
        (4.0, header - 6.0),
        TEXT,
        Anchor::Start,
        svg::GREY,
        &svg::fit(&chart.x_label, TEXT, label_w - 6.0),
    );
    for (j, c) in columns.iter().enumerate() {
        let cx = label_w + col_w * (j as f64 + 0.5);
        s.text_up(
            (cx + TEXT * 0.35, header - 4.0),
            TEXT,
            svg::BLACK,
            &svg::fit(c, TEXT, header - 8.0),
        );
    }
    for (i, r) in order.iter().enumerate() {
        let top = header + HEAT_ROW * i as f64;
        s.text(
            (4.0, top + 16.0),
            TEXT,
            Anchor::Start,
            svg::BLACK,
            &svg::fit(&rows[*r], TEXT, label_w - 8.0),
        );
        for (j, cell) in cells[*r].iter().enumerate() {
            let left = label_w + col_w * j as f64;
            let (fill, text, ink) = match cell {
                Some((v, n)) if *n >= min_n => (
                    shade(*v),
                    crate::i18n::format::number(*v, 0),
                    if *v > 55.0 { "#ffffff" } else { svg::BLACK },
                ),
                Some(_) => (NOT_ENOUGH.to_owned(), too_few(chart), svg::GREY),
                None => ("#f7f7f7".to_owned(), "—".to_owned(), svg::GREY),
            };
            s.rect(left + 1.0, top + 1.0, col_w - 2.0, HEAT_ROW - 2.0, &fill);
            s.text(
                (left + col_w / 2.0, top + 16.0),
                TEXT,
                Anchor::Middle,
                ink,
                &text,
            );
        }
    }
    s.legend(&legend, TEXT, grid_bottom + 8.0);
    s.finish(&chart.title, &desc)
}
