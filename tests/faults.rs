//! The real binary when things go wrong: a full disk, more load than the write queue or the
//! request limit takes, a damaged database file, a clean stop, and a backup while serving.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hidden;
use common::server::{
    self, API, Answers, BIN, FORM, Server, client, open_plain, posted_fields, sibling,
    stored_answers,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The parts of an answer the tests look at.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    retry_after: Option<String>,
    content_type: String,
    location: String,
    body: String,
}

async fn reply(res: reqwest::Response) -> Result<Reply, reqwest::Error> {
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let status = res.status().as_u16();
    let retry_after = header("retry-after");
    let content_type = header("content-type").unwrap_or_default();
    let location = header("location").unwrap_or_default();
    Ok(Reply {
        status,
        retry_after,
        content_type,
        location,
        body: res.text().await?,
    })
}

async fn post_api(
    http: &reqwest::Client,
    url: &str,
    answers: &Answers,
    key: &str,
) -> Result<Reply, reqwest::Error> {
    let res = http
        .post(format!("{url}{API}"))
        .header("Idempotency-Key", key)
        .json(&answers.json())
        .send()
        .await?;
    reply(res).await
}

async fn post_form(
    http: &reqwest::Client,
    url: &str,
    fields: &[(String, String)],
) -> Result<Reply, reqwest::Error> {
    let res = http
        .post(format!("{url}{FORM}"))
        .form(fields)
        .send()
        .await?;
    reply(res).await
}

/// A refusal tells the client when to come back: `Retry-After` in whole seconds.
fn assert_retry_after(r: &Reply) {
    let secs = r.retry_after.as_deref().and_then(|v| v.parse::<u64>().ok());
    assert!(
        secs.is_some_and(|s| s >= 1),
        "{} without a usable Retry-After: {:?}",
        r.status,
        r.retry_after
    );
}

fn api_id(r: &Reply) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(&r.body)
        .ok()?
        .get("id")?
        .as_i64()
}

/// The stored response for an API key or a form token, if any.
async fn stored_id(pool: &sqlx::SqlitePool, submission_key: &str) -> Vec<i64> {
    sqlx::query_scalar("select id from response where submission_key = ?")
        .bind(submission_key)
        .fetch_all(pool)
        .await
        .unwrap()
}

fn api_key(key: &str) -> String {
    format!("api:post-purchase:{key}")
}

fn seeded() -> StdRng {
    let seed: u64 = rand::thread_rng().r#gen();
    println!("seed {seed}");
    StdRng::seed_from_u64(seed)
}

/// Submits `n` responses (alternately API and form), each acknowledged; returns
/// (submission key as stored, answers) for each.
async fn submit_acknowledged(
    url: &str,
    n: usize,
    rng: &mut StdRng,
) -> Vec<(String, Answers, Option<i64>)> {
    let http = client();
    let mut out = Vec::new();
    for i in 0..n {
        let answers = Answers::random(rng);
        let t = server::token(rng);
        if i % 2 == 0 {
            let r = post_api(&http, url, &answers, &t).await.unwrap();
            assert_eq!(r.status, 201, "{}", r.body);
            out.push((api_key(&t), answers, api_id(&r)));
        } else {
            let r = post_form(&http, url, &answers.form(&t)).await.unwrap();
            assert_eq!(r.status, 303, "{}", r.body);
            out.push((t, answers, None));
        }
    }
    out
}

/// Each acknowledged response is in `pool` once, with its id (when the API gave one) and answers.
async fn assert_all_stored(pool: &sqlx::SqlitePool, acked: &[(String, Answers, Option<i64>)]) {
    for (key, answers, id) in acked {
        let ids = stored_id(pool, key).await;
        assert_eq!(ids.len(), 1, "{key} stored {} times", ids.len());
        if let Some(id) = id {
            assert_eq!(ids[0], *id, "{key}");
        }
        let (store, stored) = stored_answers(pool, ids[0]).await;
        assert_eq!(store.as_deref(), answers.store, "{key}");
        assert_eq!(stored, answers.sorted(), "{key}");
    }
}

// ---------------------------------------------------------------- disk full

/// A small tmpfs, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let root = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0");
        if !root {
            return Err("not running as root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// Fills the file system holding `path` completely, then gives `keep_free` bytes back.
fn fill_leaving(path: &Path, keep_free: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    let _ = f.sync_all();
    f.set_len(written.saturating_sub(keep_free)).unwrap();
}

#[tokio::test]
async fn a_full_disk_answers_507_or_503_and_recovers_without_a_restart_once_space_is_freed() {
    let fs = match Tmpfs::mount("16m") {
        Ok(fs) => fs,
        Err(why) => {
            println!(
                "SKIPPED a_full_disk_answers_507_or_503_…: needs root and a tmpfs mount ({why})"
            );
            return;
        }
    };
    let db = fs.path().join("manyi.db");
    server::import_stores(&db);
    let filler = fs.path().join("filler");
    fill_leaving(&filler, 192 * 1024);
    let srv = Server::start(&db, &[]);
    let url = srv.url.clone();
    let http = client();
    let mut rng = seeded();

    // Submit until the disk is full: every refusal is 507 or 503, with Retry-After.
    let mut acked: Vec<(String, Answers, Option<i64>)> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    let mut failures_in_a_row = 0;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for i in 0..3000 {
        let answers = Answers::random(&mut rng);
        let t = server::token(&mut rng);
        let api = i % 2 == 0;
        let r = if api {
            post_api(&http, &url, &answers, &t).await
        } else {
            post_form(&http, &url, &answers.form(&t)).await
        };
        let r = r.unwrap_or_else(|e| {
            panic!(
                "submission {i} got no answer on a full disk: {e}\nlog:\n{}",
                srv.log()
            )
        });
        *statuses.entry(r.status).or_default() += 1;
        let key = if api { api_key(&t) } else { t.clone() };
        match (api, r.status) {
            (true, 201) => {
                acked.push((key, answers, api_id(&r)));
                failures_in_a_row = 0;
            }
            (false, 303) => {
                acked.push((key, answers, None));
                failures_in_a_row = 0;
            }
            (_, 507 | 503) => {
                assert_retry_after(&r);
                if api {
                    let body: serde_json::Value = serde_json::from_str(&r.body)
                        .unwrap_or_else(|_| panic!("JSON error body: {}", r.body));
                    let msg = body["errors"]["request"].as_str().unwrap_or_default();
                    assert!(msg.contains("Nothing was stored"), "{}", r.body);
                } else {
                    // The form comes back with the answers, ready to be sent again.
                    assert!(
                        r.body.contains("your answers are not saved yet"),
                        "{}",
                        r.body
                    );
                    assert_eq!(hidden(&r.body, "_token").as_deref(), Some(t.as_str()));
                }
                refused.push(key);
                failures_in_a_row += 1;
            }
            (_, status) => panic!(
                "submission {i} on a full disk answered {status}: {}\nlog:\n{}",
                r.body,
                srv.log()
            ),
        }
        if failures_in_a_row >= 6 {
            break;
        }
    }
    println!(
        "full disk: {} stored, then {} refused; statuses {statuses:?}",
        acked.len(),
        refused.len()
    );
    assert!(
        failures_in_a_row >= 6,
        "the disk never filled up: {statuses:?}"
    );

    let health = reply(http.get(format!("{url}/healthz")).send().await.unwrap())
        .await
        .unwrap();
    if health.status != 503 {
        // Say whether the write path really works again, or only the health check thinks so.
        let answers = Answers::random(&mut rng);
        let t = server::token(&mut rng);
        let next = post_api(&http, &url, &answers, &t).await.unwrap();
        panic!(
            "healthz answers {} {:?} on a full disk after {failures_in_a_row} failed submissions in a row; \
             the next submission answers {} {}",
            health.status, health.body, next.status, next.body
        );
    }
    let reason = health
        .body
        .strip_prefix("write path failing: ")
        .unwrap_or_else(|| panic!("healthz gives no reason: {}", health.body));
    assert!(!reason.trim().is_empty(), "empty reason");
    println!("healthz on a full disk: {}", health.body);

    // Free the space; without a restart, submissions and health come back.
    std::fs::remove_file(&filler).unwrap();
    let mut ok = 0;
    let mut after: HashMap<u16, usize> = HashMap::new();
    for i in 0..200 {
        let answers = Answers::random(&mut rng);
        let t = server::token(&mut rng);
        let r = if i % 2 == 0 {
            post_api(&http, &url, &answers, &t).await
        } else {
            post_form(&http, &url, &answers.form(&t)).await
        };
        let r = r.unwrap_or_else(|e| panic!("submission after freeing space: {e}"));
        *after.entry(r.status).or_default() += 1;
        match r.status {
            201 => {
                ok += 1;
                acked.push((api_key(&t), answers, api_id(&r)));
            }
            303 => {
                ok += 1;
                acked.push((t, answers, None));
            }
            507 | 503 => refused.push(if i % 2 == 0 { api_key(&t) } else { t }),
            other => panic!("after freeing space: {other}: {}", r.body),
        }
    }
    println!("after freeing space: {after:?}");
    assert!(
        ok >= 196,
        "only {ok} of 200 submissions stored after space was freed: {after:?}\nlog:\n{}",
        srv.log()
    );
    let health = reply(http.get(format!("{url}/healthz")).send().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, "ok"),
        "healthz after space was freed"
    );

    // What was acknowledged is stored; what was refused is not.
    let mut srv = srv;
    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    assert_all_stored(&pool, &acked).await;
    for key in &refused {
        assert!(
            stored_id(&pool, key).await.is_empty(),
            "{key} was refused but is stored"
        );
    }
    let total: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total as usize, acked.len());
    let check: String = sqlx::query_scalar("pragma quick_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    pool.close().await;
}

// ---------------------------------------------------------------- shedding

#[derive(Debug)]
enum Sent {
    Api(String, Answers),
    Form(String, Answers),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tiny_write_queue_sheds_with_503_retry_after_and_stores_nothing_it_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let mut srv = Server::start(&db, &["--write-queue", "1", "--write-queue-wait-ms", "1"]);
    let url = srv.url.clone();
    let http = client();
    let mut rng = seeded();

    let mut results: Vec<(Sent, Reply)> = Vec::new();
    for round in 0..20 {
        let mut tasks = Vec::new();
        for i in 0..48 {
            let answers = Answers::random(&mut rng);
            let t = server::token(&mut rng);
            let (http, url) = (http.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    let r = post_api(&http, &url, &answers, &t).await;
                    (Sent::Api(t, answers), r)
                } else {
                    let r = post_form(&http, &url, &answers.form(&t)).await;
                    (Sent::Form(t, answers), r)
                }
            }));
        }
        for task in tasks {
            let (sent, r) = task.await.unwrap();
            let r = r.unwrap_or_else(|e| panic!("{sent:?} got no answer: {e}"));
            results.push((sent, r));
        }
        let shed = |api: bool| {
            results
                .iter()
                .any(|(s, r)| matches!(s, Sent::Api(..)) == api && r.status == 503)
        };
        if shed(true) && shed(false) {
            println!("both kinds shed after {} round(s)", round + 1);
            break;
        }
    }
    let count = |status: u16| results.iter().filter(|(_, r)| r.status == status).count();
    println!(
        "{} submissions: {} stored, {} shed",
        results.len(),
        count(201) + count(303),
        count(503)
    );
    let mut busy_pages = Vec::new();
    for (sent, r) in &results {
        match (sent, r.status) {
            (Sent::Api(..), 201) | (Sent::Form(..), 303) => {}
            (Sent::Api(..), 503) => {
                assert_retry_after(r);
                assert!(r.content_type.starts_with("application/json"), "{r:?}");
                let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                let msg = body["errors"]["request"].as_str().unwrap_or_default();
                assert!(msg.contains("The server is busy"), "{}", r.body);
            }
            (Sent::Form(token, answers), 503) => {
                assert_retry_after(r);
                assert!(
                    r.body.contains(
                        "The server is busy and your answers are not saved yet. They are all still here"
                    ),
                    "busy notice: {}",
                    r.body
                );
                // Every answer is still on the page: posting it as it stands sends them all.
                let fields = posted_fields(&r.body);
                let mut answered: Vec<(String, String)> = fields
                    .iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .cloned()
                    .collect();
                answered.sort();
                assert_eq!(answered, answers.sorted(), "answers kept on the 503 page");
                assert_eq!(hidden(&r.body, "_token").as_deref(), Some(token.as_str()));
                busy_pages.push((token.clone(), answers.clone(), fields));
            }
            (sent, status) => panic!("{sent:?} answered {status}: {}", r.body),
        }
    }
    assert!(
        results
            .iter()
            .any(|(s, r)| matches!(s, Sent::Api(..)) && r.status == 503),
        "no API submission was shed with a one-place queue"
    );
    assert!(!busy_pages.is_empty(), "no form submission was shed");

    // Pressing Submit again on a busy page (the load is over) stores it, once.
    let resent: Vec<_> = busy_pages.iter().take(5).collect();
    for (token, _, fields) in &resent {
        let mut fields = fields.clone();
        fields.push(("_nav".into(), "submit".into()));
        let r = post_form(&http, &url, &fields).await.unwrap();
        assert_eq!(r.status, 303, "resubmitting the busy page: {}", r.body);
        let lang = &fields.iter().find(|(k, _)| k == "_lang").expect("_lang").1;
        assert_eq!(
            r.location,
            format!("/s/post-purchase/thanks?lang={lang}"),
            "token {token}"
        );
    }

    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    for (sent, r) in &results {
        let (key, answers) = match sent {
            Sent::Api(t, a) => (api_key(t), a),
            Sent::Form(t, a) => (t.clone(), a),
        };
        let ids = stored_id(&pool, &key).await;
        let resubmitted = resent.iter().any(|(t, _, _)| *t == key);
        if r.status == 503 && !resubmitted {
            assert!(ids.is_empty(), "{key} was answered 503 but is stored");
        } else {
            assert_eq!(
                ids.len(),
                1,
                "{key} ({}) stored {} times",
                r.status,
                ids.len()
            );
            let (_, stored) = stored_answers(&pool, ids[0]).await;
            assert_eq!(stored, answers.sorted(), "{key}");
        }
    }
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_in_flight_1_sheds_concurrent_requests_with_503_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let mut srv = Server::start(&db, &["--max-in-flight", "1"]);
    let url = srv.url.clone();
    let http = client();
    let mut rng = seeded();
    let mut results: Vec<(String, Answers, Reply)> = Vec::new();
    for _ in 0..20 {
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let answers = Answers::random(&mut rng);
                let t = server::token(&mut rng);
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let r = post_api(&http, &url, &answers, &t).await;
                    (t, answers, r)
                })
            })
            .collect();
        for task in tasks {
            let (t, a, r) = task.await.unwrap();
            let r = r.unwrap_or_else(|e| panic!("no answer: {e}"));
            results.push((t, a, r));
        }
        if results.iter().any(|(_, _, r)| r.status == 503) {
            break;
        }
    }
    let shed: Vec<&Reply> = results
        .iter()
        .map(|(_, _, r)| r)
        .filter(|r| r.status == 503)
        .collect();
    println!(
        "{} requests, {} shed at the door",
        results.len(),
        shed.len()
    );
    assert!(!shed.is_empty(), "nothing was shed with --max-in-flight 1");
    for r in &shed {
        assert_retry_after(r);
        // The API answers in JSON even when turned away at the door.
        let body: serde_json::Value = serde_json::from_str(&r.body)
            .unwrap_or_else(|_| panic!("JSON body for a shed API request: {}", r.body));
        let msg = body["errors"]["request"].as_str().unwrap_or_default();
        assert!(msg.contains("The server is busy"), "{}", r.body);
    }
    assert!(srv.terminate().success());
    let pool = open_plain(&db).await;
    for (t, answers, r) in &results {
        let ids = stored_id(&pool, &api_key(t)).await;
        match r.status {
            201 => {
                assert_eq!(ids, [api_id(r).unwrap()]);
                assert_eq!(stored_answers(&pool, ids[0]).await.1, answers.sorted());
            }
            503 => assert!(ids.is_empty(), "shed request {t} is stored"),
            other => panic!("{other}: {}", r.body),
        }
    }
    pool.close().await;
}

// ---------------------------------------------------------------- damaged files

/// Runs `manyi serve` on `db`, expecting it to refuse: returns (exit code, stdout, stderr).
fn serve_expecting_refusal(db: &Path) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--surveys",
            &server::surveys(),
        ])
        .arg("--db")
        .arg(db)
        .env("MANYI_LOG", "manyi=warn")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the server kept running on {}: {}",
                db.display(),
                std::fs::read_to_string(&out_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.code(),
        std::fs::read_to_string(&out_path).unwrap(),
        std::fs::read_to_string(&err_path).unwrap(),
    )
}

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("error:")).collect()
}

#[tokio::test]
async fn a_damaged_database_is_refused_at_start_with_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let mut rng = seeded();
    submit_acknowledged(&srv.url, 300, &mut rng).await;
    assert!(srv.terminate().success());

    assert!(
        !sibling(&db, "-wal").exists()
            || std::fs::metadata(sibling(&db, "-wal")).unwrap().len() == 0,
        "the file alone is the database"
    );
    // Find leaf pages of the answers' b-tree, away from the file's header and schema.
    let pool = open_plain(&db).await;
    let page_size: i64 = sqlx::query_scalar("pragma page_size")
        .fetch_one(&pool)
        .await
        .unwrap();
    let leaves: Vec<i64> = sqlx::query_scalar(
        "select pageno from dbstat where name = 'answer' and pagetype = 'leaf' order by pageno",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert!(leaves.len() >= 8, "answer leaves: {leaves:?}");
    let damaged = &leaves[leaves.len() / 2 - 2..leaves.len() / 2 + 2];
    let mut bytes = std::fs::read(&db).unwrap();
    let size = page_size as usize;
    for page in damaged {
        let at = (*page as usize - 1) * size;
        assert!(at > 0 && at + size <= bytes.len());
        for (i, b) in bytes[at..at + size].iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37) ^ 0xa5;
        }
    }
    std::fs::write(&db, &bytes).unwrap();
    println!("garbled pages {damaged:?} of {}", bytes.len() / size);

    let (code, stdout, stderr) = serve_expecting_refusal(&db);
    println!("stderr: {stderr}");
    assert_eq!(code, Some(1), "exit code; stderr: {stderr}");
    assert!(!stdout.contains("Open http"), "served anyway: {stdout}");
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    assert!(
        errors[0].contains("damaged") && errors[0].contains(&db.display().to_string()),
        "the error names the damage and the file: {}",
        errors[0]
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    let text = "These are my notes, not a database.\n".repeat(2000);
    std::fs::write(&db, &text).unwrap();
    let (code, stdout, stderr) = serve_expecting_refusal(&db);
    println!("stderr: {stderr}");
    assert_eq!(code, Some(1), "exit code; stderr: {stderr}");
    assert!(!stdout.contains("Open http"), "served anyway: {stdout}");
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    assert!(
        errors[0].contains("not a manyi database") && errors[0].contains("manyi.db"),
        "{}",
        errors[0]
    );
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        text,
        "the file is untouched"
    );
}

// ---------------------------------------------------------------- clean stop

#[tokio::test]
async fn after_sigterm_the_database_file_alone_holds_every_acknowledged_response() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let mut rng = seeded();
    let acked = submit_acknowledged(&srv.url, 80, &mut rng).await;
    // The WAL holds them until the server stops.
    let wal = sibling(&db, "-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
        "the running server writes to the WAL"
    );
    let status = srv.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");
    let wal_len = std::fs::metadata(&wal).map(|m| m.len()).ok();
    assert!(
        wal_len.is_none_or(|n| n == 0),
        "the WAL is left with {wal_len:?} bytes"
    );

    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("alone.db");
    std::fs::copy(&db, &copy).unwrap();
    let pool = open_plain(&copy).await;
    let check: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let total: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total, 80);
    assert_all_stored(&pool, &acked).await;
    pool.close().await;
}

// ---------------------------------------------------------------- backup

fn backup(db: &Path, target: &Path) -> std::process::Output {
    Command::new(BIN)
        .arg("backup")
        .arg(target)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_while_serving_is_a_checked_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let url = srv.url.clone();
    let mut rng = seeded();
    let before = submit_acknowledged(&url, 60, &mut rng).await;

    // Keep submitting while the backup runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let during: Arc<Mutex<Vec<u16>>> = Arc::default();
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, during, url) = (stop.clone(), during.clone(), url.clone());
            let mut rng = StdRng::seed_from_u64(rng.r#gen());
            tokio::spawn(async move {
                let http = client();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let answers = Answers::random(&mut rng);
                    let r = post_api(&http, &url, &answers, &server::token(&mut rng))
                        .await
                        .expect("answer during backup");
                    during.lock().unwrap().push(r.status);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let target: PathBuf = dir.path().join("backups").join("copy.db");
    let (db2, target2) = (db.clone(), target.clone());
    let out = tokio::task::spawn_blocking(move || backup(&db2, &target2))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let during = during.lock().unwrap().clone();
    println!("{} submissions while the backup ran", during.len());
    assert!(
        during.iter().all(|s| *s == 201),
        "statuses during backup: {during:?}"
    );
    assert!(
        out.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("backup written to") && stdout.contains("and checked"),
        "{stdout}"
    );

    let pool = open_plain(&target).await;
    let check: String = sqlx::query_scalar("pragma quick_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    assert_all_stored(&pool, &before).await;
    let in_backup: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;

    // An existing file is never overwritten.
    let saved = std::fs::read(&target).unwrap();
    let again = backup(&db, &target);
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("already exists") && errors[0].contains("copy.db"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        saved,
        "the backup is untouched"
    );

    assert!(srv.terminate().success());
    let live = open_plain(&db).await;
    let total: i64 = sqlx::query_scalar("select count(*) from response")
        .fetch_one(&live)
        .await
        .unwrap();
    live.close().await;
    assert!(
        in_backup as usize >= before.len() && in_backup <= total,
        "backup holds {in_backup}, acknowledged before {}, live {total}",
        before.len()
    );
}
