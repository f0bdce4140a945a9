//! The public form against hostile posts: made-up, expired and cross-site submissions and a flood from one address store nothing and move no indicator.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use common::{TestApp, hidden};
use manyi::web::Settings;

const FORM: &str = "/s/post-purchase";
/// A complete last-page post for store S001: a very unhappy customer.
const ANSWERS: &str = "_lang=en&_store=S001&_page=4&_seen=complaint+suggestion+contact_consent&overall_satisfaction=1&recommend=0\
    &first_purchase=no&heard_from=friend&exp_price=1&complaint=no&_nav=submit";

async fn counted(app: &TestApp) -> i64 {
    sqlx::query_scalar("select coalesce(sum(responses), 0) from daily_stat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn held(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from response where state = 'held'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The same last page with a distinct suggestion, so the duplicate check stays out of the way.
fn varied(i: usize) -> String {
    format!("suggestion=visit+{i}&{ANSWERS}")
}

async fn post_with(
    app: &TestApp,
    body: &str,
    headers: &[(&str, &str)],
) -> (u16, axum::http::HeaderMap, String) {
    let mut req = Request::post(FORM).header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.send(req.body(Body::from(body.to_owned())).unwrap())
        .await
}

#[tokio::test]
async fn a_made_up_token_stores_nothing_and_the_page_returns_with_a_fresh_one_and_every_answer() {
    let app = TestApp::new().await;
    for made_up in [
        "0123456789abcdef0123456789abcdef",
        "1800000000.0011223344556677.00",
        "",
    ] {
        let (status, _, page) = post_with(&app, &format!("_token={made_up}&{ANSWERS}"), &[]).await;
        assert_eq!(status, 400, "{made_up}");
        assert!(page.contains("This page was open too long"), "{page}");
        assert!(page.contains("这个页面打开太久了"), "both languages");
        assert_eq!(hidden(&page, "overall_satisfaction").as_deref(), Some("1"));
        let fresh = hidden(&page, "_token").unwrap();
        assert_ne!(fresh, made_up);
        // The fresh token is genuine: sending the page again stores it, once.
        let (status, _, _) = post_with(&app, &format!("_token={fresh}&{ANSWERS}"), &[]).await;
        assert_eq!(status, 303);
    }
    assert_eq!(
        app.count_responses().await,
        3,
        "only the posts with a genuine token"
    );
    // Each was sent the moment its page came back: stored, but held as too fast (and
    // the same answers again) until a manager looks; the made-up ones moved nothing.
    assert_eq!(counted(&app).await, 0);
    assert_eq!(held(&app).await, 3);
}

#[tokio::test]
async fn a_token_for_another_store_is_refused() {
    let app = TestApp::new().await;
    let (_, page) = app.get("/s/post-purchase?store=S002").await;
    let token = hidden(&page, "_token").unwrap();
    let (status, _, _) = post_with(&app, &format!("_token={token}&{ANSWERS}"), &[]).await;
    assert_eq!(status, 400, "issued for S002, posted for S001");
    assert_eq!(counted(&app).await, 0);
}

#[tokio::test]
async fn an_expired_token_stores_nothing() {
    let mut settings = Settings::default();
    settings.intake.token_lifetime = Duration::ZERO;
    let app = TestApp::with_settings(settings).await;
    let token = app.form_token(FORM, "_store=S001").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, page) = post_with(&app, &format!("_token={token}&{ANSWERS}"), &[]).await;
    assert_eq!(status, 400);
    assert!(page.contains("This page was open too long"));
    assert_eq!(app.count_responses().await, 0);
    assert_eq!(counted(&app).await, 0);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_with_a_clear_403_and_a_missing_header_falls_back_to_the_token()
 {
    let app = TestApp::new().await;
    let cross: [&[(&str, &str)]; 4] = [
        &[("sec-fetch-site", "cross-site")],
        &[
            ("origin", "https://evil.example"),
            ("host", "survey.example.com"),
        ],
        &[("origin", "null"), ("host", "survey.example.com")],
        // Sec-Fetch-Site wins over a matching Origin.
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://survey.example.com"),
            ("host", "survey.example.com"),
        ],
    ];
    for headers in cross {
        let token = app.form_token(FORM, "_store=S001").await.unwrap();
        let (status, _, page) =
            post_with(&app, &format!("_token={token}&{ANSWERS}"), headers).await;
        assert_eq!(status, 403, "{headers:?}");
        assert!(
            page.contains("can only be sent from its own page"),
            "{page}"
        );
        assert!(page.contains("问卷只能在它自己的页面上提交"));
    }
    assert_eq!(counted(&app).await, 0);
    let same: [&[(&str, &str)]; 4] = [
        &[("sec-fetch-site", "same-origin")],
        &[("sec-fetch-site", "none")],
        &[
            ("origin", "https://survey.example.com"),
            ("host", "survey.example.com"),
        ],
        // An old in-app browser sends neither: the token decides.
        &[],
    ];
    for (i, headers) in same.into_iter().enumerate() {
        let token = app.form_token(FORM, "_store=S001").await.unwrap();
        let (status, _, _) =
            post_with(&app, &format!("_token={token}&{}", varied(i)), headers).await;
        assert_eq!(status, 303, "{headers:?}");
    }
    assert_eq!(counted(&app).await, 4);
}

#[tokio::test]
async fn a_flood_from_one_address_stores_its_few_then_gets_429_with_answers_kept() {
    let app = TestApp::new().await;
    let limit = manyi::intake::address_limit::DEFAULT_PER_HOUR as i64;
    let mut refused = 0;
    for i in 0..limit as usize + 10 {
        let token = app.form_token(FORM, "_store=S001").await.unwrap();
        let (status, headers, page) =
            post_with(&app, &format!("_token={token}&{}", varied(i)), &[]).await;
        match status {
            303 => {}
            429 => {
                refused += 1;
                let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(
                    wait > 3000 && wait <= 3600,
                    "the oldest leaves within the hour: {wait}"
                );
                assert!(page.contains("Several responses were sent from this connection"));
                assert!(page.contains("分钟后再点"), "both languages");
                assert_eq!(
                    hidden(&page, "recommend").as_deref(),
                    Some("0"),
                    "answers kept"
                );
            }
            other => panic!("unexpected {other}: {page}"),
        }
    }
    assert_eq!(refused, 10);
    assert_eq!(app.count_responses().await, limit);
    assert_eq!(
        counted(&app).await,
        limit,
        "the flood moved the indicators by its few only"
    );
    // Resending a stored token is a repeat, not another response, and takes no place.
    let token = app.form_token(FORM, "_store=S001").await.unwrap();
    let (status, _, _) = post_with(&app, &format!("_token={token}&{ANSWERS}"), &[]).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn zero_turns_the_per_address_limits_off() {
    let mut settings = Settings::default();
    settings.intake.per_address.per_hour = 0;
    settings.intake.per_address.per_day = 0;
    let app = TestApp::with_settings(settings).await;
    for i in 0..12 {
        let (status, _, _) = app.post_form(FORM, &varied(i)).await;
        assert_eq!(status, 303);
    }
    assert_eq!(counted(&app).await, 12);
}
