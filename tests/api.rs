//! The JSON API through the real router: forms, submissions with the HTML form's checks, and the CSV export.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::TestApp;
use serde_json::json;

const RESPONSES: &str = "/api/v1/forms/post-purchase/responses";

#[tokio::test]
async fn forms_are_listed_with_id_version_title_and_languages() {
    let app = TestApp::new().await;
    let (_, _, body) = app
        .send(Request::get("/api/v1/forms").body(Body::empty()).unwrap())
        .await;
    let forms: serde_json::Value = serde_json::from_str(&body).unwrap();
    let pp = forms
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "post-purchase")
        .expect("listed");
    assert_eq!(pp["version"], "2026.12.1");
    assert_eq!(pp["languages"], json!(["zh", "en"]));
    assert_eq!(pp["title"]["en"], "How was your shopping today?");
}

#[tokio::test]
async fn a_form_definition_gives_types_choices_and_required() {
    let app = TestApp::new().await;
    let (status, body) = app.get("/api/v1/forms/post-purchase").await;
    assert_eq!(status, 200);
    let def: serde_json::Value = serde_json::from_str(&body).unwrap();
    let q = |name: &str| {
        def["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(q("recommend")["type"], "nps");
    assert_eq!(q("recommend")["required"], true);
    assert_eq!(q("recommend")["indicator"], json!({"tag": "reputation"}));
    assert_eq!(q("heard_from")["type"], "select_multiple");
    assert_eq!(q("heard_from")["choices"][0]["name"], "friend");
    assert_eq!(q("complaint_text")["relevant"], "${complaint} = 'yes'");
    assert_eq!(
        q("exp_price")["indicator"],
        json!({"tag": "experience", "aspect": "price"})
    );
    let (status, body) = app.get("/api/v1/forms/nope").await;
    assert_eq!(status, 404);
    assert!(body.contains("\"errors\""));
}

#[tokio::test]
async fn a_valid_response_is_created_and_comes_back_out_in_the_csv_export() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let body = json!({
        "store": "S001", "lang": "zh",
        "answers": { "overall_satisfaction": 2, "recommend": 9, "first_purchase": "no",
                     "heard_from": ["friend", "online"], "complaint": "yes",
                     "complaint_text": "排队太久, \"收银\"只开了一个", "unknown_field": 1 }
    });
    let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 201, "{res}");
    let id = res["id"].as_str().unwrap_or_default();
    assert!(
        id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "an opaque id, not the row number: {res}"
    );

    let mut csv = Vec::new();
    let rows = manyi::export::write_csv(&app.db.write, "post-purchase", &mut csv)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let mut reader = csv::Reader::from_reader(&csv[..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        &headers.iter().take(6).collect::<Vec<_>>(),
        &[
            "id",
            "submitted_at",
            "store",
            "lang",
            "version",
            "overall_satisfaction"
        ]
    );
    assert!(!headers.iter().any(|h| h == "unknown_field"));
    let record = reader.records().next().unwrap().unwrap();
    let col = |name: &str| {
        record
            .get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    assert_eq!(col("store"), "S001");
    assert_eq!(col("recommend"), "9");
    assert_eq!(col("heard_from"), "friend;online");
    assert_eq!(col("complaint_text"), "排队太久, \"收银\"只开了一个");
    assert_eq!(col("suggestion"), "");
}

#[tokio::test]
async fn invalid_answers_get_422_with_a_message_per_field() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let body = json!({ "lang": "en", "answers": { "overall_satisfaction": "great", "recommend": 11, "heard_from": ["tv"], "first_purchase": {"a": 1} } });
    let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 422);
    assert_eq!(
        res["errors"]["first_purchase"],
        "Must be a string, a number, true/false, or a list of those."
    );
    let body = json!({ "lang": "en", "answers": { "overall_satisfaction": "great", "recommend": 11, "heard_from": ["tv"] } });
    let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 422);
    assert_eq!(
        res["errors"]["overall_satisfaction"],
        "Please choose a score from 1 to 5."
    );
    assert_eq!(
        res["errors"]["recommend"],
        "Please choose a score from 0 to 10."
    );
    assert_eq!(
        res["errors"]["heard_from"],
        "Please choose from the options listed."
    );
    assert_eq!(
        res["errors"]["first_purchase"],
        "Please answer this question."
    );
    assert_eq!(app.count_responses().await, 0);
}

#[tokio::test]
async fn relevance_applies_to_the_api_too() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    // High scores: the complaint questions do not apply, so they are neither required nor stored.
    let body = json!({ "answers": { "overall_satisfaction": 5, "recommend": 10, "first_purchase": true, "complaint": "yes" } });
    let (status, _) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 201);
    let stored: i64 =
        sqlx::query_scalar("select count(*) from answer where question = 'complaint'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
    // Low scores: the complaint question now applies and is required.
    let body = json!({ "answers": { "overall_satisfaction": 1, "recommend": 10, "first_purchase": "yes" } });
    let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 422);
    assert!(res["errors"]["complaint"].is_string());
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_store_once() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let body =
        json!({ "answers": { "overall_satisfaction": 4, "recommend": 8, "first_purchase": "no" } })
            .to_string();
    let send = || {
        Request::post(RESPONSES)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .header("idempotency-key", "till-7-0001")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let (first, _, a) = app.send(send()).await;
    let (second, _, b) = app.send(send()).await;
    assert_eq!((first, second), (201, 200));
    assert_eq!(a, b);
    assert_eq!(app.count_responses().await, 1);
    // Another integration using the same key is another client: its own response.
    let other = app.submit_token().await;
    let req = Request::post(RESPONSES)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {other}"))
        .header("idempotency-key", "till-7-0001")
        .body(Body::from(body.clone()))
        .unwrap();
    let (status, _, c) = app.send(req).await;
    assert_eq!(status, 201);
    assert_ne!(a, c, "never the other client's response");
    assert_eq!(app.count_responses().await, 2);
}

#[tokio::test]
async fn malformed_bodies_get_clear_4xx_errors() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let (status, res) = app.post_json_as(&token, RESPONSES, "{\"answers\": {").await;
    assert_eq!(status, 400);
    assert!(res["errors"]["request"].as_str().unwrap().contains("JSON"));
    let (status, res) = app.post_json_as(&token, RESPONSES, "{\"store\": 5}").await;
    assert_eq!(status, 422);
    assert!(res["errors"]["request"].is_string());
    let (status, res) = app
        .post_json_as(
            &token,
            RESPONSES,
            &json!({"lang": "fr", "answers": {}}).to_string(),
        )
        .await;
    assert_eq!(status, 422);
    assert!(res["errors"]["lang"].as_str().unwrap().contains("zh, en"));
    let (status, _) = app
        .post_json_as(&token, "/api/v1/forms/nope/responses", "{}")
        .await;
    assert_eq!(status, 404);
    let req = Request::post(RESPONSES)
        .header("content-type", "text/plain")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.send(req).await.0, 415);
    let big = format!(
        "{{\"answers\": {{\"suggestion\": \"{}\"}}}}",
        "x".repeat(10 * 1024 * 1024)
    );
    let (status, res) = app.post_json_as(&token, RESPONSES, &big).await;
    assert_eq!(status, 413);
    assert!(res["errors"]["request"].as_str().unwrap().contains("64 KB"));
    let req = Request::post(RESPONSES)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(vec![b'"', 0xff, b'"']))
        .unwrap();
    assert_eq!(app.send(req).await.0, 400);
    let (status, res) = app.post_json("/api/v1/nothing", "{}").await;
    assert_eq!(status, 404);
    assert!(res["errors"]["request"].is_string());
}

#[tokio::test]
async fn editing_a_survey_keeps_old_responses_and_their_export_intact() {
    let source = std::fs::read_to_string(common::surveys_dir().join("after-service.toml")).unwrap();
    let v1 = manyi::survey::parse_survey("v1", &source).unwrap();
    let app = TestApp::with_catalog(manyi::survey::Catalog::from_surveys([v1])).await;
    let token = app.submit_token().await;
    let body = json!({ "answers": { "service_type": "repair", "on_time": "yes", "fixed": "yes", "staff_rating": 5, "overall": 5, "recommend": 10, "complaint": "no" } });
    assert_eq!(
        app.post_json_as(
            &token,
            "/api/v1/forms/after-service/responses",
            &body.to_string()
        )
        .await
        .0,
        201
    );

    // Version 2 renames a question and drops another; the same database keeps serving.
    let edited = source
        .replace("version = \"2026.11.1\"", "version = \"2026.12.1\"")
        .replace("name = \"staff_rating\"", "name = \"staff_skill\"");
    let v2 = manyi::survey::parse_survey("v2", &edited).unwrap();
    let mut app2 = app;
    app2.state = manyi::AppState::new(app2.db.clone(), manyi::survey::Catalog::from_surveys([v2]));
    let body = json!({ "answers": { "service_type": "delivery", "on_time": "no", "staff_skill": 2, "overall": 2, "recommend": 3, "complaint": "yes", "comment": "late" } });
    assert_eq!(
        app2.post_json_as(
            &token,
            "/api/v1/forms/after-service/responses",
            &body.to_string()
        )
        .await
        .0,
        201
    );

    let mut out = Vec::new();
    manyi::export::write_csv(&app2.db.write, "after-service", &mut out)
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(&out[..]);
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert!(
        headers.contains(&"staff_skill".to_owned()) && headers.contains(&"staff_rating".to_owned())
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |row: &csv::StringRecord, name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (
            col(&rows[0], "version"),
            col(&rows[0], "staff_rating"),
            col(&rows[0], "staff_skill")
        ),
        ("2026.11.1".into(), "5".into(), String::new())
    );
    assert_eq!(
        (
            col(&rows[1], "version"),
            col(&rows[1], "staff_rating"),
            col(&rows[1], "staff_skill")
        ),
        ("2026.12.1".into(), String::new(), "2".into())
    );
    let hashes: i64 = sqlx::query_scalar("select count(distinct definition_hash) from response")
        .fetch_one(&app2.pool)
        .await
        .unwrap();
    assert_eq!(hashes, 2);
}
