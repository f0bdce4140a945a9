//! Case webhooks against a local receiver: signed deliveries, retries with backoff, give-up and "retry now", a hanging endpoint that blocks nothing, restarts, and the admin page's refusals.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::{Browser, TestApp, hidden};
use manyi::auth::Role;
use manyi::db::Db;
use manyi::webhooks::{Event, Policy, deliver_due, sign, stamp};
use serde_json::{Value, json};
use time::OffsetDateTime;

const SECRET: &str = "3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    event: String,
    delivery: String,
    content_type: String,
    /// The signature checked out with the receiver's secret.
    verified: bool,
    body: Value,
}

/// A webhook endpoint on 127.0.0.1: checks each request's signature as the README tells
/// receivers to, and answers the statuses scripted for it in turn (then 200).
#[derive(Clone)]
struct Receiver {
    secret: Arc<Mutex<String>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    got: Arc<Mutex<Vec<Got>>>,
    url: String,
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let r = Receiver {
            secret: Arc::new(Mutex::new(SECRET.to_owned())),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            got: Arc::default(),
            url: format!("http://{addr}/hooks/manyi"),
        };
        let app = axum::Router::new()
            .route("/hooks/manyi", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        r
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let secret = r.secret.lock().unwrap().clone();
    let now = i64::try_from(manyi::auth::signed::unix_now()).unwrap();
    // An hour's tolerance: the retry tests step their clock a few minutes ahead.
    let verified = sign::verify(
        &secret,
        &h("x-manyi-timestamp"),
        &body,
        &h("x-manyi-signature"),
        now,
        3600,
    )
    .is_ok();
    r.got.lock().unwrap().push(Got {
        event: h("x-manyi-event"),
        delivery: h("x-manyi-delivery"),
        content_type: h("content-type"),
        verified,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let code = r.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(code).unwrap()
}

fn policy(max_attempts: u32, timeout_secs: u64) -> Policy {
    Policy {
        max_attempts,
        timeout: Duration::from_secs(timeout_secs),
        poll: Duration::from_millis(50),
        public_url: "https://cx.example.com".into(),
    }
}

fn client(p: &Policy) -> reqwest::Client {
    manyi::webhooks::deliver::client(p).expect("client")
}

fn case(code: &str) -> Value {
    json!({ "code": code, "kind": "complaint", "store": "S001", "priority": "high", "step": 1 })
}

async fn add_hook(pool: &manyi::db::Pool, url: &str, events: &[Event]) -> i64 {
    manyi::db::webhooks::create(
        pool,
        url,
        SECRET,
        events,
        None,
        &stamp(OffsetDateTime::now_utc()),
    )
    .await
    .expect("webhook")
}

/// Queues `event` for the case in a transaction of its own, as the case code does in its.
async fn enqueue(db: &Db, event: Event, code: &str, now: OffsetDateTime) {
    let mut tx = db.write.begin().await.unwrap();
    manyi::webhooks::enqueue(&mut tx, event, &case(code), &stamp(now))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

type Row = (String, i64, Option<i64>, Option<String>, String);

/// (status, attempts, last_status, last_error, next_attempt_at) of every delivery, oldest first.
async fn rows(pool: &manyi::db::Pool) -> Vec<Row> {
    let pool = pool.as_sqlite().unwrap();
    sqlx::query_as(
        "select status, attempts, last_status, last_error, next_attempt_at from webhook_delivery order by id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn secs(n: i64) -> time::Duration {
    time::Duration::seconds(n)
}

#[tokio::test]
async fn a_delivery_arrives_signed_at_each_subscribed_endpoint_and_is_marked_delivered() {
    let app = TestApp::new().await;
    let r = Receiver::start(&[]).await;
    let hook = add_hook(
        &app.db.write,
        &r.url,
        &[Event::CaseOpened, Event::CaseClosed],
    )
    .await;
    // Neither of these gets a "case opened".
    add_hook(&app.db.write, &r.url, &[Event::CaseOverdue]).await;
    let off = add_hook(&app.db.write, &r.url, &Event::ALL).await;
    manyi::db::webhooks::set_disabled(&app.db.write, off, true)
        .await
        .unwrap();

    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0001", now).await;
    let p = policy(10, 5);
    assert_eq!(deliver_due(&app.db, &client(&p), &p, now).await.unwrap(), 1);

    let got = r.got();
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert!(g.verified, "the signature checks out with the secret");
    assert_eq!(g.event, "case.opened");
    assert_eq!(g.content_type, "application/json");
    let id: i64 = sqlx::query_scalar("select id from webhook_delivery where webhook_id = ?")
        .bind(hook)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(g.delivery, id.to_string());
    assert_eq!(g.body["event"], "case.opened");
    assert_eq!(g.body["delivery"], id);
    assert_eq!(g.body["sent_at"], stamp(now));
    assert_eq!(g.body["case"], case("C-2026-0001"));

    let r0 = &rows(&app.db.write).await[0];
    assert_eq!(
        (r0.0.as_str(), r0.1, r0.2, r0.3.as_deref()),
        ("delivered", 1, Some(200), None)
    );
    // Nothing is sent twice.
    assert_eq!(
        deliver_due(&app.db, &client(&p), &p, now + secs(3600))
            .await
            .unwrap(),
        0
    );
    assert_eq!(r.got().len(), 1);
}

#[tokio::test]
async fn a_receiver_answering_500_is_retried_after_30_seconds_and_the_log_shows_two_attempts() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let r = Receiver::start(&[500]).await;
    add_hook(&app.db.write, &r.url, &[Event::CaseOverdue]).await;
    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOverdue, "C-2026-0007", now).await;
    let p = policy(10, 5);
    let c = client(&p);

    assert_eq!(deliver_due(&app.db, &c, &p, now).await.unwrap(), 1);
    let row = &rows(&app.db.write).await[0];
    assert_eq!((row.0.as_str(), row.1, row.2), ("pending", 1, Some(500)));
    assert_eq!(row.3.as_deref(), Some("HTTP 500 Internal Server Error"));
    assert_eq!(row.4, stamp(now + secs(30)), "the first retry waits 30 s");
    // Not before its time...
    assert_eq!(
        deliver_due(&app.db, &c, &p, now + secs(29)).await.unwrap(),
        0
    );
    // ...and then it goes out again, the same delivery, signed afresh.
    assert_eq!(
        deliver_due(&app.db, &c, &p, now + secs(30)).await.unwrap(),
        1
    );
    let got = r.got();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].delivery, got[1].delivery);
    assert!(got.iter().all(|g| g.verified));
    let row = &rows(&app.db.write).await[0];
    assert_eq!(
        (row.0.as_str(), row.1, row.2, row.3.as_deref()),
        ("delivered", 2, Some(200), None)
    );

    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let (status, page) = admin.get_text("/admin/webhooks").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<a href="/cases/C-2026-0007" translate="no">C-2026-0007</a>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<td data-label="Attempts">2</td>"#),
        "{page}"
    );
    assert!(page.contains("HTTP 200") && page.contains("Case overdue"));
}

#[tokio::test]
async fn a_delivery_gives_up_after_its_attempts_and_an_admin_retries_it_now() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("mia", Role::Manager).await;
    let r = Receiver::start(&[503, 503, 503]).await;
    add_hook(&app.db.write, &r.url, &[Event::CaseClosed]).await;
    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseClosed, "C-2026-0003", now).await;
    let p = policy(2, 5);
    let c = client(&p);
    assert_eq!(deliver_due(&app.db, &c, &p, now).await.unwrap(), 1);
    assert_eq!(
        deliver_due(&app.db, &c, &p, now + secs(30)).await.unwrap(),
        1
    );
    let row = &rows(&app.db.write).await[0];
    assert_eq!((row.0.as_str(), row.1, row.2), ("failed", 2, Some(503)));
    assert_eq!(
        deliver_due(&app.db, &c, &p, now + secs(86_400))
            .await
            .unwrap(),
        0,
        "failed is final"
    );

    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let (_, page) = admin.get_text("/admin/webhooks?status=failed").await;
    assert!(page.contains("HTTP 503 Service Unavailable"), "{page}");
    let id: i64 = sqlx::query_scalar("select id from webhook_delivery")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let retry = format!("/admin/webhooks/deliveries/{id}/retry");
    assert!(page.contains(&format!(r#"action="{retry}""#)), "{page}");
    let (_, page) = admin.get_text("/admin/webhooks?status=delivered").await;
    assert!(
        page.contains("No deliveries yet."),
        "the filter keeps failed rows out"
    );
    assert_eq!(admin.get("/admin/webhooks?status=lost").await.status(), 400);

    let manager = Browser::logged_in(&base, "mia").await;
    assert_eq!(
        manager
            .post_with_csrf("/admin/stores", &retry, &[])
            .await
            .status(),
        403
    );
    let res = admin.post_with_csrf("/admin/webhooks", &retry, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/webhooks?done=retried");
    assert_eq!(rows(&app.db.write).await[0].0, "pending");
    // Only a failed delivery can be retried now.
    assert_eq!(
        admin
            .post_with_csrf("/admin/webhooks", &retry, &[])
            .await
            .status(),
        404
    );

    // One more failure ends it again; the next retry gets through.
    let later = OffsetDateTime::now_utc() + secs(1);
    assert_eq!(deliver_due(&app.db, &c, &p, later).await.unwrap(), 1);
    assert_eq!(rows(&app.db.write).await[0].0, "failed");
    admin.post_with_csrf("/admin/webhooks", &retry, &[]).await;
    assert_eq!(
        deliver_due(&app.db, &c, &p, later + secs(1)).await.unwrap(),
        1
    );
    let row = &rows(&app.db.write).await[0];
    assert_eq!((row.0.as_str(), row.1), ("delivered", 4));
}

#[tokio::test]
async fn an_endpoint_that_never_answers_blocks_no_write_and_a_refused_one_leaves_its_url_out_of_the_log()
 {
    let app = TestApp::new().await;
    // Accepts connections and never answers.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_addr = hang.local_addr().unwrap();
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hang.accept().await {
            held.push(socket);
            let _ = accepted_tx.send(());
        }
    });
    // A closed port: its connection is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    add_hook(
        &app.db.write,
        &format!("http://{hang_addr}/"),
        &[Event::CaseOpened],
    )
    .await;
    add_hook(
        &app.db.write,
        &format!("http://{closed}/robot/send?access_token=TOKEN-IN-URL"),
        &[Event::CaseOpened],
    )
    .await;

    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0010", now).await;
    let p = policy(10, 4);
    let db = app.db.clone();
    let pass = tokio::spawn(async move { deliver_due(&db, &client(&p), &p, now).await });
    tokio::time::timeout(Duration::from_secs(5), accepted.recv())
        .await
        .expect("the worker connected to the hanging endpoint");

    // While the worker waits on the network, the write path is free: the next case's
    // delivery (and whatever else shares its transaction) commits at once.
    let started = Instant::now();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0011", now).await;
    sqlx::query("update store set name = name where code = 'S001'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a write waited {:?} for a webhook",
        started.elapsed()
    );
    assert!(!pass.is_finished(), "the hanging request is still out");

    assert_eq!(pass.await.unwrap().unwrap(), 2);
    let all = rows(&app.db.write).await;
    let errors: Vec<&str> = all.iter().filter_map(|r| r.3.as_deref()).collect();
    assert!(errors.contains(&"no answer within 4 s"), "{errors:?}");
    let refused = errors
        .iter()
        .find(|e| e.contains("onnect"))
        .expect("a refused connection");
    assert!(
        !refused.contains("TOKEN-IN-URL") && !refused.contains("http://"),
        "{refused}"
    );
    for r in all.iter().filter(|r| r.1 == 1) {
        assert_eq!((r.0.as_str(), r.2), ("pending", None));
    }
    assert_eq!(
        all.iter().filter(|r| r.1 == 0).count(),
        2,
        "the second case's two, not yet tried"
    );
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart_and_a_fresh_worker_sends_them() {
    let app = TestApp::new().await;
    let r = Receiver::start(&[]).await;
    add_hook(&app.db.write, &r.url, &Event::ALL).await;
    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0020", now).await;
    enqueue(&app.db, Event::CaseClosed, "C-2026-0021", now).await;
    // A worker took the first and died before it sent it.
    let lease = now + secs(70);
    let taken = manyi::db::webhooks::claim(&app.db.write, &stamp(now), &stamp(lease), 1)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    app.db.close().await;

    let db = manyi::db::connect(&app.db_path).await.expect("reopens");
    let p = policy(10, 5);
    let worker = manyi::webhooks::spawn_worker(db.clone(), p.clone());
    let deadline = Instant::now() + Duration::from_secs(10);
    while r.got().is_empty() {
        assert!(Instant::now() < deadline, "the fresh worker sent nothing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
    let got = r.got();
    assert_eq!(got.len(), 1, "the claimed one waits for its lease: {got:?}");
    assert!(got[0].verified);
    // Once the lease has run out, the one the dead worker took goes out too.
    let c = client(&p);
    assert_eq!(deliver_due(&db, &c, &p, lease - secs(1)).await.unwrap(), 0);
    assert_eq!(deliver_due(&db, &c, &p, lease).await.unwrap(), 1);
    let mut codes: Vec<String> = r
        .got()
        .iter()
        .map(|g| g.body["case"]["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    assert_eq!(codes, ["C-2026-0020", "C-2026-0021"]);
    assert!(rows(&db.write).await.iter().all(|r| r.0 == "delivered"));
    db.close().await;
}

#[tokio::test]
async fn an_admin_adds_a_webhook_whose_deliveries_verify_with_the_secret_shown_then_disables_and_deletes_it()
 {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let (status, page) = admin.get_text("/admin/webhooks").await;
    assert_eq!(status, 200);
    assert!(page.contains("No webhooks yet.") && page.contains(r#"href="/admin/webhooks""#));

    let r = Receiver::start(&[]).await;
    let res = admin
        .post_with_csrf(
            "/admin/webhooks",
            "/admin/webhooks",
            &[
                ("url", &r.url),
                ("events", "case.opened"),
                ("events", "case.closed"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let secret = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 64, "{page}");
    assert!(page.contains(&r.url) && page.contains("Copy this signing secret"));
    *r.secret.lock().unwrap() = secret.clone();
    let stored: (String, String) = sqlx::query_as("select secret, events from webhook")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, (secret, "case.opened case.closed".to_owned()));

    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0030", now).await;
    enqueue(&app.db, Event::CaseOverdue, "C-2026-0030", now).await;
    let p = policy(10, 5);
    assert_eq!(
        deliver_due(&app.db, &client(&p), &p, now).await.unwrap(),
        1,
        "not subscribed to overdue"
    );
    assert!(r.got()[0].verified);

    let id: i64 = sqlx::query_scalar("select id from webhook")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let status_path = format!("/admin/webhooks/{id}/status");
    let res = admin
        .post_with_csrf("/admin/webhooks", &status_path, &[("disabled", "true")])
        .await;
    assert_eq!(res.headers()["location"], "/admin/webhooks?done=disabled");
    let (_, page) = admin.get_text("/admin/webhooks?done=disabled").await;
    assert!(page.contains("Webhook disabled.") && page.contains(r#"value="false""#));
    enqueue(&app.db, Event::CaseClosed, "C-2026-0030", now).await;
    assert_eq!(
        rows(&app.db.write).await.len(),
        1,
        "a disabled webhook gets nothing queued"
    );
    assert_eq!(
        admin
            .post_with_csrf("/admin/webhooks", &status_path, &[("disabled", "maybe")])
            .await
            .status(),
        400
    );
    assert_eq!(
        admin
            .post_with_csrf(
                "/admin/webhooks",
                "/admin/webhooks/999/status",
                &[("disabled", "false")]
            )
            .await
            .status(),
        404
    );

    let (_, zh) = Browser::logged_in_speaking(&base, "ada", "zh-CN,zh;q=0.9")
        .await
        .get_text("/admin/webhooks")
        .await;
    assert!(
        zh.contains("推送记录") && zh.contains("已停用") && zh.contains("案件开立"),
        "{zh}"
    );

    let res = admin
        .post_with_csrf(
            "/admin/webhooks",
            &format!("/admin/webhooks/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(res.headers()["location"], "/admin/webhooks?done=deleted");
    let left: (i64, i64) = sqlx::query_as(
        "select (select count(*) from webhook), (select count(*) from webhook_delivery)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, (0, 0), "its log goes with it");
}

#[tokio::test]
async fn a_bad_url_or_no_event_is_refused_with_a_clear_message_and_what_was_typed_kept() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    for url in [
        "ftp://crm.example.com/hook",
        "crm.example.com/hook",
        "http://",
        "javascript:alert(1)",
    ] {
        let res = admin
            .post_with_csrf(
                "/admin/webhooks",
                "/admin/webhooks",
                &[("url", url), ("events", "case.opened")],
            )
            .await;
        assert_eq!(res.status(), 422, "{url}");
        let page = res.text().await.unwrap();
        assert!(page.contains(r#"id="err-url""#), "{url}: {page}");
        assert!(
            page.contains("Enter an address that starts with http:// or https:// and names a host")
        );
        assert!(page.contains("The webhook was not added"));
        assert_eq!(hidden(&page, "url").as_deref(), Some(url));
        assert!(
            page.contains(r#"value="case.opened" checked"#),
            "the events chosen stay chosen"
        );
    }
    let res = admin
        .post_with_csrf(
            "/admin/webhooks",
            "/admin/webhooks",
            &[("url", "https://crm.example.com/hook")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="err-events""#) && page.contains("Choose at least one event."));
    let n: i64 = sqlx::query_scalar("select count(*) from webhook")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn only_admins_see_or_change_webhooks() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("mia", Role::Manager).await;
    app.add_user("sam", Role::Shopper).await;
    let hook = add_hook(&app.db.write, "https://crm.example.com/hook", &Event::ALL).await;
    let base = app.spawn().await;
    let posts = [
        (
            "/admin/webhooks".to_owned(),
            vec![
                ("url", "https://evil.example.com/"),
                ("events", "case.opened"),
            ],
        ),
        (
            format!("/admin/webhooks/{hook}/status"),
            vec![("disabled", "true")],
        ),
        (format!("/admin/webhooks/{hook}/delete"), vec![]),
        ("/admin/webhooks/deliveries/1/retry".to_owned(), vec![]),
    ];
    for who in ["mia", "sam"] {
        let b = Browser::logged_in(&base, who).await;
        let (status, page) = b.get_text("/admin/webhooks").await;
        assert_eq!(status, 403, "{who}");
        assert!(
            !page.contains("crm.example.com") && !page.contains(SECRET),
            "{who}"
        );
        for (path, fields) in &posts {
            assert_eq!(
                b.post_with_csrf("/audits", path, fields).await.status(),
                403,
                "{who} {path}"
            );
        }
    }
    let anonymous = Browser::new(&base);
    let res = anonymous.get("/admin/webhooks").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    for (path, fields) in &posts {
        let status = anonymous.post(path, fields).await.status();
        assert!(status == 303 || status == 403, "{path}: {status}");
    }
    let state: (i64, bool) = sqlx::query_as("select count(*), max(disabled) from webhook")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, (1, false), "nothing changed");
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let hook = add_hook(&app.db.write, "https://crm.example.com/hook", &Event::ALL).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let other = Browser::new(&base).csrf("/login").await;
    for token in [None, Some("forged"), Some(other.as_str())] {
        let mut fields = vec![
            ("url", "https://evil.example.com/"),
            ("events", "case.opened"),
        ];
        if let Some(t) = token {
            fields.push(("_csrf", t));
        }
        assert_eq!(
            admin.post("/admin/webhooks", &fields).await.status(),
            403,
            "{token:?}"
        );
        let mut fields = vec![("disabled", "true")];
        if let Some(t) = token {
            fields.push(("_csrf", t));
        }
        let res = admin
            .post(&format!("/admin/webhooks/{hook}/status"), &fields)
            .await;
        assert_eq!(res.status(), 403, "{token:?}");
        assert!(res.text().await.unwrap().contains("form has expired"));
    }
    let state: (i64, bool) = sqlx::query_as("select count(*), max(disabled) from webhook")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, (1, false));
}

#[tokio::test]
async fn an_https_endpoint_is_spoken_to_over_tls() {
    let app = TestApp::new().await;
    // A plain-HTTP receiver behind an https URL: the client starts a TLS handshake,
    // which the receiver cannot answer, so the attempt fails in TLS, not for want of it.
    let r = Receiver::start(&[]).await;
    let url = r.url.replacen("http://", "https://", 1);
    add_hook(&app.db.write, &url, &[Event::CaseOpened]).await;
    let now = OffsetDateTime::now_utc();
    enqueue(&app.db, Event::CaseOpened, "C-2026-0040", now).await;
    let p = policy(10, 5);
    assert_eq!(deliver_due(&app.db, &client(&p), &p, now).await.unwrap(), 1);
    assert!(r.got().is_empty());
    let row = &rows(&app.db.write).await[0];
    let error = row.3.as_deref().unwrap_or_default();
    assert_eq!((row.0.as_str(), row.2), ("pending", None));
    assert!(!error.to_ascii_lowercase().contains("scheme"), "{error}");
}
