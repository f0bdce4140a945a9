//! `manyi token add` and `manyi token list` through the real binary: the token alone on the last line of stdout, and it works on the API.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::server::{self, BIN, Server};
use serde_json::json;

fn manyi(args: &[&str], db: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run manyi")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn token_add_prints_a_kiosk_token_last_and_it_submits_for_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let out = manyi(
        &[
            "token", "add", "--name", "Kiosk S2", "--scope", "submit", "--store", "S2",
        ],
        &db,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2, "a description, then the token: {text}");
    let token = *lines.last().unwrap();
    assert!(
        token.len() == 70
            && token.starts_with("manyi_")
            && token[6..].bytes().all(|b| b.is_ascii_hexdigit()),
        "the token alone on the last line: {token:?}"
    );
    assert!(
        lines[0].contains("submit") && lines[0].contains("store S2"),
        "{text}"
    );

    let srv = Server::start(&db, &[]);
    let http = server::api_client(token);
    let body = json!({ "lang": "en", "answers": {
        "overall_satisfaction": 4, "recommend": 9, "first_purchase": "no" } });
    let res = http
        .post(format!("{}{}", srv.url, server::API))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Another store is refused, and nothing is stored for it.
    let mut other = body.clone();
    other["store"] = json!("S3");
    let res = http
        .post(format!("{}{}", srv.url, server::API))
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    drop(srv);

    let pool = server::open_plain(&db).await;
    let stored: Vec<(Option<String>, i64)> =
        sqlx::query_as("select store, count(*) from response group by store")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored, [(Some("S2".into()), 1)]);
}

#[test]
fn token_add_refuses_an_unknown_store_scope_or_a_trusted_sales_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    for (args, says) in [
        (
            vec!["--scope", "submit", "--store", "S404"],
            "error: there is no store 'S404'",
        ),
        (vec!["--scope", "admin"], "error: unknown scope 'admin'"),
        (
            vec!["--scope", "sales", "--trusted"],
            "error: only a submit token can be trusted",
        ),
    ] {
        let mut all = vec!["token", "add", "--name", "x"];
        all.extend(&args);
        let out = manyi(&all, &db);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).starts_with(says), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "no token printed for {args:?}");
    }
    // Only the token `import_stores` made exists.
    let out = manyi(&["token", "list"], &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn token_list_shows_scope_store_trust_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("manyi.db");
    server::import_stores(&db);
    let out = manyi(
        &["token", "add", "--name", "POS sales", "--scope", "sales"],
        &db,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = manyi(&["token", "list"], &db);
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "id",
            "scope",
            "store",
            "trusted",
            "status",
            "created (UTC)",
            "name"
        ]
    );
    assert_eq!(
        (rows[1][1], rows[1][2], rows[1][3], rows[1][4], rows[1][6]),
        ("submit", "any", "yes", "active", "tests")
    );
    assert_eq!(
        (rows[2][1], rows[2][2], rows[2][3], rows[2][6]),
        ("sales", "any", "no", "POS sales")
    );
    assert!(!text.contains("manyi_"), "never the token itself");
}
