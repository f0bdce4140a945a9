//! CSV exports are safe in spreadsheets: customers' text that looks like a formula is quoted with `'`, numbers stay numbers.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn formula_text_in_answers_is_quoted_in_the_export_and_numbers_are_not() {
    let app = TestApp::new().await;
    // Trusted: the same answers in quick succession are the point here, not a burst.
    let token = app.trusted_token().await;
    for text in [
        "=HYPERLINK(\"http://evil\",\"x\")",
        "@SUM(A1:A2) here",
        "+1+1+1+1",
        "-2+3+4+5",
    ] {
        let body = json!({ "store": "S001", "answers": {
            "overall_satisfaction": 2, "recommend": 3, "first_purchase": "no",
            "complaint": "yes", "complaint_text": text } });
        let (status, res) = app
            .post_json_as(
                &token,
                "/api/v1/forms/post-purchase/responses",
                &body.to_string(),
            )
            .await;
        assert_eq!(status, 201, "{res}");
    }
    let mut out = Vec::new();
    manyi::export::write_csv(&app.db.read, "post-purchase", &mut out)
        .await
        .unwrap();
    let mut csv = csv::Reader::from_reader(out.as_slice());
    let headers = csv.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let texts: Vec<&str> = rows.iter().map(|r| &r[col("complaint_text")]).collect();
    assert_eq!(
        texts,
        [
            "'=HYPERLINK(\"http://evil\",\"x\")",
            "'@SUM(A1:A2) here",
            "'+1+1+1+1",
            "'-2+3+4+5"
        ]
    );
    assert!(rows.iter().all(|r| &r[col("recommend")] == "3"));
}
