//! Drawing a chart model as SVG with plotters: axes with titles, bands, bars, stacks and heat maps.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, Kind, palette};
use crate::indicators::Reading;

const WIDTH: u32 = 720;
const FONT: &str = "sans-serif";

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Renders the chart as a standalone SVG with `<title>` and `<desc>` for screen readers.
/// Plotters escapes the text it writes, so the SVG may be inlined in a page.
pub fn render_svg(chart: &Chart) -> String {
    let shown = readable(chart);
    let chart = &shown;
    let height = match &chart.kind {
        Kind::Bars { bars } => (90 + 26 * bars.len().max(1)).min(1400) as u32,
        Kind::Heatmap { rows, .. } => (110 + 34 * rows.len().max(1)) as u32,
        _ => 360,
    };
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(&root, chart).and_then(|()| root.present().map_err(Into::into))
    };
    if let Err(e) = drawn {
        tracing::error!(error = %e, chart = %chart.title, "chart drawing failed");
        svg.clear();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 120)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = root.draw(&Text::new(
            chart.no_data.as_str(),
            (20, 60),
            (FONT, 16).into_font(),
        ));
        let _ = root.present();
    }
    with_title(&svg, chart)
}

/// Most bars and heat-map columns a chart draws; beyond that it would be unreadable.
/// The CSV always holds every row.
const MAX_BARS: usize = 40;
const MAX_COLUMNS: usize = 30;

/// The chart as drawn: long leagues keep the best and weakest 20, wide heat maps the
/// 30 weakest stores, and the description says so.
fn readable(chart: &Chart) -> Chart {
    let mut c = chart.clone();
    match &mut c.kind {
        Kind::Bars { bars } if bars.len() > MAX_BARS => {
            let total = bars.len();
            let tail = bars.split_off(total - MAX_BARS / 2);
            bars.truncate(MAX_BARS / 2);
            bars.extend(tail);
            c.desc = format!(
                "{} Showing the best and weakest {} of {total}; the CSV has all.",
                c.desc,
                MAX_BARS / 2
            );
        }
        Kind::Heatmap { columns, cells, .. } if columns.len() > MAX_COLUMNS => {
            let total = columns.len();
            let mean = |col: usize| {
                let v: Vec<f64> = cells
                    .iter()
                    .filter_map(|r| r.get(col).copied().flatten().map(|(x, _)| x))
                    .collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            };
            let mut order: Vec<usize> = (0..total).collect();
            order.sort_by(|a, b| mean(*a).total_cmp(&mean(*b)));
            order.truncate(MAX_COLUMNS);
            order.sort();
            *columns = order.iter().map(|i| columns[*i].clone()).collect();
            for row in cells.iter_mut() {
                *row = order
                    .iter()
                    .map(|i| row.get(*i).copied().flatten())
                    .collect();
            }
            c.desc = format!(
                "{} Showing the {MAX_COLUMNS} weakest of {total} stores; the CSV has all.",
                c.desc
            );
        }
        _ => {}
    }
    c
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Adds the accessible name and description right after the opening `<svg …>` tag.
fn with_title(svg: &str, chart: &Chart) -> String {
    let Some(open_end) = svg
        .find("<svg")
        .and_then(|s| svg[s..].find('>').map(|e| s + e))
    else {
        return svg.to_owned();
    };
    let (head, rest) = svg.split_at(open_end);
    format!(
        "{head} role=\"img\"><title>{}</title><desc>{}</desc>{}",
        escape(&chart.title),
        escape(&chart.desc),
        &rest[1..]
    )
}

fn draw(root: &Area, chart: &Chart) -> DrawResult {
    root.fill(&WHITE)?;
    if chart.is_empty() {
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            chart.title.as_str(),
            (16, 24),
            (FONT, 18).into_font(),
        ))?;
        let style = (FONT, 16).into_font().color(&rgb(palette::GREY));
        root.draw(&Text::new(
            chart.no_data.as_str(),
            (w as i32 / 2 - 60, h as i32 / 2),
            style,
        ))?;
        return Ok(());
    }
    match &chart.kind {
        Kind::Trend {
            periods,
            partial,
            current,
            previous,
            legend,
        } => {
            let labels: Vec<String> = periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if partial.get(i).copied().unwrap_or(false) {
                        format!("{p}*")
                    } else {
                        p.clone()
                    }
                })
                .collect();
            trend(root, chart, &labels, current, previous, legend)
        }
        Kind::Bars { bars } => bars_chart(root, chart, bars),
        Kind::Stacked {
            periods,
            segments,
            counts,
        } => stacked(root, chart, periods, segments, counts),
        Kind::Heatmap {
            rows,
            columns,
            cells,
        } => heatmap(root, chart, rows, columns, cells),
    }
}

/// The y range covering every value and interval, padded, never empty.
fn y_range(readings: impl Iterator<Item = Reading>) -> (f64, f64) {
    let (lo, hi) = readings
        .filter_map(|r| r.estimate())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
            (lo.min(e.low), hi.max(e.high))
        });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    (lo - pad, hi + pad)
}

fn trend(
    root: &Area,
    chart: &Chart,
    periods: &[String],
    current: &[Reading],
    previous: &[Reading],
    legend: &[String; 3],
) -> DrawResult {
    let (lo, hi) = y_range(current.iter().chain(previous).copied());
    let last = periods.len().saturating_sub(1).max(1) as f64;
    let mut c = ChartBuilder::on(root)
        .caption(chart.title.as_str(), (FONT, 18))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.3..last + 0.3, lo..hi)?;
    c.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_labels(periods.len().clamp(2, 8))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                periods.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE)
        .draw()?;
    let blue = rgb(palette::BLUE);
    // Runs of periods with enough data: gaps stay gaps instead of being bridged by a line.
    let runs = |rs: &[Reading]| -> Vec<Vec<(f64, crate::indicators::Estimate)>> {
        let mut out: Vec<Vec<(f64, crate::indicators::Estimate)>> = vec![Vec::new()];
        for (i, r) in rs.iter().enumerate() {
            match r.estimate() {
                Some(e) => out
                    .last_mut()
                    .map(|run| run.push((i as f64, e)))
                    .unwrap_or_default(),
                None => out.push(Vec::new()),
            }
        }
        out.into_iter().filter(|r| !r.is_empty()).collect()
    };
    let mut first = true;
    for run in runs(current) {
        let mut band: Vec<(f64, f64)> = run.iter().map(|(x, e)| (*x, e.high)).collect();
        band.extend(run.iter().rev().map(|(x, e)| (*x, e.low)));
        let band = c.draw_series(std::iter::once(Polygon::new(band, blue.mix(0.18))))?;
        if first {
            band.label(legend[2].as_str()).legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 16, y + 5)], blue.mix(0.18).filled())
            });
        }
        let line = c.draw_series(LineSeries::new(
            run.iter().map(|(x, e)| (*x, e.value)),
            blue.stroke_width(3),
        ))?;
        if first {
            line.label(legend[0].as_str()).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], blue.stroke_width(3))
            });
        }
        c.draw_series(
            run.iter()
                .map(|(x, e)| Circle::new((*x, e.value), 4, blue.filled())),
        )?;
        first = false;
    }
    let grey = rgb(palette::GREY);
    let mut first = true;
    for run in runs(previous) {
        let points: Vec<(f64, f64)> = run.iter().map(|(x, e)| (*x, e.value)).collect();
        let line = c.draw_series(DashedLineSeries::new(points, 6, 4, grey.stroke_width(2)))?;
        if first {
            line.label(legend[1].as_str()).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], grey.stroke_width(2))
            });
        }
        first = false;
    }
    c.configure_series_labels()
        .border_style(grey)
        .background_style(WHITE.mix(0.9))
        .label_font((FONT, 13))
        .draw()?;
    Ok(())
}

fn bars_chart(root: &Area, chart: &Chart, bars: &[(String, Reading)]) -> DrawResult {
    let (lo, hi) = y_range(bars.iter().map(|(_, r)| *r));
    // Room on the right for the "value (n=…)" labels.
    let (lo, hi) = (
        lo.min(0.0),
        hi.max(0.0) + 0.28 * (hi.max(0.0) - lo.min(0.0)),
    );
    let decimals = if hi - lo < 8.0 { 1 } else { 0 };
    let n = bars.len();
    let mut c = ChartBuilder::on(root)
        .caption(chart.title.as_str(), (FONT, 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(150)
        .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))?;
    c.configure_mesh()
        .x_desc(chart.y_label.as_str())
        .y_desc(chart.x_label.as_str())
        .y_labels(n.max(1))
        .y_label_formatter(&|y| {
            let i = y.round();
            // Row 0 at the top: the first bar in the list is drawn highest.
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                n.checked_sub(i as usize + 1)
                    .and_then(|at| bars.get(at))
                    .map(|(l, _)| l.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x| format!("{x:.decimals$}"))
        .light_line_style(WHITE)
        .draw()?;
    let blue = rgb(palette::BLUE);
    let label_style = (FONT, 12).into_font().color(&BLACK);
    for (i, (_, r)) in bars.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        match r.estimate() {
            Some(e) => {
                let color = if e.value < 0.0 {
                    rgb(palette::VERMILLION)
                } else {
                    blue
                };
                c.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.35), (e.value, y + 0.35)],
                    color.filled(),
                )))?;
                c.draw_series(std::iter::once(PathElement::new(
                    [(e.low, y), (e.high, y)],
                    BLACK.stroke_width(2),
                )))?;
                let at = e.high.max(0.0);
                c.draw_series(std::iter::once(Text::new(
                    format!("{:.1} (n={})", e.value, e.n),
                    (at, y + 0.15),
                    label_style.clone(),
                )))?;
            }
            None => {
                c.draw_series(std::iter::once(Text::new(
                    format!("n={} —", r.n()),
                    (0.0, y + 0.15),
                    label_style.clone(),
                )))?;
            }
        }
    }
    Ok(())
}

fn stacked(
    root: &Area,
    chart: &Chart,
    periods: &[String],
    segments: &[String],
    counts: &[Vec<u64>],
) -> DrawResult {
    let n = periods.len().max(1);
    let mut c = ChartBuilder::on(root)
        .caption(chart.title.as_str(), (FONT, 18))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..100.0)?;
    c.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_labels(n.min(12))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                periods.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .light_line_style(WHITE)
        .draw()?;
    let colors = [
        rgb(palette::VERMILLION),
        rgb(palette::GREY),
        rgb(palette::BLUE),
        rgb(palette::GREEN),
    ];
    for (s, name) in segments.iter().enumerate() {
        let color = colors[s % colors.len()];
        let rects = counts.iter().enumerate().filter_map(move |(i, c)| {
            let total: u64 = c.iter().sum();
            (total > 0).then(|| {
                let below: u64 = c.iter().take(s).sum();
                let here = c.get(s).copied().unwrap_or(0);
                let (y0, y1) = (
                    100.0 * below as f64 / total as f64,
                    100.0 * (below + here) as f64 / total as f64,
                );
                Rectangle::new(
                    [(i as f64 - 0.38, y0), (i as f64 + 0.38, y1)],
                    color.filled(),
                )
            })
        });
        c.draw_series(rects)?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.filled()));
    }
    let small = (FONT, 11).into_font().color(&BLACK);
    c.draw_series(counts.iter().enumerate().map(|(i, cs)| {
        Text::new(
            format!("n={}", cs.iter().sum::<u64>()),
            (i as f64 - 0.3, 99.0),
            small.clone(),
        )
    }))?;
    c.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .border_style(rgb(palette::GREY))
        .background_style(WHITE.mix(0.9))
        .label_font((FONT, 13))
        .draw()?;
    Ok(())
}

/// Light to dark blue: one hue, so order is clear without telling colours apart.
fn shade(v: f64) -> RGBColor {
    let t = (v / 100.0).clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(247, 8), mix(251, 48), mix(255, 107))
}

fn heatmap(
    root: &Area,
    chart: &Chart,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<(f64, u64)>>],
) -> DrawResult {
    let (nr, nc) = (rows.len().max(1), columns.len().max(1));
    let mut c = ChartBuilder::on(root)
        .caption(chart.title.as_str(), (FONT, 18))
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(140)
        .build_cartesian_2d(-0.5..(nc as f64 - 0.5), -0.5..(nr as f64 - 0.5))?;
    c.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_labels(nc)
        .y_labels(nr)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                columns.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                nr.checked_sub(i as usize + 1)
                    .and_then(|at| rows.get(at))
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .draw()?;
    for (r, line) in cells.iter().enumerate() {
        let y = nr.saturating_sub(r + 1) as f64;
        for (col, cell) in line.iter().enumerate() {
            let x = col as f64;
            let (fill, text, dark) = match cell {
                Some((v, _)) => (shade(*v), format!("{v:.0}"), *v > 55.0),
                None => (RGBColor(238, 238, 238), "—".to_owned(), false),
            };
            c.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.48, y - 0.45), (x + 0.48, y + 0.45)],
                fill.filled(),
            )))?;
            let style = (FONT, 12)
                .into_font()
                .color(if dark { &WHITE } else { &BLACK });
            c.draw_series(std::iter::once(Text::new(text, (x - 0.2, y + 0.1), style)))?;
        }
    }
    Ok(())
}
