//! Store managers on the report dashboard through a real server: their own stores' figures, equal to a manager's view of those stores, and never a row, code or name of another store, whatever the filter says.

mod common;

use common::{Browser, TestApp};
use manyi::answers::Answer;
use manyi::auth::Role;
use manyi::cases::deadline::Policy;
use manyi::cases::{Channel, Kind, NewCase, Priority, Request};
use manyi::db::responses::{Checks, Submission};
use manyi::quality::Flag;
use time::macros::{date, datetime, offset};

/// Every response, sale, audit and case below falls on 2026-11-30 (local +08:00).
const NOV: &str = "period=custom&from=2026-11-01&to=2026-11-30&lang=en";
const AT: &str = "2026-11-30T02:00:00Z";

/// What must never reach Sue: the other stores' codes and names.
const FOREIGN: [&str; 4] = ["S002", "West Lake", "S101", "Tianhe"];

struct World {
    app: TestApp,
    base: String,
    /// A manager: every store.
    mia: Browser,
    /// The store manager of S001.
    sue: Browser,
}

fn int(q: &str, v: i64) -> (String, Answer) {
    (q.to_owned(), Answer::Int(v))
}

fn choice(q: &str, v: &str) -> (String, Answer) {
    (q.to_owned(), Answer::Choice(v.to_owned()))
}

/// One post-purchase response through the writer, held with `flags` (counted without).
async fn respond(
    app: &TestApp,
    store: &str,
    sat: i64,
    rec: i64,
    complaint: bool,
    flags: Vec<Flag>,
) {
    let survey = app.state.catalog.get("post-purchase").unwrap().clone();
    let mut answers = vec![
        int("overall_satisfaction", sat),
        int("recommend", rec),
        choice("first_purchase", if sat > 3 { "no" } else { "yes" }),
        (
            "heard_from".into(),
            Answer::Choices(vec![if sat > 3 { "friend" } else { "ad" }.into()]),
        ),
        int("expect_price", 4),
        int("exp_price", if sat > 3 { 4 } else { 2 }),
        choice("complaint", if complaint { "yes" } else { "no" }),
    ];
    if complaint {
        answers.push((
            "complaint_text".into(),
            Answer::Text("The queue was far too long".into()),
        ));
    }
    app.db
        .writer
        .submit(Submission {
            survey,
            store: Some(store.to_owned()),
            lang: "en",
            answers,
            submission_key: None,
            submitted_at: AT.into(),
            day: date!(2026 - 11 - 30),
            checks: Checks {
                case: None,
                flags,
                receipt: None,
            },
        })
        .await
        .expect("stored");
}

async fn open_case(app: &TestApp, store: &str) {
    let opened = datetime!(2026-11-30 02:00 UTC);
    let c = NewCase {
        kind: Kind::Complaint,
        channel: Channel::WalkIn,
        store: store.into(),
        department: None,
        description: "The delivery came a week late".into(),
        request: Request::Apology,
        contact: None,
        priority: Priority::Normal,
        opened_at: opened,
        year: 2026,
        due: Policy::default().due(Priority::Normal, opened, offset!(+08:00)),
    };
    let mut tx = app.db.write.begin().await.unwrap();
    manyi::db::cases::insert(&mut tx, &c, None, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// An approved audit with one section, written directly.
async fn audit(app: &TestApp, shopper: i64, store: &str, score: f64) {
    let id: i64 = sqlx::query_scalar(
        "insert into audit (shopper_id, store_code, checklist_id, window_from, window_to, status, \
         visit_date, score, created_by, created_at) \
         values (?, ?, 'store-audit', '2026-11-01', '2026-11-30', 'approved', '2026-11-30', ?, ?, ?) \
         returning id",
    )
    .bind(shopper)
    .bind(store)
    .bind(score)
    .bind(shopper)
    .bind(AT)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into audit_section_score (audit_id, section, earned, possible, percent) values (?, 'service', ?, 100, ?)",
    )
    .bind(id)
    .bind(score)
    .bind(score)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// S001: 6 happy repeat customers, 1 held response, sales, a 90% audit, 1 case.
/// S002 (same region, East): 5 unhappy first-timers (2 complaining), 2 held, a 40% audit,
/// 2 cases. S101 (South): 5 middling responses, 1 case.
async fn world() -> World {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let sue = app.add_user("sue", Role::StoreManager).await;
    app.add_user("nob", Role::StoreManager).await;
    manyi::db::user_stores::set_user_stores(&app.db.write, sue, &["S001".to_owned()])
        .await
        .unwrap();
    for _ in 0..6 {
        respond(&app, "S001", 5, 10, false, vec![]).await;
    }
    respond(&app, "S001", 1, 0, false, vec![Flag::TooFast]).await;
    for i in 0..5 {
        respond(&app, "S002", 2, 3, i < 2, vec![]).await;
    }
    for _ in 0..2 {
        respond(&app, "S002", 1, 0, false, vec![Flag::TooFast]).await;
    }
    for _ in 0..5 {
        respond(&app, "S101", 4, 8, false, vec![]).await;
    }
    for (store, transactions, revenue) in [("S001", 100, 5000.0), ("S002", 40, 1234.5)] {
        sqlx::query("insert into sales (store_code, day, transactions, revenue, imported_at) values (?, '2026-11-30', ?, ?, ?)")
            .bind(store)
            .bind(transactions)
            .bind(revenue)
            .bind(AT)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    audit(&app, sam, "S001", 90.0).await;
    audit(&app, sam, "S002", 40.0).await;
    for store in ["S001", "S002", "S002", "S101"] {
        open_case(&app, store).await;
    }
    let base = app.spawn().await;
    let mia = Browser::logged_in(&base, "mia").await;
    let sue = Browser::logged_in(&base, "sue").await;
    World {
        app,
        base,
        mia,
        sue,
    }
}

/// Every report address a page links to or draws from (charts, CSVs, "show all").
fn report_links(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in page.split(attr).skip(1) {
            let url = part.split('"').next().unwrap_or_default();
            if url.starts_with("/reports") {
                let url = url.replace("&amp;", "&");
                let url = url.split('#').next().unwrap_or_default().to_owned();
                if !out.contains(&url) {
                    out.push(url);
                }
            }
        }
    }
    out
}

fn no_foreign(what: &str, body: &str) {
    for f in FOREIGN {
        assert!(!body.contains(f), "{what} names {f}:\n{body}");
    }
}

#[tokio::test]
async fn a_store_manager_gets_her_stores_figures_as_a_manager_filtered_to_it_sees_them() {
    let w = world().await;
    let (status, page) = w.sue.get_text(&format!("/reports?{NOV}")).await;
    assert_eq!(status, 200);
    no_foreign("the dashboard", &page);
    // CSAT: S001's 6 of 6 → 100.0%, never the chain's 6 of 16.
    assert!(page.contains("100.0%</strong>"), "CSAT headline");
    assert!(page.contains("n = 6 responses"));
    // Her one held response, as a count: the queue is the managers'.
    assert!(page.contains("<strong>1 responses held back</strong>"));
    assert!(!page.contains("/responses/held"));
    // The store select offers her store alone, the region select its region alone.
    assert!(page.contains("<option value=\"S001\">S001 南京路店</option>"));
    assert!(page.contains("<option value=\"East\">") && !page.contains("South"));
    // The nav shows Reports (and Cases), not the managers' pages.
    assert!(page.contains("href=\"/reports\"") && page.contains("href=\"/cases\""));
    assert!(!page.contains("href=\"/audits\"") && !page.contains("href=\"/admin/stores\""));

    let (_, chain) = w.mia.get_text(&format!("/reports?{NOV}")).await;
    assert!(chain.contains("<strong>3 responses held back</strong>"));
    assert!(chain.contains("n = 16 responses"));

    let links = report_links(&page);
    let csvs = links.iter().filter(|l| l.contains("/data.csv?")).count();
    assert!(
        csvs >= 17,
        "every chart and case table has its CSV: {links:?}"
    );
    for link in &links {
        let (status, body) = w.sue.get_text(link).await;
        assert_eq!(status, 200, "{link}");
        no_foreign(link, &body);
        if link.contains("/data.csv?") || link.contains("/chart.svg?") {
            // The same chart as a manager who picked S001.
            let (_, theirs) = w.mia.get_text(&format!("{link}&store=S001")).await;
            assert_eq!(body, theirs, "{link}");
        }
    }
    // The leagues and backlog do hold her store's row (so the comparison is not of empties).
    let (_, league) = w
        .sue
        .get_text(&format!("/reports/league-mystery/data.csv?{NOV}"))
        .await;
    // One audit is below min n: the row is there, its value is not.
    assert_eq!(league, "label,value,low,high,n\nS001 南京路店,,,,1\n");
    let (_, cases) = w
        .sue
        .get_text(&format!("/reports/cases/stores/data.csv?{NOV}"))
        .await;
    // Opened on 30 November, long past its reply deadline: overdue.
    assert_eq!(cases, "store,name,open,overdue\nS001,南京路店,1,1\n");
    // The other stores' rows are there for a manager: the restriction is what hides them.
    for chart in ["league-csat", "league-mystery", "heatmap", "cases/stores"] {
        let (_, all) = w
            .mia
            .get_text(&format!("/reports/{chart}/data.csv?{NOV}"))
            .await;
        assert!(
            all.contains("S002") && all.contains("West Lake"),
            "{chart}: {all}"
        );
    }
}

#[tokio::test]
async fn naming_another_store_is_refused_in_the_readers_language() {
    let w = world().await;
    for path in [
        "/reports",
        "/reports/league-csat/data.csv",
        "/reports/trend-csat/chart.svg",
        "/reports/heatmap/data.csv",
        "/reports/cases/stores/data.csv",
        "/reports/cases/kpis/data.csv",
        "/reports/cases/pareto/chart.svg",
    ] {
        for (store, region) in [("S002", "East"), ("S101", "South")] {
            let (status, body) = w
                .sue
                .get_text(&format!("{path}?{NOV}&store={store}&region={region}"))
                .await;
            assert_eq!(status, 403, "{path} {store}");
            assert!(
                body.contains(&format!("store {store} is not one of them")),
                "{path}: {body}"
            );
            assert!(!body.contains("West Lake") && !body.contains("Tianhe"));
        }
        let zh = NOV.replace("lang=en", "lang=zh");
        let (status, body) = w.sue.get_text(&format!("{path}?{zh}&store=S002")).await;
        assert_eq!(status, 403);
        assert!(body.contains("门店 S002 不在其中"), "{path}: {body}");
        // Her own store by name is fine.
        let (status, _) = w.sue.get_text(&format!("{path}?{NOV}&store=S001")).await;
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_region_narrows_her_stores_and_never_widens_them() {
    let w = world().await;
    let csv = |chart: &str, q: &str| format!("/reports/{chart}/data.csv?{NOV}&{q}");
    // East holds S001 and S002: she gets S001 alone.
    let (_, east) = w.sue.get_text(&csv("league-csat", "region=East")).await;
    let (_, own) = w.sue.get_text(&csv("league-csat", "")).await;
    assert_eq!(east, own);
    assert!(east.contains("S001"));
    no_foreign("East", &east);
    // South holds none of hers: nothing at all, not S101.
    for chart in [
        "league-csat",
        "league-nps",
        "league-mystery",
        "heatmap",
        "cases/stores",
    ] {
        let (status, body) = w.sue.get_text(&csv(chart, "region=South")).await;
        assert_eq!(status, 200, "{chart}");
        assert!(!body.contains("S001"), "{chart}: {body}");
        no_foreign(chart, &body);
        assert_eq!(
            body.lines().count(),
            1,
            "{chart} is its header alone: {body}"
        );
    }
    let (status, page) = w
        .sue
        .get_text(&format!("/reports?{NOV}&region=South"))
        .await;
    assert_eq!(status, 200);
    no_foreign("the South dashboard", &page);
    assert!(page.contains("n = 0 responses") && page.contains("not enough data"));
    assert!(!page.contains("held back"));
}

#[tokio::test]
async fn a_store_manager_without_stores_sees_no_stores_figures() {
    let w = world().await;
    let nob = Browser::logged_in(&w.base, "nob").await;
    let (status, page) = nob.get_text(&format!("/reports?{NOV}")).await;
    assert_eq!(status, 200);
    no_foreign("the dashboard", &page);
    assert!(!page.contains("S001") && !page.contains("南京路店"));
    assert!(page.contains("not enough data") && page.contains("n = 0 responses"));
    assert!(!page.contains("held back") && !page.contains("cases overdue"));
    assert!(page.contains("No open cases in this selection."));
    for link in report_links(&page) {
        let (status, body) = nob.get_text(&link).await;
        assert_eq!(status, 200, "{link}");
        no_foreign(&link, &body);
        assert!(!body.contains("S001"), "{link}: {body}");
    }
    let (_, league) = nob
        .get_text(&format!("/reports/league-csat/data.csv?{NOV}"))
        .await;
    assert_eq!(league.lines().count(), 1, "{league}");
    // Any store named is another's.
    let (status, _) = nob
        .get_text(&format!("/reports/league-csat/data.csv?{NOV}&store=S001"))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_managers_pages_stay_refused_to_store_managers() {
    let w = world().await;
    for path in [
        "/responses/held",
        "/assignments/new",
        "/admin/stores",
        "/admin/users",
        "/admin/tokens",
        "/admin/webhooks",
    ] {
        assert_eq!(w.sue.get(path).await.status(), 403, "{path}");
    }
    // Audits are managers' and shoppers' work: the list is refused, and no audit opens.
    assert_eq!(w.sue.get("/audits").await.status(), 403);
    let ids: Vec<i64> = sqlx::query_scalar("select id from audit order by id")
        .fetch_all(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    for id in ids {
        for path in [format!("/audits/{id}"), format!("/audits/{id}/review")] {
            let status = w.sue.get(&path).await.status().as_u16();
            assert!(matches!(status, 403 | 404), "{path}: {status}");
        }
    }
    // Deciding about held responses is refused too, with a valid CSRF token.
    let res = w
        .sue
        .post_with_csrf(
            &format!("/reports?{NOV}"),
            "/responses/held/decide",
            &[("decision", "accept"), ("ids", "1")],
        )
        .await;
    assert_eq!(res.status(), 403);
    // Shoppers still see no report.
    let sam = Browser::logged_in(&w.base, "sam").await;
    for path in [
        "/reports",
        "/reports/league-csat/data.csv",
        "/reports/cases/stores/data.csv",
        "/reports/cases/nothing/data.csv",
    ] {
        assert_eq!(sam.get(path).await.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn her_dashboard_reads_in_chinese() {
    let w = world().await;
    let sue = Browser::logged_in_speaking(&w.base, "sue", "zh-CN,zh;q=0.9").await;
    let (status, page) = sue
        .get_text("/reports?period=custom&from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh"), "Chinese page");
    assert!(page.contains(">报表</a>") && page.contains("1 份回答暂缓计入"));
    assert!(page.contains("100.0%</strong>") && page.contains("南京路店"));
    no_foreign("the Chinese dashboard", &page);
}
