//! Receipt codes on the public form: one purchase, one response; a wrong, reused or too-old code gets a clear message in both languages and stores nothing.

mod common;

use common::{TestApp, hidden};
use manyi::receipt::{self, ReceiptCode};

const FORM: &str = "/s/post-purchase";
const ANSWERS: &str = "_lang=en&_page=4&_seen=complaint+suggestion+contact_consent&overall_satisfaction=2&recommend=3\
    &first_purchase=no&heard_from=friend&exp_price=2&complaint=no&_nav=submit";

/// The shipped post-purchase survey with `receipt = "required"` in its settings.
async fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(common::surveys_dir().join("post-purchase.toml")).unwrap();
    let source = source.replacen(
        "languages = [\"zh\", \"en\"]",
        "languages = [\"zh\", \"en\"]\nreceipt = \"required\"",
        1,
    );
    assert!(source.contains("receipt = \"required\""));
    std::fs::write(dir.path().join("post-purchase.toml"), source).unwrap();
    let catalog = manyi::survey::load_dir(dir.path()).expect("the survey loads");
    TestApp::with_catalog(catalog).await
}

async fn code(app: &TestApp, store_number: u16, days_ago: i64, txn: u32) -> String {
    let key = app.state.intake.receipt_key(&app.db.write).await.unwrap();
    let day = app.state.settings.today() - time::Duration::days(days_ago);
    receipt::encode(
        key,
        &ReceiptCode {
            store_number,
            day,
            txn,
        },
    )
    .unwrap()
}

async fn counted(app: &TestApp) -> i64 {
    sqlx::query_scalar("select coalesce(sum(responses), 0) from daily_stat")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_linked_code_fixes_the_store_and_day_and_stores_one_response_ever() {
    let app = app().await;
    let c = code(&app, 2, 1, 4711).await;
    let (status, page) = app
        .get(&format!(
            "{FORM}?r={}&store=S001",
            receipt::format_grouped(&c).replace(' ', "+")
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        hidden(&page, "_store").as_deref(),
        Some("S002"),
        "the code's store wins"
    );
    assert!(
        hidden(&page, "_receipt").is_some(),
        "carried, not asked again"
    );
    assert!(!page.contains("id=\"q-_receipt\""));
    let body = format!("_store=S002&_receipt={c}&{ANSWERS}");
    let (status, _, page) = app.post_form(FORM, &body).await;
    assert_eq!(status, 303, "{page}");
    let (store, day, key): (String, String, String) =
        sqlx::query_as("select store, purchase_day, receipt from response")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(store, "S002");
    assert_eq!(
        day,
        (app.state.settings.today() - time::Duration::days(1)).to_string()
    );
    assert_eq!(key, c[..16]);
    // The same slip again, in a new filling (new token), from a typed, spaced code.
    let typed = receipt::format_grouped(&c).replace(' ', "+");
    let (status, _, page) = app
        .post_form(FORM, &format!("_store=S001&_receipt={typed}&{ANSWERS}"))
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("already been used for the survey"));
    assert!(page.contains("每张小票只能填写一次"));
    assert!(
        page.contains(r#"name="overall_satisfaction" value="2" checked"#),
        "answers kept"
    );
    assert_eq!(app.count_responses().await, 1);
    assert_eq!(counted(&app).await, 1);
    // A used slip's QR link says so at once, before any question is answered.
    let (status, page) = app.get(&format!("{FORM}?r={c}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("already been used for the survey"));
}

#[tokio::test]
async fn a_typed_code_on_the_first_page_is_checked_and_bad_ones_store_nothing() {
    let app = app().await;
    let (_, page) = app.get(FORM).await;
    assert!(
        page.contains("id=\"q-_receipt\""),
        "a required code is asked on page one"
    );
    assert!(page.contains("inputmode=\"numeric\""));
    let good = code(&app, 1, 0, 12).await;
    let mut typo = good.clone().into_bytes();
    typo[20] = if typo[20] == b'9' { b'0' } else { typo[20] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    let other_key = receipt::encode(
        &[9; 32],
        &ReceiptCode {
            store_number: 1,
            day: app.state.settings.today(),
            txn: 12,
        },
    )
    .unwrap();
    let old = code(&app, 1, 400, 12).await;
    let unknown_store = code(&app, 77, 0, 12).await;
    for (input, message) in [
        ("", "A receipt code has 25 digits"),
        ("12345", "A receipt code has 25 digits"),
        (typo.as_str(), "looks mistyped"),
        (other_key.as_str(), "We do not recognise this receipt code"),
        (
            unknown_store.as_str(),
            "We do not recognise this receipt code",
        ),
        (old.as_str(), "too old for the survey"),
    ] {
        let (status, _, page) = app
            .post_form(FORM, &format!("_store=S001&_receipt={input}&{ANSWERS}"))
            .await;
        assert_eq!(status, 422, "{input}: {page}");
        assert!(page.contains(message), "{input}: {message}");
        assert!(
            page.contains("id=\"q-_receipt\""),
            "back on the first page to fix it"
        );
        assert!(
            page.contains(r#"name="recommend" value="3" checked"#),
            "answers kept"
        );
    }
    assert_eq!(app.count_responses().await, 0);
    assert_eq!(counted(&app).await, 0);
    let (status, _, _) = app
        .post_form(FORM, &format!("_store=S001&_receipt={good}&{ANSWERS}"))
        .await;
    assert_eq!(status, 303);
    assert_eq!(counted(&app).await, 1);
}

#[tokio::test]
async fn a_bad_linked_code_is_said_at_once_and_can_be_typed_again() {
    let app = app().await;
    let (status, page) = app.get(&format!("{FORM}?r=0000")).await;
    assert_eq!(status, 200);
    assert!(page.contains("A receipt code has 25 digits"));
    assert!(page.contains("小票号码是 25 位数字"));
    assert!(page.contains("id=\"q-_receipt\""));
}
