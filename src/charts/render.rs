//! Drawing a chart model as SVG for a phone's screen: trends and stacked shares over periods
//! here, bars and heat maps (one row per store) in `rows`.
//!
//! Size: every chart is drawn `WIDTH` (360) units wide, with its viewBox as wide as its
//! `width`. A 390 px phone's content box is about 358–366 px, so a chart is shown there at
//! about its own size, never shrunk; no text is under 12 units, so none renders under 11 px
//! (12 × 358 / 360 ≈ 11.9). Wider screens show two charts a row (`views::reports`), scaled
//! up, never down. One size for every screen keeps the SVG the same for the page, the
//! lazy `<img>` and the download, and needs no client hints. Legends sit below the plot.

use super::rows::{bars, heatmap};
use super::svg::{self, Anchor, Svg, Swatch};
use super::{Chart, Kind, palette};
use crate::i18n::format;
use crate::i18n::reports::Report;
use crate::indicators::{Estimate, Reading};

/// The width every chart is drawn at, in SVG units (= CSS px on a phone).
pub const WIDTH: f64 = 360.0;
/// Smallest text: axis ticks, labels, legends.
pub(super) const TEXT: f64 = 12.0;

const PLOT_TOP: f64 = 26.0;
const PLOT_HEIGHT: f64 = 150.0;

/// The chart as a standalone SVG with `<title>` and `<desc>` for screen readers. Every text
/// is escaped, so the SVG may be inlined in a page.
pub fn render_svg(chart: &Chart) -> String {
    if chart.is_empty() {
        let mut s = Svg::new(WIDTH, 90.0);
        s.text(
            (8.0, 28.0),
            15.0,
            Anchor::Start,
            svg::BLACK,
            &svg::fit(&chart.title, 15.0, WIDTH - 16.0),
        );
        s.text((8.0, 60.0), 13.0, Anchor::Start, svg::GREY, &chart.no_data);
        return s.finish(&chart.title, &chart.desc);
    }
    match &chart.kind {
        Kind::Trend { .. } | Kind::Stacked { .. } => periods_chart(chart),
        Kind::Bars { .. } => bars(chart),
        Kind::Heatmap { .. } => heatmap(chart),
    }
}

/// The chart's height in SVG units, as `render_svg` draws it (for `<img height>`).
pub fn height(chart: &Chart) -> u32 {
    let svg = render_svg(chart);
    svg.split_once("height=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|h| h.parse::<f64>().ok())
        .map_or(200, |h| h as u32)
}

/// "n < 5" in the chart's language.
pub(super) fn too_few(chart: &Chart) -> String {
    Report::TooFew.fill(chart.lang, chart.min_n)
}

/// Short period labels: "2026-08-24" → "08-24", "2026-08" stays; a partial period gets "*".
fn short(period: &str, partial: bool) -> String {
    let base = if period.len() == 10 {
        &period[5..]
    } else {
        period
    };
    if partial {
        format!("{base}*")
    } else {
        base.to_owned()
    }
}

/// The range covering every value and interval, padded, never empty.
fn y_range(readings: &[Reading]) -> (f64, f64) {
    let (lo, hi) = readings
        .iter()
        .filter_map(Reading::estimate)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
            (lo.min(e.low), hi.max(e.high))
        });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    (lo - pad, hi + pad)
}

/// Trend lines or stacked shares over the periods, with the axes and a legend below.
fn periods_chart(chart: &Chart) -> String {
    let (periods, partial, lo, hi) = match &chart.kind {
        Kind::Trend {
            periods,
            partial,
            current,
            previous,
            ..
        } => {
            let all: Vec<Reading> = current.iter().chain(previous).copied().collect();
            let (lo, hi) = y_range(&all);
            (periods, partial.clone(), lo, hi)
        }
        Kind::Stacked { periods, .. } => (periods, vec![], 0.0, 100.0),
        _ => return String::new(),
    };
    let ticks = svg::ticks(lo, hi, 4);
    let (lo, hi) = (
        ticks.first().copied().unwrap_or(lo).min(lo),
        ticks.last().copied().unwrap_or(hi).max(hi),
    );
    let stacked = matches!(chart.kind, Kind::Stacked { .. });
    let tick_text = |t: f64| {
        if stacked {
            format!("{}%", format::number(t, 0))
        } else {
            format::number(t, if hi - lo < 4.0 { 1 } else { 0 })
        }
    };
    let left = ticks
        .iter()
        .map(|t| svg::text_width(&tick_text(*t), TEXT))
        .fold(24.0, f64::max)
        + 8.0;
    let (x0, x1) = (left, WIDTH - 8.0);
    let (y0, y1) = (PLOT_TOP, PLOT_TOP + PLOT_HEIGHT);
    let n = periods.len().max(1);
    let step = if n > 1 {
        (x1 - x0 - 16.0) / (n - 1) as f64
    } else {
        0.0
    };
    let slot = (x1 - x0) / n as f64;
    let x = |i: usize| {
        if stacked {
            x0 + slot * (i as f64 + 0.5)
        } else if n > 1 {
            x0 + 8.0 + step * i as f64
        } else {
            (x0 + x1) / 2.0
        }
    };
    let y = |v: f64| y1 - (v - lo) / (hi - lo).max(1e-9) * (y1 - y0);
    // Room per period, for its label and its "n < 5" mark.
    let spacing = if stacked {
        slot
    } else if n > 1 {
        step
    } else {
        x1 - x0
    };

    let legend = legend_entries(chart);
    let legend_top = y1 + 40.0;
    let (_, rows) = svg::legend_layout(&legend, TEXT, WIDTH);
    let mut s = Svg::new(WIDTH, legend_top + rows as f64 * svg::LEGEND_ROW + 6.0);
    s.text(
        (4.0, 14.0),
        TEXT,
        Anchor::Start,
        svg::BLACK,
        &svg::fit(&chart.y_label, TEXT, WIDTH - 8.0),
    );
    for t in &ticks {
        s.line((x0, y(*t)), (x1, y(*t)), "#e8eaed", 1.0);
        s.text(
            (x0 - 4.0, y(*t) + 4.0),
            TEXT,
            Anchor::End,
            svg::GREY,
            &tick_text(*t),
        );
    }
    s.line((x0, y1), (x1, y1), svg::LIGHT, 1.0);
    // Period labels, as many as fit side by side.
    let labels: Vec<String> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| short(p, partial.get(i).copied().unwrap_or(false)))
        .collect();
    let widest = labels
        .iter()
        .map(|l| svg::text_width(l, TEXT))
        .fold(0.0, f64::max)
        + 6.0;
    let every = if spacing > 0.0 {
        (widest / spacing).ceil().max(1.0) as usize
    } else {
        1
    };
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 {
            s.text((x(i), y1 + 16.0), TEXT, Anchor::Middle, svg::BLACK, l);
        }
    }
    s.text(
        (x1, y1 + 32.0),
        TEXT,
        Anchor::End,
        svg::GREY,
        &chart.x_label,
    );
    // Marks for periods with too few answers, written upwards when there is room.
    let mark = |s: &mut Svg, i: usize| {
        if spacing >= TEXT + 2.0 {
            s.text_up(
                (x(i) + TEXT * 0.35, y1 - 4.0),
                TEXT,
                svg::GREY,
                &too_few(chart),
            );
        }
    };
    match &chart.kind {
        Kind::Trend {
            current, previous, ..
        } => {
            let blue = svg::rgb(palette::BLUE);
            for run in runs(previous) {
                let line: Vec<(f64, f64)> = run.iter().map(|(i, e)| (x(*i), y(e.value))).collect();
                s.polyline(&line, &svg::rgb(palette::GREY), 2.0, Some("6 4"));
            }
            for run in runs(current) {
                let mut band: Vec<(f64, f64)> =
                    run.iter().map(|(i, e)| (x(*i), y(e.high))).collect();
                band.extend(run.iter().rev().map(|(i, e)| (x(*i), y(e.low))));
                s.polygon(&band, &blue, 0.18);
                let line: Vec<(f64, f64)> = run.iter().map(|(i, e)| (x(*i), y(e.value))).collect();
                s.polyline(&line, &blue, 2.5, None);
                for p in line {
                    s.circle(p, 3.0, &blue);
                }
            }
            for (i, r) in current.iter().enumerate() {
                if r.estimate().is_none() && r.n() > 0 {
                    mark(&mut s, i);
                }
            }
        }
        Kind::Stacked { counts, .. } => {
            let colors = stack_colors();
            let width = (slot * 0.76).min(40.0);
            for (i, c) in counts.iter().enumerate() {
                let total: u64 = c.iter().sum();
                if total < chart.min_n.max(1) {
                    if total > 0 {
                        mark(&mut s, i);
                    }
                    continue;
                }
                let mut below = 0u64;
                for (k, here) in c.iter().enumerate() {
                    let (v0, v1) = (
                        100.0 * below as f64 / total as f64,
                        100.0 * (below + here) as f64 / total as f64,
                    );
                    s.rect(
                        x(i) - width / 2.0,
                        y(v1),
                        width,
                        y(v0) - y(v1),
                        &colors[k % colors.len()],
                    );
                    below += here;
                }
            }
        }
        _ => {}
    }
    s.legend(&legend, TEXT, legend_top);
    s.finish(&chart.title, &chart.desc)
}

fn stack_colors() -> [String; 4] {
    [
        palette::VERMILLION,
        palette::GREY,
        palette::BLUE,
        palette::GREEN,
    ]
    .map(svg::rgb)
}

fn legend_entries(chart: &Chart) -> Vec<(Swatch, String)> {
    match &chart.kind {
        Kind::Trend {
            current, legend, ..
        } => {
            let mut e = vec![
                (Swatch::Line(svg::rgb(palette::BLUE)), legend[0].clone()),
                (Swatch::Dashed(svg::rgb(palette::GREY)), legend[1].clone()),
                (Swatch::Block("#c7dced".into()), legend[2].clone()),
            ];
            if current.iter().any(|r| r.estimate().is_none()) {
                e.push((
                    Swatch::None,
                    Report::LegendGap.fill(chart.lang, chart.min_n),
                ));
            }
            e
        }
        Kind::Stacked {
            segments, counts, ..
        } => {
            let colors = stack_colors();
            let mut e: Vec<(Swatch, String)> = segments
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    (
                        Swatch::Block(colors[k % colors.len()].clone()),
                        name.clone(),
                    )
                })
                .collect();
            let total: u64 = counts.iter().flatten().sum();
            e.push((Swatch::None, chart.counts.n(total, chart.lang)));
            if counts
                .iter()
                .any(|c| c.iter().sum::<u64>() < chart.min_n.max(1))
            {
                e.push((
                    Swatch::None,
                    Report::LegendGap.fill(chart.lang, chart.min_n),
                ));
            }
            e
        }
        _ => vec![],
    }
}

/// Runs of periods with enough data: gaps stay gaps instead of being bridged by a line.
fn runs(readings: &[Reading]) -> Vec<Vec<(usize, Estimate)>> {
    let mut out: Vec<Vec<(usize, Estimate)>> = vec![Vec::new()];
    for (i, r) in readings.iter().enumerate() {
        match r.estimate() {
            Some(e) => {
                if let Some(run) = out.last_mut() {
                    run.push((i, e));
                }
            }
            None => out.push(Vec::new()),
        }
    }
    out.into_iter().filter(|r| !r.is_empty()).collect()
}
