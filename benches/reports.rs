//! Benchmark: report speed on a million responses, and submission speed with and without that data.
//!
//! Run with `cargo bench --bench reports` (add `-- --small` for a quick 100k run).
//! Generates the data set with the demo generator (seeded, so every run measures the same data),
//! then times requests through the real router, logged in as a manager.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Bench {
    router: axum::Router,
    cookie: String,
}

impl Bench {
    async fn get(&self, uri: &str) -> (u16, usize) {
        let req = Request::get(uri)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let len = res.into_body().collect().await.unwrap().to_bytes().len();
        (status, len)
    }

    async fn time(&self, uri: &str, runs: usize) -> (Duration, Duration, usize) {
        let (status, len) = self.get(uri).await; // warm-up
        assert_eq!(status, 200, "{uri}");
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            self.get(uri).await;
            samples.push(t.elapsed());
        }
        (
            percentile(&mut samples, 0.5),
            percentile(&mut samples, 0.95),
            len,
        )
    }
}

async fn login(router: &axum::Router) -> String {
    let res = router
        .clone()
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let body = format!("_csrf={csrf}&username=bench&password=bench-password-123");
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .body(Body::from(body))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 303, "bench login");
    res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// `runs` API submissions with a trusted token (a POS): its limit is far above `runs`.
async fn submissions(router: &axum::Router, token: &str, runs: usize) -> (Duration, Duration) {
    let body = r#"{"store":"S001","answers":{"overall_satisfaction":4,"recommend":9,"first_purchase":"no","heard_from":["friend","online"],"expect_price":4,"exp_price":3,"expect_service":4,"exp_service":4}}"#;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let req = Request::post("/api/v1/forms/post-purchase/responses")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        let t = Instant::now();
        let res = router.clone().oneshot(req).await.unwrap();
        samples.push(t.elapsed());
        assert_eq!(res.status(), 201);
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.95),
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let small = std::env::args().any(|a| a == "--small");
    let dir = tempfile::tempdir()?;
    let db = manyi::db::connect(&dir.path().join("bench.db")).await?;
    let pool = db.write.clone();
    let sqlite = pool.as_sqlite().expect("the bench runs on SQLite").clone();
    let catalog = manyi::survey::load_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/surveys"
    )))
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let settings = manyi::web::Settings::default();
    // A fixed end date keeps the data set identical from run to run.
    let end = time::macros::date!(2026 - 11 - 22);
    let mut spec = manyi::demo::Spec::benchmark(end, settings.utc_offset);
    if small {
        spec.responses /= 10;
    }
    let hash = manyi::auth::hash_password("bench-password-123".into()).await?;
    manyi::db::users::create(&pool, "bench", &hash, manyi::auth::Role::Manager).await?;
    let state = manyi::AppState::with_settings(db.clone(), catalog.clone(), settings);
    let router = manyi::router(state);

    let first = manyi::db::stores::Store {
        code: "S001".into(),
        name: "Bench".into(),
        region: "East 华东".into(),
        address: None,
        opening_hours: None,
    };
    manyi::db::stores::upsert(&pool, &first).await?;
    let pos = manyi::db::tokens::create(
        &pool,
        "bench POS",
        manyi::db::tokens::Scope::Submit,
        None,
        true,
        None,
    )
    .await?
    .token;
    let empty = submissions(&router, &pos, 200).await;
    sqlx::query("delete from response").execute(&sqlite).await?;
    for t in ["daily_stat", "daily_channel", "daily_gap"] {
        sqlx::query(&format!("delete from {t}"))
            .execute(&sqlite)
            .await?;
    }

    let t = Instant::now();
    let report = manyi::demo::generate(&pool, &catalog, &spec, |n| {
        if n % 100_000 < 5_000 {
            eprint!("\r{n} responses");
        }
    })
    .await?;
    eprintln!();
    let generated = t.elapsed();
    sqlx::query("pragma optimize").execute(&sqlite).await?;
    let rollup_rows: i64 = sqlx::query_scalar("select count(*) from daily_stat")
        .fetch_one(&sqlite)
        .await?;

    let bench = Bench {
        cookie: login(&router).await,
        router: router.clone(),
    };
    // The dashboard's default is the last quarter; the filter's "today" is the real one, so
    // the benchmark asks for fixed ranges inside the generated two years instead.
    let quarter = "/reports?period=custom&from=2026-08-24&to=2026-11-22&group=week&lang=zh";
    let year = "/reports?period=custom&from=2025-11-23&to=2026-11-22&group=month&lang=zh";
    let region = "/reports?period=custom&from=2026-08-24&to=2026-11-22&group=week&region=East%20%E5%8D%8E%E4%B8%9C&lang=zh";
    let chart =
        "/reports/trend-csat/chart.svg?period=custom&from=2026-08-24&to=2026-11-22&group=week";
    let league =
        "/reports/league-csat/chart.svg?period=custom&from=2025-11-23&to=2026-11-22&group=month";
    let heat = "/reports/heatmap/chart.svg?period=custom&from=2025-11-23&to=2026-11-22";
    let full = bench.time(quarter, 50).await;
    let full_year = bench.time(year, 30).await;
    let by_region = bench.time(region, 30).await;
    let one = bench.time(chart, 100).await;
    let league_one = bench.time(league, 50).await;
    let heat_one = bench.time(heat, 50).await;
    let loaded = submissions(&router, &pos, 200).await;

    println!(
        "\nmanyi report benchmark ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!(
        "data: {} responses, {} stores, {} days, {} sales rows, {} approved audits, {} rollup rows; generated in {:.0} s",
        report.responses,
        report.stores,
        spec.days,
        report.sales_rows,
        report.audits,
        rollup_rows,
        generated.as_secs_f64()
    );
    println!("| measure | p50 | p95 | size |");
    println!("|---|---|---|---|");
    for (name, (p50, p95, len)) in [
        ("dashboard, quarter by week (16 charts)", full),
        ("dashboard, year by month", full_year),
        ("dashboard, one region, quarter", by_region),
        ("single chart: CSAT trend", one),
        ("single chart: store league, year", league_one),
        ("single chart: section × store heat map, year", heat_one),
    ] {
        println!("| {name} | {} | {} | {} KB |", ms(p50), ms(p95), len / 1024);
    }
    println!(
        "| submission (JSON API), empty database | {} | {} | |",
        ms(empty.0),
        ms(empty.1)
    );
    println!(
        "| submission (JSON API), with the data set | {} | {} | |",
        ms(loaded.0),
        ms(loaded.1)
    );
    Ok(())
}
