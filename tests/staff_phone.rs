//! Every staff page on a 390×844 phone, in Chinese, with a year of demo data, in headless
//! Chromium: no control off screen, no sideways scroll, no English in the nav and headings,
//! chart text at least 11 px as drawn, and no serious or critical axe-core violation.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core from npm
//! (`npm ci --prefix tests/browser`, done by `.ci/run`); without them it fails on purpose.

mod common;

use std::fmt::Write as _;

use common::chrome::Phone;
use common::{PASSWORD, TestApp};
use manyi::auth::Role;
use serde_json::json;

const CHECKS: &str = include_str!("browser/page_checks.js");
const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/node_modules/axe-core/axe.min.js"
);
/// A current phone's screen, in CSS pixels.
const WIDTH: u32 = 390;
const HEIGHT: u32 = 844;

/// A year of demo data for 24 stores, with fewer responses than `manyi demo` so it builds
/// in seconds; every chart, list and page still has rows.
async fn with_demo_data(app: &TestApp) -> manyi::demo::Report {
    let today = app.state.settings.today();
    let spec = manyi::demo::Spec {
        responses: 6_000,
        ..manyi::demo::Spec::demo(today, app.state.settings.utc_offset)
    };
    manyi::demo::generate(&app.db.write, &app.state.catalog, &spec, |_| {})
        .await
        .expect("demo data")
}

async fn log_in(phone: &Phone, base: &str, username: &str, password: &str) {
    phone.goto(&format!("{base}/login")).await;
    phone.type_in("#username", username).await;
    phone.type_in("#password", password).await;
    phone
        .click("form[action='/login'] button[type=submit]")
        .await;
    phone.wait_for("nav.bar").await;
}

/// The session cookie, to fetch chart images the page draws with `<img>`.
async fn cookie_header(phone: &Phone) -> String {
    let cookies = phone.client.get_all_cookies().await.expect("cookies");
    cookies
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The smallest text of an SVG as drawn `drawn_width` px wide: every `font-size` (attribute
/// or style) scaled by the drawn width over the viewBox's.
fn smallest_text_px(svg: &str, drawn_width: f64) -> Option<f64> {
    let view_box = svg.split("viewBox=\"").nth(1)?.split('"').next()?;
    let vb_width: f64 = view_box.split_whitespace().nth(2)?.parse().ok()?;
    let mut smallest: Option<f64> = None;
    for marker in ["font-size=\"", "font-size:"] {
        for rest in svg.split(marker).skip(1) {
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if let Ok(size) = digits.parse::<f64>() {
                let px = size * drawn_width / vb_width;
                smallest = Some(smallest.map_or(px, |s: f64| s.min(px)));
            }
        }
    }
    smallest
}

/// Everything wrong with the page at `path`, as lines of text.
async fn problems_on(phone: &Phone, base: &str, path: &str, axe: &str) -> Vec<String> {
    phone.goto(&format!("{base}{path}")).await;
    phone.wait_for("h1").await;
    let mut problems = Vec::new();
    let found = phone.js(CHECKS, vec![json!(true)]).await;
    if found["lang"] != "zh-CN" {
        problems.push(format!("<html lang> is {}", found["lang"]));
    }
    for p in found["problems"].as_array().into_iter().flatten() {
        problems.push(p.as_str().unwrap_or_default().to_owned());
    }
    if path == "/reports" {
        let drawn = found["chartTexts"].as_u64().unwrap_or(0);
        let images = found["images"].as_array().map_or(0, Vec::len);
        println!("/reports: {drawn} chart texts inline, {images} chart images");
        if drawn + images as u64 == 0 {
            problems.push("no chart was found to check".into());
        }
    }
    let http = reqwest::Client::new();
    let cookies = cookie_header(phone).await;
    for image in found["images"].as_array().into_iter().flatten() {
        let src = image["src"].as_str().unwrap_or_default();
        let width = image["width"].as_f64().unwrap_or(0.0);
        if width < 1.0 {
            problems.push(format!("chart image {src} has no drawn width"));
            continue;
        }
        let res = http
            .get(src)
            .header("Cookie", &cookies)
            .send()
            .await
            .expect("chart image");
        let status = res.status();
        let svg = res.text().await.unwrap_or_default();
        if !status.is_success() {
            problems.push(format!("chart image {src}: HTTP {status}"));
        } else if let Some(px) = smallest_text_px(&svg, width).filter(|px| *px < 11.0 - 0.01) {
            problems.push(format!("chart image {src}: text at {px:.1} px"));
        }
    }
    // axe-core, injected into the page (WebDriver scripts are not bound by the page's CSP).
    phone.js(axe, vec![]).await;
    let violations = phone
        .js_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => `axe ${v.impact} ${v.id}: ${v.help} at ` +
                   v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '))))
               .catch((e) => done(['axe failed: ' + e]));",
            vec![],
        )
        .await;
    for v in violations.as_array().into_iter().flatten() {
        problems.push(v.as_str().unwrap_or_default().to_owned());
    }
    problems
        .into_iter()
        .map(|p| format!("{path}: {p}"))
        .collect()
}

async fn first_id(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn every_staff_page_fits_a_phone_in_chinese_and_passes_axe() {
    let axe = std::fs::read_to_string(AXE)
        .unwrap_or_else(|e| panic!("{AXE} is missing ({e}): run `npm ci --prefix tests/browser`"));
    let app = TestApp::new().await;
    let demo = with_demo_data(&app).await;
    app.add_user("zhang", Role::Admin).await;
    let shopper_password = demo
        .logins
        .iter()
        .find(|(name, _, _)| name == "demo-shopper")
        .map(|(_, _, p)| p.clone())
        .expect("the demo has a shopper");
    let submitted = first_id(
        &app,
        "select id from audit where submitted_at is not null order by id desc limit 1",
    )
    .await;
    let shopper = first_id(&app, "select id from user where username = 'demo-shopper'").await;
    let manager = first_id(&app, "select id from user where username = 'demo-manager'").await;
    let open = manyi::db::audits::create(
        &app.db.write,
        manyi::db::audits::NewAssignment {
            shopper_id: shopper,
            store_code: "S001",
            checklist_id: "store-audit",
            window_from: "2026-01-01",
            window_to: "2099-12-31",
            scenario: Some("咨询一台适合四口之家的冰箱"),
            created_by: manager,
        },
    )
    .await
    .expect("an open assignment");
    let base = app.spawn().await;

    let phone = Phone::open_sized("zh-CN,zh", WIDTH, HEIGHT).await;
    log_in(&phone, &base, "zhang", PASSWORD).await;
    let review = format!("/audits/{submitted}/review");
    let staff_pages = [
        "/audits",
        "/audits?page=2",
        "/assignments/new",
        "/reports",
        "/responses/held",
        "/admin/stores",
        "/admin/users",
        "/admin/tokens",
        "/admin/stores/S001/poster/post-purchase",
        review.as_str(),
    ];
    let mut problems = Vec::new();
    for path in staff_pages {
        problems.extend(problems_on(&phone, &base, path, &axe).await);
    }
    // The folded menu, opened without JavaScript, keeps every link on screen.
    phone.goto(&format!("{base}/audits")).await;
    phone.click("details.menu summary").await;
    let opened = phone.js(CHECKS, vec![json!(true)]).await;
    for p in opened["problems"].as_array().into_iter().flatten() {
        problems.push(format!(
            "/audits with the menu open: {}",
            p.as_str().unwrap_or("")
        ));
    }
    phone.close().await;

    // A shopper's list and checklist.
    let phone = Phone::open_sized("zh-CN,zh", WIDTH, HEIGHT).await;
    log_in(&phone, &base, "demo-shopper", &shopper_password).await;
    let checklist = format!("/audits/{open}");
    for path in ["/audits", checklist.as_str()] {
        problems.extend(problems_on(&phone, &base, path, &axe).await);
    }
    phone.close().await;

    // The same problem on many rows is reported once, with its count.
    let mut counted: Vec<(String, usize)> = Vec::new();
    for p in &problems {
        match counted.iter_mut().find(|(q, _)| q == p) {
            Some((_, n)) => *n += 1,
            None => counted.push((p.clone(), 1)),
        }
    }
    let mut report = String::new();
    for (p, n) in &counted {
        let times = if *n > 1 {
            format!(" (×{n})")
        } else {
            String::new()
        };
        let _ = writeln!(report, "  {p}{times}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{report}",
        problems.len()
    );
}

#[test]
fn smallest_text_is_scaled_by_the_drawn_width() {
    let svg = r#"<svg viewBox="0 0 720 400"><text font-size="12">a</text><text style="font-size:24px">b</text></svg>"#;
    assert_eq!(smallest_text_px(svg, 360.0), Some(6.0));
    assert_eq!(smallest_text_px(svg, 720.0), Some(12.0));
    assert_eq!(smallest_text_px("<svg></svg>", 100.0), None);
}
