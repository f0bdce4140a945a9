//! Test helpers: a fresh database per test, the shipped surveys, and the app either as a router or on a real port.
#![allow(dead_code)]

pub mod chrome;
pub mod ledger;
pub mod pg;
pub mod replies;
pub mod server;

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
    pub db: manyi::db::Db,
    /// The write pool: tests that set up or inspect rows directly go through it.
    pub pool: SqlitePool,
    pub db_path: PathBuf,
    _dir: TempDir,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_catalog(shipped_catalog()).await
    }

    pub async fn with_catalog(catalog: Catalog) -> TestApp {
        TestApp::with(catalog, manyi::web::Settings::default()).await
    }

    /// The shipped surveys with these settings (limits, lifetimes).
    pub async fn with_settings(settings: manyi::web::Settings) -> TestApp {
        TestApp::with(shipped_catalog(), settings).await
    }

    async fn with(catalog: Catalog, settings: manyi::web::Settings) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("test.db");
        let db = manyi::db::connect(&db_path).await.expect("database opens");
        let pool = db
            .write
            .as_sqlite()
            .expect("a SQLite test database")
            .clone();
        for (code, name, region) in [
            ("S001", "南京路店", "East"),
            ("S002", "West Lake", "East"),
            ("S101", "Tianhe", "South"),
        ] {
            let store = manyi::db::stores::Store {
                code: code.into(),
                name: name.into(),
                region: region.into(),
                address: None,
                opening_hours: None,
            };
            manyi::db::stores::upsert(&db.write, &store)
                .await
                .expect("store");
        }
        TestApp {
            state: AppState::with_settings(db.clone(), catalog, settings),
            db,
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

    /// Posts a form body. A customer-form post (`/s/…`) without `_token` gets one the
    /// server issued, from a GET of the form for the posted `_store`, as a browser would
    /// have; tests of the token itself pass `_token` explicitly.
    pub async fn post_form(&self, uri: &str, body: &str) -> (u16, axum::http::HeaderMap, String) {
        let mut body = body.to_owned();
        if uri.starts_with("/s/")
            && !body.split('&').any(|p| p.starts_with("_token="))
            && let Some(token) = self.form_token(uri, &body).await
        {
            body = format!("_token={token}&{body}");
        }
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A token the server issued on the form page at `uri` for the `_store` in `body`
    /// ten minutes ago, as for a customer who took their time: a test's instant post
    /// would otherwise be held back as too fast (none when there is no such form).
    pub async fn form_token(&self, uri: &str, body: &str) -> Option<String> {
        let store = body
            .split('&')
            .find_map(|p| p.strip_prefix("_store="))
            .map(|s| format!("?store={s}"))
            .unwrap_or_default();
        let (status, page) = self.get(&format!("{uri}{store}")).await;
        let fresh = (status == 200).then(|| hidden(&page, "_token")).flatten()?;
        let store = hidden(&page, "_store");
        let form = uri.trim_start_matches("/s/").split(['/', '?']).next()?;
        let key = self.state.intake.form_key(&self.db.write).await.ok()?;
        let issued = manyi::auth::signed::unix_now() - 600;
        let token = manyi::intake::form_token::issue(key, form, store.as_deref(), issued);
        assert_ne!(token, fresh);
        Some(token)
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

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Creates an account directly in the database; returns its id.
    pub async fn add_user(&self, username: &str, role: manyi::auth::Role) -> i64 {
        let hash = manyi::auth::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        manyi::db::users::create(&self.db.write, username, &hash, role)
            .await
            .expect("insert")
            .expect("username free")
    }
}

impl TestApp {
    /// Creates an integration token directly in the database; returns the token.
    pub async fn api_token(
        &self,
        scope: manyi::db::tokens::Scope,
        store: Option<&str>,
        trusted: bool,
    ) -> String {
        manyi::db::tokens::create(&self.db.write, "test client", scope, store, trusted, None)
            .await
            .expect("token")
            .token
    }

    /// A token that may submit responses for any store, untrusted: the API's usual client.
    pub async fn submit_token(&self) -> String {
        self.api_token(manyi::db::tokens::Scope::Submit, None, false)
            .await
    }

    /// A trusted submit token (a POS forwarding answers): only its high rate limit applies.
    pub async fn trusted_token(&self) -> String {
        self.api_token(manyi::db::tokens::Scope::Submit, None, true)
            .await
    }

    /// Posts JSON with `Authorization: Bearer <token>`.
    pub async fn post_json_as(
        &self,
        token: &str,
        uri: &str,
        body: &str,
    ) -> (u16, serde_json::Value) {
        let (s, _, b) = self.send(json_post(Some(token), uri, body)).await;
        (
            s,
            serde_json::from_str(&b).unwrap_or(serde_json::Value::String(b)),
        )
    }
}

/// A JSON POST, with `Authorization: Bearer <token>` when a token is given.
pub fn json_post(token: Option<&str>, uri: &str, body: &str) -> Request<Body> {
    let mut req = Request::post(uri).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

/// A browser-like HTTP client against a real server: keeps cookies, never follows redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    /// A browser that asks for English pages (Accept-Language), as most tests read them.
    pub fn new(base: &str) -> Browser {
        Browser::speaking(base, "en-GB,en;q=0.9")
    }

    /// A browser whose Accept-Language is `accept`, e.g. "zh-CN,zh;q=0.9".
    pub fn speaking(base: &str, accept: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_str(accept).expect("header"),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser {
            http,
            base: base.to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    /// The CSRF token from the form on `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let (status, page) = self.get_text(path).await;
        hidden(&page, "_csrf").unwrap_or_else(|| panic!("no _csrf on {path} ({status}): {page}"))
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post")
    }

    /// Posts a form with the CSRF token taken from `form_page`.
    pub async fn post_with_csrf(
        &self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(form_page).await;
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_with_csrf(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Logs in and checks it worked.
    pub async fn logged_in(base: &str, username: &str) -> Browser {
        Browser::logged_in_speaking(base, username, "en-GB,en;q=0.9").await
    }

    /// Logs in with the browser's Accept-Language set to `accept`.
    pub async fn logged_in_speaking(base: &str, username: &str, accept: &str) -> Browser {
        let b = Browser::speaking(base, accept);
        let res = b.login(username, PASSWORD).await;
        assert_eq!(res.status(), 303, "login as {username}");
        b
    }
}

/// Runs the `manyi` binary with `args` and `--db db`, writing `stdin` to it (a password).
pub fn run_manyi(args: &[&str], db: &std::path::Path, stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(args)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("manyi starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("manyi ends")
}
