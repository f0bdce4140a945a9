//! The cases export: the list's filter, a store manager's stores only, contacts only when asked for and never once erased, spreadsheet-safe cells, and its refusals.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;

/// Opens a walk-in complaint at `store` as `b`, returning its code.
async fn open(
    b: &Browser,
    app: &TestApp,
    store: &str,
    words: &str,
    contact: Option<&str>,
) -> String {
    let mut fields = vec![
        ("kind", "complaint"),
        ("channel", "walk_in"),
        ("store", store),
        ("description", words),
        ("request", "refund"),
        ("priority", "normal"),
    ];
    if let Some(c) = contact {
        fields.push(("contact", c));
        fields.push(("consent", "yes"));
    }
    let res = b.post_with_csrf("/cases/new", "/cases/new", &fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    sqlx::query_scalar("select code from complaint_case order by id desc limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn parse(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name}: {header:?}"))
}

#[tokio::test]
async fn a_manager_exports_the_filtered_cases_and_contacts_only_when_asking() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let mia = Browser::logged_in(&base, "mia").await;
    let one = open(
        &mia,
        &app,
        "S001",
        "=HYPERLINK(\"http://evil\")",
        Some("13900000000"),
    )
    .await;
    let two = open(&mia, &app, "S002", "冰箱坏了", Some("wx:li")).await;
    let erased = open(&mia, &app, "S001", "Late delivery", Some("13800000000")).await;
    let res = mia
        .post_with_csrf(
            &format!("/cases/{erased}"),
            &format!("/cases/{erased}/erase"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 303);

    let res = mia.get("/cases/export.csv?state=all").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let (header, rows) = parse(&res.text().await.unwrap());
    assert!(
        !header.contains(&"contact".to_owned()),
        "no contact unless asked: {header:?}"
    );
    assert_eq!(rows.len(), 3);
    let code = col(&header, "code");
    let words = col(&header, "description");
    let by_code = |c: &str| rows.iter().find(|r| r[code] == c).unwrap().clone();
    assert_eq!(
        by_code(&one)[words],
        "'=HYPERLINK(\"http://evil\")",
        "a formula is quoted"
    );
    assert_eq!(by_code(&two)[words], "冰箱坏了");
    assert_eq!(by_code(&two)[col(&header, "store")], "S002");
    assert_eq!(
        by_code(&two)[col(&header, "step")],
        "validity",
        "recorded: awaiting validity"
    );
    assert!(
        rows.iter().all(|r| !r.join(",").contains("13900000000")),
        "the contact is in no other column"
    );

    // Asked for: the contact column, empty once erased.
    let (header, rows) = parse(
        &mia.get_text("/cases/export.csv?state=all&contact=1")
            .await
            .1,
    );
    let contact = col(&header, "contact");
    let code = col(&header, "code");
    let by_code = |c: &str| rows.iter().find(|r| r[code] == c).unwrap().clone();
    assert_eq!(by_code(&one)[contact], "13900000000");
    assert_eq!(by_code(&two)[contact], "wx:li");
    assert_eq!(by_code(&erased)[contact], "", "erased on request");

    // The list's filter applies.
    let (_, rows) = parse(
        &mia.get_text("/cases/export.csv?state=all&store=S002")
            .await
            .1,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][code], two);
}

#[tokio::test]
async fn a_store_manager_exports_only_their_stores_and_strangers_export_nothing() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let wang = app.add_user("wang", Role::StoreManager).await;
    app.add_user("sam", Role::Shopper).await;
    manyi::db::user_stores::set_user_stores(&app.db.write, wang, &["S001".into()])
        .await
        .unwrap();
    let base = app.spawn().await;
    let mia = Browser::logged_in(&base, "mia").await;
    let mine = open(&mia, &app, "S001", "Rude cashier", Some("13900000000")).await;
    open(&mia, &app, "S002", "Broken TV", Some("13700000000")).await;

    let b = Browser::logged_in(&base, "wang").await;
    let (status, csv) = b.get_text("/cases/export.csv?state=all&contact=1").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&csv);
    assert_eq!(rows.len(), 1, "{csv}");
    assert_eq!(rows[0][col(&header, "code")], mine);
    assert!(
        !csv.contains("13700000000"),
        "never another store's contact"
    );
    // Naming another store is refused, not widened.
    let (status, page) = b.get_text("/cases/export.csv?store=S002").await;
    assert_eq!(status, 400, "{page}");
    // A bad date is a clear 400.
    let (status, _) = b.get_text("/cases/export.csv?from=2026-13-01").await;
    assert_eq!(status, 400);

    let sam = Browser::logged_in(&base, "sam").await;
    assert_eq!(sam.get("/cases/export.csv").await.status(), 403);
    let anon = Browser::new(&base);
    let res = anon.get("/cases/export.csv?contact=1").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
}
