//! The sales API checks its token before it reads a byte of the body: unpolled bodies, a stalled upload, 5 MB from nobody.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::Request;
use common::TestApp;
use manyi::auth::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FIVE_MB: usize = 5 * 1024 * 1024;

/// A 5 MB body that records whether anyone asked for it.
fn watched_body() -> (Body, Arc<AtomicBool>) {
    let polled = Arc::new(AtomicBool::new(false));
    let flag = polled.clone();
    let stream = futures_util::stream::once(async move {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(vec![b' '; FIVE_MB]))
    });
    (Body::from_stream(stream), polled)
}

fn sales_post(authorization: Option<&str>, body: Body) -> Request<Body> {
    let mut req = Request::post("/api/v1/sales").header("content-type", "application/json");
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    req.body(body).unwrap()
}

#[tokio::test]
async fn without_a_valid_token_the_body_is_never_polled() {
    let app = TestApp::new().await;
    let ada = app.add_user("ada", Role::Admin).await;
    let token = manyi::db::tokens::create(
        &app.db.write,
        "POS",
        manyi::db::tokens::Scope::Sales,
        None,
        false,
        Some(ada),
    )
    .await
    .unwrap()
    .token;
    for auth in [
        None,
        Some("Bearer manyi_not_a_token"),
        Some("Basic YWRhOnNlY3JldA=="),
        Some(token.as_str()),
    ] {
        let (body, polled) = watched_body();
        let (status, _, text) = app.send(sales_post(auth, body)).await;
        assert_eq!(status, 401, "{auth:?}");
        assert!(
            text.contains("Send an integration token with scope 'sales'"),
            "{text}"
        );
        assert!(!polled.load(Ordering::SeqCst), "body read for {auth:?}");
    }
    // The control: with the token the same body is read (and is not JSON).
    let (body, polled) = watched_body();
    let bearer = format!("Bearer {token}");
    let (status, _, _) = app.send(sales_post(Some(&bearer), body)).await;
    assert_eq!(status, 400);
    assert!(polled.load(Ordering::SeqCst));
}

#[tokio::test]
async fn an_anonymous_five_megabyte_post_gets_401() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let mut body = b"{\"sales\": [".to_vec();
    while body.len() < FIVE_MB - 200 {
        body.extend_from_slice(
            b"{\"store\": \"S001\", \"date\": \"2026-11-20\", \"transactions\": 1, \"revenue\": 1},",
        );
    }
    body.extend_from_slice(b"{}]}");
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/sales"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let json: serde_json::Value = res.json().await.unwrap();
    assert!(
        json["errors"]["request"]
            .as_str()
            .unwrap()
            .contains("integration token with scope 'sales'")
    );
}

#[tokio::test]
async fn a_stalled_anonymous_upload_gets_401_at_once() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let addr = base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Headers promise 5 MB; a few bytes follow, then nothing.
    let head = format!(
        "POST /api/v1/sales HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {FIVE_MB}\r\n\r\n{{\"sales\": ["
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut answer))
        .await
        .expect("an answer while the body is still owed")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
