//! The customer's HTML form through the real router: pages, checks, storage and refusals.

mod common;

use std::io::Read;

use axum::body::Body;
use axum::http::Request;
use common::{TestApp, hidden};

const FORM: &str = "/s/post-purchase";

/// Posts one page of the post-purchase form with its hidden fields and answers.
async fn post_page(app: &TestApp, fields: &str) -> (u16, axum::http::HeaderMap, String) {
    app.post_form(FORM, fields).await
}

async fn answers_of(app: &TestApp, id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "select question, value from answer where response_id = ? order by question, position",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_first_page_is_served_in_the_language_asked_for() {
    let app = TestApp::new().await;
    let (status, page) = app.get("/s/post-purchase?lang=en&store=S001").await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Overall</h1>"));
    assert!(page.contains("Page 1 of"));
    assert_eq!(hidden(&page, "_store").as_deref(), Some("S001"));
    let token = hidden(&page, "_token").unwrap();
    assert_eq!(
        token.split('.').count(),
        3,
        "issued.nonce.signature: {token}"
    );

    let req = Request::get(FORM)
        .header("accept-language", "en-GB,en;q=0.9")
        .body(Body::empty())
        .unwrap();
    let (_, _, page) = app.send(req).await;
    assert!(page.contains("<html lang=\"en\">"));
    let (_, page) = app.get(FORM).await;
    assert!(
        page.contains("<h1>总体评价</h1>"),
        "the survey's default language is zh"
    );
}

#[tokio::test]
async fn a_form_page_fits_in_one_round_trip_when_compressed() {
    let app = TestApp::new().await;
    for (encoding, form) in [
        ("gzip", "post-purchase"),
        ("br", "post-purchase"),
        ("gzip", "after-service"),
        ("gzip", "complaint"),
    ] {
        let req = Request::get(format!("/s/{form}?lang=zh&store=S001"))
            .header("accept-encoding", encoding)
            .body(Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(app.router(), req).await.unwrap();
        assert_eq!(res.headers()["content-encoding"], encoding);
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert!(
            bytes.len() <= 14 * 1024,
            "{form} is {} bytes as {encoding}",
            bytes.len()
        );
        if encoding == "gzip" {
            let mut html = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut html)
                .unwrap();
            assert!(html.contains("<style>"), "CSS is inline");
            assert!(
                !html.contains("<script") && !html.contains("<link"),
                "no external resources"
            );
        }
    }
}

#[tokio::test]
async fn the_multi_page_form_is_stored_once_with_only_relevant_answers() {
    let app = TestApp::new().await;
    let (_, first) = app.get("/s/post-purchase?lang=en&store=S001").await;
    let token = hidden(&first, "_token").unwrap();
    let base = format!("_token={token}&_lang=en&_store=S001");

    // Page 1 → 2: high scores, so the feedback page will not apply.
    let (status, _, page) = post_page(&app, &format!("{base}&_page=0&_seen=overall_satisfaction+recommend&overall_satisfaction=5&recommend=9&_nav=next")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>About you</h1>"));
    assert!(
        page.contains("Page 2 of 4"),
        "feedback page skipped from the count"
    );
    assert_eq!(hidden(&page, "overall_satisfaction").as_deref(), Some("5"));

    // Back keeps what was answered on page 1 and page 2.
    let carried = "overall_satisfaction=5&recommend=9";
    let (_, _, page) = post_page(
        &app,
        &format!("{base}&_page=1&{carried}&first_purchase=no&heard_from=friend&_nav=back"),
    )
    .await;
    assert!(page.contains("<h1>Overall</h1>"));
    assert!(page.contains(r#"value="5" checked"#));
    assert_eq!(hidden(&page, "first_purchase").as_deref(), Some("no"));

    // The last applicable page submits; a complaint posted anyway is not relevant and not stored.
    let all = format!(
        "{carried}&first_purchase=no&heard_from=friend&heard_from=online&exp_price=4&complaint=yes&complaint_text=sneaky&bogus=1"
    );
    let (status, headers, _) = post_page(&app, &format!("{base}&_page=3&{all}&_nav=submit")).await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/s/post-purchase/thanks?lang=en");
    // A double tap posts the same token again: still one response.
    let (status, _, _) = post_page(&app, &format!("{base}&_page=3&{all}&_nav=submit")).await;
    assert_eq!(status, 303);
    assert_eq!(app.count_responses().await, 1);

    let (store, lang): (String, String) = sqlx::query_as("select store, lang from response")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((store.as_str(), lang.as_str()), ("S001", "en"));
    let stored = answers_of(&app, 1).await;
    let pairs: Vec<(&str, &str)> = stored
        .iter()
        .map(|(q, v)| (q.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("exp_price", "4"),
            ("first_purchase", "no"),
            ("heard_from", "friend"),
            ("heard_from", "online"),
            ("overall_satisfaction", "5"),
            ("recommend", "9"),
        ]
    );
    let (status, thanks) = app.get("/s/post-purchase/thanks?lang=en").await;
    assert_eq!(status, 200);
    assert!(thanks.contains("Thank you!"));
}

#[tokio::test]
async fn low_scores_bring_the_feedback_page_and_its_follow_up_question() {
    let app = TestApp::new().await;
    let answers = "_lang=en&overall_satisfaction=2&recommend=3&first_purchase=yes";
    let (status, _, page) = post_page(
        &app,
        &format!(
            "{answers}&_page=3&_seen=exp_price+exp_service+exp_quality+exp_environment&_nav=next"
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Tell us what went wrong"));
    assert!(
        !page.contains("name=\"complaint_text\""),
        "not relevant until complaint = yes"
    );
    // Answering yes makes complaint_text apply on the same page: it is shown, not skipped.
    let seen =
        "_seen=overall_satisfaction+recommend+first_purchase+complaint+suggestion+contact_consent";
    let (status, _, page) = post_page(
        &app,
        &format!("{answers}&_page=4&{seen}&complaint=yes&_nav=submit"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("<textarea id=\"q-complaint_text\""));
    assert_eq!(app.count_responses().await, 0);
    // Submitting it empty now is an error with the survey's own message.
    let seen2 = format!("{seen}+complaint_text+complaint_request");
    let (status, _, page) = post_page(
        &app,
        &format!("{answers}&_page=4&{seen2}&complaint=yes&_nav=submit"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Please describe the problem briefly"));
    let (status, _, _) = post_page(
        &app,
        &format!(
            "{answers}&_page=4&{seen2}&complaint=yes&complaint_text=Nobody+helped+me&_nav=submit"
        ),
    )
    .await;
    assert_eq!(status, 303);
    let stored = answers_of(&app, 1).await;
    assert!(stored.contains(&("complaint_text".into(), "Nobody helped me".into())));
}

#[tokio::test]
async fn invalid_answers_come_back_with_status_422_values_kept_and_messages_in_place() {
    let app = TestApp::new().await;
    let (status, _, page) = post_page(
        &app,
        "_lang=zh&_page=0&overall_satisfaction=9&recommend=7&_nav=next",
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择 1 到 5 分。"));
    assert!(page.contains(r#"aria-describedby="err-overall_satisfaction""#));
    assert!(
        page.contains(r#"value="7" checked"#),
        "valid answers stay filled in"
    );
    assert_eq!(app.count_responses().await, 0);

    // Submitting from the last page with an error on page 1 goes back to page 1.
    let (status, _, page) = post_page(&app, "_lang=en&_page=3&recommend=9&_nav=submit").await;
    assert_eq!(status, 422);
    assert!(page.contains("<h1>Overall</h1>"));
    assert!(page.contains("Please answer this question."));
}

#[tokio::test]
async fn answers_are_escaped_when_shown_again() {
    let app = TestApp::new().await;
    let body = "_lang=en&_page=4&overall_satisfaction=1&recommend=1&first_purchase=yes&complaint=no&suggestion=%3Cscript%3Ealert(1)%3C%2Fscript%3E&_nav=back";
    let (_, _, page) = post_page(&app, body).await;
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn an_unknown_form_is_a_404_page() {
    let app = TestApp::new().await;
    // In the reader's language: Chinese without an Accept-Language, English when asked.
    let (status, page) = app.get("/s/no-such-form").await;
    assert_eq!(status, 404);
    assert!(page.contains("没有名为“no-such-form”的问卷。"), "{page}");
    let (status, page) = app.get("/s/no-such-form?lang=en").await;
    assert_eq!(status, 404);
    assert!(
        page.contains("There is no form &#39;no-such-form&#39;.")
            || page.contains("There is no form 'no-such-form'."),
        "{page}"
    );
    let (status, _, _) = app.post_form("/s/no-such-form", "a=1").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/nowhere").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_malformed_store_code_is_refused() {
    let app = TestApp::new().await;
    let (status, page) = app.get("/s/post-purchase?store=%3Cb%3E").await;
    assert_eq!(status, 400);
    assert!(
        page.contains("门店代码"),
        "in the customer's language (zh by default)"
    );
    assert!(!page.contains("<b>"));
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_with_413() {
    let app = TestApp::new().await;
    let big = format!("suggestion={}", "a".repeat(10 * 1024 * 1024));
    let (status, _, page) = app.post_form(FORM, &big).await;
    assert_eq!(status, 413);
    assert!(page.contains("64 KB"));
    assert_eq!(app.count_responses().await, 0);
}

#[tokio::test]
async fn invalid_utf8_and_wrong_content_types_are_refused() {
    let app = TestApp::new().await;
    let (status, _, page) = app.post_form(FORM, "suggestion=%FF%FE&_nav=submit").await;
    assert_eq!(status, 400);
    assert!(page.contains("not valid UTF-8"));
    let req = Request::post(FORM)
        .header("content-type", "text/plain")
        .body(Body::from("x"))
        .unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, 415);
    let (status, _, _) = post_page(&app, "_nav=explode").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await, (200, "ok".to_owned()));
    app.db.read.close().await;
    assert_eq!(app.get("/healthz").await.0, 503);
}

#[tokio::test]
async fn an_audit_checklist_is_never_served_as_a_public_form() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/s/store-audit").await.0, 404);
    assert_eq!(app.get("/api/v1/forms/store-audit").await.0, 404);
    let (_, list) = app.get("/api/v1/forms").await;
    assert!(!list.contains("store-audit"));
}
