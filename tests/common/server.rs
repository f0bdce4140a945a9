//! The real `manyi` binary as a child process, and random valid answers to the post-purchase form for loading it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Map, Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_manyi");
pub const FORM: &str = "/s/post-purchase";
pub const API: &str = "/api/v1/forms/post-purchase/responses";
/// The stores the helpers import and answer for.
pub const STORES: [&str; 3] = ["S1", "S2", "S3"];

pub fn surveys() -> String {
    format!("{}/surveys", env!("CARGO_MANIFEST_DIR"))
}

/// Creates the database with the three test stores and a trusted submit token, through
/// the binary; returns the token (see [`api_client`]).
pub fn import_stores(db: &Path) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("stores.csv");
    std::fs::write(
        &csv,
        "code,name,region\nS1,Harbour,North\nS2,Hill,North\nS3,River,South\n",
    )
    .expect("write csv");
    let out = Command::new(BIN)
        .args(["stores", "import"])
        .arg(&csv)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run manyi stores import");
    assert!(
        out.status.success(),
        "stores import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    seed_form_key(db);
    // Trusted, like a POS forwarding answers: these tests load the write path, and the
    // servers they start turn the trusted per-token limit off (see `Server::try_start`).
    let out = Command::new(BIN)
        .args([
            "token",
            "add",
            "--name",
            "tests",
            "--scope",
            "submit",
            "--trusted",
        ])
        .arg("--db")
        .arg(db)
        .output()
        .expect("run manyi token add");
    assert!(
        out.status.success(),
        "token add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("the token on the last line")
        .to_owned()
}

/// A running `manyi serve`. Killed with SIGKILL when dropped while still running.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    /// Everything the server printed after its first line (stdout and stderr).
    log: Arc<Mutex<String>>,
}

fn collect(stream: impl Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
            log.push_str(&line);
            log.push('\n');
        }
    });
}

impl Server {
    /// Starts the binary on 127.0.0.1 with a free port and waits for its URL.
    pub fn start(db: &Path, extra: &[&str]) -> Server {
        Server::try_start(db, extra).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_start(db: &Path, extra: &[&str]) -> Result<Server, String> {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--surveys", &surveys()])
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("MANYI_LOG", "manyi=warn")
            // The fault tests measure the write path, not the per-token limit: a flag
            // in `extra` still overrides this.
            .env("MANYI_API_TRUSTED_PER_MINUTE", "0")
            // Nor the per-address limits of the public form: every client is 127.0.0.1.
            .env("MANYI_FORM_PER_HOUR", "0")
            .env("MANYI_FORM_PER_DAY", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {BIN}: {e}"))?;
        let log = Arc::new(Mutex::new(String::new()));
        collect(child.stderr.take().expect("stderr"), log.clone());
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let rest = log.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = tx.send(first);
            collect(reader, rest);
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Some(url) = first.split("Open ").nth(1) else {
            let _ = child.kill();
            let status = child.wait().ok();
            std::thread::sleep(Duration::from_millis(100));
            let log = log.lock().unwrap_or_else(|p| p.into_inner()).clone();
            return Err(format!(
                "the server did not start (exit {status:?}); first line {first:?}; log:\n{log}"
            ));
        };
        Ok(Server {
            url: url.trim().trim_end_matches('/').to_owned(),
            child: Some(child),
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// SIGKILL: the process gets no chance to flush or close anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then waits (at most 30 s) for the graceful exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("server is running");
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        for _ in 0..300 {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        panic!(
            "the server did not stop within 30 s of SIGTERM; log:\n{}",
            self.log()
        );
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client that never follows redirects (the form answers 303) and gives up on a hung server.
pub fn client() -> reqwest::Client {
    builder().build().expect("client")
}

/// The same, sending `Authorization: Bearer <token>` with every request: the API needs
/// it, and the form ignores it.
pub fn api_client(token: &str) -> reqwest::Client {
    let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
        .expect("a token is a valid header value");
    auth.set_sensitive(true);
    let headers = reqwest::header::HeaderMap::from_iter([(reqwest::header::AUTHORIZATION, auth)]);
    builder().default_headers(headers).build().expect("client")
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
}

/// The form-token key `import_stores` puts in every test database, so tests can make
/// the tokens the server would issue without asking it for a page first.
pub const TEST_FORM_KEY: [u8; 32] = [0x5a; 32];

/// A token the server would have issued on the post-purchase form page for these
/// answers' store ten minutes ago (a customer who took their time, not a too-fast post).
pub fn form_token(answers: &Answers) -> String {
    manyi::intake::form_token::issue(
        &TEST_FORM_KEY,
        "post-purchase",
        answers.store,
        manyi::auth::signed::unix_now() - 600,
    )
}

/// Stores [`TEST_FORM_KEY`] as the database's form-token key (on its own thread and
/// runtime, so sync and async callers alike can use it).
fn seed_form_key(db: &Path) {
    let db = db.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let pool = open_plain(&db).await;
            sqlx::query("insert into secret (name, value, created_at) values (?, ?, '2026-01-01T00:00:00Z')")
                .bind(manyi::intake::FORM_KEY_NAME)
                .bind(&TEST_FORM_KEY[..])
                .execute(&pool)
                .await
                .expect("seed the form-token key");
            pool.close().await;
        });
    })
    .join()
    .expect("seeding thread");
}

/// A random 32-hex-digit key, e.g. for `Idempotency-Key`.
pub fn token(rng: &mut impl Rng) -> String {
    let bytes: [u8; 16] = rng.r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One complete, valid filling of the post-purchase form.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    pub store: Option<&'static str>,
    pub lang: &'static str,
    /// (question, value) in the order the form posts them; a multiple choice repeats its name.
    pub pairs: Vec<(String, String)>,
}

const CHANNELS: [&str; 6] = ["friend", "passing", "online", "social", "ad", "other"];
const ASPECTS: [&str; 4] = ["price", "service", "quality", "environment"];

impl Answers {
    pub fn random(rng: &mut impl Rng) -> Answers {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut put = |q: &str, v: String| pairs.push((q.to_owned(), v));
        let sat = rng.gen_range(1..=5);
        let rec = rng.gen_range(0..=10);
        put("overall_satisfaction", sat.to_string());
        put("recommend", rec.to_string());
        put(
            "first_purchase",
            ["yes", "no"].choose(rng).unwrap().to_string(),
        );
        // Stored in the list's order, so they are posted in it too.
        for ch in CHANNELS {
            if rng.gen_bool(0.3) {
                put("heard_from", ch.to_owned());
            }
        }
        for aspect in ASPECTS {
            if rng.gen_bool(0.7) {
                put(
                    &format!("expect_{aspect}"),
                    rng.gen_range(1..=5).to_string(),
                );
            }
        }
        for aspect in ASPECTS {
            if rng.gen_bool(0.7) {
                put(&format!("exp_{aspect}"), rng.gen_range(1..=5).to_string());
            }
        }
        if sat <= 3 || rec <= 6 {
            let complaint = rng.gen_bool(0.4);
            put("complaint", if complaint { "yes" } else { "no" }.to_owned());
            if complaint {
                put(
                    "complaint_text",
                    format!("Waited {} minutes", rng.gen_range(5..60)),
                );
            }
            if rng.gen_bool(0.5) {
                put("suggestion", "More staff at the till".to_owned());
            }
        }
        Answers {
            store: *[Some("S1"), Some("S2"), Some("S3"), None]
                .choose(rng)
                .unwrap(),
            lang: ["zh", "en"].choose(rng).unwrap(),
            pairs,
        }
    }

    /// The index of the page the form submits from: feedback (4) when it applies, else 3.
    pub fn last_page(&self) -> usize {
        if self.pairs.iter().any(|(q, _)| q == "complaint") {
            4
        } else {
            3
        }
    }

    /// The JSON API body.
    pub fn json(&self) -> Value {
        let mut answers = Map::new();
        for (q, v) in &self.pairs {
            let value = match v.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => json!(v),
            };
            if q == "heard_from" {
                let list = answers.entry(q.clone()).or_insert_with(|| json!([]));
                list.as_array_mut().expect("array").push(value);
            } else {
                answers.insert(q.clone(), value);
            }
        }
        json!({ "store": self.store, "lang": self.lang, "answers": answers })
    }

    /// The final submit of the HTML form, with every answer and the filling's token.
    pub fn form(&self, token: &str) -> Vec<(String, String)> {
        let mut fields = vec![
            ("_token".to_owned(), token.to_owned()),
            ("_lang".to_owned(), self.lang.to_owned()),
            ("_page".to_owned(), self.last_page().to_string()),
        ];
        if let Some(store) = self.store {
            fields.push(("_store".to_owned(), store.to_owned()));
        }
        fields.extend(self.pairs.iter().cloned());
        fields.push(("_nav".to_owned(), "submit".to_owned()));
        fields
    }

    /// The answers sorted, as `stored_answers` returns them.
    pub fn sorted(&self) -> Vec<(String, String)> {
        let mut v = self.pairs.clone();
        v.sort();
        v
    }
}

/// What a response holds in the database: store and sorted (question, value) pairs.
pub async fn stored_answers(
    pool: &sqlx::SqlitePool,
    id: i64,
) -> (Option<String>, Vec<(String, String)>) {
    let store: Option<String> = sqlx::query_scalar("select store from response where id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("response {id}: {e}"));
    let mut answers: Vec<(String, String)> =
        sqlx::query_as("select question, value from answer where response_id = ?")
            .bind(id)
            .fetch_all(pool)
            .await
            .expect("answers");
    answers.sort();
    (store, answers)
}

/// Opens a database file for checking, read-write so a WAL file can be read or created.
pub async fn open_plain(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// The form fields a page would post back as it stands: hidden inputs, checked
/// choices, filled text inputs and text areas (not the buttons).
pub fn posted_fields(page: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = page;
    while let Some(start) = [rest.find("<input "), rest.find("<textarea ")]
        .into_iter()
        .flatten()
        .min()
    {
        let tag_end = start + rest[start..].find('>').expect("tag ends");
        let tag = &rest[start..tag_end];
        let attr = |name: &str| -> Option<String> {
            let marker = format!(" {name}=\"");
            let at = tag.find(&marker)? + marker.len();
            let end = tag[at..].find('"')?;
            Some(unescape(&tag[at..at + end]))
        };
        let flag = |name: &str| {
            tag.split_whitespace()
                .any(|w| w == name || w.starts_with(&format!("{name}=")))
        };
        if let Some(name) = attr("name") {
            if tag.starts_with("<textarea") {
                let body_end = tag_end + rest[tag_end..].find("</textarea>").expect("closed");
                let text = unescape(&rest[tag_end + 1..body_end]);
                if !text.is_empty() {
                    fields.push((name, text));
                }
            } else {
                let kind = attr("type").unwrap_or_else(|| "text".into());
                let value = attr("value").unwrap_or_default();
                match kind.as_str() {
                    "radio" | "checkbox" if flag("checked") => fields.push((name, value)),
                    "radio" | "checkbox" => {}
                    _ if !value.is_empty() || kind == "hidden" => fields.push((name, value)),
                    _ => {}
                }
            }
        }
        rest = &rest[tag_end..];
    }
    fields
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A path beside `path` with a suffix, e.g. `manyi.db-wal`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
