//! Real-browser tests: headless Chromium on a phone-sized screen fills the shipped survey, page by page.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; without them the tests fail on purpose.

mod common;

use common::TestApp;
use common::chrome::Phone as Browser;

/// Checks the stored values of each question, in stored (position) order.
async fn assert_answers(app: &TestApp, response: i64, expected: &[(&str, &[&str])]) {
    for (question, values) in expected {
        let got: Vec<String> = sqlx::query_scalar(
            "select value from answer where response_id = ? and question = ? order by position",
        )
        .bind(response)
        .bind(question)
        .fetch_all(&app.pool)
        .await
        .expect("answers");
        assert_eq!(got, *values, "stored answer to {question}");
    }
}

/// The only stored response, checked to be for store S001 in `lang`.
async fn only_response(app: &TestApp, lang: &str) -> i64 {
    let rows: Vec<(i64, Option<String>, String)> =
        sqlx::query_as("select id, store, lang from response")
            .fetch_all(&app.pool)
            .await
            .expect("responses");
    assert_eq!(rows.len(), 1, "exactly one response stored: {rows:?}");
    let (id, store, got_lang) = rows.into_iter().next().unwrap();
    assert_eq!(store.as_deref(), Some("S001"));
    assert_eq!(got_lang, lang);
    id
}

#[tokio::test]
async fn a_phone_fills_the_post_purchase_survey_in_chinese_across_pages_and_submits() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open("en-US,en").await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=zh"))
        .await;
    b.expect_h1("总体评价").await;

    // The phone viewport really is phone-sized, and nothing makes the page scroll sideways.
    let width = b.js_i64("return window.innerWidth").await;
    assert!((350..=370).contains(&width), "viewport {width}px wide");
    let overflow = b
        .js_i64("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(overflow <= 1, "scrolls sideways by {overflow}px");
    // Before any answer the feedback page does not apply yet.
    assert_eq!(b.text("p#progress").await, "第 1 页，共 4 页");

    // Low scores make the feedback page apply.
    b.tap("overall_satisfaction", "2").await;
    b.tap("recommend", "4").await;
    b.press("next").await;
    b.expect_h1("关于您").await;
    assert_eq!(b.text("p#progress").await, "第 2 页，共 5 页");

    b.tap("first_purchase", "yes").await;
    b.tap("heard_from", "friend").await;
    b.tap("heard_from", "online").await;
    b.press("next").await;
    b.expect_h1("来店之前，您的期望").await;
    b.tap("expect_price", "4").await;

    // Back keeps what page 2 said.
    b.press("back").await;
    b.expect_h1("关于您").await;
    assert!(b.is_checked("first_purchase", "yes").await);
    assert!(b.is_checked("heard_from", "friend").await);
    assert!(b.is_checked("heard_from", "online").await);
    assert!(!b.is_checked("heard_from", "passing").await);

    b.press("next").await;
    b.expect_h1("来店之前，您的期望").await;
    b.press("next").await;
    b.expect_h1("这次的实际体验").await;
    b.tap("exp_service", "1").await;
    b.press("next").await;
    b.expect_h1("请告诉我们哪里做得不好").await;
    assert_eq!(b.text("p#progress").await, "第 5 页，共 5 页");
    assert!(
        b.absent("button[value=next]").await,
        "Next on the last page"
    );
    assert!(b.absent("textarea[name=complaint_text]").await);

    // Saying "yes, a complaint" brings up the box to describe it before anything is stored.
    b.tap("complaint", "yes").await;
    b.press("submit").await;
    let text = b.wait_for("textarea[name=complaint_text]").await;
    assert!(text.is_displayed().await.unwrap());
    assert!(b.is_checked("complaint", "yes").await);
    assert_eq!(app.count_responses().await, 0);

    // Too short: the server says so, on the same page, with a 422.
    text.send_keys("差").await.expect("type");
    b.press("submit").await;
    let err = b.wait_for("p.err#err-complaint_text").await;
    assert!(err.is_displayed().await.unwrap(), "error hidden");
    let message = err.text().await.unwrap();
    assert!(message.contains('5'), "no minimum in {message:?}");
    assert_eq!(b.status().await, 422);
    assert_eq!(app.count_responses().await, 0);

    let complaint = "收银台排队太久，没有人帮忙。";
    let text = b.find("textarea[name=complaint_text]").await;
    text.clear().await.expect("clear");
    text.send_keys(complaint).await.expect("type");
    b.press("submit").await;
    b.expect_h1("谢谢您！").await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/s/post-purchase/thanks");
    assert_eq!(url.query(), Some("lang=zh"));
    b.close().await;

    let id = only_response(&app, "zh").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["2"]),
        ("recommend", &["4"]),
        ("first_purchase", &["yes"]),
        // Two ticks, two rows, in the form's order.
        ("heard_from", &["friend", "online"]),
        ("expect_price", &["4"]),
        ("exp_service", &["1"]),
        ("complaint", &["yes"]),
        ("complaint_text", &[complaint]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn a_phone_fills_the_survey_in_english_with_high_scores_and_skips_the_feedback_page() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open("en-US,en").await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=en"))
        .await;
    b.expect_h1("Overall").await;
    assert_eq!(b.text("p#progress").await, "Page 1 of 4");

    b.tap("overall_satisfaction", "5").await;
    b.tap("recommend", "10").await;
    b.press("next").await;
    b.expect_h1("About you").await;
    assert_eq!(b.text("p#progress").await, "Page 2 of 4");
    b.tap("first_purchase", "no").await;
    b.press("next").await;
    b.expect_h1("Before your visit: what you expected").await;
    b.press("next").await;
    b.expect_h1("Today: what you experienced").await;
    assert_eq!(b.text("p#progress").await, "Page 4 of 4");
    b.tap("exp_quality", "5").await;

    // High scores: this is the last page, so it submits instead of going on to feedback.
    assert!(b.absent("button[value=next]").await, "no Next on page 4");
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    assert_eq!(
        b.client.current_url().await.unwrap().query(),
        Some("lang=en")
    );
    b.close().await;

    let id = only_response(&app, "en").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["5"]),
        ("recommend", &["10"]),
        ("first_purchase", &["no"]),
        ("exp_quality", &["5"]),
        // The feedback page was never shown, so nothing of it is stored.
        ("complaint", &[]),
        ("complaint_text", &[]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn switching_language_mid_form_keeps_answers() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open("en-US,en").await;
    b.goto(&format!("{base}/s/post-purchase?store=S001&lang=zh"))
        .await;
    b.expect_h1("总体评价").await;
    b.tap("overall_satisfaction", "4").await;
    b.tap("recommend", "9").await;
    b.press("next").await;
    b.expect_h1("关于您").await;
    b.tap("first_purchase", "yes").await;

    // The switch posts this page's answers along, so nothing typed so far is lost.
    b.press("lang-en").await;
    b.expect_h1("About you").await;
    assert_eq!(b.text("p#progress").await, "Page 2 of 4");
    assert_eq!(
        b.find("html").await.attr("lang").await.unwrap().as_deref(),
        Some("en")
    );
    assert!(b.is_checked("first_purchase", "yes").await);

    // Page 1's answers travelled as hidden fields and come back on Back.
    b.press("back").await;
    b.expect_h1("Overall").await;
    assert!(b.is_checked("overall_satisfaction", "4").await);
    assert!(b.is_checked("recommend", "9").await);

    // The rest of the way is in English, and the response says so.
    for h1 in [
        "About you",
        "Before your visit: what you expected",
        "Today: what you experienced",
    ] {
        b.press("next").await;
        b.expect_h1(h1).await;
    }
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    b.close().await;

    let id = only_response(&app, "en").await;
    let expected: &[(&str, &[&str])] = &[
        ("overall_satisfaction", &["4"]),
        ("recommend", &["9"]),
        ("first_purchase", &["yes"]),
    ];
    assert_answers(&app, id, expected).await;
}

#[tokio::test]
async fn a_customer_who_takes_back_a_complaint_can_still_submit() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let b = Browser::open("en-US,en").await;
    b.goto(&format!("{base}/s/post-purchase?lang=en&store=S001"))
        .await;
    b.expect_h1("Overall").await;
    b.tap("overall_satisfaction", "1").await;
    b.tap("recommend", "2").await;
    b.press("next").await;
    b.expect_h1("About you").await;
    b.tap("first_purchase", "no").await;
    for heading in [
        "Before your visit: what you expected",
        "Today: what you experienced",
        "Tell us what went wrong",
    ] {
        b.press("next").await;
        b.expect_h1(heading).await;
    }
    b.tap("complaint", "yes").await;
    b.press("submit").await;
    b.wait_for("textarea[name=complaint_text]").await;
    // Changing their mind: the now-irrelevant box must not block the submit in the browser.
    b.tap("complaint", "no").await;
    b.press("submit").await;
    b.expect_h1("Thank you!").await;
    b.close().await;

    let id = only_response(&app, "en").await;
    let texts: i64 = sqlx::query_scalar(
        "select count(*) from answer where response_id = ? and question = 'complaint_text'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(texts, 0);
    assert_answers(&app, id, &[("complaint", &["no"])]).await;
}
