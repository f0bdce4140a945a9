//! The admin pages and the held-back queue in Chinese, with paging, filters and refusals shown at the top; the start page, the customer's error pages, the poster's loopback warning and the site icon.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{Browser, TestApp};
use manyi::answers::Answer;
use manyi::auth::Role;
use manyi::db::responses::{Checks, Submission};
use manyi::db::stores::Store;
use manyi::quality::Flag;

const ZH: &str = "zh-CN,zh;q=0.9";

/// Words any page may show in Latin letters: names and symbols, not English text.
const NAMES: &[&str] = &["API", "English", "manyi", "POS", "CSV", "UTC", "ada"];

/// The text of every `<tag …>…</tag>` in `page`, its inner tags removed.
fn texts_of(page: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<th` must not match `<thead`.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(end) = after.find(&close) else { break };
        let inner = &after[..end];
        let inner = inner.split_once('>').map_or("", |(_, t)| t);
        out.push(strip_tags(inner));
        rest = &after[end..];
    }
    out
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Runs of three or more Latin letters that are not names: English words.
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !NAMES.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Every heading, nav, table header, button, label and `data-label` of a page is Chinese.
fn assert_chinese(path: &str, page: &str) {
    assert!(page.contains("<html lang=\"zh-CN\""), "{path} is not zh");
    let mut problems = Vec::new();
    for tag in ["h1", "h2", "nav", "th", "button", "label", "summary"] {
        for t in texts_of(page, tag) {
            let words = english_words(&t);
            if !words.is_empty() {
                problems.push(format!("<{tag}> {t:?}: {words:?}"));
            }
        }
    }
    for part in page.split("data-label=\"").skip(1) {
        let label = part.split('"').next().unwrap_or("");
        if !english_words(label).is_empty() {
            problems.push(format!("data-label {label:?}"));
        }
    }
    assert!(problems.is_empty(), "{path}: {problems:#?}");
    assert_eq!(page.matches("<h1").count(), 1, "{path} has one h1");
}

/// Rows in the page's table body.
fn rows(page: &str) -> usize {
    page.split_once("<tbody>")
        .map_or(0, |(_, body)| body.matches("<tr>").count())
}

async fn admin_app() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    (app, base)
}

async fn hold_one(app: &TestApp, flags: Vec<Flag>) -> manyi::db::responses::Stored {
    let survey = app.state.catalog.get("post-purchase").unwrap().clone();
    app.db
        .writer
        .submit(Submission {
            survey,
            store: Some("S001".into()),
            lang: "zh",
            answers: vec![
                ("overall_satisfaction".into(), Answer::Int(2)),
                ("recommend".into(), Answer::Int(3)),
            ],
            submission_key: None,
            submitted_at: "2026-11-30T02:00:00Z".into(),
            day: time::macros::date!(2026 - 11 - 30),
            checks: Checks {
                case: None,
                flags,
                receipt: None,
            },
        })
        .await
        .expect("stored")
}

#[tokio::test]
async fn every_admin_page_speaks_chinese() {
    let (app, base) = admin_app().await;
    hold_one(&app, vec![Flag::TooFast, Flag::StraightLined]).await;
    let decided = hold_one(&app, vec![Flag::Duplicate]).await;
    app.api_token(manyi::db::tokens::Scope::Sales, Some("S001"), false)
        .await;
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;
    let res = admin
        .post_with_csrf(
            "/responses/held",
            "/responses/held/decide",
            &[
                ("scope", "selected"),
                ("action", "exclude"),
                ("id", &decided.public_id),
            ],
        )
        .await;
    let (_, page) = admin
        .get_text(res.headers()["location"].to_str().unwrap())
        .await;
    assert!(page.contains("已排除 1 条回答。"), "{page}");
    for path in [
        "/admin/users",
        "/admin/stores",
        "/admin/stores?edit=S001",
        "/admin/tokens",
        "/responses/held",
        "/responses/held?state=decided",
    ] {
        let (status, page) = admin.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert_chinese(path, &page);
        assert!(
            page.contains("<table class=\"cards\"") || page.contains("<ul"),
            "{path}"
        );
    }
    let (_, page) = admin.get_text("/responses/held").await;
    assert!(page.contains("太快") && page.contains("全部同分"), "{page}");
    assert!(
        page.contains("2026年11月30日 10:00"),
        "local time in Chinese"
    );
    assert!(page.contains("2 分（满分 5 分）"), "{page}");
    assert!(
        page.contains("购物满意度调查"),
        "the survey's Chinese title"
    );
    let (_, page) = admin.get_text("/responses/held?state=decided").await;
    assert!(
        page.contains("已排除</span>") && page.contains("重复</span>"),
        "{page}"
    );
    let (_, page) = admin.get_text("/admin/tokens").await;
    assert!(page.contains("销售数据") && page.contains("年"), "{page}");
    // Every cell of every list is labelled for the phone's cards.
    for path in ["/admin/users", "/admin/stores", "/admin/tokens"] {
        let (_, page) = admin.get_text(path).await;
        assert_eq!(
            page.matches("<td").count(),
            page.matches("<td data-label=").count(),
            "{path}"
        );
    }
    // The poster's notes are in the reader's language; the poster itself in both.
    let (_, page) = admin
        .get_text("/admin/stores/S001/poster/post-purchase")
        .await;
    assert!(page.contains("扫码参与调查") && page.contains("Scan to take the survey"));
    assert!(page.contains("返回门店列表"), "{page}");
}

#[tokio::test]
async fn the_stores_list_pages_by_fifty_and_filters_by_region_and_text() {
    let (app, base) = admin_app().await;
    let many: Vec<Store> = (1..=120)
        .map(|i| Store {
            code: format!("N{i:03}"),
            name: format!("北区 {i} 号店"),
            region: if i <= 60 { "North" } else { "West" }.into(),
            address: None,
            opening_hours: None,
        })
        .collect();
    manyi::db::stores::upsert_all(&app.db.write, &many)
        .await
        .unwrap();
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;

    let (_, page) = admin.get_text("/admin/stores").await;
    assert_eq!(rows(&page), 50);
    assert!(page.contains("共 123 条"), "{page}");
    assert!(page.contains("href=\"/admin/stores?page=2\""), "{page}");
    let (_, page) = admin.get_text("/admin/stores?page=3").await;
    assert_eq!(rows(&page), 23);
    assert!(page.contains("第 3 页"));
    // Past the end: the last page.
    let (_, page) = admin.get_text("/admin/stores?page=9").await;
    assert_eq!(rows(&page), 23);

    let (_, page) = admin.get_text("/admin/stores?region=North").await;
    assert!(page.contains("共 60 条"), "{page}");
    assert_eq!(rows(&page), 50);
    assert!(page.contains("href=\"/admin/stores?region=North&amp;page=2\""));
    let (_, page) = admin.get_text("/admin/stores?region=North&page=2").await;
    assert_eq!(rows(&page), 10);
    // By code, whatever its case, or by name.
    let (_, page) = admin.get_text("/admin/stores?q=n11").await;
    let count = page
        .split("role=\"status\">")
        .nth(1)
        .and_then(|s| s.split('<').next());
    assert_eq!(count, Some("共 10 条"), "N110–N119");
    let (_, page) = admin.get_text("/admin/stores?q=%E5%8D%97%E4%BA%AC").await;
    assert!(
        page.contains("共 1 条") && page.contains("S001"),
        "南京: {page}"
    );
    let (_, page) = admin.get_text("/admin/stores?q=%25").await;
    assert!(
        page.contains("没有符合条件的记录"),
        "% is text, not a wildcard"
    );
    // A search too long for the field is said beside it.
    let long = "x".repeat(51);
    let (status, page) = admin.get_text(&format!("/admin/stores?q={long}")).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"err-q\"") && page.contains("搜索内容最多 50 个字符"));
}

#[tokio::test]
async fn the_users_list_pages_and_filters_by_role_and_status() {
    let (app, base) = admin_app().await;
    for i in 0..55 {
        let id =
            manyi::db::users::create(&app.db.write, &format!("shopper{i:02}"), "x", Role::Shopper)
                .await
                .unwrap()
                .unwrap();
        if i < 7 {
            manyi::db::users::set_disabled(&app.db.write, id, true)
                .await
                .unwrap();
        }
    }
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;
    let (_, page) = admin.get_text("/admin/users").await;
    assert_eq!(rows(&page), 50);
    assert!(page.contains("共 57 条"), "{page}");
    let (_, page) = admin.get_text("/admin/users?page=2").await;
    assert_eq!(rows(&page), 7);
    let (_, page) = admin.get_text("/admin/users?role=shopper").await;
    assert!(page.contains("共 55 条"));
    let (_, page) = admin.get_text("/admin/users?role=manager").await;
    assert!(page.contains("共 1 条") && page.contains("mia"));
    let (_, page) = admin
        .get_text("/admin/users?role=shopper&status=disabled")
        .await;
    assert!(page.contains("共 7 条"), "{page}");
    assert_eq!(page.matches("已停用</span>").count(), 7);
    let (_, page) = admin.get_text("/admin/users?status=active").await;
    assert!(page.contains("共 50 条"));
    // Hand-edited filters are refused in the reader's language.
    let (status, page) = admin.get_text("/admin/users?role=king").await;
    assert_eq!(status, 400);
    assert!(page.contains("请选择管理员、经理、店长或神秘顾客。"));
    let (status, page) = admin.get_text("/admin/users?status=gone").await;
    assert_eq!(status, 400);
    assert!(page.contains("状态请选择"));
}

#[tokio::test]
async fn refusals_show_at_the_top_with_the_form_kept_and_successes_say_so() {
    let (app, base) = admin_app().await;
    let many: Vec<Store> = (1..=60)
        .map(|i| Store {
            code: format!("M{i:03}"),
            name: format!("Store {i}"),
            region: "North".into(),
            address: None,
            opening_hours: None,
        })
        .collect();
    manyi::db::stores::upsert_all(&app.db.write, &many)
        .await
        .unwrap();
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;

    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users",
            &[("username", "x"), ("role", "king"), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    let alert = page.find("role=\"alert\"").expect("an alert");
    let form = page.find("id=\"add-account\"").expect("the form");
    let table = page.find("<table").expect("the list");
    assert!(
        alert < form && form < table,
        "message, then form, then list"
    );
    assert!(page.contains("账号未添加"));
    assert!(page.contains("用户名请用 3–32 个字母") && page.contains("密码至少 10 个字符。"));
    assert!(page.contains("value=\"x\""), "what was typed is kept");

    // A taken username, then a success with its notice.
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "MIA"),
                ("role", "shopper"),
                ("password", "a long secret"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("这个用户名已被使用。"));
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "li.wei"),
                ("role", "shopper"),
                ("password", "a long secret"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/admin/users?done=created");
    let (_, page) = admin.get_text("/admin/users?done=created").await;
    let notice = page.find("账号已创建。").expect("notice");
    assert!(notice < page.find("<table").unwrap());

    // Disabling oneself, and a short new password: said at the top.
    let ada = manyi::db::users::by_username(&app.db.write, "ada")
        .await
        .unwrap()
        .unwrap()
        .id;
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{ada}/status"),
            &[("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(page.find("不能停用您自己的账号。").unwrap() < page.find("<table").unwrap());
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{ada}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.find("密码未重置").unwrap() < page.find("<table").unwrap());

    // A refused store comes back with the form above the 50 rows.
    let res = admin
        .post_with_csrf(
            "/admin/stores",
            "/admin/stores",
            &[("code", "bad code"), ("name", "Harbour"), ("region", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    let alert = page.find("门店未保存").expect("an alert");
    let form = page.find("id=\"store-form\"").unwrap();
    assert!(alert < form && form < page.find("<table").unwrap());
    assert!(page.contains("代码请用 1–32 个字母") && page.contains("请填写区域"));
    assert!(page.contains("value=\"Harbour\""));
    let res = admin
        .post_with_csrf(
            "/admin/stores",
            "/admin/stores",
            &[("code", "H1"), ("name", "Harbour"), ("region", "North")],
        )
        .await;
    assert_eq!(res.headers()["location"], "/admin/stores?done=store");
    let (_, page) = admin.get_text("/admin/stores?done=store").await;
    assert!(page.find("门店已保存。").unwrap() < page.find("<table").unwrap());
    // Editing a store puts its form first.
    let (_, page) = admin.get_text("/admin/stores?edit=M001").await;
    assert!(page.find("id=\"store-form\"").unwrap() < page.find("<table").unwrap());
    assert!(page.contains("href=\"/admin/stores?edit=M002#store-form\""));

    // A refused token: the message at the top, each field's beside it, in Chinese.
    let res = admin
        .post_with_csrf(
            "/admin/tokens",
            "/admin/tokens",
            &[
                ("name", ""),
                ("scope", "sales"),
                ("store", "S404"),
                ("trusted", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.find("令牌未创建").unwrap() < page.find("id=\"new-token\"").unwrap());
    assert!(page.contains("没有门店“S404”。") && page.contains("只有提交回答的令牌可以受信任"));
    assert!(page.contains("请写明令牌的用途"));
    // Created: shown once at the top, in a block that wraps on a phone.
    let res = admin
        .post_with_csrf(
            "/admin/tokens",
            "/admin/tokens",
            &[("name", "POS"), ("scope", "sales")],
        )
        .await;
    let page = res.text().await.unwrap();
    let shown = page.find("请现在复制这个令牌").unwrap();
    assert!(shown < page.find("<table").unwrap());
    assert!(page.contains("<p class=\"wrap\"><code>manyi_"), "{page}");
    let id: i64 = sqlx::query_scalar("select id from api_token")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let res = admin
        .post_with_csrf("/admin/tokens", &format!("/admin/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.headers()["location"], "/admin/tokens?done=revoked");
    let (_, page) = admin.get_text("/admin/tokens?done=revoked").await;
    assert!(page.contains("令牌已吊销。") && page.contains("已吊销</span>"));
}

#[tokio::test]
async fn the_poster_warns_when_its_address_is_this_computer_only() {
    let (_app, base) = admin_app().await;
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;
    let (status, page) = admin
        .get_text("/admin/stores/S001/poster/post-purchase")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"loopback\""), "{page}");
    assert!(page.contains("二维码指向 http://127.0.0.1:8080/s/post-purchase?store=S001"));
    assert!(page.contains("--public-url"));
    assert!(
        page.contains("@media print{.screen{display:none}"),
        "not printed"
    );
    let english = Browser::logged_in(&base, "mia").await;
    let (_, page) = english
        .get_text("/admin/stores/S001/poster/post-purchase")
        .await;
    assert!(
        page.contains("Start the server with --public-url"),
        "{page}"
    );

    let app = TestApp::with_settings(manyi::web::Settings {
        public_url: "https://survey.example.com".into(),
        ..manyi::web::Settings::default()
    })
    .await;
    app.add_user("ada", Role::Admin).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in_speaking(&base, "ada", ZH).await;
    let (_, page) = admin
        .get_text("/admin/stores/S001/poster/post-purchase")
        .await;
    assert!(!page.contains("id=\"loopback\"") && !page.contains("--public-url"));
    assert!(page.contains("https://survey.example.com/s/post-purchase?store=S001"));
}

async fn get_speaking(app: &TestApp, uri: &str, accept: &str) -> (u16, String) {
    let (status, _, body) = app
        .send(
            Request::get(uri)
                .header("accept-language", accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn the_start_page_lets_a_customer_pick_their_store_in_their_language() {
    let app = TestApp::new().await;
    let (status, page) = get_speaking(&app, "/", ZH).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"zh-CN\""));
    assert!(page.contains("问卷链接需要带上门店") && page.contains("员工登录"));
    assert!(
        page.contains("<form method=\"get\" action=\"/s/post-purchase\">"),
        "{page}"
    );
    assert!(page.contains("<optgroup label=\"East\">"));
    assert!(page.contains("<option value=\"S001\">南京路店 · S001</option>"));
    assert!(page.contains("name=\"lang\" value=\"zh\""));
    assert!(page.contains("购物满意度调查"));
    assert!(
        !page.contains("store-audit"),
        "checklists are not customer forms"
    );

    let (_, page) = get_speaking(&app, "/", "en-GB,en;q=0.9").await;
    assert!(page.contains("<html lang=\"en\""));
    assert!(page.contains("A survey link needs a store") && page.contains("Staff login"));
    assert!(page.contains("name=\"lang\" value=\"en\""));
    assert!(page.contains("How was your shopping today?"));
    let (_, page) = get_speaking(&app, "/?lang=en", ZH).await;
    assert!(page.contains("Choose your store"));

    // The form it sends opens the survey for that store.
    let (status, page) = app.get("/s/post-purchase?lang=zh&store=S002").await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"_store\" value=\"S002\""));

    // No store registered yet: it says so, and links each survey.
    sqlx::query("delete from store")
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, page) = get_speaking(&app, "/", ZH).await;
    assert!(page.contains("还没有登记门店"), "{page}");
    assert!(page.contains("href=\"/s/post-purchase?lang=zh\""));
}

#[tokio::test]
async fn an_unknown_store_is_explained_in_the_customers_language_with_a_way_back() {
    let app = TestApp::new().await;
    let (status, page) = get_speaking(&app, "/s/post-purchase?store=S404", ZH).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("没有代码为“S404”的门店。请检查链接"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/\">返回首页</a>"));
    let (status, page) = get_speaking(&app, "/s/post-purchase?store=S404", "en-US,en;q=0.9").await;
    assert_eq!(status, 400);
    assert!(
        page.contains("There is no store &#39;S404&#39;")
            || page.contains("There is no store 'S404'")
    );
    assert!(page.contains("Back to the start page"));
    let (status, page) = get_speaking(&app, "/s/post-purchase?store=bad%20code", ZH).await;
    assert_eq!(status, 400);
    assert!(page.contains("门店代码“bad code”无效"), "{page}");
}

#[tokio::test]
async fn the_site_icon_is_small_typed_and_cached() {
    let (_app, base) = admin_app().await;
    for client in [Browser::new(&base), Browser::logged_in(&base, "ada").await] {
        let res = client.get("/favicon.ico").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/x-icon");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=604800, immutable",
            "kept even when the request carries the staff cookie"
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
        assert_eq!(&bytes[22..26], b"\x89PNG", "holding a PNG");
    }
}
