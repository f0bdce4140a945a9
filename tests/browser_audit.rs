//! Real-browser test of mystery shopping: a shopper on a phone-sized headless Chromium logs in,
//! fills the store-audit checklist with a receipt photo, saves, resumes, fixes a refusal and submits.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; without them the test fails on purpose.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestApp;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use manyi::auth::Role;
use serde_json::{Value, json};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL: &str = "install them with `apt-get install chromium chromium-driver`";
const WAIT: Duration = Duration::from_secs(10);

/// A chromedriver process that is shut down, browsers included, even when the test panics.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // `/shutdown` makes chromedriver quit its Chromium too; a plain kill could orphan it.
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(
                b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session. Field order matters: the client goes before the driver and the profile.
struct Phone {
    client: Client,
    _driver: Driver,
    _profile: TempDir,
}

impl Phone {
    async fn open() -> Phone {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(Path::new(bin).exists(), "{bin} is missing: {INSTALL}");
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER} ({e}): {INSTALL}"));
        let driver = Driver { child, port };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        while !reqwest::get(format!("{url}/status"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(Instant::now() < deadline, "no chromedriver on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--disable-sync", "--disable-quic", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=360,740",
                ],
                // A Chinese-speaking shopper: pages reached by links (not posts) negotiate zh.
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
                "mobileEmulation": { "deviceMetrics": { "width": 360, "height": 740, "pixelRatio": 3.0 } },
            }
        });
        let caps = caps.as_object().cloned().unwrap();
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM} ({e}): {INSTALL}"));
        Phone {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until an element matches the XPath: the sign a navigation has landed.
    /// Errors while a navigation is under way ("aborted by navigation") are retried until `WAIT`.
    async fn expect(&self, xpath: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::XPath(xpath)).await {
                Ok(_) => return,
                Err(e) if Instant::now() >= deadline => {
                    let shown = self.client.source().await.unwrap_or_default();
                    panic!("expected {xpath} ({e}); the page is:\n{shown}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    async fn expect_h(&self, level: u8, text: &str) {
        let xpath = format!("//h{level}[normalize-space()='{text}']");
        self.expect(&xpath).await;
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("`{script}` failed: {e}"))
    }

    async fn js_i64(&self, script: &str) -> i64 {
        let v = self.js(script, vec![]).await;
        v.as_i64().unwrap_or_else(|| panic!("`{script}` gave {v}"))
    }

    /// Sets a date or time input the way its picker would (typing into them is locale-dependent).
    async fn set(&self, css: &str, value: &str) {
        let el = serde_json::to_value(self.find(css).await).unwrap();
        self.js("arguments[0].value = arguments[1]", vec![el, json!(value)])
            .await;
        assert_eq!(self.value(css).await, value, "{css} not set");
    }

    async fn value(&self, css: &str) -> String {
        let v = self.find(css).await.prop("value").await.expect("value");
        v.unwrap_or_default()
    }

    async fn type_in(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("type");
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    async fn tap_link(&self, text: &str) {
        let link = self.client.find(Locator::LinkText(text)).await;
        link.unwrap_or_else(|e| panic!("no link {text:?}: {e}"))
            .click()
            .await
            .expect("tap link");
    }

    /// Taps the option box around an input, as a thumb would, and checks it took.
    async fn tap(&self, name: &str, value: &str) {
        self.click(&format!(
            "label.opt:has(input[name={name}][value='{value}'])"
        ))
        .await;
        assert!(self.is_checked(name, value).await, "{name}={value} not set");
    }

    async fn is_checked(&self, name: &str, value: &str) -> bool {
        let input = self
            .find(&format!("input[name={name}][value='{value}']"))
            .await;
        input.is_selected().await.expect("selected state")
    }

    async fn press(&self, nav: &str) {
        self.click(&format!("button[name=_nav][value={nav}]")).await;
    }

    /// The HTTP status of the page now shown, as the browser received it.
    async fn status(&self) -> i64 {
        self.js_i64("return performance.getEntriesByType('navigation')[0].responseStatus")
            .await
    }

    async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// A real, decodable photo drawn by the browser itself, as JPEG bytes.
    async fn draw_jpeg(&self) -> Vec<u8> {
        let script = "const c = document.createElement('canvas'); c.width = 48; c.height = 32;
            const g = c.getContext('2d'); g.fillStyle = '#c33'; g.fillRect(0, 0, 48, 32);
            g.fillStyle = '#fff'; g.fillRect(8, 8, 32, 16);
            const b = atob(c.toDataURL('image/jpeg', 0.9).split(',')[1]);
            return Array.from(b, ch => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('');";
        let v = self.js(script, vec![]).await;
        hex::decode(v.as_str().expect("hex string")).expect("hex")
    }

    /// Polls a script (e.g. "has the image loaded?") until it returns true.
    async fn until(&self, script: &str) {
        let deadline = Instant::now() + WAIT;
        while self.js(script, vec![]).await != json!(true) {
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Each section's heading (zh) and its taps, `question=value`; the two numbers are typed.
const SECTIONS: [(&str, &str); 6] = [
    ("迎接", "greet_smile=yes staff_uniform=yes"),
    (
        "店面形象",
        "entrance_clean=yes shelves_stocked=yes price_tags=yes restroom_clean=na",
    ),
    (
        "产品知识",
        "product_answers=expert explained_energy=yes confidence=5",
    ),
    (
        "需求了解",
        "asked_needs=yes suitable_offer=yes no_pressure=yes",
    ),
    ("收银", "price_matched=yes receipt_given=yes"),
    (
        "送别",
        "thanked=yes aftercare_explained=yes follow_up_offered=no",
    ),
];

fn taps(section: usize) -> impl Iterator<Item = (&'static str, &'static str)> {
    SECTIONS[section]
        .1
        .split(' ')
        .filter_map(|t| t.split_once('='))
}

async fn fill(b: &Phone, section: usize) {
    b.expect_h(2, SECTIONS[section].0).await;
    assert_eq!(
        b.text("p#progress").await,
        format!("第 {} 页，共 7 页", section + 2)
    );
    if section == 4 {
        b.type_in("input[name=minutes_waiting]", "3").await;
    }
    for (name, value) in taps(section) {
        b.tap(name, value).await;
    }
}

async fn one<T>(app: &TestApp, sql: &str, id: i64) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn a_shopper_on_a_phone_fills_a_checklist_with_a_photo_and_submits_it() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = common::Browser::logged_in(&base, "mia").await;
    let shopper = sam.to_string();
    let fields = [
        ("shopper", shopper.as_str()),
        ("store", "S001"),
        ("checklist", "store-audit"),
        ("window_from", "2026-01-01"),
        ("window_to", "2099-12-31"),
        ("scenario", "Ask about a fridge"),
    ];
    let res = manager.post_with_csrf("/assignments/new", "/assignments", &fields);
    assert_eq!(res.await.status(), 303, "assignment created");
    let id: i64 = one(&app, "select max(id) from audit where shopper_id = ?", sam).await;
    let status_sql = "select status from audit where id = ?";

    // Log in through the form, as the shopper would.
    let b = Phone::open().await;
    b.client.goto(&format!("{base}/login")).await.unwrap();
    let photo = b.draw_jpeg().await;
    assert!(photo.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    let dir = tempfile::tempdir().unwrap();
    let photo_path = dir.path().join("receipt.jpg");
    std::fs::write(&photo_path, &photo).unwrap();
    b.type_in("#username", "sam").await;
    b.type_in("#password", common::PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.expect_h(1, "My assignments").await;
    assert_eq!(b.url().await, format!("{base}/audits"));
    let row = b.text("tbody tr").await;
    assert!(
        row.contains("南京路店") && row.contains("due"),
        "row: {row}"
    );
    b.tap_link("Start").await;

    // The visit page: date and times, and the receipt photo.
    b.expect_h(2, "Visit · 到店信息").await;
    assert_eq!(b.url().await, format!("{base}/audits/{id}"));
    assert_eq!(b.text("p#progress").await, "第 1 页，共 7 页");
    b.set("input[name=visit_date]", "2026-11-20").await;
    b.set("input[name=time_in]", "10:00").await;
    b.set("input[name=time_out]", "10:25").await;
    b.type_in(
        "input#evidence[name=evidence]",
        photo_path.to_str().unwrap(),
    )
    .await;
    b.press("next").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.status().await, 200);

    // Phone-sized, and nothing scrolls sideways.
    let width = b.js_i64("return window.innerWidth").await;
    assert!((350..=370).contains(&width), "viewport {width}px wide");
    let overflow = b
        .js_i64("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(
        overflow <= 1,
        "the section page scrolls sideways by {overflow}px"
    );

    // Greeting: 45 s fails. The comment box is folded until its summary is tapped; leave it empty.
    fill(&b, 0).await;
    b.type_in("input[name=seconds_to_greet]", "45").await;
    let comment = "textarea[name=comment_seconds_to_greet]";
    assert!(!b.find(comment).await.is_displayed().await.unwrap());
    b.click("details:has(textarea[name=comment_seconds_to_greet]) > summary")
        .await;
    assert!(b.find(comment).await.is_displayed().await.unwrap());

    // Back to the visit page: the photo is stored and shows as a thumbnail that really loads.
    b.press("back").await;
    b.expect_h(2, "Visit · 到店信息").await;
    assert_eq!(b.value("input[name=visit_date]").await, "2026-11-20");
    assert_eq!(b.value("input[name=time_in]").await, "10:00");
    assert_eq!(b.value("input[name=time_out]").await, "10:25");
    let evidence: i64 = one(&app, "select max(id) from evidence where audit_id = ?", id).await;
    let thumb = format!("img[src='/audits/{id}/evidence/{evidence}']");
    b.find(&thumb).await;
    b.until(&format!(
        "const i = document.querySelector(\"{thumb}\"); return i.complete && i.naturalWidth === 48"
    ))
    .await;

    // Greeting again, answers kept; Next goes on without the comment (only submit needs it).
    b.press("next").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.value("input[name=seconds_to_greet]").await, "45");
    assert!(b.is_checked("greet_smile", "yes").await);
    b.press("next").await;
    fill(&b, 1).await;
    b.press("next").await;
    fill(&b, 2).await;

    // Save mid-way, then come back through the list: the draft opens where it stopped.
    b.press("save").await;
    b.expect_h(1, "My assignments").await;
    assert_eq!(
        b.text("p.ok").await,
        "Draft saved. You can continue on any device."
    );
    assert_eq!(one::<String>(&app, status_sql, id).await, "in_progress");
    b.tap_link("Continue").await;
    b.expect_h(2, SECTIONS[2].0).await;
    for (name, value) in taps(2) {
        assert!(b.is_checked(name, value).await, "{name}={value} lost");
    }
    assert!(!b.is_checked("product_answers", "basic").await);
    for section in 3..6 {
        b.press("next").await;
        fill(&b, section).await;
    }
    let next = b.client.find(Locator::Css("button[value=next]")).await;
    assert!(next.is_err(), "Next on the last page");

    // Submit: refused on the greeting page, since its failed item has no comment.
    b.press("submit").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.status().await, 422);
    let error = b.text("p.err#err-comment_seconds_to_greet").await;
    assert!(
        error.contains("every failed item needs a factual comment"),
        "{error}"
    );
    assert_eq!(b.value("input[name=seconds_to_greet]").await, "45");
    assert!(b.is_checked("staff_uniform", "yes").await);
    assert_eq!(one::<String>(&app, status_sql, id).await, "in_progress");

    // The box comes back open with the error; write what happened and go on to the end.
    let details = "details:has(textarea[name=comment_seconds_to_greet])";
    if b.find(details).await.attr("open").await.unwrap().is_none() {
        b.click(&format!("{details} > summary")).await;
    }
    let said = "两名店员在收银台聊天，45 秒后才招呼。";
    b.type_in(comment, said).await;
    for (heading, _) in &SECTIONS[1..] {
        b.press("next").await;
        b.expect_h(2, heading).await;
    }
    b.press("submit").await;
    b.expect_h(1, "My assignments").await;
    assert_eq!(b.url().await, format!("{base}/audits?done=submitted"));
    assert_eq!(
        b.text("p.ok").await,
        "Audit submitted for review. Thank you."
    );
    let gone = b.client.find(Locator::LinkText("Continue")).await;
    assert!(gone.is_err(), "a submitted audit can still be continued");
    b.tap_link("View").await;
    b.expect_h(2, "History").await;
    b.client.clone().close().await.expect("session closes");

    // What was stored: status, score, the receipt and the comment.
    assert_eq!(one::<String>(&app, status_sql, id).await, "submitted");
    let score: f64 = one(&app, "select score from audit where id = ?", id).await;
    assert!((score - 92.5).abs() < 1e-9, "score {score}");
    let greeting: f64 = one(
        &app,
        "select percent from audit_section_score where audit_id = ? and section = 'greeting'",
        id,
    )
    .await;
    assert!((greeting - 50.0).abs() < 1e-9, "greeting {greeting}");
    let kinds =
        "select group_concat(section || ' ' || content_type) from evidence where audit_id = ?";
    assert_eq!(one::<String>(&app, kinds, id).await, "visit image/jpeg");
    let bytes: Vec<u8> = one(&app, "select bytes from evidence where audit_id = ?", id).await;
    assert!(bytes == photo, "the stored photo differs from the file");
    let comments =
        "select group_concat(question || ': ' || comment) from audit_comment where audit_id = ?";
    let expected = format!("seconds_to_greet: {said}");
    assert_eq!(one::<String>(&app, comments, id).await, expected);
    let visit = "select visit_date || ' ' || time_in || '-' || time_out from audit where id = ?";
    assert_eq!(
        one::<String>(&app, visit, id).await,
        "2026-11-20 10:00-10:25"
    );
}
