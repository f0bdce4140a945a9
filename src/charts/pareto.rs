//! The Pareto chart (the "80/20" of complaint causes) for a phone: one row per category, most frequent first, a bar for its count and the cumulative share as a line running down through the rows.
//!
//! Rows rather than columns: category names ("送货与安装", "Delivery and installation")
//! stay whole and level at 360 units, where upright columns would need slanted labels.
//! The bars' scale is the largest count; the line's is 0–100%, with the 80% mark dashed.
//! No text is under 12 units (see `render`'s sizing note).

use super::palette;
use super::render::{TEXT, WIDTH};
use super::svg::{self, Anchor, Svg, Swatch};

/// One row: the category's label, its count and the running share up to it (%).
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoRow {
    pub label: String,
    pub count: u64,
    pub cumulative: f64,
}

/// The chart's words (in the reader's language) and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoChart {
    pub title: String,
    pub desc: String,
    /// Above the plot: what the bars and the line measure.
    pub axis: String,
    /// Shown instead of the rows when there are too few cases ("not enough data (n = 3)").
    pub no_data: Option<String>,
    /// [bars, line, 80% mark].
    pub legend: [String; 3],
    pub rows: Vec<ParetoRow>,
}

const TOP: f64 = 24.0;
const ROW: f64 = 34.0;

fn rows_height(c: &ParetoChart) -> f64 {
    let (_, legend_rows) = svg::legend_layout(&legend(c), TEXT, WIDTH);
    TOP + ROW * c.rows.len() as f64 + 8.0 + svg::LEGEND_ROW * legend_rows as f64 + 4.0
}

fn legend(c: &ParetoChart) -> Vec<(Swatch, String)> {
    vec![
        (Swatch::Block(svg::rgb(palette::BLUE)), c.legend[0].clone()),
        (
            Swatch::Line(svg::rgb(palette::VERMILLION)),
            c.legend[1].clone(),
        ),
        (Swatch::Dashed(svg::GREY.to_owned()), c.legend[2].clone()),
    ]
}

/// The chart as a standalone SVG with `<title>` and `<desc>`; every text escaped.
pub fn render(c: &ParetoChart) -> String {
    if c.rows.is_empty() || c.no_data.is_some() {
        let mut s = Svg::new(WIDTH, 90.0);
        s.text(
            (8.0, 28.0),
            15.0,
            Anchor::Start,
            svg::BLACK,
            &svg::fit(&c.title, 15.0, WIDTH - 16.0),
        );
        let why = c.no_data.clone().unwrap_or_default();
        s.text(
            (8.0, 60.0),
            13.0,
            Anchor::Start,
            svg::GREY,
            &svg::fit(&why, 13.0, WIDTH - 16.0),
        );
        return s.finish(&c.title, &c.desc);
    }
    let height = rows_height(c);
    let mut s = Svg::new(WIDTH, height);
    let (left, right) = (4.0, WIDTH - 4.0);
    let span = right - left;
    s.text(
        (left, 14.0),
        TEXT,
        Anchor::Start,
        svg::BLACK,
        &svg::fit(&c.axis, TEXT, span),
    );
    let max = c.rows.iter().map(|r| r.count).max().unwrap_or(1).max(1) as f64;
    let plot_bottom = TOP + ROW * c.rows.len() as f64;
    let eighty = left + 0.8 * span;
    s.polyline(
        &[(eighty, TOP), (eighty, plot_bottom)],
        svg::GREY,
        1.0,
        Some("4 3"),
    );
    let mut line: Vec<(f64, f64)> = Vec::with_capacity(c.rows.len());
    for (i, r) in c.rows.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let bar_w = span * r.count as f64 / max;
        s.rect(left, top + 18.0, bar_w, 10.0, &svg::rgb(palette::BLUE));
        line.push((
            left + span * r.cumulative.clamp(0.0, 100.0) / 100.0,
            top + 23.0,
        ));
    }
    let red = svg::rgb(palette::VERMILLION);
    s.polyline(&line, &red, 2.0, None);
    for p in &line {
        s.circle(*p, 3.0, &red);
    }
    // The words go last, each on a white ground, so the line and the 80% mark pass
    // behind them instead of through them.
    for (i, r) in c.rows.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let value = format!(
            "{} · {}%",
            r.count,
            crate::i18n::format::number(r.cumulative, 0)
        );
        let value_w = svg::text_width(&value, TEXT);
        let label = svg::fit(
            &format!("{}. {}", i + 1, r.label),
            TEXT,
            span - value_w - 10.0,
        );
        let label_w = svg::text_width(&label, TEXT).min(span - value_w - 10.0);
        s.rect(left, top + 1.0, label_w, 16.0, "#ffffff");
        s.rect(right - value_w, top + 1.0, value_w, 16.0, "#ffffff");
        s.text((left, top + 13.0), TEXT, Anchor::Start, svg::BLACK, &label);
        s.text((right, top + 13.0), TEXT, Anchor::End, svg::BLACK, &value);
    }
    s.legend(&legend(c), TEXT, plot_bottom + 8.0);
    s.finish(&c.title, &c.desc)
}

/// The SVG's height, as `render` draws it (for `<img height>`).
pub fn height(c: &ParetoChart) -> u32 {
    if c.rows.is_empty() || c.no_data.is_some() {
        90
    } else {
        rows_height(c).ceil() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(rows: usize) -> ParetoChart {
        ParetoChart {
            title: "投诉原因 <帕累托>".into(),
            desc: "d".into(),
            axis: "件数（条）与累计占比（线）".into(),
            no_data: None,
            legend: ["件数".into(), "累计占比".into(), "80%".into()],
            rows: (0..rows)
                .map(|i| ParetoRow {
                    label: format!("送货与安装 & more {i}"),
                    count: (rows - i) as u64,
                    cumulative: 100.0 * (i + 1) as f64 / rows as f64,
                })
                .collect(),
        }
    }

    #[test]
    fn draws_a_row_per_category_at_phone_width_with_readable_text() {
        let c = chart(3);
        let svg = render(&c);
        assert!(svg.starts_with("<svg") && svg.contains(r#"viewBox="0 0 360 "#));
        assert!(
            svg.contains("&lt;帕累托&gt;") && svg.contains("&amp; more"),
            "text escaped"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        // The first bar is the longest: the full plot width.
        assert!(svg.contains(r#"width="352.0" height="10.0""#));
        assert!(svg.contains("3 · 33%") && svg.contains("1 · 100%"));
        for size in svg.split("font-size=\"").skip(1) {
            let px: f64 = size.split('"').next().unwrap().parse().unwrap();
            assert!(px >= 12.0, "text at {px}");
        }
        assert_eq!(
            height(&c),
            svg.split("height=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse::<u32>()
                .unwrap()
        );
    }

    #[test]
    fn too_few_cases_say_so_instead_of_drawing() {
        let mut c = chart(2);
        c.no_data = Some("数据不足 (n = 2)".into());
        let svg = render(&c);
        assert!(svg.contains("数据不足 (n = 2)") && !svg.contains("<circle"));
        assert_eq!(height(&c), 90);
        assert!(render(&chart(0)).contains("height=\"90\""));
    }
}
