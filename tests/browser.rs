//! Real-browser tests: headless Chromium on a phone-sized screen fills the shipped survey, page by page.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; without them the tests fail on purpose.

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
use serde_json::json;
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL: &str = "install them with `apt-get install chromium chromium-driver`";

/// A chromedriver process that is shut down, browsers included, even when a test panics.
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
struct Browser {
    client: Client,
    _driver: Driver,
    _profile: TempDir,
}

impl Browser {
    async fn open() -> Browser {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(Path::new(bin).exists(), "{bin} is missing: {INSTALL}");
        }
        // Ask the OS for a free port, then hand it to chromedriver.
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
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(r) = reqwest::get(format!("{url}/status")).await {
                if r.status().is_success() {
                    break;
                }
            }
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
                    "--disable-sync", "--disable-quic",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=360,740",
                ],
                // A phone's viewport, so the layout is checked where customers actually use it.
                "mobileEmulation": { "deviceMetrics": { "width": 360, "height": 740, "pixelRatio": 3.0 } },
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {CHROMIUM} ({e}): {INSTALL}"));
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    async fn close(self) {
        self.client.clone().close().await.expect("session closes");
    }

    async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    /// Polls until an element matches. Errors while a navigation is under way
    /// ("aborted by navigation") are retried, not failures.
    async fn poll(&self, locator: Locator<'_>) -> Result<Element, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.client.find(locator).await {
                Ok(e) => return Ok(e),
                Err(e) if Instant::now() >= deadline => return Err(e.to_string()),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Waits (a navigation may still be running) until an element matches.
    async fn wait_for(&self, css: &str) -> Element {
        self.poll(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("`{css}` never appeared: {e}"))
    }

    /// Waits for the page whose heading is `text`: the sign a form post has landed.
    async fn expect_h1(&self, text: &str) {
        let xpath = format!("//h1[normalize-space()='{text}']");
        if let Err(e) = self.poll(Locator::XPath(&xpath)).await {
            let shown = self.client.source().await.unwrap_or_default();
            panic!("expected heading {text:?} ({e}); the page is:\n{shown}");
        }
    }

    async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page opens");
    }

    async fn absent(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_err()
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    async fn js_i64(&self, script: &str) -> i64 {
        let v = self
            .client
            .execute(script, vec![])
            .await
            .expect("script runs");
        v.as_i64().unwrap_or_else(|| panic!("`{script}` gave {v}"))
    }

    /// Taps the option box around an input, as a thumb would, and checks it took.
    async fn tap(&self, name: &str, value: &str) {
        let input = format!("input[name={name}][value='{value}']");
        self.find(&format!("label.opt:has({input})"))
            .await
            .click()
            .await
            .expect("tap");
        assert!(
            self.is_checked(name, value).await,
            "{name}={value} not selected"
        );
    }

    async fn is_checked(&self, name: &str, value: &str) -> bool {
        let input = self
            .find(&format!("input[name={name}][value='{value}']"))
            .await;
        input.is_selected().await.expect("selected state")
    }

    async fn press(&self, nav: &str) {
        self.find(&format!("button[name=_nav][value={nav}]"))
            .await
            .click()
            .await
            .expect("press");
    }

    /// The HTTP status of the page now shown, as the browser received it.
    async fn status(&self) -> i64 {
        self.js_i64("return performance.getEntriesByType('navigation')[0].responseStatus")
            .await
    }
}

/// Checks the stored values of each question, in stored (position) order.
async fn assert_answers(app: &TestApp, response: i64, expected: &[(&str, &[&str])]) {
    for (question, values) in expected {
        let got: Vec<String> = sqlx::query_scalar(
            "select value from answer where response_id = ? and question = ? order by position",
        )
        .bind(response)
        .bind(question)
        .fetch_all(&app.pool)
        .await
        .expect("answers");
        assert_eq!(got, *values, "stored answer to {question}");
    }
}

/// The only stored response, checked to be for store S001 in `lang`.
async fn only_response(app: &TestApp, lang: &str) -> i64 {
    let rows: Vec<(i64, Option<String>, String)> =
        sqlx::query_as("select id, store, lang from response")
            .fetch_all(&app.pool)
            .await
            .expect("responses");
    assert_eq!(rows.len(), 1, "exactly one response stored: {rows:?}");
    let (id, store, got_lang) = rows.into_iter().next().unwrap();
    assert_eq!(store.as_deref(), Some("S001"));
    assert_eq!(got_lang, lang);
    id
}

#[tokio::test]
async fn a_phone_fills_the_post_purchase_survey_in_chinese_across_pages_and_submits() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open().await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=zh"))
        .await;
    b.expect_h1("总体评价").await;

    // The phone viewport really is phone-sized, and nothing makes the page scroll sideways.
    let width = b.js_i64("return window.innerWidth").await;
    assert!((350..=370).contains(&width), "viewport {width}px wide");
    let overflow = b
        .js_i64("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(overflow <= 1, "scrolls sideways by {overflow}px");
    // Before any answer the feedback page does not apply yet.
    assert_eq!(b.text("p#progress").await, "第 1 页，共 4 页");

    // Low scores make the feedback page apply.
    b.tap("overall_satisfaction", "2").await;
    b.tap("recommend", "4").await;
    b.press("next").await;
    b.expect_h1("关于您").await;
    assert_eq!(b.text("p#progress").await, "第 2 页，共 5 页");

    b.tap("first_purchase", "yes").await;
    b.tap("heard_from", "friend").await;
    b.tap("heard_from", "online").await;
    b.press("next").await;
    b.expect_h1("来店之前，您的期望").await;
    b.tap("expect_price", "4").await;

    // Back keeps what page 2 said.
    b.press("back").await;
    b.expect_h1("关于您").await;
    assert!(b.is_checked("first_purchase", "yes").await);
    assert!(b.is_checked("heard_from", "friend").await);
    assert!(b.is_checked("heard_from", "online").await);
    assert!(!b.is_checked("heard_from", "passing").await);

    b.press("next").await;
    b.expect_h1("来店之前，您的期望").await;
    b.press("next").await;
    b.expect_h1("这次的实际体验").await;
    b.tap("exp_service", "1").await;
    b.press("next").await;
    b.expect_h1("请告诉我们哪里做得不好").await;
    assert_eq!(b.text("p#progress").await, "第 5 页，共 5 页");
    assert!(
        b.absent("button[value=next]").await,
        "Next on the last page"
    );
    assert!(b.absent("textarea[name=complaint_text]").await);

    // Saying "yes, a complaint" brings up the box to describe it before anything is stored.
    b.tap("complaint", "yes").await;
    b.press("submit").await;
    let text = b.wait_for("textarea[name=complaint_text]").await;
    assert!(text.is_displayed().await.unwrap());
    assert!(b.is_checked("complaint", "yes").await);
    assert_eq!(app.count_responses().await, 0);

    // Too short: the server says so, on the same page, with a 422.
    text.send_keys("差").await.expect("type");
    b.press("submit").await;
    let err = b.wait_for("p.err#err-complaint_text").await;
    assert!(err.is_displayed().await.unwrap(), "error hidden");
    let message = err.text().await.unwrap();
    assert!(message.contains('5'), "no minimum in {message:?}");
    assert_eq!(b.status().await, 422);
    assert_eq!(app.count_responses().await, 0);

    let complaint = "收银台排队太久，没有人帮忙。";
    let text = b.find("textarea[name=complaint_text]").await;
    text.clear().await.expect("clear");
    text.send_keys(complaint).await.expect("type");
    b.press("submit").await;
    b.expect_h1("谢谢您！").await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/s/post-purchase/thanks");
    assert_eq!(url.query(), Some("lang=zh"));
    b.close().await;

    let id = only_response(&app, "zh").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["2"]),
        ("recommend", &["4"]),
        ("first_purchase", &["yes"]),
        // Two ticks, two rows, in the form's order.
        ("heard_from", &["friend", "online"]),
        ("expect_price", &["4"]),
        ("exp_service", &["1"]),
        ("complaint", &["yes"]),
        ("complaint_text", &[complaint]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn a_phone_fills_the_survey_in_english_with_high_scores_and_skips_the_feedback_page() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open().await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=en"))
        .await;
    b.expect_h1("Overall").await;
    assert_eq!(b.text("p#progress").await, "Page 1 of 4");

    b.tap("overall_satisfaction", "5").await;
    b.tap("recommend", "10").await;
    b.press("next").await;
    b.expect_h1("About you").await;
    assert_eq!(b.text("p#progress").await, "Page 2 of 4");
    b.tap("first_purchase", "no").await;
    b.press("next").await;
    b.expect_h1("Before your visit: what you expected").await;
    b.press("next").await;
    b.expect_h1("Today: what you experienced").await;
    assert_eq!(b.text("p#progress").await, "Page 4 of 4");
    b.tap("exp_quality", "5").await;

    // High scores: this is the last page, so it submits instead of going on to feedback.
    assert!(b.absent("button[value=next]").await, "no Next on page 4");
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    assert_eq!(
        b.client.current_url().await.unwrap().query(),
        Some("lang=en")
    );
    b.close().await;

    let id = only_response(&app, "en").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["5"]),
        ("recommend", &["10"]),
        ("first_purchase", &["no"]),
        ("exp_quality", &["5"]),
        // The feedback page was never shown, so nothing of it is stored.
        ("complaint", &[]),
        ("complaint_text", &[]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn switching_language_mid_form_keeps_answers() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open().await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=zh"))
        .await;
    b.expect_h1("总体评价").await;
    b.tap("overall_satisfaction", "4").await;
    b.tap("recommend", "9").await;
    b.press("next").await;
    b.expect_h1("关于您").await;
    b.tap("first_purchase", "yes").await;

    // The switch posts this page's answers along, so nothing typed so far is lost.
    b.press("lang-en").await;
    b.expect_h1("About you").await;
    assert_eq!(b.text("p#progress").await, "Page 2 of 4");
    assert_eq!(
        b.find("html").await.attr("lang").await.unwrap().as_deref(),
        Some("en")
    );
    assert!(b.is_checked("first_purchase", "yes").await);

    // Page 1's answers travelled as hidden fields and come back on Back.
    b.press("back").await;
    b.expect_h1("Overall").await;
    assert!(b.is_checked("overall_satisfaction", "4").await);
    assert!(b.is_checked("recommend", "9").await);

    // The rest of the way is in English, and the response says so.
    for h1 in [
        "About you",
        "Before your visit: what you expected",
        "Today: what you experienced",
    ] {
        b.press("next").await;
        b.expect_h1(h1).await;
    }
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    b.close().await;

    let id = only_response(&app, "en").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["4"]),
        ("recommend", &["9"]),
        ("first_purchase", &["yes"]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn a_customer_who_takes_back_a_complaint_can_still_submit() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open().await;
    b.goto(&format!("{base}/s/post-purchase?lang=en&store=S001"))
        .await;
    b.expect_h1("Overall").await;
    b.tap("overall_satisfaction", "1").await;
    b.tap("recommend", "2").await;
    b.press("next").await;
    b.expect_h1("About you").await;
    b.tap("first_purchase", "no").await;
    for heading in [
        "Before your visit: what you expected",
        "Today: what you experienced",
        "Tell us what went wrong",
    ] {
        b.press("next").await;
        b.expect_h1(heading).await;
    }
    b.tap("complaint", "yes").await;
    b.press("submit").await;
    b.wait_for("textarea[name=complaint_text]").await;
    // Changing their mind: the now-irrelevant box must not block the submit in the browser.
    b.tap("complaint", "no").await;
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    b.close().await;

    let id = only_response(&app, "en").await;
    let texts: i64 = sqlx::query_scalar(
        "select count(*) from answer where response_id = ? and question = 'complaint_text'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(texts, 0);
    assert_answers(&app, id, &[("complaint", &["no"])]).await;
}
