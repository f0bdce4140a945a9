//! Accounts and access over a real socket: login, sessions, CSRF, the rate limit, roles, stores and posters.

mod common;

use common::{Browser, PASSWORD, TestApp};
use manyi::auth::Role;

async fn app_with_people() -> (TestApp, String) {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("mia", Role::Manager).await;
    app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    (app, base)
}

fn cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("manyi_session="))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn login_renews_the_session_cookie_which_is_httponly_and_samesite() {
    let (_app, base) = app_with_people().await;
    let b = Browser::new(&base);
    assert_eq!(
        cookie(&b.get("/login").await),
        "",
        "the login form starts no session"
    );
    let res = b.login("ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/home");
    let first = cookie(&res);
    assert!(
        first.contains("HttpOnly") && first.contains("SameSite=Lax"),
        "{first}"
    );
    assert!(!first.contains("Secure"), "plain HTTP by default");
    // A browser that already has a session gets a new id when it logs in.
    let again = cookie(&b.login("ada", PASSWORD).await);
    let id = |c: &str| c.split(';').next().unwrap_or_default().to_owned();
    assert!(
        !again.is_empty() && id(&again) != id(&first),
        "a new session id at login"
    );
    assert_eq!(b.get("/admin/users").await.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_or_unknown_name_gets_the_same_clear_refusal() {
    let (_app, base) = app_with_people().await;
    let b = Browser::new(&base);
    for (name, password) in [("ada", "wrong password"), ("nobody", PASSWORD)] {
        let res = b.login(name, password).await;
        assert_eq!(res.status(), 401);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Wrong username or password.")
        );
    }
    assert_eq!(b.get("/admin/users").await.headers()["location"], "/login");
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused() {
    let (_app, base) = app_with_people().await;
    let b = Browser::new(&base);
    b.get("/login").await;
    let res = b
        .post("/login", &[("username", "ada"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("form has expired"));
    let res = b
        .post(
            "/login",
            &[
                ("_csrf", "forged"),
                ("username", "ada"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);

    // Logged in, a state change with a token from another session is refused too.
    let admin = Browser::logged_in(&base, "ada").await;
    let other = Browser::new(&base).csrf("/login").await;
    let res = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &other),
                ("username", "eve"),
                ("role", "admin"),
                ("password", "0123456789"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while_with_a_clear_message() {
    let (_app, base) = app_with_people().await;
    let b = Browser::new(&base);
    for _ in 0..5 {
        assert_eq!(b.login("mia", "not it at all").await.status(), 401);
    }
    let res = b.login("mia", PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
    assert!(res.text().await.unwrap().contains("Too many failed logins"));
    // Another account from another client is unaffected... by the account limit.
    let res = Browser::new(&base).login("ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn logout_is_a_post_with_csrf_and_ends_the_session() {
    let (_app, base) = app_with_people().await;
    let b = Browser::logged_in(&base, "mia").await;
    assert_eq!(b.get("/logout").await.status(), 405);
    assert_eq!(b.post("/logout", &[]).await.status(), 403);
    let res = b.post_with_csrf("/admin/stores", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(b.get("/admin/stores").await.headers()["location"], "/login");
}

#[tokio::test]
async fn admin_pages_refuse_anonymous_people_managers_and_shoppers() {
    let (_app, base) = app_with_people().await;
    let anon = Browser::new(&base);
    for path in [
        "/admin/users",
        "/admin/stores",
        "/admin/stores/S001/poster/post-purchase",
        "/home",
    ] {
        let res = anon.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], "/login");
    }
    let manager = Browser::logged_in(&base, "mia").await;
    assert_eq!(manager.get("/admin/users").await.status(), 403);
    assert_eq!(
        manager.get("/admin/stores").await.status(),
        200,
        "managers read the registry"
    );
    let res = manager
        .post_with_csrf(
            "/admin/stores",
            "/admin/stores",
            &[("code", "S9"), ("name", "X"), ("region", "Y")],
        )
        .await;
    assert_eq!(res.status(), 403, "but only admins change it");
    let shopper = Browser::logged_in(&base, "sam").await;
    assert_eq!(shopper.get("/admin/stores").await.status(), 403);
    assert_eq!(
        shopper
            .get("/admin/stores/S001/poster/post-purchase")
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn an_admin_creates_disables_and_resets_accounts() {
    let (app, base) = app_with_people().await;
    let admin = Browser::logged_in(&base, "ada").await;
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
    assert_eq!(res.status(), 303);
    assert_eq!(
        Browser::new(&base)
            .login("li.wei", "a long secret")
            .await
            .status(),
        303
    );

    // Bad input comes back with messages, nothing created.
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users",
            &[("username", "x"), ("role", "king"), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Use 3–32 letters")
            && page.contains("Choose admin, manager, store manager or shopper.")
            && page.contains("at least 10")
    );
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "LI.WEI"),
                ("role", "shopper"),
                ("password", "a long secret"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "usernames are unique regardless of case");

    // Disabling ends the shopper's current session at their next request.
    let sam = Browser::logged_in(&base, "sam").await;
    let sam_id = manyi::db::users::by_username(&app.db.write, "sam")
        .await
        .unwrap()
        .unwrap()
        .id;
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{sam_id}/status"),
            &[("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(sam.get("/home").await.headers()["location"], "/login");
    assert_eq!(
        Browser::new(&base).login("sam", PASSWORD).await.status(),
        401
    );

    // Resetting the password lets them in with the new one only.
    admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{sam_id}/status"),
            &[("disabled", "false")],
        )
        .await;
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{sam_id}/password"),
            &[("password", "brand new secret")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        Browser::new(&base)
            .login("sam", "brand new secret")
            .await
            .status(),
        303
    );
    let res = admin
        .post_with_csrf(
            "/admin/users",
            "/admin/users/9999/password",
            &[("password", "brand new secret")],
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn an_admin_edits_the_store_registry_and_prints_a_poster() {
    let (app, base) = app_with_people().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let res = admin
        .post_with_csrf(
            "/admin/stores",
            "/admin/stores",
            &[
                ("code", "S777"),
                ("name", "<b>Harbour</b>"),
                ("region", "North"),
                ("address", ""),
                ("opening_hours", "9-21"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let store = manyi::db::stores::get(&app.db.write, "S777")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (store.address, store.opening_hours.as_deref()),
        (None, Some("9-21"))
    );
    let (_, page) = admin.get_text("/admin/stores").await;
    assert!(page.contains("&lt;b&gt;Harbour&lt;/b&gt;") && !page.contains("<b>Harbour"));

    let res = admin
        .post_with_csrf(
            "/admin/stores",
            "/admin/stores",
            &[("code", "bad code"), ("name", ""), ("region", "North")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("Use 1–32 letters") && page.contains("Give the store a name"));

    let (status, poster) = admin
        .get_text("/admin/stores/S777/poster/post-purchase")
        .await;
    assert_eq!(status, 200);
    assert!(poster.contains("<svg") && poster.contains("/s/post-purchase?store=S777"));
    assert!(poster.contains("购物满意度调查"));
    assert_eq!(
        admin
            .get("/admin/stores/NOPE/poster/post-purchase")
            .await
            .status(),
        404
    );
    assert_eq!(
        admin.get("/admin/stores/S777/poster/nope").await.status(),
        404
    );
}

#[tokio::test]
async fn customer_forms_refuse_a_store_that_is_not_registered() {
    let app = TestApp::new().await;
    // In the customer's language: Chinese by default, English when asked for.
    let (status, page) = app.get("/s/post-purchase?store=S404").await;
    assert_eq!(status, 400);
    assert!(page.contains("没有代码为“S404”的门店"), "{page}");
    assert!(page.contains("href=\"/\""), "a way back: {page}");
    let (status, page) = app.get("/s/post-purchase?store=S404&lang=en").await;
    assert_eq!(status, 400);
    assert!(
        page.contains("There is no store &#39;S404&#39;")
            || page.contains("There is no store 'S404'"),
        "{page}"
    );
    let body = serde_json::json!({"store": "S404", "answers": {}}).to_string();
    let token = app.submit_token().await;
    let (status, res) = app
        .post_json_as(&token, "/api/v1/forms/post-purchase/responses", &body)
        .await;
    assert_eq!(status, 422);
    assert!(
        res["errors"]["store"]
            .as_str()
            .unwrap()
            .contains("no store 'S404'")
    );
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_served_over_https() {
    let mut app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let settings = manyi::web::Settings {
        secure_cookies: true,
        ..Default::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    let req = axum::http::Request::get("/login")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, headers, page) = app.send(req).await;
    assert_eq!(status, 200);
    let form_cookie = headers["set-cookie"].to_str().unwrap();
    assert!(
        form_cookie.starts_with("__Host-manyi_login=")
            && form_cookie.contains("Secure")
            && form_cookie.contains("HttpOnly"),
        "{form_cookie}"
    );
    let token = common::hidden(&page, "_csrf").unwrap();
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("__Host-manyi_login={token}"))
        .body(axum::body::Body::from(format!(
            "_csrf={token}&username=ada&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let (status, headers, _) = app.send(req).await;
    assert_eq!(status, 303);
    let session = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("manyi_session="))
        .unwrap_or_default();
    assert!(
        session.contains("Secure") && session.contains("HttpOnly"),
        "{session}"
    );
}

/// A client that says it comes from `addr` through a proxy.
fn via_proxy(base: &str, addr: &str) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        format!("203.0.113.9, {addr}").parse().unwrap(),
    );
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    Browser {
        http,
        base: base.to_owned(),
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_address_limit_uses_the_forwarded_address() {
    let mut app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    let settings = manyi::web::Settings {
        trust_proxy: true,
        ..Default::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    let base = app.spawn().await;
    // 20 wrong passwords for 20 different names from one forwarded address.
    let noisy = via_proxy(&base, "198.51.100.7");
    for i in 0..20 {
        assert_eq!(
            noisy
                .login(&format!("guess{i}"), "nope nope nope")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        noisy.login("ada", PASSWORD).await.status(),
        429,
        "that address is now refused"
    );
    // Another client behind the same proxy is not punished for it; the first (client-chosen)
    // entry of the header does not decide anything.
    assert_eq!(
        via_proxy(&base, "198.51.100.8")
            .login("ada", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_header_is_ignored() {
    let (_app, base) = app_with_people().await;
    for i in 0..20 {
        let status = via_proxy(&base, &format!("198.51.100.{i}"))
            .login(&format!("guess{i}"), "wrong password here")
            .await
            .status();
        assert_eq!(status, 401);
    }
    // Every attempt came from this machine's address, whatever the header said.
    let res = via_proxy(&base, "198.51.100.99")
        .login("mia", PASSWORD)
        .await;
    assert_eq!(res.status(), 429);
}
