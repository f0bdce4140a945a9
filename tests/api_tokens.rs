//! Integration tokens on the JSON API: no token, the wrong scope, a revoked token, a kiosk bound to its store, per-token limits, and the Tokens page. None of the refused posts may move an indicator.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, Bytes};
use axum::http::Request;
use common::{Browser, TestApp, json_post};
use manyi::api_limits::Policy;
use manyi::auth::Role;
use manyi::db::tokens::Scope;
use serde_json::{Value, json};

const RESPONSES: &str = "/api/v1/forms/post-purchase/responses";

fn answers(store: Option<&str>) -> String {
    let mut body = json!({ "lang": "en", "answers": {
        "overall_satisfaction": 5, "recommend": 10, "first_purchase": "no" } });
    if let Some(s) = store {
        body["store"] = json!(s);
    }
    body.to_string()
}

/// Responses in the report rollups, over every day, store and form.
async fn rolled_up(app: &TestApp) -> i64 {
    sqlx::query_scalar("select coalesce(sum(responses), 0) from daily_stat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Responses stored per store.
async fn stored_by_store(app: &TestApp) -> Vec<(Option<String>, i64)> {
    sqlx::query_as("select store, count(*) from response group by store order by store")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("JSON body: {text}"))
}

/// The app with these per-token limits.
async fn limited(per_minute: u32, trusted_per_minute: u32, gap_secs: u64) -> TestApp {
    let mut app = TestApp::new().await;
    let settings = manyi::web::Settings {
        api_limits: Policy {
            per_minute,
            trusted_per_minute,
            kiosk_min_gap: std::time::Duration::from_secs(gap_secs),
        },
        ..Default::default()
    };
    app.state = manyi::AppState::with_settings(app.db.clone(), common::shipped_catalog(), settings);
    app
}

#[tokio::test]
async fn an_anonymous_post_gets_401_saying_what_to_send_and_stores_nothing() {
    let app = TestApp::new().await;
    let (status, headers, text) = app
        .send(json_post(None, RESPONSES, &answers(Some("S001"))))
        .await;
    assert_eq!(status, 401);
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        json_of(&text)["errors"]["request"],
        "Send an integration token with scope 'submit' as `Authorization: Bearer <token>`; \
         an admin creates one on /admin/tokens or with `manyi token add --scope submit`."
    );
    // Another scheme, or a bare token, is no better.
    for auth in ["Basic YWRhOnNlY3JldA==", "manyi_0123"] {
        let req = Request::post(RESPONSES)
            .header("content-type", "application/json")
            .header("authorization", auth)
            .body(Body::from(answers(None)))
            .unwrap();
        assert_eq!(app.send(req).await.0, 401, "{auth}");
    }
    assert_eq!(app.count_responses().await, 0);
    assert_eq!(rolled_up(&app).await, 0);
}

#[tokio::test]
async fn an_unknown_or_revoked_token_gets_401_and_stores_nothing() {
    let app = TestApp::new().await;
    let (status, res) = app
        .post_json_as("manyi_not_a_token", RESPONSES, &answers(None))
        .await;
    assert_eq!(status, 401);
    assert!(
        res["errors"]["request"]
            .as_str()
            .unwrap()
            .starts_with("This API token is not valid: it is unknown or has been revoked."),
        "{res}"
    );
    let created =
        manyi::db::tokens::create(&app.db.write, "till", Scope::Submit, None, false, None)
            .await
            .unwrap();
    assert_eq!(
        app.post_json_as(&created.token, RESPONSES, &answers(None))
            .await
            .0,
        201
    );
    assert!(
        manyi::db::tokens::revoke(&app.db.write, created.id)
            .await
            .unwrap()
    );
    // Revoked behind the server's back (as another process would), the token stays
    // known for up to the cache's lifetime; the admin page's revoke clears it at once.
    let (status, _, _) = app
        .send(json_post(Some(&created.token), RESPONSES, &answers(None)))
        .await;
    assert_eq!(status, 201, "still cached");
    app.state.tokens.clear();
    let (status, headers, _) = app
        .send(json_post(Some(&created.token), RESPONSES, &answers(None)))
        .await;
    assert_eq!(status, 401);
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert_eq!(app.count_responses().await, 2);
    assert_eq!(
        rolled_up(&app).await,
        1,
        "the second, the same answers again, is held"
    );
}

#[tokio::test]
async fn a_token_of_the_wrong_scope_gets_403_on_either_endpoint() {
    let app = TestApp::new().await;
    let sales = app.api_token(Scope::Sales, None, false).await;
    let (status, res) = app.post_json_as(&sales, RESPONSES, &answers(None)).await;
    assert_eq!(status, 403);
    assert_eq!(
        res["errors"]["request"],
        "This token has scope 'sales'; this endpoint needs a token with scope 'submit'. \
         An admin creates one on /admin/tokens or with `manyi token add --scope submit`."
    );
    assert_eq!(app.count_responses().await, 0);
    assert_eq!(rolled_up(&app).await, 0);

    let submit = app.submit_token().await;
    let today = manyi::web::Settings::default().today().to_string();
    let rows = json!([{ "store": "S001", "date": today, "transactions": 10, "revenue": 100 }]);
    let (status, res) = app
        .post_json_as(&submit, "/api/v1/sales", &rows.to_string())
        .await;
    assert_eq!(status, 403);
    assert!(
        res["errors"]["request"]
            .as_str()
            .unwrap()
            .contains("needs a token with scope 'sales'"),
        "{res}"
    );
    let sales_rows: i64 = sqlx::query_scalar("select count(*) from sales")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sales_rows, 0);
    assert_eq!(
        app.post_json_as(&sales, "/api/v1/sales", &rows.to_string())
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_kiosk_token_submits_for_its_own_store_only() {
    let app = TestApp::new().await;
    let kiosk = app.api_token(Scope::Submit, Some("S001"), false).await;
    let (status, res) = app
        .post_json_as(&kiosk, RESPONSES, &answers(Some("S002")))
        .await;
    assert_eq!(status, 403);
    let message = res["errors"]["request"].as_str().unwrap();
    assert!(
        message.contains("bound to store 'S001'") && message.contains("store 'S002'"),
        "{message}"
    );
    assert_eq!(app.count_responses().await, 0);
    assert_eq!(rolled_up(&app).await, 0);
    // Without a store, or naming its own, it stores under its store.
    assert_eq!(
        app.post_json_as(&kiosk, RESPONSES, &answers(None)).await.0,
        201
    );
    assert_eq!(stored_by_store(&app).await, [(Some("S001".into()), 1)]);
    let s001: i64 =
        sqlx::query_scalar("select sum(responses) from daily_stat where store_code = 'S001'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(s001, 1);
}

#[tokio::test]
async fn a_store_bound_sales_token_sends_its_own_store_only() {
    let app = TestApp::new().await;
    let till = app.api_token(Scope::Sales, Some("S001"), false).await;
    let today = manyi::web::Settings::default().today().to_string();
    let rows = json!([
        { "store": "S001", "date": today, "transactions": 10, "revenue": 100 },
        { "store": "S002", "date": today, "transactions": 10, "revenue": 100 },
    ]);
    let (status, res) = app
        .post_json_as(&till, "/api/v1/sales", &rows.to_string())
        .await;
    assert_eq!(status, 403, "{res}");
    let sales_rows: i64 = sqlx::query_scalar("select count(*) from sales")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sales_rows, 0);
}

#[tokio::test]
async fn a_token_beyond_its_limit_per_minute_gets_429_and_nothing_more_is_stored() {
    let app = limited(2, 1000, 0).await;
    let token = app.submit_token().await;
    let other = app.submit_token().await;
    for _ in 0..2 {
        assert_eq!(
            app.post_json_as(&token, RESPONSES, &answers(None)).await.0,
            201
        );
    }
    // Invalid answers are refused before the limit and take none of it.
    let (status, _) = app
        .post_json_as(&other, RESPONSES, r#"{"answers": {"recommend": 99}}"#)
        .await;
    assert_eq!(status, 422);
    let (status, headers, text) = app
        .send(json_post(Some(&token), RESPONSES, &answers(None)))
        .await;
    assert_eq!(status, 429);
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        json_of(&text)["errors"]["request"]
            .as_str()
            .unwrap()
            .contains("limit of 2 responses per minute"),
        "{text}"
    );
    assert_eq!(app.count_responses().await, 2);
    // The second sent the same answers as the first from the same address: it is
    // stored, but held back as a duplicate until a manager accepts it.
    assert_eq!(rolled_up(&app).await, 1);
    // The limit is the token's own: another token still stores.
    for _ in 0..2 {
        assert_eq!(
            app.post_json_as(&other, RESPONSES, &answers(None)).await.0,
            201
        );
    }
    assert_eq!(app.count_responses().await, 4);
}

#[tokio::test]
async fn an_idempotent_replay_is_not_counted_against_the_limit() {
    let app = limited(2, 1000, 0).await;
    let token = app.submit_token().await;
    let keyed = || {
        let mut req = json_post(Some(&token), RESPONSES, &answers(None));
        req.headers_mut()
            .insert("idempotency-key", "till-1-0001".parse().unwrap());
        req
    };
    assert_eq!(app.send(keyed()).await.0, 201);
    assert_eq!(app.send(keyed()).await.0, 200);
    assert_eq!(
        app.post_json_as(&token, RESPONSES, &answers(None)).await.0,
        201
    );
    assert_eq!(app.count_responses().await, 2);
}

#[tokio::test]
async fn a_kiosk_waits_its_gap_between_responses_and_a_trusted_token_does_not() {
    let app = limited(1000, 1000, 20).await;
    let kiosk = app.api_token(Scope::Submit, Some("S001"), false).await;
    assert_eq!(
        app.post_json_as(&kiosk, RESPONSES, &answers(None)).await.0,
        201
    );
    let (status, headers, text) = app
        .send(json_post(Some(&kiosk), RESPONSES, &answers(Some("S001"))))
        .await;
    assert_eq!(status, 429, "{text}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert!(
        text.contains("at most one response every 20 seconds"),
        "{text}"
    );
    assert_eq!(app.count_responses().await, 1);
    assert_eq!(rolled_up(&app).await, 1);
    // A trusted till of the same store (its POS vouches for each customer) has no gap.
    let till = app.api_token(Scope::Submit, Some("S001"), true).await;
    for _ in 0..3 {
        assert_eq!(
            app.post_json_as(&till, RESPONSES, &answers(None)).await.0,
            201
        );
    }
    assert_eq!(stored_by_store(&app).await, [(Some("S001".into()), 4)]);
}

#[tokio::test]
async fn a_trusted_token_has_its_own_higher_limit() {
    let app = limited(1, 3, 0).await;
    let pos = app.trusted_token().await;
    for _ in 0..3 {
        assert_eq!(
            app.post_json_as(&pos, RESPONSES, &answers(None)).await.0,
            201
        );
    }
    assert_eq!(
        app.post_json_as(&pos, RESPONSES, &answers(None)).await.0,
        429
    );
    assert_eq!(app.count_responses().await, 3);
}

/// A 5 MB body that records whether anyone asked for it.
fn watched_body() -> (Body, Arc<AtomicBool>) {
    let polled = Arc::new(AtomicBool::new(false));
    let flag = polled.clone();
    let stream = futures_util::stream::once(async move {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 5 * 1024 * 1024]))
    });
    (Body::from_stream(stream), polled)
}

#[tokio::test]
async fn the_responses_endpoint_checks_the_token_before_reading_the_body() {
    let app = TestApp::new().await;
    let sales = app.api_token(Scope::Sales, None, false).await;
    let submit = app.submit_token().await;
    for (auth, status) in [
        (None, 401),
        (Some("Bearer manyi_not_a_token".to_owned()), 401),
        (Some(format!("Bearer {sales}")), 403),
    ] {
        let (body, polled) = watched_body();
        let mut req = Request::post(RESPONSES).header("content-type", "application/json");
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let (got, _, text) = app.send(req.body(body).unwrap()).await;
        assert_eq!(got, status, "{auth:?}: {text}");
        assert!(!polled.load(Ordering::SeqCst), "body read for {auth:?}");
    }
    // The control: with a submit token the body is read (and is too large).
    let (body, polled) = watched_body();
    let req = Request::post(RESPONSES)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {submit}"))
        .body(body)
        .unwrap();
    assert_eq!(app.send(req).await.0, 413);
    assert!(polled.load(Ordering::SeqCst));
}

#[tokio::test]
async fn an_admin_creates_a_kiosk_token_on_the_tokens_page_and_it_submits_for_its_store() {
    let app = TestApp::new().await;
    app.add_user("ada", Role::Admin).await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    let (_, page) = admin.get_text("/admin/tokens").await;
    assert!(
        page.contains(r#"<option value="S002">S002 · West Lake</option>"#),
        "{page}"
    );
    assert!(page.contains("skip the per-address, duplicate and burst checks"));

    // Mistakes are shown at their fields, with what was typed kept.
    let res = admin
        .post_with_csrf(
            "/admin/tokens",
            "/admin/tokens",
            &[
                ("name", "Kiosk"),
                ("scope", "sales"),
                ("store", "S404"),
                ("trusted", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="err-store""#) && page.contains("There is no store"));
    assert!(
        page.contains(r#"id="err-trusted""#) && page.contains("Only a submit token can be trusted")
    );
    assert!(page.contains(r#"value="Kiosk""#));
    let res = admin
        .post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", "Kiosk")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(r#"id="err-scope""#));

    let res = admin
        .post_with_csrf(
            "/admin/tokens",
            "/admin/tokens",
            &[
                ("name", "Kiosk <at> the door"),
                ("scope", "submit"),
                ("store", "S002"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let token = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_owned();
    assert!(token.starts_with("manyi_"), "{token}");
    assert!(page.contains("POST /api/v1/forms/{id}/responses"));
    // The list shows scope, store and trust, escaped.
    assert!(page.contains("Kiosk &lt;at&gt; the door"));
    assert!(
        page.contains(
            r#"<td data-label="Scope">submit</td><td data-label="Store">S002</td><td data-label="Trusted">no</td>"#
        ),
        "{page}"
    );
    let listed = manyi::db::tokens::list(&app.db.write).await.unwrap();
    assert_eq!(
        (
            listed[0].scope,
            listed[0].store.as_deref(),
            listed[0].trusted
        ),
        (Scope::Submit, Some("S002"), false)
    );

    let res = reqwest::Client::new()
        .post(format!("{base}{RESPONSES}"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(answers(None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(stored_by_store(&app).await, [(Some("S002".into()), 1)]);

    // Only admins reach the page.
    let manager = Browser::logged_in(&base, "mia").await;
    assert_eq!(manager.get("/admin/tokens").await.status(), 403);
}

#[tokio::test]
async fn a_kiosk_retrying_a_stored_key_inside_its_gap_gets_its_response_not_429() {
    let app = limited(0, 0, 3600).await;
    let kiosk = app.api_token(Scope::Submit, Some("S001"), false).await;
    let keyed = || {
        let mut req = json_post(Some(&kiosk), RESPONSES, &answers(None));
        req.headers_mut()
            .insert("idempotency-key", "kiosk-1-0001".parse().unwrap());
        req
    };
    let (first, _, a) = app.send(keyed()).await;
    let (again, _, b) = app.send(keyed()).await;
    assert_eq!((first, again), (201, 200), "{b}");
    assert_eq!(json_of(&a)["id"], json_of(&b)["id"]);
    // A new response inside the gap still waits.
    let (status, _, _) = app
        .send(json_post(Some(&kiosk), RESPONSES, &answers(None)))
        .await;
    assert_eq!(status, 429);
    assert_eq!(app.count_responses().await, 1);
}
