//! The quality checks through the real router: too fast, straight-lined, duplicate and burst responses are stored held, out of every indicator; a trusted token's are not checked.

mod common;

use common::{TestApp, hidden};
use manyi::web::Settings;
use serde_json::json;

const FORM: &str = "/s/post-purchase";
const ANSWERS: &str = "_lang=en&_store=S001&_page=4&_seen=complaint+suggestion+contact_consent&overall_satisfaction=2&recommend=3\
    &first_purchase=no&heard_from=friend&exp_price=2&complaint=no&_nav=submit";

/// No per-address limit: these tests send more than a customer would from one address.
async fn app() -> TestApp {
    let mut settings = Settings::default();
    settings.intake.per_address.per_hour = 0;
    settings.intake.per_address.per_day = 0;
    TestApp::with_settings(settings).await
}

async fn states(app: &TestApp) -> Vec<(String, Option<String>)> {
    sqlx::query_as("select state, flags from response order by id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn counted(app: &TestApp) -> i64 {
    sqlx::query_scalar("select coalesce(sum(responses), 0) from daily_stat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_form_sent_as_soon_as_it_was_served_is_held_as_too_fast() {
    let app = app().await;
    let (_, page) = app.get("/s/post-purchase?store=S001").await;
    let token = hidden(&page, "_token").unwrap();
    let (status, _, _) = app
        .post_form(FORM, &format!("_token={token}&{ANSWERS}"))
        .await;
    assert_eq!(status, 303, "the customer sees the usual thanks");
    assert_eq!(
        states(&app).await,
        [("held".into(), Some("too-fast".into()))]
    );
    assert_eq!(counted(&app).await, 0, "not in the indicators");
}

#[tokio::test]
async fn the_same_answers_again_from_one_address_are_held_as_a_duplicate() {
    let app = app().await;
    for _ in 0..3 {
        let (status, _, _) = app.post_form(FORM, ANSWERS).await;
        assert_eq!(status, 303);
    }
    let other = ANSWERS.replace("recommend=3", "recommend=4");
    app.post_form(FORM, &other).await;
    let got = states(&app).await;
    let dup = ("held".to_owned(), Some("duplicate".to_owned()));
    let ok = ("counted".to_owned(), None);
    assert_eq!(got, [ok.clone(), dup.clone(), dup, ok]);
    assert_eq!(counted(&app).await, 2);
}

#[tokio::test]
async fn every_grid_rating_the_same_is_held_as_straight_lined() {
    let app = app().await;
    let grid = |v: u8| {
        ["price", "service", "quality", "environment"]
            .iter()
            .map(|a| format!("&expect_{a}={v}&exp_{a}={v}"))
            .collect::<String>()
    };
    let base = ANSWERS.replace("&exp_price=2", "");
    app.post_form(FORM, &format!("{base}{}", grid(1))).await;
    app.post_form(
        FORM,
        &format!("{}{}", base.replace("recommend=3", "recommend=5"), grid(4)),
    )
    .await;
    let varied = "&expect_price=4&exp_price=2&expect_service=5&exp_service=3&expect_quality=4&exp_quality=4&expect_environment=3&exp_environment=2";
    app.post_form(
        FORM,
        &format!("{}{varied}", base.replace("recommend=3", "recommend=6")),
    )
    .await;
    let got = states(&app).await;
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], ("held".into(), Some("straight-lined".into())));
    assert_eq!(got[1], ("held".into(), Some("straight-lined".into())));
    assert_eq!(got[2], ("counted".into(), None));
}

#[tokio::test]
async fn a_store_flooded_far_above_its_own_rate_gets_the_rest_held_as_a_burst() {
    let app = app().await;
    let floor = manyi::quality::BURST_FLOOR as usize;
    for i in 0..floor + 5 {
        // Distinct answers, so only the burst check applies.
        let body = ANSWERS.replace("_lang=en", &format!("_lang=en&suggestion=visit{i}"));
        let (status, _, page) = app.post_form(FORM, &body).await;
        assert_eq!(status, 303, "{page}");
    }
    let got = states(&app).await;
    let held = got.iter().filter(|(s, _)| s == "held").count();
    assert_eq!(held, 5, "{got:?}");
    assert!(
        got[floor..]
            .iter()
            .all(|(_, f)| f.as_deref() == Some("burst"))
    );
    assert_eq!(counted(&app).await, floor as i64);
}

#[tokio::test]
async fn an_untrusted_token_is_checked_and_a_trusted_one_is_not() {
    let app = app().await;
    let untrusted = app.submit_token().await;
    let trusted = app.trusted_token().await;
    let body = json!({ "store": "S001", "answers": { "overall_satisfaction": 4, "recommend": 8,
        "first_purchase": "no", "heard_from": ["friend"], "complaint": "no" } })
    .to_string();
    let uri = "/api/v1/forms/post-purchase/responses";
    let (s1, r1) = app.post_json_as(&untrusted, uri, &body).await;
    let (s2, r2) = app.post_json_as(&untrusted, uri, &body).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(
        (r1["held"].clone(), r2["held"].clone()),
        (json!(false), json!(true)),
        "the same answers again"
    );
    let (s3, r3) = app.post_json_as(&trusted, uri, &body).await;
    let (s4, r4) = app.post_json_as(&trusted, uri, &body).await;
    assert_eq!((s3, s4), (201, 201));
    assert_eq!(
        (r3["held"].clone(), r4["held"].clone()),
        (json!(false), json!(false)),
        "a POS vouches for its own"
    );
    assert_eq!(counted(&app).await, 3);
}
