//! The reports dashboard on a phone: words in the reader's language, chart text readable at
//! 390 px, the filters folded above the charts, leagues cut to their top and bottom, small
//! cells shown as "n < 5", and a page light enough for a weak connection.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;

/// The phone's content box: a 390 px screen less the page's padding and borders.
const PHONE_CONTENT_PX: f64 = 358.0;

/// The demo's 24 stores and 4 regions over 200 days (this quarter and the one before), with
/// fewer responses than the real demo's 40,000 so the test stays quick. The page's size
/// depends on the stores and periods, not on how many responses there are; the full demo
/// is measured by `measure_the_demo_dashboard`.
fn small_demo() -> manyi::demo::Spec {
    let settings = manyi::web::Settings::default();
    manyi::demo::Spec {
        stores: 24,
        days: 200,
        responses: 3_000,
        ..manyi::demo::Spec::demo(settings.today(), settings.utc_offset)
    }
}

/// A server over generated demo data, and a manager logged in with `accept` as language.
async fn demo_world(spec: manyi::demo::Spec, accept: &str) -> (TestApp, Browser) {
    let app = TestApp::new().await;
    manyi::demo::generate(&app.db.write, &app.state.catalog, &spec, |_| {})
        .await
        .expect("demo data");
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let manager = Browser::logged_in_speaking(&base, "mia", accept).await;
    (app, manager)
}

const ZH: &str = "zh-CN,zh;q=0.9";

/// Decoded bytes and elements (counted as `<` tag openings) of a page.
fn weigh(page: &str) -> (usize, usize) {
    let elements = page
        .as_bytes()
        .windows(2)
        .filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic())
        .count();
    (page.len(), elements)
}

/// The text inside every `<tag …>…</tag>` of a page, tags inside stripped.
fn inner_texts(page: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(start) = after.find('>') else { break };
        let Some(end) = after.find(&close) else { break };
        let inner = &after[start + 1..end.max(start + 1)];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(text.trim().to_owned());
        rest = &after[end..];
    }
    out
}

/// Words written in English: two or more letters with a lowercase one ("CSAT" and "NPS" are names).
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// Every `src="/reports/…/chart.svg?…"` of a page, unescaped.
fn chart_images(page: &str) -> Vec<String> {
    page.split("<img ")
        .skip(1)
        .filter_map(|img| img.split("src=\"").nth(1)?.split('"').next())
        .map(|src| src.replace("&amp;", "&"))
        .collect()
}

/// The smallest `<text>` of an SVG as shown in the phone's content box, in CSS px.
fn smallest_text_px(svg: &str) -> f64 {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let root = doc.root_element();
    let view_width: f64 = root
        .attribute("viewBox")
        .and_then(|v| v.split_whitespace().nth(2))
        .and_then(|w| w.parse().ok())
        .expect("a viewBox");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let size: f64 = n
                .attribute("font-size")
                .and_then(|s| s.parse().ok())
                .expect("every text has its size");
            size * PHONE_CONTENT_PX.min(view_width.max(PHONE_CONTENT_PX)) / view_width
        })
        .fold(f64::INFINITY, f64::min)
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect()
}

#[tokio::test]
async fn the_dashboard_speaks_the_readers_language_with_the_summary_above_the_charts() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    let (status, page) = zh.get_text("/reports").await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh-CN\""));
    for tag in ["h1", "h2", "summary", "label", "button", "th"] {
        for text in inner_texts(&page, tag) {
            // The language switch names the other language in that language.
            if text == "English" {
                continue;
            }
            assert!(
                english_words(&text).is_empty(),
                "English in a Chinese <{tag}>: {text:?}"
            );
        }
    }
    // Our options in Chinese (region and store names are data, left as they are).
    for option in [
        "最近 7 天",
        "自定义",
        "按日",
        "全部区域",
        "全部门店",
        "全部问卷",
    ] {
        assert!(page.contains(&format!(">{option}</option>")), "{option}");
    }
    let summary = inner_texts(&page, "summary");
    assert!(
        summary.iter().any(|s| s == "最近一季 · 按周 · 全部门店"),
        "{summary:?}"
    );
    // The one-line summary (which opens the filters without JavaScript) is above every chart.
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    assert!(at("<details class=\"sum\"><summary>") < at("<svg"));
    assert!(
        at("<svg") < at("<img "),
        "the first chart is inline, the rest lazy"
    );
    assert!(page.contains("loading=\"lazy\""));
    // KPI cards carry units and say what n counts.
    assert!(page.contains("份回答"), "n says it counts responses");
    assert!(page.contains("笔交易"), "sales n counts transactions");
    assert!(page.contains("次巡店"), "audit n counts audits");
    assert!(page.contains("¥"), "money has its sign");
    assert!(!page.contains("-0.0"));
    // The same page in English, by the browser's language or by ?lang=.
    let (_, en) = zh.get_text("/reports?lang=en").await;
    assert!(en.contains("<h1>Satisfaction report</h1>"));
    assert!(
        inner_texts(&en, "summary")
            .iter()
            .any(|s| s == "Last quarter · By week · All stores")
    );
    assert!(en.contains("responses") && en.contains("transactions") && en.contains("audits"));
}

#[tokio::test]
async fn every_chart_has_text_of_at_least_11_px_on_a_390_px_phone() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    let (_, page) = zh.get_text("/reports").await;
    let inline = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap() + 6];
    let px = smallest_text_px(inline);
    assert!(px >= 11.0, "inline chart text at {px:.1} px");
    let images = chart_images(&page);
    assert_eq!(images.len(), 16, "every chart after the first loads lazily");
    for src in images {
        let res = zh.get(&src).await;
        assert_eq!(res.status(), 200, "{src}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        let svg = res.text().await.unwrap();
        let px = smallest_text_px(&svg);
        assert!(px >= 11.0, "{src}: text at {px:.1} px");
        for word in svg_texts(&svg).iter().flat_map(|t| english_words(t)) {
            assert!(
                ["CSAT", "NPS"].contains(&word.as_str()),
                "{src}: English word {word:?} in a Chinese chart"
            );
        }
    }
}

#[tokio::test]
async fn dates_make_the_period_custom_and_the_store_list_follows_the_region() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    let (status, page) = zh
        .get_text("/reports?period=week&from=2026-01-01&to=2026-01-31&group=week")
        .await;
    assert_eq!(status, 200);
    assert!(
        inner_texts(&page, "summary")
            .iter()
            .any(|s| s.starts_with("2026年1月1日 – 2026年1月31日 · 按周")),
        "{:?}",
        inner_texts(&page, "summary")
    );
    assert!(page.contains("<option value=\"custom\" selected>"));
    assert!(page.contains("name=\"from\" value=\"2026-01-01\""));
    // A named period leaves the dates empty, so changing the period select is enough.
    let (_, plain) = zh.get_text("/reports?period=month").await;
    assert!(!plain.contains("name=\"from\" value="));
    // The region's stores only.
    let region = "South%20%E5%8D%8E%E5%8D%97";
    let (_, page) = zh.get_text(&format!("/reports?region={region}")).await;
    let select = &page[page.find("<select id=\"store\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    let stores: Vec<&str> = select
        .split("<option value=\"")
        .skip(2)
        .filter_map(|o| o.split('"').next())
        .collect();
    assert_eq!(stores, ["S002", "S006", "S010", "S014", "S018", "S022"]);
    // A store outside the region is dropped, and the page says why at the top.
    let (status, page) = zh
        .get_text(&format!("/reports?region={region}&store=S001"))
        .await;
    assert_eq!(status, 200);
    let alert = inner_texts(&page, "p")
        .into_iter()
        .find(|p| p.contains("不在区域"))
        .expect("a message");
    assert!(
        alert.contains("S001") && alert.contains("South 华南"),
        "{alert}"
    );
    assert!(page.find("role=\"alert\"").unwrap() < page.find("<svg").unwrap());
    assert!(
        inner_texts(&page, "summary")
            .iter()
            .any(|s| s.ends_with("South 华南 · 全部门店"))
    );
    // Broken dates are refused in the reader's language.
    let res = zh.get("/reports?from=2026-02-01").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("截止日期须为日期"));
}

#[tokio::test]
async fn leagues_show_the_top_and_bottom_five_with_a_show_all_link() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    let (_, page) = zh.get_text("/reports").await;
    assert!(page.contains("显示全部 24 家门店"));
    let src = chart_images(&page)
        .into_iter()
        .find(|s| s.starts_with("/reports/league-csat/"))
        .unwrap();
    let (_, svg) = zh.get_text(&src).await;
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t == "… 另有 14 家门店 …"), "{texts:?}");
    let ranks = texts
        .iter()
        .filter(|t| t.split_once(". S").is_some())
        .count();
    assert_eq!(ranks, 10, "{texts:?}");
    // "Show all" is a plain link: the page again, with that league drawn in full.
    let link = page
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .find(|h| h.contains("all=league-csat"))
        .unwrap()
        .replace("&amp;", "&");
    let (status, all) = zh.get_text(&link).await;
    assert_eq!(status, 200);
    assert!(all.contains("只显示前 5 名和后 5 名"));
    let full = chart_images(&all)
        .into_iter()
        .find(|s| s.starts_with("/reports/league-csat/"))
        .unwrap();
    assert!(full.contains("all=1"));
    let (_, svg) = zh.get_text(&full).await;
    let ranks = svg_texts(&svg)
        .iter()
        .filter(|t| t.split_once(". S").is_some())
        .count();
    assert_eq!(ranks, 24);
    // The CSV has every store either way.
    let (_, csv) = zh.get_text("/reports/league-csat/data.csv").await;
    assert_eq!(csv.lines().count(), 25);
}

#[tokio::test]
async fn the_heat_map_has_stores_down_and_shows_small_cells_as_too_few() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    // A quarter: about 6 audits a store, so cells show their mean score.
    let (_, svg) = zh.get_text("/reports/heatmap/chart.svg").await;
    let texts = svg_texts(&svg);
    for label in ["S001 上海1号店", "S024 重庆2号店", "迎接", "收银", "送别"] {
        assert!(
            texts.iter().any(|t| t == label),
            "missing {label}: {texts:?}"
        );
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (w, h): (f64, f64) = {
        let v: Vec<f64> = doc
            .root_element()
            .attribute("viewBox")
            .unwrap()
            .split(' ')
            .map(|x| x.parse().unwrap())
            .collect();
        (v[2], v[3])
    };
    assert!(h > w, "24 stores grow downwards: {w} × {h}");
    // A month: 2 or 3 audits a store, fewer than 5, so no cell shows a number.
    let (_, svg) = zh.get_text("/reports/heatmap/chart.svg?period=month").await;
    let texts = svg_texts(&svg);
    let cells: Vec<&String> = texts.iter().filter(|t| t.as_str() == "n < 5").collect();
    assert!(cells.len() > 24, "{texts:?}");
    let legend = ["0", "25", "50", "75", "100%"];
    assert!(
        !texts
            .iter()
            .any(|t| t.parse::<f64>().is_ok() && !legend.contains(&t.as_str())),
        "a cell under min n shows a number: {texts:?}"
    );
}

#[tokio::test]
async fn the_phone_dashboard_stays_under_150_kb_and_1500_elements() {
    let (_app, zh) = demo_world(small_demo(), ZH).await;
    for path in [
        "/reports",
        "/reports?lang=en",
        "/reports?period=year",
        "/reports?all=league-csat",
    ] {
        let (status, page) = zh.get_text(path).await;
        assert_eq!(status, 200);
        let (bytes, elements) = weigh(&page);
        assert!(bytes <= 150 * 1024, "{path}: {bytes} bytes");
        assert!(elements <= 1_500, "{path}: {elements} elements");
    }
}

/// The real demo (a year, 24 stores, 40,000 responses). Slow, so run by hand:
/// `cargo test --test reports_phone -- --ignored --nocapture`.
#[tokio::test]
#[ignore]
async fn measure_the_demo_dashboard() {
    let settings = manyi::web::Settings::default();
    let spec = manyi::demo::Spec::demo(settings.today(), settings.utc_offset);
    let (_app, manager) = demo_world(spec, ZH).await;
    for path in ["/reports", "/reports?lang=en", "/reports?period=year"] {
        let (status, page) = manager.get_text(path).await;
        assert_eq!(status, 200);
        let (bytes, elements) = weigh(&page);
        eprintln!(
            "{path}: {:.1} KB, {elements} elements",
            bytes as f64 / 1024.0
        );
        assert!(bytes <= 150 * 1024 && elements <= 1_500);
    }
}
