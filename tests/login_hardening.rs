//! Login under attack, over a real socket: bursts, strangers' guesses, sessions that end when the account changes, and a login form that stores nothing.

mod common;

use std::sync::Arc;

use common::{Browser, PASSWORD, TestApp};
use futures_util::future::join_all;
use manyi::auth::{LoginLimiter, PasswordGate, Policy, Role, signed};

/// An app with an admin and a shopper, reading client addresses from X-Forwarded-For
/// (as behind `--trust-proxy`), so one test can speak from many addresses.
async fn app_behind_proxy(limiter: Option<LoginLimiter>) -> (TestApp, String) {
    let mut app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("sam", Role::Shopper).await;
    let settings = manyi::web::Settings {
        trust_proxy: true,
        ..Default::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    if let Some(limiter) = limiter {
        app.state.limiter = Arc::new(limiter);
    }
    let base = app.spawn().await;
    (app, base)
}

/// Posts the login form (with this browser's form token) as if from `addr`.
async fn login_from(
    b: &Browser,
    token: &str,
    addr: &str,
    user: &str,
    pw: &str,
) -> reqwest::Response {
    b.http
        .post(format!("{}/login", b.base))
        .header("x-forwarded-for", addr)
        .form(&[("_csrf", token), ("username", user), ("password", pw)])
        .send()
        .await
        .expect("post")
}

async fn login_at(b: &Browser, addr: &str, user: &str, pw: &str) -> reqwest::Response {
    let token = b.csrf("/login").await;
    login_from(b, &token, addr, user, pw).await
}

async fn session_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from tower_sessions")
        .fetch_one(&app.pool)
        .await
        .expect("count sessions")
}

async fn user_id(app: &TestApp, name: &str) -> i64 {
    manyi::db::users::by_username(&app.db.write, name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Whether this browser's session still answers (a dead one is sent to /login).
async fn still_in(b: &Browser) -> bool {
    b.get("/audits").await.status() == 200
}

#[tokio::test]
async fn two_hundred_simultaneous_wrong_guesses_for_one_account_run_at_most_five_checks() {
    let (app, base) = app_behind_proxy(None).await;
    let b = Browser::new(&base);
    let token = b.csrf("/login").await;
    let guesses = (0..200).map(|i| {
        let (b, token) = (&b, &token);
        async move {
            let res = login_from(b, token, "198.51.100.7", "ada", &format!("guess {i}")).await;
            let wait = res.headers().get("retry-after").is_some();
            (res.status().as_u16(), wait, res.text().await.unwrap())
        }
    });
    let answers = join_all(guesses).await;
    let checks = app.state.limiter.password_checks();
    assert!(checks <= 5, "{checks} password checks ran");
    let wrong = answers.iter().filter(|(s, ..)| *s == 401).count();
    assert!((1..=5).contains(&wrong), "{wrong} answered 401");
    for (status, wait, page) in &answers {
        match status {
            401 => assert!(page.contains("Wrong username or password.")),
            429 => assert!(*wait && page.contains("Too many failed logins"), "{page}"),
            // The process-wide gate may be busy with other tests' checks.
            503 => assert!(*wait && page.contains("Too many logins are being checked")),
            other => panic!("unexpected {other}: {page}"),
        }
    }
    // The owner, elsewhere, is not locked out by any of it.
    let res = login_at(&Browser::new(&base), "192.0.2.10", "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn when_every_password_check_is_busy_a_login_is_refused_at_once_with_503() {
    let gate = Arc::new(PasswordGate::new(1, 0));
    let (app, base) = app_behind_proxy(Some(LoginLimiter::new(Policy::default(), gate))).await;
    let b = Browser::new(&base);
    let token = b.csrf("/login").await;
    // Every guess is for its own account from its own address: no limit applies, only the gate.
    let guesses = (0..60).map(|i| {
        let (b, token) = (&b, &token);
        async move {
            let addr = format!("198.51.100.{i}");
            let res = login_from(b, token, &addr, &format!("guess{i}"), "nope nope").await;
            let wait = res.headers().get("retry-after").is_some();
            (res.status().as_u16(), wait, res.text().await.unwrap())
        }
    });
    let answers = join_all(guesses).await;
    let busy: Vec<_> = answers.iter().filter(|(s, ..)| *s == 503).collect();
    let checked = answers.iter().filter(|(s, ..)| *s == 401).count();
    assert!(
        !busy.is_empty(),
        "one check at a time, no queue: some are refused"
    );
    assert!(busy.iter().all(
        |(_, wait, page)| *wait && page.contains("Too many logins are being checked right now")
    ));
    assert_eq!(busy.len() + checked, 60, "only 401 and 503");
    assert_eq!(app.state.limiter.password_checks(), checked as u64);
    // Refused while busy is not a failure: the same address and name may try again at once.
    let (_, _, page) = busy[0];
    assert!(page.contains("name=\"username\""), "the form comes back");
    let res = login_at(&b, "192.0.2.1", "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn wrong_passwords_from_one_address_never_lock_the_owner_out_at_another() {
    let (_app, base) = app_behind_proxy(None).await;
    let stranger = Browser::new(&base);
    for _ in 0..5 {
        let res = login_at(&stranger, "203.0.113.5", "ada", "not the password").await;
        assert_eq!(res.status(), 401);
    }
    for password in ["still not it", PASSWORD] {
        let res = login_at(&stranger, "203.0.113.5", "ada", password).await;
        assert_eq!(res.status(), 429, "that address is done guessing for ada");
    }
    let owner = Browser::new(&base);
    let res = login_at(&owner, "192.0.2.44", "ada", PASSWORD).await;
    assert_eq!(res.status(), 303, "the admin at another address logs in");
}

#[tokio::test]
async fn an_account_attacked_from_many_addresses_slows_new_browsers_but_lets_its_own_in() {
    let (_app, base) = app_behind_proxy(None).await;
    // The owner logged in from this browser before: its first page gives the device cookie.
    let owner = Browser::new(&base);
    assert_eq!(
        login_at(&owner, "192.0.2.1", "ada", PASSWORD)
            .await
            .status(),
        303
    );
    let home = owner.get("/home").await;
    assert!(
        home.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("manyi_device=")),
        "device cookie"
    );
    // Four addresses, five wrong guesses each: the account is under attack.
    let attacker = Browser::new(&base);
    for n in 1..=4 {
        for _ in 0..5 {
            let res = login_at(&attacker, &format!("203.0.113.{n}"), "ada", "guess").await;
            assert_eq!(res.status(), 401);
        }
    }
    // New browsers now get one check per moment between them...
    let first = login_at(&Browser::new(&base), "203.0.113.50", "ada", "guess").await;
    assert_eq!(first.status(), 401);
    let next = login_at(&Browser::new(&base), "203.0.113.51", "ada", PASSWORD).await;
    assert_eq!(next.status(), 429);
    assert!(next.text().await.unwrap().contains("slowed down"));
    // ...while the owner's browser, from an address it never used, gets straight in.
    let res = login_at(&owner, "198.51.100.77", "ada", PASSWORD).await;
    assert_eq!(res.status(), 303, "not locked out, not slowed");
}

#[tokio::test]
async fn a_password_reset_by_an_admin_ends_every_session_of_that_user() {
    let (app, base) = app_behind_proxy(None).await;
    let admin = Browser::logged_in(&base, "ada").await;
    let phone = Browser::logged_in(&base, "sam").await;
    let laptop = Browser::logged_in(&base, "sam").await;
    assert!(still_in(&phone).await && still_in(&laptop).await);
    let sam = user_id(&app, "sam").await;
    let res = admin
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{sam}/password"),
            &[("password", "a brand new secret")],
        )
        .await;
    assert_eq!(res.status(), 303);
    for b in [&phone, &laptop] {
        assert_eq!(b.get("/audits").await.headers()["location"], "/login");
    }
    assert!(
        still_in(&admin).await,
        "the admin's own session is untouched"
    );
    assert_eq!(
        Browser::new(&base).login("sam", PASSWORD).await.status(),
        401
    );
    let again = Browser::new(&base);
    assert_eq!(again.login("sam", "a brand new secret").await.status(), 303);
    assert!(still_in(&again).await);
}

#[tokio::test]
async fn disabling_then_enabling_an_account_revives_none_of_its_sessions() {
    let (app, base) = app_behind_proxy(None).await;
    let admin = Browser::logged_in(&base, "ada").await;
    let old = Browser::logged_in(&base, "sam").await;
    let sam = user_id(&app, "sam").await;
    let status = |disabled: &'static str| {
        let admin = &admin;
        async move {
            let path = format!("/admin/users/{sam}/status");
            let res = admin
                .post_with_csrf("/admin/users", &path, &[("disabled", disabled)])
                .await;
            assert_eq!(res.status(), 303);
        }
    };
    // Setting the status it already has ends nothing.
    status("false").await;
    assert!(still_in(&old).await);
    // Disabled and enabled again before the old session makes any request.
    status("true").await;
    status("false").await;
    assert_eq!(old.get("/audits").await.headers()["location"], "/login");
    let new = Browser::logged_in(&base, "sam").await;
    assert!(still_in(&new).await);
}

#[tokio::test]
async fn an_admin_resetting_their_own_password_stays_logged_in_here_only() {
    let (app, base) = app_behind_proxy(None).await;
    let here = Browser::logged_in(&base, "ada").await;
    let elsewhere = Browser::logged_in(&base, "ada").await;
    let ada = user_id(&app, "ada").await;
    let res = here
        .post_with_csrf(
            "/admin/users",
            &format!("/admin/users/{ada}/password"),
            &[("password", "my own new secret")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(here.get("/admin/users").await.status(), 200);
    assert_eq!(
        elsewhere.get("/admin/users").await.headers()["location"],
        "/login"
    );
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions() {
    let (app, base) = app_behind_proxy(None).await;
    let b = Browser::logged_in(&base, "sam").await;
    let sam = user_id(&app, "sam").await;
    // The same role again changes nothing.
    manyi::db::users::set_role(&app.db.write, sam, Role::Shopper)
        .await
        .unwrap();
    assert!(still_in(&b).await);
    manyi::db::users::set_role(&app.db.write, sam, Role::Manager)
        .await
        .unwrap();
    assert_eq!(b.get("/audits").await.headers()["location"], "/login");
    assert_eq!(
        manyi::db::users::set_role(&app.db.write, 9999, Role::Manager)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn three_hundred_anonymous_login_forms_store_no_session() {
    let (app, base) = app_behind_proxy(None).await;
    for _ in 0..300 {
        assert_eq!(Browser::new(&base).get("/login").await.status(), 200);
    }
    assert_eq!(session_rows(&app).await, 0);
    // Wrong passwords and refusals store nothing either.
    let b = Browser::new(&base);
    for _ in 0..6 {
        login_at(&b, "203.0.113.9", "ada", "wrong wrong").await;
    }
    assert_eq!(session_rows(&app).await, 0);
    // The session starts at login.
    Browser::logged_in(&base, "sam").await;
    assert_eq!(session_rows(&app).await, 1);
}

/// A client with no cookie jar: the test says exactly which cookie it sends.
async fn raw_login(base: &str, cookie: Option<&str>, field: Option<&str>) -> u16 {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut fields = vec![("username", "ada"), ("password", PASSWORD)];
    if let Some(f) = field {
        fields.push(("_csrf", f));
    }
    let mut req = http.post(format!("{base}/login")).form(&fields);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("manyi_login={c}"));
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_login_post_without_or_with_a_forged_token_is_refused() {
    let (app, base) = app_behind_proxy(None).await;
    let real = Browser::new(&base).csrf("/login").await;
    let other = Browser::new(&base).csrf("/login").await;
    let now = signed::unix_now();
    let foreign = signed::login_token(&[9; 32], now);
    let key = manyi::db::secrets::get_or_create(&app.db.write, signed::KEY_NAME)
        .await
        .unwrap();
    let expired = signed::login_token(&key, now - signed::LOGIN_TOKEN_TTL - 60);
    let flipped = if real.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{flipped}", &real[..real.len() - 1]);
    let cases: [(&str, Option<&str>, Option<&str>); 7] = [
        ("neither", None, None),
        ("no cookie", None, Some(&real)),
        ("no field", Some(&real), None),
        ("another form's token", Some(&real), Some(&other)),
        ("signed with another key", Some(&foreign), Some(&foreign)),
        ("expired", Some(&expired), Some(&expired)),
        ("tampered", Some(&tampered), Some(&tampered)),
    ];
    for (what, cookie, field) in cases {
        assert_eq!(raw_login(&base, cookie, field).await, 403, "{what}");
    }
    assert_eq!(
        app.state.limiter.password_checks(),
        0,
        "refused before any check"
    );
    assert_eq!(session_rows(&app).await, 0);
    assert_eq!(
        raw_login(&base, Some(&real), Some(&real)).await,
        303,
        "the genuine pair"
    );
}

#[tokio::test]
async fn a_login_form_served_before_a_restart_still_posts_after_it() {
    let (mut app, base) = app_behind_proxy(None).await;
    let b = Browser::new(&base);
    let token = b.csrf("/login").await;
    // A new state is a restarted server: its key comes back from the database.
    app.state.limiter = Arc::new(LoginLimiter::default());
    let restarted = Browser {
        http: b.http.clone(),
        base: app.spawn().await,
    };
    let res = login_from(&restarted, &token, "192.0.2.3", "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
}
