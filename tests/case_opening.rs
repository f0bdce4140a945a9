//! Cases opened by survey answers: in the response's transaction with their "opened" webhook queued, never for a held response, and late but surely when a manager accepts it.

mod common;

use common::{Browser, TestApp, hidden};
use manyi::auth::Role;
use manyi::webhooks::{Event, stamp};
use time::OffsetDateTime;

/// A complaint on the post-purchase form's last page, with consent and a contact.
const UNHAPPY: &str = "_lang=en&_store=S001&_page=4\
    &_seen=complaint+complaint_text+complaint_request+suggestion+contact_consent+contact\
    &overall_satisfaction=2&recommend=3&first_purchase=no&heard_from=friend&exp_price=2\
    &complaint=yes&complaint_text=The+fridge+arrived+broken&complaint_request=exchange\
    &contact_consent=yes&contact=13900000000&_nav=submit";

async fn add_hook(app: &TestApp) {
    manyi::db::webhooks::create(
        &app.db.write,
        "https://crm.example.com/hook",
        "a secret of at least sixteen",
        &[Event::CaseOpened],
        None,
        &stamp(OffsetDateTime::now_utc()),
    )
    .await
    .expect("webhook");
}

async fn cases(app: &TestApp) -> Vec<(String, String, Option<i64>, Option<String>, String)> {
    sqlx::query_as(
        "select code, description, response_id, contact, opened_at from complaint_case order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn opened_payloads(app: &TestApp) -> Vec<serde_json::Value> {
    let rows: Vec<String> = sqlx::query_scalar(
        "select payload from webhook_delivery where event = 'case.opened' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect()
}

/// A manager's decision on one held response, as the queue's form posts it.
async fn decide(b: &Browser, action: &str, id: &str) -> u16 {
    b.post_with_csrf(
        "/responses/held",
        "/responses/held/decide",
        &[("scope", "selected"), ("action", action), ("id", id)],
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn a_complaint_opens_its_case_with_the_response_and_queues_the_opened_webhook() {
    let app = TestApp::new().await;
    add_hook(&app).await;
    // A customer who took their time (the helper's token is ten minutes old): counted.
    let (status, headers, _) = app.post_form("/s/post-purchase", UNHAPPY).await;
    assert_eq!(status, 303);
    let location = headers["location"].to_str().unwrap();
    let found = cases(&app).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, words, response, contact, _) = &found[0];
    assert!(location.contains(&format!("case={code}")), "{location}");
    assert_eq!(words, "The fridge arrived broken");
    assert!(response.is_some());
    assert_eq!(contact.as_deref(), Some("13900000000"));
    let sent = opened_payloads(&app).await;
    assert_eq!(
        sent.len(),
        1,
        "one opened webhook, queued with the response"
    );
    assert_eq!(sent[0]["code"], code.as_str());
    assert_eq!(sent[0]["path"], format!("/cases/{code}"));
}

#[tokio::test]
async fn a_held_complaint_opens_no_case_until_a_manager_accepts_it() {
    let app = TestApp::new().await;
    add_hook(&app).await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    // Sent the instant the page came back: held as too fast, so no case yet.
    let (_, page) = app.get("/s/post-purchase?store=S001&lang=en").await;
    let token = hidden(&page, "_token").unwrap();
    let (status, headers, _) = app
        .post_form("/s/post-purchase", &format!("_token={token}&{UNHAPPY}"))
        .await;
    assert_eq!(status, 303);
    assert!(
        !headers["location"].to_str().unwrap().contains("case="),
        "a held response shows no case reference"
    );
    assert!(cases(&app).await.is_empty());
    assert!(opened_payloads(&app).await.is_empty());
    let (id, submitted_at): (String, String) =
        sqlx::query_as("select public_id, submitted_at from response where state = 'held'")
            .fetch_one(&app.pool)
            .await
            .unwrap();

    // Excluding it opens nothing; but first a manager accepts it.
    let mia = Browser::logged_in(&base, "mia").await;
    assert_eq!(decide(&mia, "accept", &id).await, 303);
    let found = cases(&app).await;
    assert_eq!(found.len(), 1, "accepting opens the case: {found:?}");
    let (code, words, response, contact, opened_at) = &found[0];
    assert_eq!(words, "The fridge arrived broken");
    assert!(response.is_some());
    assert_eq!(contact.as_deref(), Some("13900000000"));
    assert_eq!(
        opened_at, &submitted_at,
        "dated when the customer complained: the reply clock ran while it was held"
    );
    let sent = opened_payloads(&app).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["code"], code.as_str());

    // Deciding again (a second click) opens no second case.
    assert_eq!(decide(&mia, "accept", &id).await, 303);
    assert_eq!(cases(&app).await.len(), 1);
}

#[tokio::test]
async fn an_excluded_complaint_never_opens_a_case() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let (_, page) = app.get("/s/post-purchase?store=S001&lang=en").await;
    let token = hidden(&page, "_token").unwrap();
    app.post_form("/s/post-purchase", &format!("_token={token}&{UNHAPPY}"))
        .await;
    let id: String = sqlx::query_scalar("select public_id from response where state = 'held'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mia = Browser::logged_in(&base, "mia").await;
    assert_eq!(decide(&mia, "exclude", &id).await, 303);
    assert!(cases(&app).await.is_empty());
}
