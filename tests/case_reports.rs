//! The dashboard's complaint-handling section through a real server: hand-computed figures on the page and in the CSVs, "not enough data" below min n, the filters, and who may see it.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;
use manyi::cases::deadline::Policy;
use manyi::cases::{Channel, Kind, NewCase, Priority, Request};
use manyi::db::cases::stamp;
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

/// March 2025 in the stores' time zone (+08:00), in English.
const MARCH: &str = "period=custom&from=2025-03-01&to=2025-03-31&lang=en";

async fn open(app: &TestApp, store: &str, opened: OffsetDateTime, contact: Option<&str>) -> i64 {
    let offset = offset!(+08:00);
    let c = NewCase {
        kind: Kind::Complaint,
        channel: Channel::WalkIn,
        store: store.into(),
        department: None,
        description: "The delivery came a week late".into(),
        request: Request::Apology,
        contact: contact.map(str::to_owned),
        priority: Priority::Normal,
        opened_at: opened,
        year: opened.to_offset(offset).year(),
        due: Policy::default().due(Priority::Normal, opened, offset),
    };
    let mut tx = app.db.write.begin().await.unwrap();
    let (id, _) = manyi::db::cases::insert(&mut tx, &c, None, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// What the flow would have stored by now, written directly.
#[derive(Default)]
struct Later {
    reply_h: Option<i64>,
    close_h: Option<i64>,
    valid: Option<bool>,
    category: Option<&'static str>,
    recovery: Option<bool>,
    step: Option<&'static str>,
    resolve_due: Option<&'static str>,
}

async fn then(app: &TestApp, id: i64, opened: OffsetDateTime, l: Later) {
    let at = |h: Option<i64>| h.map(|h| stamp(opened + Duration::hours(h)));
    let step = l.step.unwrap_or(if l.close_h.is_some() {
        "closed"
    } else {
        "validity"
    });
    sqlx::query(
        "update complaint_case set first_reply_at = ?, closed_at = ?, valid = ?, category = ?, \
         recovery_satisfied = ?, step = ?, resolve_due = coalesce(?, resolve_due) where id = ?",
    )
    .bind(at(l.reply_h))
    .bind(at(l.close_h))
    .bind(l.valid)
    .bind(l.category)
    .bind(l.recovery)
    .bind(step)
    .bind(l.resolve_due)
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// Nine cases in and around March 2025 (local +08:00):
///
/// | case | opened (UTC)      | store | reply | closed      | category       | recovery | contact              |
/// |------|-------------------|-------|-------|-------------|----------------|----------|----------------------|
/// | c0   | 02-28 15:59:59    | S001  |       |             | delivery       |          | (outside: 02-28 local) |
/// | c1   | 02-28 16:00 = 03-01 00:00 local | S001 | 2 h | 24 h | delivery | yes | " Amy@Example.com " |
/// | c2   | 03-03 02:00       | S001  | 4 h   | 48 h        | delivery       | yes      | amy@example.com      |
/// | c3   | 03-05 02:00       | S001  | 6 h   | 72 h        | staff_attitude | no       | 13800000000          |
/// | c4   | 03-07 02:00       | S001  | 30 h  | 96 h        | delivery       |          | bob@x.cn             |
/// | c5   | 03-08 02:00       | S001  | 3 h   | 3 h invalid |                |          |                      |
/// | c6   | 03-10 02:00       | S001  |       | open        |                |          | "13800000000 "       |
/// | c7   | 03-12 02:00       | S002  | 1 h   | open        | staff_attitude |          | carol                |
/// | c8   | 03-14 02:00       | S101  | 5 h   | open, due 2999 | waiting     |          |                      |
/// | c9   | 03-31 16:30 = 04-01 00:30 local | S001 | | open | delivery |       | (outside)            |
async fn world(min_n: u64) -> (TestApp, String) {
    let settings = manyi::web::Settings {
        min_n,
        ..manyi::web::Settings::default()
    };
    let app = TestApp::with_settings(settings).await;
    app.add_user("mia", Role::Manager).await;
    app.add_user("sue", Role::StoreManager).await;
    let plan: Vec<(&str, OffsetDateTime, Option<&str>, Later)> = vec![
        (
            "S001",
            datetime!(2025-02-28 15:59:59 UTC),
            None,
            Later {
                category: Some("delivery"),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-02-28 16:00 UTC),
            Some(" Amy@Example.com "),
            Later {
                reply_h: Some(2),
                close_h: Some(24),
                valid: Some(true),
                category: Some("delivery"),
                recovery: Some(true),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-03 02:00 UTC),
            Some("amy@example.com"),
            Later {
                reply_h: Some(4),
                close_h: Some(48),
                valid: Some(true),
                category: Some("delivery"),
                recovery: Some(true),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-05 02:00 UTC),
            Some("13800000000"),
            Later {
                reply_h: Some(6),
                close_h: Some(72),
                valid: Some(true),
                category: Some("staff_attitude"),
                recovery: Some(false),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-07 02:00 UTC),
            Some("bob@x.cn"),
            Later {
                reply_h: Some(30),
                close_h: Some(96),
                valid: Some(true),
                category: Some("delivery"),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-08 02:00 UTC),
            None,
            Later {
                reply_h: Some(3),
                close_h: Some(3),
                valid: Some(false),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-10 02:00 UTC),
            Some("13800000000 "),
            Later::default(),
        ),
        (
            "S002",
            datetime!(2025-03-12 02:00 UTC),
            Some("carol"),
            Later {
                reply_h: Some(1),
                valid: Some(true),
                category: Some("staff_attitude"),
                step: Some("solution"),
                ..Later::default()
            },
        ),
        (
            "S101",
            datetime!(2025-03-14 02:00 UTC),
            None,
            Later {
                reply_h: Some(5),
                valid: Some(true),
                category: Some("waiting"),
                step: Some("solution"),
                resolve_due: Some("2999-01-01T00:00:00Z"),
                ..Later::default()
            },
        ),
        (
            "S001",
            datetime!(2025-03-31 16:30 UTC),
            Some("amy@example.com"),
            Later {
                category: Some("delivery"),
                ..Later::default()
            },
        ),
    ];
    for (store, opened, contact, later) in plan {
        let id = open(&app, store, opened, contact).await;
        then(&app, id, opened, later).await;
    }
    let base = app.spawn().await;
    (app, base)
}

fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("no row {first}: {rows:?}"))
}

#[tokio::test]
async fn the_section_shows_hand_computed_figures_and_not_enough_data() {
    let (_app, base) = world(5).await;
    let mia = Browser::logged_in(&base, "mia").await;
    let (status, page) = mia.get_text(&format!("/reports?{MARCH}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Complaint handling"));
    // Replies (c1–c8 answered, c0 and c9 outside March local): 1 2 3 4 5 6 30 h, n = 7.
    // Median: the 4th, 4 h; CI ranks (1, 7) for n = 7 → [1, 30].
    assert!(page.contains("4.0 h</strong>"), "reply median");
    assert!(page.contains("95% CI [1.0, 30.0] · n = 7 cases"));
    // p90: h = 6 × 0.9 = 5.4 → 6 + 0.4 × 24 = 15.6; CI ranks (4, 7) → [4, 30].
    assert!(page.contains("15.6 h</strong>") && page.contains("95% CI [4.0, 30.0] · n = 7 cases"));
    // Within 24 h: 6 of 7 answered in time, c6 unanswered past its deadline → 6 of 8 = 75%.
    // Wilson: centre 0.75 + 3.8415/16 = 0.9901, spread 1.96·√(0.1875/8 + 3.8415/256) = 0.3843,
    // ÷ 1.4802 → [40.9, 92.9].
    assert!(page.contains("75.0%</strong>") && page.contains("95% CI [40.9, 92.9] · n = 8 cases"));
    // Closing: c1–c4 (c5 invalid is left out), n = 4 < 5. Recovery: 3 answers. Repeat: 4 contacts.
    assert!(
        page.contains("n = 4 cases")
            && page.contains("n = 3 cases")
            && page.contains("n = 4 contacts")
    );
    assert!(
        page.matches("not enough data").count() >= 5,
        "close ×2, recovery, repeat …"
    );
    // Open: c6, c7, c8; overdue: c6 (no reply after 24 h) and c7 (past its 7 days); c8's is 2999.
    assert!(
        page.contains("<strong>3</strong>") && page.contains("2 of them overdue · n = 8 cases")
    );
    assert!(
        page.contains(r#"<a href="/cases?state=overdue"><strong>2 cases overdue</strong></a>"#)
    );
    // Pareto: delivery 3, staff attitude 2, waiting 1 (n = 6); c5 and c6 uncategorised.
    assert!(page.contains(r#"src="/reports/cases/pareto/chart.svg?period=custom"#));
    assert!(page.contains("2 more cases have no category"));
    // Stores: most overdue first, then open, then code.
    let s001 = page.find("S001 南京路店</span>").expect("S001 row");
    let s002 = page.find("S002 West Lake</span>").expect("S002 row");
    let s101 = page.find("S101 Tianhe</span>").expect("S101 row");
    assert!(s001 < s002 && s002 < s101);

    let (status, svg) = mia
        .get_text(&format!("/reports/cases/pareto/chart.svg?{MARCH}"))
        .await;
    assert_eq!(status, 200);
    assert!(svg.contains("1. Delivery and installation") && svg.contains("3 · 50%"));
    assert!(
        svg.contains("2. Staff attitude") && svg.contains("2 · 83%") && svg.contains("1 · 100%")
    );

    let res = mia
        .get(&format!("/reports/cases/pareto/data.csv?{MARCH}"))
        .await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let rows = csv_rows(&res.text().await.unwrap());
    // 3 of 6 = 50%; Wilson [18.8, 81.2]; cumulative 50, 83.3, 100.
    let d = row(&rows, "delivery");
    assert_eq!(&d[1..4], ["Delivery and installation", "3", "50.0000"]);
    assert!(
        d[4].starts_with("18.7") || d[4].starts_with("18.8"),
        "{d:?}"
    );
    assert!(d[5].starts_with("81.2") && d[6] == "50.0000" && d[7] == "6");
    assert_eq!(row(&rows, "staff_attitude")[6], "83.3333");
    assert_eq!(row(&rows, "waiting")[6], "100.0000");
    assert_eq!(rows.last().unwrap()[1..3], ["(uncategorised)", "2"]);

    let kpis = csv_rows(
        &mia.get_text(&format!("/reports/cases/kpis/data.csv?{MARCH}"))
            .await
            .1,
    );
    assert_eq!(
        row(&kpis, "reply_median_hours")[1..5],
        ["4.0000", "1.0000", "30.0000", "7"]
    );
    assert_eq!(row(&kpis, "reply_p90_hours")[1], "15.6000");
    let on_time = row(&kpis, "reply_within_deadline");
    assert_eq!((on_time[1].as_str(), on_time[4].as_str()), ("75.0000", "8"));
    assert_eq!(row(&kpis, "close_median_hours")[1..5], ["", "", "", "4"]);
    assert_eq!(row(&kpis, "overdue_cases")[1], "2");
    assert_eq!(row(&kpis, "open_cases")[1], "3");

    let stores = csv_rows(
        &mia.get_text(&format!("/reports/cases/stores/data.csv?{MARCH}"))
            .await
            .1,
    );
    assert_eq!(
        stores,
        [
            ["S001", "南京路店", "1", "1"],
            ["S002", "West Lake", "1", "1"],
            ["S101", "Tianhe", "1", "0"]
        ]
    );
}

#[tokio::test]
async fn a_lower_min_n_shows_the_small_samples() {
    let (_app, base) = world(3).await;
    let mia = Browser::logged_in(&base, "mia").await;
    let (_, page) = mia.get_text(&format!("/reports?{MARCH}")).await;
    // Closing 24 48 72 96 h: median 60, n = 4 → the range [24, 96]; p90 72 + 0.7 × 24 = 88.8.
    assert!(page.contains("60.0 h</strong>") && page.contains("95% CI [24.0, 96.0] · n = 4 cases"));
    assert!(page.contains("88.8 h</strong>"));
    // Recovery 2 of 3: Wilson [20.8, 93.9]. Repeat: amy and 138… of 4 contacts → 50%, [15.0, 85.0].
    assert!(page.contains("66.7%</strong>") && page.contains("95% CI [20.8, 93.9] · n = 3 cases"));
    assert!(
        page.contains("50.0%</strong>") && page.contains("95% CI [15.0, 85.0] · n = 4 contacts")
    );
}

#[tokio::test]
async fn region_and_store_filters_apply() {
    let (_app, base) = world(5).await;
    let mia = Browser::logged_in(&base, "mia").await;
    // South holds S101 only: c8, answered at 5 h, open and not overdue.
    let (_, page) = mia
        .get_text(&format!("/reports?{MARCH}&region=South"))
        .await;
    assert!(!page.contains("cases overdue"), "no overdue notice");
    assert!(page.contains("0 of them overdue · n = 1 cases"));
    let pareto = &page[page.find(r#"id="cases-pareto""#).expect("pareto section")..];
    let pareto = &pareto[..pareto.find("</section>").unwrap()];
    assert!(
        !pareto.contains("<img") && pareto.contains("not enough data"),
        "{pareto}"
    );
    let kpis = csv_rows(
        &mia.get_text(&format!(
            "/reports/cases/kpis/data.csv?{MARCH}&region=South"
        ))
        .await
        .1,
    );
    assert_eq!(row(&kpis, "reply_median_hours")[1..5], ["", "", "", "1"]);
    let pareto = csv_rows(
        &mia.get_text(&format!(
            "/reports/cases/pareto/data.csv?{MARCH}&region=South"
        ))
        .await
        .1,
    );
    // One case is below min n: its count stays, its shares are left out.
    assert_eq!(
        pareto[0],
        ["waiting", "Waiting and queues", "1", "", "", "", "", "1"]
    );
    let (_, svg) = mia
        .get_text(&format!(
            "/reports/cases/pareto/chart.svg?{MARCH}&region=South"
        ))
        .await;
    assert!(svg.contains("not enough data (n = 1)"));
    // Store S002: c7 only, overdue.
    let (_, page) = mia.get_text(&format!("/reports?{MARCH}&store=S002")).await;
    assert!(page.contains("<strong>1 cases overdue</strong>"));
    // A period without cases: nothing open, every figure "not enough data (n = 0)".
    let (_, page) = mia
        .get_text("/reports?period=custom&from=2024-01-01&to=2024-01-31&lang=en")
        .await;
    assert!(page.contains("No open cases in this selection.") && page.contains("n = 0 contacts"));
}

#[tokio::test]
async fn strangers_cannot_see_it_and_a_store_manager_without_stores_sees_no_case() {
    let (_app, base) = world(5).await;
    let anon = Browser::new(&base);
    let sue = Browser::logged_in(&base, "sue").await;
    let mia = Browser::logged_in(&base, "mia").await;
    for path in [
        "/reports",
        "/reports/cases/pareto/chart.svg",
        "/reports/cases/pareto/data.csv",
        "/reports/cases/kpis/data.csv",
        "/reports/cases/stores/data.csv",
        "/reports/cases/nothing/data.csv",
    ] {
        assert_eq!(
            anon.get(path).await.headers()["location"],
            "/login",
            "{path}"
        );
        // A store manager reads their own stores' cases only (tests/store_manager_reports.rs).
        let expected = if path.contains("nothing") { 404 } else { 200 };
        assert_eq!(sue.get(path).await.status(), expected, "{path}");
    }
    // Sue has no stores: not one of the nine cases is hers.
    let (_, stores) = sue
        .get_text(&format!("/reports/cases/stores/data.csv?{MARCH}"))
        .await;
    assert_eq!(stores, "store,name,open,overdue\n");
    assert_eq!(
        mia.get("/reports/cases/nothing/data.csv").await.status(),
        404
    );
    // A bad filter is refused as on the rest of the dashboard.
    assert_eq!(
        mia.get("/reports/cases/kpis/data.csv?period=decade")
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn the_section_reads_in_chinese() {
    let (_app, base) = world(5).await;
    let mia = Browser::logged_in_speaking(&base, "mia", "zh-CN,zh;q=0.9").await;
    let (_, page) = mia
        .get_text("/reports?period=custom&from=2025-03-01&to=2025-03-31")
        .await;
    assert!(page.contains("投诉处理") && page.contains("4.0 小时</strong>"));
    assert!(page.contains("2 件案件已逾期") && page.contains("数据不足"));
    let (_, svg) = mia
        .get_text("/reports/cases/pareto/chart.svg?period=custom&from=2025-03-01&to=2025-03-31")
        .await;
    assert!(svg.contains("1. 送货与安装"));
}
