//! Charts come out as well-formed SVG with their title, axes and the expected number of series.

use super::*;
use crate::indicators::{Reading, nps, percent};

fn chart(kind: Kind) -> Chart {
    Chart {
        title: "CSAT <by week> & more".into(),
        desc: "Share of 4s and 5s".into(),
        x_label: "Week".into(),
        y_label: "CSAT (%)".into(),
        no_data: "No data for this selection".into(),
        kind,
        lang: crate::i18n::Lang::En,
        min_n: 5,
        unit: Unit::Percent,
        counts: Counts::Responses,
    }
}

fn bars(bars: Vec<(String, Reading)>) -> Kind {
    Kind::Bars {
        bars,
        keep: None,
        ranked: false,
    }
}

/// Every text as a phone shows it: the chart is drawn into a 358 px content box.
fn smallest_text_px(svg: &str) -> f64 {
    let doc = parse(svg);
    let root = doc.root_element();
    let view_width: f64 = root
        .attribute("viewBox")
        .and_then(|v| v.split_whitespace().nth(2))
        .and_then(|w| w.parse().ok())
        .expect("a viewBox");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.attribute("font-size")
                .and_then(|s| s.parse::<f64>().ok())
                .expect("every text has its size")
                * 358.0
                / view_width
        })
        .fold(f64::INFINITY, f64::min)
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"))
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}

#[test]
fn a_trend_has_title_desc_axis_titles_band_and_two_lines() {
    let periods: Vec<String> = (1..=4).map(|w| format!("W{w}")).collect();
    let current = vec![
        percent(40, 50, 5),
        percent(3, 4, 5),
        percent(45, 50, 5),
        percent(48, 50, 5),
    ];
    let previous = vec![
        percent(30, 50, 5),
        percent(35, 50, 5),
        percent(36, 50, 5),
        percent(38, 50, 5),
    ];
    let c = chart(Kind::Trend {
        partial: vec![],
        periods,
        current,
        previous,
        legend: ["This".into(), "Before".into(), "95% CI".into()],
    });
    let svg = render_svg(&c);
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    let first: Vec<&str> = root
        .children()
        .filter(|n| n.is_element())
        .take(2)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(first, ["title", "desc"]);
    assert_eq!(
        root.children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text()),
        Some("CSAT <by week> & more")
    );
    let t = texts(&doc);
    for needle in ["Week", "CSAT (%)", "W1", "W4", "This", "Before", "95% CI"] {
        assert!(
            t.iter().any(|s| s == needle),
            "missing text {needle}: {t:?}"
        );
    }
    // The week with n = 4 splits the current line into two runs, each with a band;
    // the previous range is one dashed line.
    let polygons = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon"))
        .count();
    assert!(polygons >= 2, "bands: {polygons}");
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    assert!(
        lines >= 3,
        "two current runs and the previous line: {lines}"
    );
}

#[test]
fn bars_show_each_label_with_its_n_and_not_enough_data_as_such() {
    let c = chart(bars(vec![
        ("S001 南京路店".into(), percent(45, 50, 5)),
        ("S002".into(), percent(20, 40, 5)),
        ("S003".into(), Reading::NotEnough { n: 2 }),
    ]));
    let doc_svg = render_svg(&c);
    let doc = parse(&doc_svg);
    let t = texts(&doc);
    assert!(t.iter().any(|s| s == "S001 南京路店"));
    assert!(t.iter().any(|s| s == "90.0% · n = 50 responses"), "{t:?}");
    assert!(t.iter().any(|s| s == "n < 5"), "{t:?}");
    assert!(!doc_svg.contains("-0.0"));
    let rects = doc.descendants().filter(|n| n.has_tag_name("rect")).count();
    assert!(rects >= 3, "background and two bars: {rects}");
}

#[test]
fn a_stacked_chart_has_one_series_per_segment() {
    let c = chart(Kind::Stacked {
        periods: vec!["2026-10".into(), "2026-11".into()],
        segments: vec!["Detractors".into(), "Passives".into(), "Promoters".into()],
        counts: vec![vec![10, 20, 70], vec![5, 15, 30]],
    });
    let svg = render_svg(&c);
    let doc = parse(&svg);
    let t = texts(&doc);
    for s in ["Detractors", "Passives", "Promoters", "n = 150 responses"] {
        assert!(t.iter().any(|x| x == s), "missing {s}");
    }
}

#[test]
fn a_heatmap_writes_each_cell_and_small_cells_as_too_few() {
    let c = chart(Kind::Heatmap {
        rows: vec!["S001".into(), "S002".into()],
        columns: vec!["Greeting".into(), "Checkout".into()],
        cells: vec![
            vec![Some((92.5, 6)), None],
            vec![Some((40.0, 5)), Some((100.0, 1))],
        ],
    });
    let doc_svg = render_svg(&c);
    let t = texts(&parse(&doc_svg));
    for s in ["Greeting", "S002", "92", "—", "40", "n < 5"] {
        assert!(t.iter().any(|x| x == s), "missing {s}: {t:?}");
    }
    assert!(
        !t.iter().any(|x| x == "100"),
        "a cell of one audit shows no number"
    );
    assert!(to_csv(&c).contains("S002,Checkout,,1"), "nor in the CSV");
}

#[test]
fn an_empty_chart_says_no_data_instead_of_drawing_nothing() {
    let c = chart(Kind::Trend {
        partial: vec![],
        periods: vec![],
        current: vec![],
        previous: vec![],
        legend: ["a".into(), "b".into(), "c".into()],
    });
    let svg = render_svg(&c);
    assert!(
        texts(&parse(&svg))
            .iter()
            .any(|s| s == "No data for this selection")
    );
    let c = chart(bars(vec![]));
    assert!(render_svg(&c).contains("No data for this selection"));
    let one = chart(Kind::Trend {
        partial: vec![],
        periods: vec!["W1".into()],
        current: vec![percent(5, 5, 5)],
        previous: vec![Reading::NotEnough { n: 0 }],
        legend: ["a".into(), "b".into(), "c".into()],
    });
    parse(&render_svg(&one));
}

#[test]
fn the_csv_holds_the_same_numbers_as_the_chart() {
    let c = chart(Kind::Trend {
        partial: vec![false, true],
        periods: vec!["W1".into(), "W2".into()],
        current: vec![percent(8, 10, 5), Reading::NotEnough { n: 3 }],
        previous: vec![nps(5, 3, 2, 5), percent(1, 1, 5)],
        legend: ["a".into(), "b".into(), "c".into()],
    });
    let csv = to_csv(&c);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "period,value,low,high,n,previous_value,previous_low,previous_high,previous_n,partial"
    );
    assert!(lines[1].starts_with("W1,80.0000,49.0"), "{}", lines[1]);
    assert_eq!(lines[2], "W2,,,,3,,,,1,true");
}

#[test]
fn a_long_league_draws_the_best_and_weakest_twenty_but_the_csv_keeps_all() {
    let bars: Vec<(String, Reading)> = (0..50)
        .map(|i| (format!("S{i:03}"), percent(50 - i, 50, 5)))
        .collect();
    let c = chart(self::bars(bars));
    let svg = render_svg(&c);
    let t = texts(&parse(&svg));
    assert!(t.iter().any(|s| s == "S000") && t.iter().any(|s| s == "S049"));
    assert!(t.iter().any(|s| s == "… 10 more stores …"), "{t:?}");
    assert!(
        !t.iter().any(|s| s == "S025"),
        "a middle store is left out of the drawing"
    );
    assert!(svg.contains("best and weakest 20 of 50"));
    assert_eq!(to_csv(&c).lines().count(), 51);
}

#[test]
fn a_partial_period_is_marked_with_a_star() {
    let c = chart(Kind::Trend {
        partial: vec![false, true],
        periods: vec!["W1".into(), "W2".into()],
        current: vec![percent(8, 10, 5), percent(4, 5, 5)],
        previous: vec![],
        legend: ["a".into(), "b".into(), "c".into()],
    });
    let t = texts(&parse(&render_svg(&c)));
    assert!(
        t.iter().any(|s| s == "W1") && t.iter().any(|s| s == "W2*"),
        "{t:?}"
    );
}

#[test]
fn a_league_keeps_its_top_and_bottom_with_ranks_and_show_all_draws_every_store() {
    let bars: Vec<(String, Reading)> = (0..24)
        .map(|i| (format!("S{i:03}"), percent(50 - i, 50, 5)))
        .collect();
    let c = chart(Kind::Bars {
        bars,
        keep: Some(5),
        ranked: true,
    });
    let t = texts(&parse(&render_svg(&c)));
    for s in [
        "1. S000",
        "5. S004",
        "… 14 more stores …",
        "20. S019",
        "24. S023",
    ] {
        assert!(t.iter().any(|x| x == s), "missing {s}: {t:?}");
    }
    assert!(!t.iter().any(|x| x == "6. S005"));
    let t = texts(&parse(&render_svg(&c.with_all_rows())));
    assert!(t.iter().any(|x| x == "12. S011"));
    assert!(!t.iter().any(|x| x.contains("more stores")));
}

#[test]
fn no_chart_text_renders_under_11_px_on_a_phone() {
    let periods: Vec<String> = (1..=13).map(|w| format!("2026-{w:02}-01")).collect();
    let readings: Vec<Reading> = (0..13).map(|i| percent(30 + i, 50, 5)).collect();
    let kinds = [
        Kind::Trend {
            partial: vec![true],
            periods: periods.clone(),
            current: readings.clone(),
            previous: readings.clone(),
            legend: [
                "This range".into(),
                "Previous range".into(),
                "95% CI".into(),
            ],
        },
        Kind::Stacked {
            periods,
            segments: vec![
                "Detractors 0–6".into(),
                "Passives".into(),
                "Promoters".into(),
            ],
            counts: (0..13).map(|i| vec![i, 2 * i, 3 * i]).collect(),
        },
        bars(
            (0..30)
                .map(|i| (format!("S{i:03} 上海{i}号店"), percent(i, 30, 5)))
                .collect(),
        ),
        Kind::Heatmap {
            rows: (0..24).map(|i| format!("S{i:03} 上海{i}号店")).collect(),
            columns: vec![
                "Greeting".into(),
                "Product knowledge".into(),
                "Checkout".into(),
            ],
            cells: (0..24)
                .map(|i| vec![Some((f64::from(i) * 4.0, 6)), None, Some((50.0, 2))])
                .collect(),
        },
        bars(vec![]),
    ];
    for kind in kinds {
        let svg = render_svg(&chart(kind));
        let px = smallest_text_px(&svg);
        assert!(px >= 11.0, "text at {px:.1} px in {svg}");
        assert_eq!(
            height(&chart(Kind::Bars {
                bars: vec![],
                keep: None,
                ranked: false
            })),
            90
        );
    }
}
