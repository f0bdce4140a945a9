//! A small SVG writer for the charts: shapes and text in viewBox units, every text escaped,
//! plus text-width estimates (no font files are read), nice axis ticks and a wrapping legend.

use std::fmt::Write;

/// The fonts a reader's system has for Chinese and Latin text; inherited by every `<text>`.
const FONTS: &str =
    "system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif";

pub const BLACK: &str = "#1a1a1a";
pub const GREY: &str = "#555555";
pub const LIGHT: &str = "#c4c7cc";

pub fn rgb((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// About how wide `s` is at `size`: Han and other wide characters a full em, the rest 0.6 em.
/// A guess on the wide side, used to keep labels apart and inside the picture.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2e80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

/// `s`, cut with "…" so that it fits in `max` at `size`.
pub fn fit(s: &str, size: f64, max: f64) -> String {
    if text_width(s, size) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if text_width(&out, size) + size > max {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Round tick values (steps of 1, 2 or 5 × 10ᵏ) covering `lo..=hi`, about `target` of them.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-9);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut out = Vec::new();
    let mut t = first;
    while t <= hi + step * 0.999 && out.len() < 20 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// What a legend entry shows before its words.
#[derive(Clone)]
pub enum Swatch {
    Line(String),
    Dashed(String),
    Block(String),
    None,
}

pub const LEGEND_ROW: f64 = 20.0;

/// Where each legend entry goes when the entries flow left to right and wrap at `width`:
/// (x, row) per entry, and the number of rows.
pub fn legend_layout(
    entries: &[(Swatch, String)],
    size: f64,
    width: f64,
) -> (Vec<(f64, usize)>, usize) {
    let (mut x, mut row) = (4.0, 0);
    let mut at = Vec::new();
    for (swatch, text) in entries {
        let w = if matches!(swatch, Swatch::None) {
            0.0
        } else {
            22.0
        } + text_width(text, size);
        if x > 4.0 && x + w > width - 4.0 {
            x = 4.0;
            row += 1;
        }
        at.push((x, row));
        x += w + 14.0;
    }
    (at, if entries.is_empty() { 0 } else { row + 1 })
}

/// A picture being drawn; `finish` gives the document.
pub struct Svg {
    out: String,
    width: f64,
    height: f64,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        let mut s = Svg {
            out: String::new(),
            width,
            height,
        };
        s.rect(0.0, 0.0, width, height, "#ffffff");
        s
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = write!(
            self.out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}"/>"#,
            w.max(0.0),
            h.max(0.0)
        );
    }

    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64) {
        let _ = write!(
            self.out,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"/>"#
        );
    }

    fn points(points: &[(f64, f64)]) -> String {
        points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn polyline(
        &mut self,
        points: &[(f64, f64)],
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let dash = dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
        let _ = write!(
            self.out,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}/>"#,
            Svg::points(points)
        );
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], fill: &str, opacity: f64) {
        let _ = write!(
            self.out,
            r#"<polygon points="{}" fill="{fill}" fill-opacity="{opacity}"/>"#,
            Svg::points(points)
        );
    }

    pub fn circle(&mut self, (cx, cy): (f64, f64), r: f64, fill: &str) {
        let _ = write!(
            self.out,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r}" fill="{fill}"/>"#
        );
    }

    /// Text with its baseline at `y`.
    pub fn text(&mut self, (x, y): (f64, f64), size: f64, anchor: Anchor, fill: &str, text: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{}" fill="{fill}">{}</text>"#,
            anchor.as_str(),
            escape(text)
        );
    }

    /// Text read from bottom to top, starting at (x, y).
    pub fn text_up(&mut self, (x, y): (f64, f64), size: f64, fill: &str, text: &str) {
        let _ = write!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="start" fill="{fill}" transform="rotate(-90 {x:.1} {y:.1})">{}</text>"#,
            escape(text)
        );
    }

    /// Draws a legend whose first row's middle is at `top + LEGEND_ROW / 2`.
    pub fn legend(&mut self, entries: &[(Swatch, String)], size: f64, top: f64) {
        let (at, _) = legend_layout(entries, size, self.width);
        for ((swatch, text), (x, row)) in entries.iter().zip(at) {
            let mid = top + LEGEND_ROW * row as f64 + LEGEND_ROW / 2.0;
            let text_x = match swatch {
                Swatch::Line(c) => {
                    self.line((x, mid), (x + 16.0, mid), c, 3.0);
                    x + 22.0
                }
                Swatch::Dashed(c) => {
                    self.polyline(&[(x, mid), (x + 16.0, mid)], c, 2.0, Some("5 3"));
                    x + 22.0
                }
                Swatch::Block(c) => {
                    self.rect(x, mid - 6.0, 16.0, 12.0, c);
                    x + 22.0
                }
                Swatch::None => x,
            };
            self.text(
                (text_x, mid + size * 0.35),
                size,
                Anchor::Start,
                BLACK,
                text,
            );
        }
    }

    /// The document, with its accessible name and description first.
    pub fn finish(self, title: &str, desc: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONTS}" role="img"><title>{}</title><desc>{}</desc>{}</svg>"#,
            escape(title),
            escape(desc),
            self.out,
            w = self.width,
            h = self.height.ceil(),
        )
    }
}
