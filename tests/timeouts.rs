//! Slow and silent clients over real sockets: header, body and idle timeouts, the connection cap, and a panicking handler that still answers.
//!
//! Every limit here is a second or two, and every check allows three times the limit
//! (or more), so a loaded machine cannot make a test fail; nothing asserts speed.

mod common;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use common::TestApp;
use manyi::web::{ConnectionLimits, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const SHORT: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(60);

/// A server over a fresh database with these limits; returns the app (keep it alive)
/// and the address.
async fn server(limits: ConnectionLimits) -> (TestApp, String) {
    let mut app = TestApp::new().await;
    let settings = Settings {
        connections: limits,
        ..Settings::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    let base = app.spawn().await;
    let addr = base.trim_start_matches("http://").to_owned();
    (app, addr)
}

fn limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: LONG,
        body_timeout: LONG,
        upload_timeout: LONG,
        idle_timeout: LONG,
        max_connections: 100,
    }
}

/// Reads until the peer closes (Ok(bytes)) or `within` passes (Err).
async fn read_to_close(stream: &mut TcpStream, within: Duration) -> Result<Vec<u8>, ()> {
    let mut all = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    };
    timeout(within, read).await.map_err(|_| ())?;
    Ok(all)
}

/// Reads one response with a Content-Length body; None if the connection closes first.
async fn read_response(stream: &mut TcpStream) -> Option<(u16, String)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().expect("content-length"))
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                let status = head.get(9..12)?.parse().ok()?;
                let body = String::from_utf8_lossy(&data[end + 4..end + 4 + length]).into_owned();
                return Some((status, body));
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn get_on(stream: &mut TcpStream, path: &str) -> Option<(u16, String)> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    read_response(stream).await
}

#[tokio::test]
async fn partial_headers_are_dropped_after_the_header_timeout() {
    let (_app, addr) = server(ConnectionLimits {
        header_timeout: SHORT,
        ..limits()
    })
    .await;
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: 1")
        .await
        .unwrap();
    let answer = read_to_close(&mut slow, SHORT * 3).await;
    assert!(answer.is_ok(), "still open after three header timeouts");
    // A client that says nothing at all is dropped the same way.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert_eq!(read_to_close(&mut silent, SHORT * 3).await, Ok(vec![]));
    // The server still serves a prompt client.
    let mut prompt = TcpStream::connect(&addr).await.unwrap();
    assert_eq!(get_on(&mut prompt, "/healthz").await.unwrap().0, 200);
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_its_connection_is_closed() {
    let (app, addr) = server(ConnectionLimits {
        body_timeout: SHORT,
        ..limits()
    })
    .await;
    let token = app.submit_token().await;
    let mut stalled = TcpStream::connect(&addr).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /api/v1/forms/post-purchase/responses HTTP/1.1\r\nHost: test\r\n\
                 Authorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{{\"store\": "
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = read_to_close(&mut stalled, SHORT * 3)
        .await
        .expect("closed within three body timeouts");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"));
    assert!(answer.contains("took too long"), "{answer}");
    assert_eq!(app.count_responses().await, 0);

    // The HTML form gets the 408 page.
    let mut stalled = TcpStream::connect(&addr).await.unwrap();
    stalled
        .write_all(
            b"POST /s/post-purchase HTTP/1.1\r\nHost: test\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nstore=S0",
        )
        .await
        .unwrap();
    let answer = read_to_close(&mut stalled, SHORT * 3)
        .await
        .expect("closed within three body timeouts");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("Request timed out"), "{answer}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // A long header timeout, so only the idle timeout can close it.
    let (_app, addr) = server(ConnectionLimits {
        idle_timeout: SHORT,
        ..limits()
    })
    .await;
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    // Two requests on one connection: keep-alive works while the client is active.
    assert_eq!(get_on(&mut idle, "/healthz").await.unwrap().0, 200);
    assert_eq!(get_on(&mut idle, "/healthz").await.unwrap().0, 200);
    assert_eq!(read_to_close(&mut idle, SHORT * 3).await, Ok(vec![]));
}

#[tokio::test]
async fn past_the_connection_cap_a_new_connection_waits_until_one_closes() {
    let (_app, addr) = server(ConnectionLimits {
        max_connections: 2,
        ..limits()
    })
    .await;
    let mut first = TcpStream::connect(&addr).await.unwrap();
    let mut second = TcpStream::connect(&addr).await.unwrap();
    assert_eq!(get_on(&mut first, "/healthz").await.unwrap().0, 200);
    assert_eq!(get_on(&mut second, "/healthz").await.unwrap().0, 200);
    // The third connects (the kernel queues it) but is not served while two are open.
    let mut third = TcpStream::connect(&addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(
        timeout(SHORT, read_response(&mut third)).await.is_err(),
        "a third connection was served past a cap of two"
    );
    drop(first);
    let answer = timeout(SHORT * 10, read_response(&mut third))
        .await
        .expect("served once a slot is free");
    assert_eq!(answer.unwrap().0, 200);
    // The second connection was never disturbed.
    assert_eq!(get_on(&mut second, "/healthz").await.unwrap().0, 200);
}

async fn boom() -> &'static str {
    panic!("a bug in a handler")
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_keeps_the_connection() {
    let app = TestApp::new().await;
    // The real router's layers around a handler that panics, served by the real loop.
    let routes = Router::new()
        .route("/boom", get(boom))
        .route("/api/v1/boom", get(boom))
        .route("/fine", get(|| async { "fine" }));
    let router = manyi::web::layered(routes, app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(manyi::web::serve::serve_router(
        listener,
        router,
        limits(),
        std::future::pending(),
    ));
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let (status, page) = get_on(&mut conn, "/boom").await.expect("an answer");
    assert_eq!(status, 500);
    assert!(page.contains("Something went wrong"), "{page}");
    // The same connection serves the next request.
    assert_eq!(
        get_on(&mut conn, "/fine").await.unwrap(),
        (200, "fine".into())
    );
    let (status, json) = get_on(&mut conn, "/api/v1/boom").await.expect("an answer");
    assert_eq!(status, 500);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json["errors"]["request"].is_string(), "{json}");
    assert_eq!(get_on(&mut conn, "/fine").await.unwrap().0, 200);
}

#[tokio::test]
async fn a_stopped_server_finishes_open_requests_and_returns() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(manyi::serve(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    let mut idle = TcpStream::connect(addr).await.unwrap();
    assert_eq!(get_on(&mut idle, "/healthz").await.unwrap().0, 200);
    // A request whose body is still arriving when the stop comes.
    let mut open = TcpStream::connect(addr).await.unwrap();
    let body = r#"{"store": "S001", "lang": "en", "answers": {"recommend": 9}}"#;
    let token = app.submit_token().await;
    let head = format!(
        "POST /api/v1/forms/post-purchase/responses HTTP/1.1\r\nHost: test\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    open.write_all(head.as_bytes()).await.unwrap();
    // hyper sends 100 Continue when the handler starts reading: the request is open.
    let mut continued = [0u8; 25];
    open.read_exact(&mut continued).await.unwrap();
    assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");
    open.write_all(&body.as_bytes()[..10]).await.unwrap();
    stop.send(()).unwrap();
    // The idle connection is closed; the open request is still answered.
    assert_eq!(read_to_close(&mut idle, SHORT * 5).await, Ok(vec![]));
    open.write_all(&body.as_bytes()[10..]).await.unwrap();
    let (status, answer) = read_response(&mut open).await.expect("an answer");
    assert!(status == 201 || status == 422, "{status} {answer}");
    timeout(SHORT * 5, served)
        .await
        .expect("serve returns once connections are done")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_stalled_body_holds_its_request_slot_only_until_the_body_timeout() {
    let mut app = TestApp::new().await;
    let settings = Settings {
        max_in_flight: 1,
        connections: ConnectionLimits {
            body_timeout: SHORT * 2,
            ..limits()
        },
        ..Settings::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    let token = app.submit_token().await;
    let base = app.spawn().await;
    let addr = base.trim_start_matches("http://");
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /api/v1/forms/post-purchase/responses HTTP/1.1\r\nHost: test\r\n\
                 Authorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 200\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut continued = [0u8; 25];
    stalled.read_exact(&mut continued).await.unwrap();
    // The one slot is taken, and the limit counts every route together.
    let mut other = TcpStream::connect(addr).await.unwrap();
    assert_eq!(get_on(&mut other, "/healthz").await.unwrap().0, 503);
    let answer = read_to_close(&mut stalled, SHORT * 6)
        .await
        .expect("closed");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"));
    assert_eq!(get_on(&mut other, "/healthz").await.unwrap().0, 200);
}
