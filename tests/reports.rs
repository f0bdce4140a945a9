//! Reports through a real server: who may see them, filters, CSV against chart, sales data in, and the rollups.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;
use serde_json::json;

struct World {
    app: TestApp,
    base: String,
    manager: Browser,
}

/// Sends responses through the public API, as the form would store them.
async fn respond(
    (base, token): (&str, &str),
    store: &str,
    sat: u8,
    recommend: u8,
    first: &str,
    complaint: Option<&str>,
) {
    let mut answers = json!({ "overall_satisfaction": sat, "recommend": recommend, "first_purchase": first, "heard_from": ["friend"],
                              "expect_price": 4, "exp_price": 3 });
    if let Some(c) = complaint {
        answers["complaint"] = json!(c);
        if c == "yes" {
            answers["complaint_text"] = json!("The queue was far too long");
        }
    }
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/forms/post-purchase/responses"))
        .bearer_auth(token)
        .json(&json!({ "store": store, "answers": answers }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

async fn world() -> World {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    // Trusted: a POS forwarding what it collected, so identical answers in a burst count.
    let token = app.trusted_token().await;
    let api = (base.as_str(), token.as_str());
    // S001: 6 happy repeat customers. S101: 5 unhappy first-timers, 2 of them complaining.
    for _ in 0..6 {
        respond(api, "S001", 5, 10, "no", None).await;
    }
    for i in 0..5 {
        respond(
            api,
            "S101",
            2,
            3,
            "yes",
            Some(if i < 2 { "yes" } else { "no" }),
        )
        .await;
    }
    let manager = Browser::logged_in(&base, "mia").await;
    World { app, base, manager }
}

fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn only_managers_and_admins_see_reports() {
    let w = world().await;
    let anon = Browser::new(&w.base);
    let shopper = Browser::logged_in(&w.base, "sam").await;
    let admin = Browser::logged_in(&w.base, "ada").await;
    for path in [
        "/reports",
        "/reports/trend-csat/chart.svg",
        "/reports/league-nps/data.csv",
    ] {
        assert_eq!(
            anon.get(path).await.headers()["location"],
            "/login",
            "{path}"
        );
        assert_eq!(shopper.get(path).await.status(), 403, "{path}");
        assert_eq!(w.manager.get(path).await.status(), 200, "{path}");
        assert_eq!(admin.get(path).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn the_headline_numbers_match_hand_computation() {
    let w = world().await;
    let (status, page) = w.manager.get_text("/reports?lang=en").await;
    assert_eq!(status, 200);
    // CSAT: 6 of 11 answered 4–5 → 54.5%; Wilson 95%: 28.0–78.7.
    assert!(
        page.contains("54.5%</strong>") && page.contains("95% CI [28.0, 78.7] · n = 11 responses"),
        "CSAT headline"
    );
    // NPS: 6 promoters, 5 detractors of 11 → (6 − 5)/11 = 9.1.
    assert!(page.contains("9.1</strong>"), "NPS headline");
    // Return rate: 6 repeat of 11 → 54.5%. Complaints: 2 per 11 responses → 18.2 per 100 (no sales data).
    assert!(page.contains("18.2%</strong>"), "complaint headline");
    let (_, svg) = w
        .manager
        .get_text("/reports/trend-complaints/chart.svg?lang=en")
        .await;
    assert!(
        svg.contains("complaints per 100 responses (no sales data)"),
        "the unit says which rate it is"
    );
}

#[tokio::test]
async fn filters_change_the_numbers_and_too_little_data_is_not_a_number() {
    let w = world().await;
    let league = |q: &str| format!("/reports/league-csat/data.csv?period=month&{q}");
    let (_, all) = w.manager.get_text(&league("")).await;
    let rows = csv_rows(&all);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0][0].as_str(),
            rows[0][1].as_str(),
            rows[0][4].as_str()
        ),
        ("S001 南京路店", "100.0000", "6")
    );
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][1].as_str(),
            rows[1][4].as_str()
        ),
        ("S101 Tianhe", "0.0000", "5")
    );
    let (_, south) = w.manager.get_text(&league("region=South")).await;
    assert_eq!(csv_rows(&south).len(), 1, "only the South store");
    let (_, one) = w
        .manager
        .get_text("/reports/trend-csat/data.csv?period=week&group=week&store=S001")
        .await;
    assert!(one.contains(",100.0000,"), "{one}");
    // With min n = 5 a store with 5 answers shows a number, and one day's 6 answers do too;
    // a period with none is empty (n = 0), not a zero.
    let (_, by_day) = w
        .manager
        .get_text("/reports/trend-csat/data.csv?period=week&group=day&store=S101")
        .await;
    let rows = csv_rows(&by_day);
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().filter(|r| r[4] == "0").all(|r| r[1].is_empty()));
    // A store nobody answered about has no data, and its chart says so.
    let (_, empty) = w
        .manager
        .get_text("/reports/trend-csat/chart.svg?store=S002&lang=en")
        .await;
    assert!(empty.contains("No data for this selection"));
    // An unknown chart or a broken filter gets a clear 4xx.
    assert_eq!(w.manager.get("/reports/pie/chart.svg").await.status(), 404);
    let res = w
        .manager
        .get("/reports?period=custom&from=2026-02-01")
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("`to` must be a date"));
}

#[tokio::test]
async fn the_csv_holds_the_numbers_the_chart_shows() {
    let w = world().await;
    let (_, csv) = w
        .manager
        .get_text("/reports/league-nps/data.csv?lang=en")
        .await;
    let (_, svg) = w
        .manager
        .get_text("/reports/league-nps/chart.svg?lang=en")
        .await;
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 2);
    for row in rows {
        let shown = format!(
            "{} · n = {} responses",
            manyi::i18n::format::number(row[1].parse::<f64>().unwrap(), 1),
            row[4]
        );
        assert!(svg.contains(&shown), "the chart shows {shown}");
    }
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(
        doc.root_element()
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text()),
        Some("NPS · store league")
    );
}

#[tokio::test]
async fn sales_arrive_by_token_and_turn_complaints_into_a_rate_per_1000_transactions() {
    let w = world().await;
    let admin = Browser::logged_in(&w.base, "ada").await;
    let res = admin
        .post_with_csrf(
            "/admin/tokens",
            "/admin/tokens",
            &[("name", "POS export"), ("scope", "sales")],
        )
        .await;
    let page = res.text().await.unwrap();
    let token = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_owned();
    assert!(token.starts_with("manyi_"));
    let today = manyi::web::Settings::default().today().to_string();
    let send = |auth: Option<String>, body: serde_json::Value| {
        let mut req = reqwest::Client::new()
            .post(format!("{}/api/v1/sales", w.base))
            .json(&body);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send()
    };
    let good = json!({ "sales": [{ "store": "S101", "date": today, "transactions": 400, "revenue": 120000 }] });
    assert_eq!(send(None, good.clone()).await.unwrap().status(), 401);
    assert_eq!(
        send(Some("Bearer manyi_wrong".into()), good.clone())
            .await
            .unwrap()
            .status(),
        401
    );
    let bad = json!([{ "store": "S404", "date": "yesterday", "transactions": -1, "revenue": 5 }, { "store": "S101", "date": today, "transactions": 1, "revenue": 1 }]);
    let res = send(Some(format!("Bearer {token}")), bad).await.unwrap();
    assert_eq!(res.status(), 422);
    let errors: serde_json::Value = res.json().await.unwrap();
    assert!(
        errors["errors"]["sales[0]"]
            .as_str()
            .unwrap()
            .contains("store 'S404'")
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from sales")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing from a batch with a bad row");
    let res = send(Some(format!("Bearer {token}")), good).await.unwrap();
    assert_eq!(res.status(), 200);
    // Sending the same store and day again replaces it.
    let again = json!([{ "store": "S101", "date": today, "transactions": 500, "revenue": 150000 }]);
    assert_eq!(
        send(Some(format!("Bearer {token}")), again)
            .await
            .unwrap()
            .status(),
        200
    );
    let rows: Vec<(i64, f64)> = sqlx::query_as("select transactions, revenue from sales")
        .fetch_all(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(rows, [(500, 150000.0)]);
    // S101: 2 complaints / 500 transactions = 4 per 1,000.
    let (_, csv) = w
        .manager
        .get_text("/reports/league-complaints/data.csv?period=week")
        .await;
    let s101 = csv_rows(&csv)
        .into_iter()
        .find(|r| r[0].starts_with("S101"))
        .unwrap();
    assert_eq!(s101[1], "4.0000");
    let (_, svg) = w
        .manager
        .get_text("/reports/league-complaints/chart.svg?lang=en")
        .await;
    assert!(svg.contains("complaints per 1,000 transactions"));
    // A revoked token stops working.
    let id: i64 = sqlx::query_scalar("select id from api_token where scope = 'sales'")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    admin
        .post_with_csrf("/admin/tokens", &format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    let res = send(
        Some(format!("Bearer {token}")),
        json!([{ "store": "S001", "date": today, "transactions": 1, "revenue": 1 }]),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn rollups_rebuilt_from_stored_responses_equal_the_live_ones() {
    let w = world().await;
    let snapshot = || async {
        sqlx::query_as::<_, (String, String, i64, i64, i64, i64, i64)>(
            "select day, store_code, responses, sat_top2, nps_promoters, return_repeat, complaints from daily_stat order by 1, 2",
        )
        .fetch_all(&w.app.pool)
        .await
        .unwrap()
    };
    let live = snapshot().await;
    for table in [
        "daily_stat",
        "daily_channel",
        "daily_gap",
        "monthly_stat",
        "monthly_channel",
        "monthly_gap",
    ] {
        sqlx::query(&format!("delete from {table}"))
            .execute(&w.app.pool)
            .await
            .unwrap();
    }
    let rebuilt =
        manyi::db::rollups::rebuild_if_empty(&w.app.db, manyi::web::Settings::default().utc_offset)
            .await
            .unwrap();
    assert_eq!(rebuilt, 11);
    assert_eq!(snapshot().await, live);
    assert_eq!(
        manyi::db::rollups::rebuild_if_empty(&w.app.db, time::UtcOffset::UTC)
            .await
            .unwrap(),
        0,
        "only when empty"
    );
}

#[tokio::test]
async fn whole_months_from_the_monthly_rollup_equal_the_daily_sums() {
    let w = world().await;
    let today = manyi::web::Settings::default().today();
    let first = today.replace_day(1).unwrap();
    let last = (first + time::Duration::days(40)).replace_day(1).unwrap() - time::Duration::days(1);
    let range = format!("period=custom&from={first}&to={last}");
    // By store over the whole month reads the monthly rollup; by day reads the daily one.
    let (_, monthly) = w
        .manager
        .get_text(&format!("/reports/league-nps/data.csv?{range}"))
        .await;
    let (_, daily) = w
        .manager
        .get_text(&format!("/reports/trend-nps/data.csv?{range}&group=day"))
        .await;
    let store_n: u64 = csv_rows(&monthly)
        .iter()
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    let day_n: u64 = csv_rows(&daily)
        .iter()
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!((store_n, day_n), (11, 11));
    let months: i64 = sqlx::query_scalar("select sum(responses) from monthly_stat")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(months, 11);
}
