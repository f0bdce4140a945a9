//! Two manyi servers on one PostgreSQL database, each with its own pool, writer and limits, served on real ports: a session made on one works on the other, an idempotent retry sent to the other stores once, responses from both land in one set of rollups, reports and exports read the same.
//!
//! Skipped without `MANYI_TEST_PG` (a server URL whose user may create databases);
//! CI sets it, and fails here if it does not.

mod common;

use common::pg::{fresh_database, server_url};
use common::{Browser, PASSWORD};
use manyi::db::{Db, Location, OpenOptions, Pool};
use serde_json::json;
use sqlx::PgPool;

const RESPONSES: &str = "/api/v1/forms/post-purchase/responses";

/// One server: its own database handle (pool, writer) and state, on its own port.
async fn start(url: &str) -> (String, Db) {
    let db = Db::open(&Location::parse(url), OpenOptions::default())
        .await
        .expect("PostgreSQL opens");
    let state = manyi::AppState::with_settings(
        db.clone(),
        common::shipped_catalog(),
        manyi::web::Settings::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = manyi::serve(listener, state, std::future::pending()).await;
    });
    (base, db)
}

fn pg(db: &Db) -> &PgPool {
    match &db.read {
        Pool::Postgres(p) => p,
        Pool::Sqlite(_) => panic!("expected PostgreSQL"),
    }
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pg(db)).await.expect(sql)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_sessions_idempotency_rollups_and_reports() {
    let Some(server) = server_url() else { return };
    let url = fresh_database(&server).await;
    // Both start at once: the migrations run once, under the advisory lock.
    let ((a, db_a), (b, db_b)) = tokio::join!(start(&url), start(&url));
    for (code, name, region) in [("S001", "南京路店", "East"), ("S002", "West Lake", "East")] {
        let store = manyi::db::stores::Store {
            code: code.into(),
            name: name.into(),
            region: region.into(),
            address: None,
            opening_hours: None,
        };
        manyi::db::stores::upsert(&db_a.write, &store)
            .await
            .unwrap();
    }
    let hash = manyi::auth::hash_password(PASSWORD.into()).await.unwrap();
    manyi::db::users::create(&db_a.write, "boss", &hash, manyi::auth::Role::Manager)
        .await
        .unwrap()
        .expect("a new user");
    let token = manyi::db::tokens::create(
        &db_a.write,
        "till",
        manyi::db::tokens::Scope::Submit,
        None,
        true,
        None,
    )
    .await
    .unwrap()
    .token;

    // An idempotent retry that reaches the other server stores once, with one id.
    let http = reqwest::Client::new();
    let body = json!({"store": "S001", "lang": "zh",
        "answers": {"overall_satisfaction": 5, "recommend": 10, "first_purchase": "no"}});
    let mut ids = Vec::new();
    for base in [&a, &b, &a] {
        let res = http
            .post(format!("{base}{RESPONSES}"))
            .bearer_auth(&token)
            .header("idempotency-key", "till-1-0001")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        let v: serde_json::Value = res.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap_or_default().to_owned());
    }
    assert!(
        ids.iter().all(|id| id == &ids[0] && id.len() == 24),
        "{ids:?}"
    );
    // Fresh responses on both, at once, land in one set of rollups.
    let sends = (0..20).map(|i| {
        let (http, token, base) = (http.clone(), token.clone(), if i % 2 == 0 { &a } else { &b });
        let body = json!({"store": "S002", "lang": "en",
            "answers": {"overall_satisfaction": 4 + i % 2, "recommend": 9 + i % 2, "first_purchase": "yes"}});
        async move {
            http.post(format!("{base}{RESPONSES}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| s.as_u16() == 201), "{statuses:?}");
    assert_eq!(scalar(&db_b, "select count(*) from response").await, 21);
    assert_eq!(
        scalar(
            &db_b,
            "select cast(sum(responses) as bigint) from daily_stat"
        )
        .await,
        21
    );
    assert_eq!(
        scalar(
            &db_b,
            "select cast(sum(responses) as bigint) from monthly_stat"
        )
        .await,
        21
    );

    // A session made on one server works on the other.
    let browser = Browser::new(&a);
    let res = browser.login("boss", PASSWORD).await;
    assert_eq!(res.status(), 303, "login on the first server");
    let other = Browser {
        http: browser.http.clone(),
        base: b.clone(),
    };
    let (status, page) = other.get_text("/reports").await;
    assert_eq!(status, 200, "the second server knows the session: {page}");
    assert!(
        page.contains("21"),
        "the report counts both servers' responses"
    );
    let (status, csv) = other.get_text("/cases/export.csv").await;
    assert_eq!(status, 200, "{csv}");

    let mut out = Vec::new();
    let rows = manyi::export::write_csv(&db_a.read, "post-purchase", &mut out)
        .await
        .unwrap();
    assert_eq!(rows, 21);
    db_a.close().await;
    db_b.close().await;
    common::pg::drop_database(&server, &url).await;
}
