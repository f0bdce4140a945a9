//! The `manyi` binary itself: check, refusing bad surveys, durability across kill -9, graceful stop and export.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_manyi");

fn surveys() -> String {
    format!("{}/surveys", env!("CARGO_MANIFEST_DIR"))
}

fn broken_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(format!("{}/post-purchase.toml", surveys())).unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        good.replace(
            "${overall_satisfaction} <= 3",
            "${overall_satisfction} <= 3",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        "[settings]\nid = \"b\"\ntitle = \n",
    )
    .unwrap();
    dir
}

#[test]
fn check_accepts_the_shipped_surveys() {
    let out = Command::new(BIN)
        .args(["check", &surveys()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("post-purchase"));
}

#[test]
fn check_prints_every_error_with_file_line_and_column_and_fails() {
    let dir = broken_dir();
    let out = Command::new(BIN)
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a.toml:") && err.contains("${overall_satisfction}, which is not a question"),
        "{err}"
    );
    assert!(err.contains("b.toml:3:"), "{err}");
    assert!(err.contains("2 error(s) found"), "{err}");
}

#[test]
fn the_server_refuses_to_start_with_a_broken_survey() {
    let dir = broken_dir();
    let db = dir.path().join("x.db");
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--surveys"])
        .arg(dir.path())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to start"));
}

/// Starts the real binary on a free port; returns the child and its base URL.
fn start(db: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--surveys", &surveys()])
        .arg("--db")
        .arg(db)
        .env("MANYI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split("Open ")
        .nth(1)
        .expect("prints the URL")
        .trim()
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn an_acknowledged_response_survives_kill_9_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("manyi.db");
    let (mut child, url) = start(&db);
    let res = reqwest::Client::new()
        .post(format!("{url}/api/v1/forms/post-purchase/responses"))
        .json(&serde_json::json!({"store": "S9", "answers": {"overall_satisfaction": 4, "recommend": 10, "first_purchase": "no", "heard_from": ["ad", "friend"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    child.kill().unwrap(); // SIGKILL: no chance to flush anything after the 201.
    child.wait().unwrap();

    let out = Command::new(BIN)
        .args(["export", "--form", "post-purchase", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,submitted_at,store,lang,version,overall_satisfaction,recommend")
    );
    let row = lines.next().expect("the response is on disk");
    assert!(
        row.starts_with("1,") && row.contains(",S9,zh,2026.11.1,4,10,no,friend;ad,"),
        "{row}"
    );
}

#[test]
fn export_of_an_unknown_form_or_database_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["export", "--form", "x", "--db"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no database"));
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = start(&dir.path().join("m.db"));
    assert_eq!(
        reqwest::get(format!("{url}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success(), "exits 0 after SIGTERM");
}
