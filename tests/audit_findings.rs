//! Mystery-shop findings as cases: approving an audit whose knock-out items failed opens one case for its store, with the items and the shopper's comments; other decisions and clean audits open none.

mod common;

use common::{Browser, TestApp};
use manyi::answers::{RawAnswers, Scope, check};
use manyi::audits::Status;
use manyi::auth::Role;
use manyi::db::audits::{self, NewAssignment, Submission};

/// Every item passes except those named in `fail` (answered "no").
fn raw(fail: &[&str]) -> RawAnswers {
    let mut raw = RawAnswers::new();
    for (q, v) in [
        ("seconds_to_greet", "10"),
        ("greet_smile", "yes"),
        ("staff_uniform", "yes"),
        ("entrance_clean", "yes"),
        ("shelves_stocked", "yes"),
        ("price_tags", "yes"),
        ("restroom_clean", "yes"),
        ("product_answers", "expert"),
        ("explained_energy", "yes"),
        ("confidence", "5"),
        ("asked_needs", "yes"),
        ("suitable_offer", "yes"),
        ("no_pressure", "yes"),
        ("minutes_waiting", "3"),
        ("price_matched", "yes"),
        ("receipt_given", "yes"),
        ("thanked", "yes"),
        ("aftercare_explained", "yes"),
        ("follow_up_offered", "yes"),
    ] {
        let v = if fail.contains(&q) { "no" } else { v };
        raw.entry(q.into()).or_default().push(v.into());
    }
    raw
}

/// A submitted store-audit for S001 by `shopper`, failing `fail`, with `comments`.
async fn submitted(
    app: &TestApp,
    shopper: i64,
    manager: i64,
    fail: &[&str],
    comments: &[(String, String)],
) -> i64 {
    let survey = app.state.catalog.get("store-audit").unwrap().clone();
    let id = audits::create(
        &app.db.write,
        NewAssignment {
            shopper_id: shopper,
            store_code: "S001",
            checklist_id: "store-audit",
            window_from: "2026-01-01",
            window_to: "2099-12-31",
            scenario: None,
            created_by: manager,
        },
    )
    .await
    .unwrap();
    let checked = check(&survey, &raw(fail), Scope::All, survey.default_lang);
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    let score = manyi::scoring::score(&survey, &checked.answers);
    audits::submit(
        &app.db.write,
        id,
        shopper,
        Status::Assigned,
        Submission {
            survey: &survey,
            answers: &checked.answers,
            comments,
            score: &score,
            visit: ("2026-11-20", "10:00", "10:40"),
            flags: &[],
        },
    )
    .await
    .unwrap();
    id
}

async fn decide(b: &Browser, id: i64, action: &str, reason: &str) -> u16 {
    let path = format!("/audits/{id}/review");
    b.post_with_csrf(&path, &path, &[("action", action), ("reason", reason)])
        .await
        .status()
        .as_u16()
}

type Found = (String, String, String, String, String, Option<i64>);

async fn cases(app: &TestApp) -> Vec<Found> {
    sqlx::query_as(
        "select channel, store, priority, request, description, audit_id from complaint_case order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn approving_an_audit_with_failed_knock_outs_opens_one_case_for_its_store() {
    let app = TestApp::new().await;
    let mia = app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    let comments = vec![(
        "price_matched".to_owned(),
        "Charged 3,299 for a TV labelled 2,999".to_owned(),
    )];
    let id = submitted(
        &app,
        sam,
        mia,
        &["price_matched", "receipt_given"],
        &comments,
    )
    .await;
    // Submitted is not yet a finding: the manager has not looked.
    assert!(cases(&app).await.is_empty());

    assert_eq!(decide(&manager, id, "approve", "").await, 303);
    let found = cases(&app).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let (channel, store, priority, request, description, audit) = &found[0];
    assert_eq!(channel, "mystery_shop");
    assert_eq!(store, "S001");
    assert_eq!(priority, "high", "a visit-level knock-out");
    assert_eq!(request, "none");
    assert_eq!(*audit, Some(id));
    assert_eq!(
        description,
        &format!(
            "神秘顾客访问 #{id} (2026-11-20) 未通过关键项：\n\
             - 实收金额是否与标价或承诺一致？ (整次访问)：Charged 3,299 for a TV labelled 2,999"
        ),
        "the knock-out with its comment; the plain miss (receipt) is only in the score"
    );
    // Excluding it later from the reports keeps the case: the finding was real.
    assert_eq!(
        decide(&manager, id, "exclude", "Shopper knew staff").await,
        303
    );
    assert_eq!(cases(&app).await.len(), 1);
    // The case is on the due list, for the store's people.
    let (_, list) = manager.get_text("/cases").await;
    assert!(list.contains("S001"));
}

#[tokio::test]
async fn a_clean_audit_a_rejected_one_and_a_revision_open_no_case() {
    let app = TestApp::new().await;
    let mia = app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    let clean = submitted(&app, sam, mia, &["receipt_given"], &[]).await;
    assert_eq!(decide(&manager, clean, "approve", "").await, 303);
    let rejected = submitted(&app, sam, mia, &["no_pressure"], &[]).await;
    assert_eq!(
        decide(&manager, rejected, "reject", "Wrong store visited").await,
        303
    );
    let revised = submitted(&app, sam, mia, &["no_pressure"], &[]).await;
    assert_eq!(
        decide(&manager, revised, "revise", "Add the photo").await,
        303
    );
    assert!(cases(&app).await.is_empty());

    // A section-level knock-out approved opens a normal-priority case.
    let pushy = submitted(&app, sam, mia, &["no_pressure"], &[]).await;
    assert_eq!(decide(&manager, pushy, "approve", "").await, 303);
    let found = cases(&app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].2, "normal");
    assert!(found[0].4.ends_with("(本部分)"), "{}", found[0].4);
}
