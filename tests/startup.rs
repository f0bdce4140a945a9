//! The real binary at start and stop: a damaged database or a file that is not one is refused,
//! SIGTERM leaves every acknowledged response in the database file alone, and a backup while
//! serving is a checked copy that never overwrites.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::replies::{api_id, api_key, assert_all_stored, post_api, post_form, seeded};
use common::server::{self, Answers, BIN, Server, api_client, open_plain, sibling};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Submits `n` responses (alternately API and form), each acknowledged; returns
/// (submission key as stored, answers) for each.
async fn submit_acknowledged(
    (url, token): (&str, &str),
    n: usize,
    rng: &mut StdRng,
) -> Vec<(String, Answers, Option<String>)> {
    let http = api_client(token);
    let mut out = Vec::new();
    for i in 0..n {
        let answers = Answers::random(rng);
        let t = server::form_token(&answers);
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
    let token = server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let mut rng = seeded();
    submit_acknowledged((&srv.url, &token), 300, &mut rng).await;
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
    let token = server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let mut rng = seeded();
    let acked = submit_acknowledged((&srv.url, &token), 80, &mut rng).await;
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
    let token = server::import_stores(&db);
    let mut srv = Server::start(&db, &[]);
    let url = srv.url.clone();
    let mut rng = seeded();
    let before = submit_acknowledged((&url, &token), 60, &mut rng).await;

    // Keep submitting while the backup runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let during: Arc<Mutex<Vec<u16>>> = Arc::default();
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, during, url) = (stop.clone(), during.clone(), url.clone());
            let token = token.clone();
            let mut rng = StdRng::seed_from_u64(rng.r#gen());
            tokio::spawn(async move {
                let http = api_client(&token);
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
