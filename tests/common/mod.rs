//! Test helpers: a fresh database per test, the shipped surveys, and the app either as a router or on a real port.
#![allow(dead_code)]

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use manyi::AppState;
use manyi::survey::{Catalog, load_dir};
use sqlx::SqlitePool;
use tempfile::TempDir;
use tower::ServiceExt;

pub fn surveys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("surveys")
}

pub fn shipped_catalog() -> Catalog {
    load_dir(&surveys_dir()).expect("shipped surveys load")
}

/// The app over a fresh database in its own temporary folder.
pub struct TestApp {
    pub state: AppState,
    pub pool: SqlitePool,
    pub db_path: PathBuf,
    _dir: TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_catalog(shipped_catalog()).await
    }

    pub async fn with_catalog(catalog: Catalog) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("test.db");
        let pool = manyi::db::connect(&db_path).await.expect("database opens");
        TestApp {
            state: AppState::new(pool.clone(), catalog),
            pool,
            db_path,
            _dir: dir,
        }
    }

    pub fn router(&self) -> Router {
        manyi::router(self.state.clone())
    }

    /// Sends one request through the router, no socket involved.
    pub async fn send(&self, req: Request<Body>) -> (u16, axum::http::HeaderMap, String) {
        let res: Response<Body> = self.router().oneshot(req).await.expect("router answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    pub async fn get(&self, uri: &str) -> (u16, String) {
        let (s, _, b) = self
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        (s, b)
    }

    pub async fn post_form(&self, uri: &str, body: &str) -> (u16, axum::http::HeaderMap, String) {
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(req).await
    }

    pub async fn post_json(&self, uri: &str, body: &str) -> (u16, serde_json::Value) {
        let req = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let (s, _, b) = self.send(req).await;
        (
            s,
            serde_json::from_str(&b).unwrap_or(serde_json::Value::String(b)),
        )
    }

    /// Serves on 127.0.0.1 with an OS-chosen port; returns the base URL.
    pub async fn spawn(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = self.state.clone();
        tokio::spawn(async move {
            let _ = manyi::serve(listener, state, std::future::pending()).await;
        });
        format!("http://{addr}")
    }

    pub async fn count_responses(&self) -> i64 {
        sqlx::query_scalar("select count(*) from response")
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }
}

/// The value of a hidden input in a page.
pub fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}
