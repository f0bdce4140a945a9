//! Binding store managers to their stores, on the Users page and with `manyi user stores`, and what the binding lets them see.

mod common;

use std::process::Command;

use common::{Browser, TestApp};
use manyi::auth::Role;

const BIN: &str = env!("CARGO_BIN_EXE_manyi");

async fn stores_of(app: &TestApp, id: i64) -> Vec<String> {
    manyi::db::user_stores::user_stores(&app.db.write, id)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_binds_a_store_manager_to_stores_and_bad_lists_change_nothing() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let wang = app.add_user("wang", Role::StoreManager).await;
    let mia = app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in_speaking(&base, "ada", "zh-CN,zh;q=0.9").await;

    // A new store manager is flagged as seeing nothing yet.
    let (_, page) = admin.get_text("/admin/users").await;
    assert!(page.contains("还没有门店：看不到任何投诉。"), "{page}");
    assert!(page.contains(&format!("action=\"/admin/users/{wang}/stores\"")));
    assert!(
        !page.contains(&format!("action=\"/admin/users/{mia}/stores\"")),
        "a manager sees every store: no form to bind one"
    );

    let path = format!("/admin/users/{wang}/stores");
    let res = admin
        .post_with_csrf("/admin/users", &path, &[("stores", "S002，S001 S002")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/users?done=stores");
    assert_eq!(stores_of(&app, wang).await, ["S001", "S002"]);
    let (_, page) = admin.get_text("/admin/users?done=stores").await;
    assert!(page.contains("负责门店已保存。"));
    assert!(
        page.contains("value=\"S001 S002\""),
        "the form shows the stores"
    );

    // An unknown store or a malformed code is refused by name, in the admin's language,
    // and the stores stay as they were.
    for (typed, named) in [("S001 S404", "S404"), ("S001 S/1", "S/1")] {
        let res = admin
            .post_with_csrf("/admin/users", &path, &[("stores", typed)])
            .await;
        assert_eq!(res.status(), 422, "{typed}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains(&format!("门店未保存：没有代码为“{named}”的门店。")),
            "{page}"
        );
        assert_eq!(stores_of(&app, wang).await, ["S001", "S002"]);
    }
    // Only store managers are bound to stores.
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{mia}/stores"),
            &[("stores", "S001")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("只有店长账号绑定门店。"));
    assert!(stores_of(&app, mia).await.is_empty());
    // An unknown account is a 404, not a binding.
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users/9999/stores",
            &[("stores", "S001")],
        )
        .await;
    assert_eq!(res.status(), 404);

    // An empty list unbinds them all.
    let res = admin
        .post_with_csrf("/admin/users", &path, &[("stores", " ")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(stores_of(&app, wang).await.is_empty());
}

#[tokio::test]
async fn only_an_admin_binds_stores_and_only_with_the_sessions_csrf_token() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let wang = app.add_user("wang", Role::StoreManager).await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let path = format!("/admin/users/{wang}/stores");

    // The store manager cannot widen their own view, nor can a manager.
    for who in ["wang", "mia"] {
        let b = Browser::logged_in(&base, who).await;
        let res = b
            .post_with_csrf("/cases", &path, &[("stores", "S001 S002")])
            .await;
        assert_eq!(res.status(), 403, "{who}");
    }
    // A forged CSRF token is refused even for an admin.
    let admin = Browser::logged_in(&base, "ada").await;
    let res = admin
        .post(&path, &[("_csrf", "forged"), ("stores", "S001")])
        .await;
    assert_eq!(res.status(), 403);
    assert!(stores_of(&app, wang).await.is_empty());
}

#[tokio::test]
async fn a_store_manager_sees_the_cases_of_exactly_the_stores_bound_to_them() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let wang = app.add_user("wang", Role::StoreManager).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    // One walk-in case at each store, opened by the admin.
    for store in ["S001", "S002"] {
        let res = admin
            .post_with_csrf(
                "/cases/new",
                "/cases/new",
                &[
                    ("kind", "complaint"),
                    ("channel", "walk_in"),
                    ("store", store),
                    ("description", &format!("Broken fridge at {store}")),
                    ("request", "exchange"),
                    ("priority", "normal"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{wang}/stores"),
            &[("stores", "S002")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let b = Browser::logged_in(&base, "wang").await;
    // Their day starts at their cases; the audits are not theirs.
    let home = b.get("/home").await;
    assert_eq!(home.headers()["location"], "/cases");
    assert_eq!(b.get("/audits").await.status(), 403);
    let (status, list) = b.get_text("/cases").await;
    assert_eq!(status, 200);
    assert!(list.contains("Broken fridge at S002") || list.contains("S002"));
    assert!(!list.contains("Broken fridge at S001"), "{list}");
}

fn cli(args: &[&str], db: &std::path::Path, stdin: &str) -> (bool, String, String) {
    let out = common::run_manyi(args, db, stdin);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_adds_and_rebinds_store_managers_and_refuses_unknown_stores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let csv = dir.path().join("stores.csv");
    std::fs::write(&csv, "code,name,region\nS1,One,East\nS2,Two,West\n").unwrap();
    let out = Command::new(BIN)
        .args(["stores", "import"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pw = "a very long password\n";
    let add = ["user", "add", "--role", "store_manager", "--username"];

    let (ok, out, err) = cli(
        &[&add[..], &["wang", "--stores", "S1,S2"]].concat(),
        &db,
        pw,
    );
    assert!(ok, "{err}");
    assert!(out.contains("for store(s) S1, S2"), "{out}");
    // Unknown stores create nothing; --stores on another role is refused.
    let (ok, _, err) = cli(
        &[&add[..], &["li.na", "--stores", "S1,S9"]].concat(),
        &db,
        pw,
    );
    assert!(!ok && err.contains("no store with the code S9"), "{err}");
    let (ok, _, err) = cli(
        &[
            "user",
            "add",
            "--role",
            "manager",
            "--username",
            "mia",
            "--stores",
            "S1",
        ],
        &db,
        pw,
    );
    assert!(!ok && err.contains("store managers only"), "{err}");

    let (ok, _, err) = cli(
        &["user", "stores", "--username", "wang", "--stores", "S2"],
        &db,
        "",
    );
    assert!(ok, "{err}");
    let (ok, _, err) = cli(
        &["user", "stores", "--username", "nobody", "--stores", "S2"],
        &db,
        "",
    );
    assert!(!ok && err.contains("no account 'nobody'"), "{err}");
    let (ok, _, err) = cli(
        &["user", "stores", "--username", "wang", "--stores", "S3"],
        &db,
        "",
    );
    assert!(!ok && err.contains("no store with the code S3"), "{err}");

    let pool = manyi::db::connect(&db).await.unwrap().read;
    let wang = manyi::db::users::by_username(&pool, "wang")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wang.role, Role::StoreManager);
    assert_eq!(
        manyi::db::user_stores::user_stores(&pool, wang.id)
            .await
            .unwrap(),
        ["S2"]
    );
    for absent in ["li.na", "mia"] {
        assert!(
            manyi::db::users::by_username(&pool, absent)
                .await
                .unwrap()
                .is_none()
        );
    }
}
