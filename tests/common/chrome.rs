//! A phone-sized headless Chromium driven through chromedriver, for the browser tests.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; without them a test fails on purpose.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL: &str = "install them with `apt-get install chromium chromium-driver`";
const WAIT: Duration = Duration::from_secs(10);

/// A chromedriver process that is shut down, browsers included, even when the test panics.
pub struct Driver {
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

/// One phone-sized browser session. Field order matters: the client goes before the driver and the profile.
pub struct Phone {
    pub client: Client,
    _driver: Driver,
    _profile: TempDir,
}

impl Phone {
    /// Starts chromedriver and a 360×740 Chromium whose Accept-Language is `accept_language`.
    pub async fn open(accept_language: &str) -> Phone {
        Phone::open_sized(accept_language, 360, 740).await
    }

    /// The same, with a screen of `width`×`height` CSS pixels (390×844 is a current phone).
    pub async fn open_sized(accept_language: &str, width: u32, height: u32) -> Phone {
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
                    "--disable-sync", "--disable-quic",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ],
                // Pages reached by links (not posts) negotiate their language from this.
                "prefs": { "intl.accept_languages": accept_language },
                "mobileEmulation": { "deviceMetrics": { "width": width, "height": height, "pixelRatio": 3.0 } },
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

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// Waits until an element matches the XPath: the sign a navigation has landed.
    /// Errors while a navigation is under way ("aborted by navigation") are retried until `WAIT`.
    pub async fn expect(&self, xpath: &str) {
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

    pub async fn expect_h1(&self, text: &str) {
        self.expect_h(1, text).await;
    }

    /// Waits (a navigation may still be running) until an element matches.
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return e,
                Err(e) if Instant::now() >= deadline => panic!("`{css}` never appeared: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page opens");
    }

    pub async fn absent(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_err()
    }

    pub async fn close(self) {
        self.client.clone().close().await.expect("session closes");
    }

    pub async fn expect_h(&self, level: u8, text: &str) {
        let xpath = format!("//h{level}[normalize-space()='{text}']");
        self.expect(&xpath).await;
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("`{script}` failed: {e}"))
    }

    /// Runs an asynchronous script; it answers by calling its last argument.
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}"))
    }

    pub async fn js_i64(&self, script: &str) -> i64 {
        let v = self.js(script, vec![]).await;
        v.as_i64().unwrap_or_else(|| panic!("`{script}` gave {v}"))
    }

    /// Sets a date or time input the way its picker would (typing into them is locale-dependent).
    pub async fn set(&self, css: &str, value: &str) {
        let el = serde_json::to_value(self.find(css).await).unwrap();
        self.js("arguments[0].value = arguments[1]", vec![el, json!(value)])
            .await;
        assert_eq!(self.value(css).await, value, "{css} not set");
    }

    pub async fn value(&self, css: &str) -> String {
        let v = self.find(css).await.prop("value").await.expect("value");
        v.unwrap_or_default()
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn tap_link(&self, text: &str) {
        let link = self.client.find(Locator::LinkText(text)).await;
        link.unwrap_or_else(|e| panic!("no link {text:?}: {e}"))
            .click()
            .await
            .expect("tap link");
    }

    /// Taps the option box around an input, as a thumb would, and checks it took.
    pub async fn tap(&self, name: &str, value: &str) {
        self.click(&format!(
            "label.opt:has(input[name={name}][value='{value}'])"
        ))
        .await;
        assert!(self.is_checked(name, value).await, "{name}={value} not set");
    }

    pub async fn is_checked(&self, name: &str, value: &str) -> bool {
        let input = self
            .find(&format!("input[name={name}][value='{value}']"))
            .await;
        input.is_selected().await.expect("selected state")
    }

    pub async fn press(&self, nav: &str) {
        self.click(&format!("button[name=_nav][value={nav}]")).await;
    }

    /// The HTTP status of the page now shown, as the browser received it.
    pub async fn status(&self) -> i64 {
        self.js_i64("return performance.getEntriesByType('navigation')[0].responseStatus")
            .await
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// A real, decodable photo drawn by the browser itself, as JPEG bytes.
    pub async fn draw_jpeg(&self) -> Vec<u8> {
        let script = "const c = document.createElement('canvas'); c.width = 48; c.height = 32;
            const g = c.getContext('2d'); g.fillStyle = '#c33'; g.fillRect(0, 0, 48, 32);
            g.fillStyle = '#fff'; g.fillRect(8, 8, 32, 16);
            const b = atob(c.toDataURL('image/jpeg', 0.9).split(',')[1]);
            return Array.from(b, ch => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('');";
        let v = self.js(script, vec![]).await;
        hex::decode(v.as_str().expect("hex string")).expect("hex")
    }

    /// Polls a script (e.g. "has the image loaded?") until it returns true.
    pub async fn until(&self, script: &str) {
        let deadline = Instant::now() + WAIT;
        while self.js(script, vec![]).await != json!(true) {
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
