//! The staff pages' language: Accept-Language before a choice, the nav's switch saved on the
//! account, `?lang=` for one page, error pages in the reader's language, and the switch's refusals.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;

async fn app_with_admin() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.add_user("li", Role::Admin).await;
    let base = app.spawn().await;
    (app, base)
}

#[tokio::test]
async fn pages_follow_the_browser_until_the_user_chooses() {
    let (_app, base) = app_with_admin().await;
    let zh = Browser::logged_in_speaking(&base, "li", "zh-CN,zh;q=0.9").await;
    let (status, page) = zh.get_text("/admin/users").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<html lang="zh-CN">"#), "{page}");
    assert!(page.contains("退出") && page.contains("报表"), "zh nav");
    assert!(!page.contains("Log out"));

    let en = Browser::logged_in(&base, "li").await;
    let (_, page) = en.get_text("/admin/users").await;
    assert!(page.contains(r#"<html lang="en">"#));
    assert!(page.contains("Log out") && page.contains("Reports"));

    // No Accept-Language at all: Chinese, the chains' language of work.
    let plain = Browser::logged_in_speaking(&base, "li", "*").await;
    let (_, page) = plain.get_text("/admin/users").await;
    assert!(page.contains("退出"), "Chinese by default");
}

#[tokio::test]
async fn the_switch_is_saved_on_the_account_and_wins_over_the_browser() {
    let (app, base) = app_with_admin().await;
    let en = Browser::logged_in(&base, "li").await;
    let token = en.csrf("/admin/users").await;
    let res = en
        .http
        .post(format!("{base}/account/lang"))
        .header("Referer", format!("{base}/admin/users?lang=en&page=1"))
        .form(&[("_csrf", token.as_str()), ("lang", "zh")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // Back to the page it was pressed on, without the `lang=` that would undo the choice.
    assert_eq!(res.headers()["location"], "/admin/users?page=1");
    let (_, page) = en.get_text("/admin/users").await;
    assert!(
        page.contains("退出"),
        "the English browser now reads Chinese"
    );
    let saved: Option<String> = sqlx::query_scalar("select lang from user where username = 'li'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(saved.as_deref(), Some("zh"));

    // Another device, another browser language: the account's choice still wins.
    let other = Browser::logged_in(&base, "li").await;
    let (_, page) = other.get_text("/admin/users").await;
    assert!(
        page.contains("退出"),
        "saved on the account, not the browser"
    );
    // `?lang=` switches one page only.
    let (_, page) = other.get_text("/admin/users?lang=en").await;
    assert!(page.contains("Log out"));
    let (_, page) = other.get_text("/admin/users").await;
    assert!(page.contains("退出"));
}

#[tokio::test]
async fn the_switch_refuses_forgeries_unknown_languages_and_strangers() {
    let (app, base) = app_with_admin().await;
    let en = Browser::logged_in(&base, "li").await;
    // No CSRF token.
    let res = en.post("/account/lang", &[("lang", "zh")]).await;
    assert_eq!(res.status(), 403);
    // A language we do not have: 400, in the reader's language, nothing saved.
    let res = en
        .post_with_csrf("/admin/users", "/account/lang", &[("lang", "fr")])
        .await;
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.contains("Please choose 中文 or English."), "{page}");
    let saved: Option<String> = sqlx::query_scalar("select lang from user where username = 'li'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(saved, None);
    // Not logged in: sent to the login page.
    let anon = Browser::new(&base);
    let res = anon.post("/account/lang", &[("lang", "zh")]).await;
    assert!(
        res.status() == 303 || res.status() == 403,
        "{}",
        res.status()
    );
    // A Referer from another site is not followed.
    let token = en.csrf("/admin/users").await;
    let res = en
        .http
        .post(format!("{base}/account/lang"))
        .header("Referer", "https://evil.example/phish")
        .form(&[("_csrf", token.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/home");
}

#[tokio::test]
async fn error_pages_speak_the_readers_language() {
    let (_app, base) = app_with_admin().await;
    let en = Browser::new(&base);
    let (status, page) = en.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains(r#"<html lang="en">"#), "{page}");
    assert!(page.contains("Not found") && page.contains("There is no page at this address."));
    assert!(!page.contains("找不到"));

    let zh = Browser::speaking(&base, "zh-CN,zh;q=0.9");
    let (status, page) = zh.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(page.contains(r#"<html lang="zh-CN">"#));
    assert!(page.contains("找不到该页面") && page.contains("这个地址没有页面。"));
    assert!(page.contains(r#"<a href="/">"#), "a way back");

    // A logged-in reader's saved choice decides, whatever the browser says.
    let user = Browser::logged_in(&base, "li").await;
    user.post_with_csrf("/admin/users", "/account/lang", &[("lang", "zh")])
        .await;
    let (_, page) = user.get_text("/audits/999999/review").await;
    assert!(page.contains("找不到该页面"), "{page}");
}

#[tokio::test]
async fn the_login_page_speaks_the_visitors_language() {
    let (_app, base) = app_with_admin().await;
    let zh = Browser::speaking(&base, "zh-CN");
    let (_, page) = zh.get_text("/login").await;
    assert!(page.contains("用户名") && page.contains("密码"));
    let res = zh
        .post_with_csrf(
            "/login",
            "/login",
            &[("username", "li"), ("password", "wrong")],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("用户名或密码不正确。"));
    // `?lang=en` on the login page carries through its post.
    let (_, page) = zh.get_text("/login?lang=en").await;
    assert!(page.contains("Username"));
    let token = common::hidden(&page, "_csrf").unwrap();
    let res = zh
        .post(
            "/login",
            &[
                ("_csrf", &token),
                ("lang", "en"),
                ("username", "li"),
                ("password", "wrong"),
            ],
        )
        .await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Wrong username or password.")
    );
}
