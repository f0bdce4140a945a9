//! Real-browser test of mystery shopping: a shopper on a phone-sized headless Chromium logs in,
//! fills the store-audit checklist with a receipt photo, saves, resumes, fixes a refusal and submits.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; without them the test fails on purpose.

mod common;

use common::TestApp;
use common::chrome::Phone;
use fantoccini::Locator;
use manyi::auth::Role;
use manyi::i18n::Lang;
use manyi::i18n::audits::Audit;

/// The page's words as the Chinese-speaking shopper reads them, from the catalogue.
fn zh(text: Audit) -> &'static str {
    text.text(Lang::Zh)
}

/// Each section's heading (zh) and its taps, `question=value`; the two numbers are typed.
const SECTIONS: [(&str, &str); 6] = [
    ("迎接", "greet_smile=yes staff_uniform=yes"),
    (
        "店面形象",
        "entrance_clean=yes shelves_stocked=yes price_tags=yes restroom_clean=na",
    ),
    (
        "产品知识",
        "product_answers=expert explained_energy=yes confidence=5",
    ),
    (
        "需求了解",
        "asked_needs=yes suitable_offer=yes no_pressure=yes",
    ),
    ("收银", "price_matched=yes receipt_given=yes"),
    (
        "送别",
        "thanked=yes aftercare_explained=yes follow_up_offered=no",
    ),
];

fn taps(section: usize) -> impl Iterator<Item = (&'static str, &'static str)> {
    SECTIONS[section]
        .1
        .split(' ')
        .filter_map(|t| t.split_once('='))
}

async fn fill(b: &Phone, section: usize) {
    b.expect_h(2, SECTIONS[section].0).await;
    assert_eq!(
        b.text("p#progress").await,
        format!("第 {} 页，共 7 页", section + 2)
    );
    if section == 4 {
        b.type_in("input[name=minutes_waiting]", "3").await;
    }
    for (name, value) in taps(section) {
        b.tap(name, value).await;
    }
}

async fn one<T>(app: &TestApp, sql: &str, id: i64) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
{
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn a_shopper_on_a_phone_fills_a_checklist_with_a_photo_and_submits_it() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = common::Browser::logged_in(&base, "mia").await;
    let shopper = sam.to_string();
    let fields = [
        ("shopper", shopper.as_str()),
        ("store", "S001"),
        ("checklist", "store-audit"),
        ("window_from", "2026-01-01"),
        ("window_to", "2099-12-31"),
        ("scenario", "Ask about a fridge"),
    ];
    let res = manager.post_with_csrf("/assignments/new", "/assignments", &fields);
    assert_eq!(res.await.status(), 303, "assignment created");
    let id: i64 = one(&app, "select max(id) from audit where shopper_id = ?", sam).await;
    let status_sql = "select status from audit where id = ?";

    // Log in through the form, as the shopper would.
    // A Chinese-speaking shopper: pages reached by links (not posts) negotiate zh.
    let b = Phone::open("zh-CN,zh").await;
    b.client.goto(&format!("{base}/login")).await.unwrap();
    let photo = b.draw_jpeg().await;
    assert!(photo.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    let dir = tempfile::tempdir().unwrap();
    let photo_path = dir.path().join("receipt.jpg");
    std::fs::write(&photo_path, &photo).unwrap();
    b.type_in("#username", "sam").await;
    b.type_in("#password", common::PASSWORD).await;
    b.click("form[action='/login'] button[type=submit]").await;
    b.expect_h(1, zh(Audit::MyAssignments)).await;
    assert_eq!(b.url().await, format!("{base}/audits"));
    let row = b.text("tbody tr").await;
    assert!(
        row.contains("南京路店") && row.contains(zh(Audit::DueNow)),
        "row: {row}"
    );
    b.tap_link(zh(Audit::ActStart)).await;

    // The visit page: date and times, and the receipt photo.
    b.expect_h(2, zh(Audit::VisitHeading)).await;
    assert_eq!(b.url().await, format!("{base}/audits/{id}"));
    assert_eq!(b.text("p#progress").await, "第 1 页，共 7 页");
    b.set("input[name=visit_date]", "2026-11-20").await;
    b.set("input[name=time_in]", "10:00").await;
    b.set("input[name=time_out]", "10:25").await;
    b.type_in(
        "input#evidence[name=evidence]",
        photo_path.to_str().unwrap(),
    )
    .await;
    b.press("next").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.status().await, 200);

    // Phone-sized, and nothing scrolls sideways.
    let width = b.js_i64("return window.innerWidth").await;
    assert!((350..=370).contains(&width), "viewport {width}px wide");
    let overflow = b
        .js_i64("return document.documentElement.scrollWidth - window.innerWidth")
        .await;
    assert!(
        overflow <= 1,
        "the section page scrolls sideways by {overflow}px"
    );

    // Greeting: 45 s fails. The comment box is folded until its summary is tapped; leave it empty.
    fill(&b, 0).await;
    b.type_in("input[name=seconds_to_greet]", "45").await;
    let comment = "textarea[name=comment_seconds_to_greet]";
    assert!(!b.find(comment).await.is_displayed().await.unwrap());
    b.click("details:has(textarea[name=comment_seconds_to_greet]) > summary")
        .await;
    assert!(b.find(comment).await.is_displayed().await.unwrap());

    // Back to the visit page: the photo is stored and shows as a thumbnail that really loads.
    b.press("back").await;
    b.expect_h(2, zh(Audit::VisitHeading)).await;
    assert_eq!(b.value("input[name=visit_date]").await, "2026-11-20");
    assert_eq!(b.value("input[name=time_in]").await, "10:00");
    assert_eq!(b.value("input[name=time_out]").await, "10:25");
    let evidence: i64 = one(&app, "select max(id) from evidence where audit_id = ?", id).await;
    let thumb = format!("img[src='/audits/{id}/evidence/{evidence}']");
    b.find(&thumb).await;
    b.until(&format!(
        "const i = document.querySelector(\"{thumb}\"); return i.complete && i.naturalWidth === 48"
    ))
    .await;

    // Greeting again, answers kept; Next goes on without the comment (only submit needs it).
    b.press("next").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.value("input[name=seconds_to_greet]").await, "45");
    assert!(b.is_checked("greet_smile", "yes").await);
    b.press("next").await;
    fill(&b, 1).await;
    b.press("next").await;
    fill(&b, 2).await;

    // Save mid-way, then come back through the list: the draft opens where it stopped.
    b.press("save").await;
    b.expect_h(1, zh(Audit::MyAssignments)).await;
    assert_eq!(b.text("p.ok").await, zh(Audit::DraftSaved));
    assert_eq!(one::<String>(&app, status_sql, id).await, "in_progress");
    b.tap_link(zh(Audit::ActContinue)).await;
    b.expect_h(2, SECTIONS[2].0).await;
    for (name, value) in taps(2) {
        assert!(b.is_checked(name, value).await, "{name}={value} lost");
    }
    assert!(!b.is_checked("product_answers", "basic").await);
    for section in 3..6 {
        b.press("next").await;
        fill(&b, section).await;
    }
    let next = b.client.find(Locator::Css("button[value=next]")).await;
    assert!(next.is_err(), "Next on the last page");

    // Submit: refused on the greeting page, since its failed item has no comment.
    b.press("submit").await;
    b.expect_h(2, SECTIONS[0].0).await;
    assert_eq!(b.status().await, 422);
    let error = b.text("p.err#err-comment_seconds_to_greet").await;
    assert!(error.contains(zh(Audit::ErrCommentFailed)), "{error}");
    assert_eq!(b.value("input[name=seconds_to_greet]").await, "45");
    assert!(b.is_checked("staff_uniform", "yes").await);
    assert_eq!(one::<String>(&app, status_sql, id).await, "in_progress");

    // The box comes back open with the error; write what happened and go on to the end.
    let details = "details:has(textarea[name=comment_seconds_to_greet])";
    if b.find(details).await.attr("open").await.unwrap().is_none() {
        b.click(&format!("{details} > summary")).await;
    }
    let said = "两名店员在收银台聊天，45 秒后才招呼。";
    b.type_in(comment, said).await;
    for (heading, _) in &SECTIONS[1..] {
        b.press("next").await;
        b.expect_h(2, heading).await;
    }
    b.press("submit").await;
    b.expect_h(1, zh(Audit::MyAssignments)).await;
    assert_eq!(b.url().await, format!("{base}/audits?done=submitted"));
    assert_eq!(b.text("p.ok").await, zh(Audit::SubmittedThanks));
    let gone = b
        .client
        .find(Locator::LinkText(zh(Audit::ActContinue)))
        .await;
    assert!(gone.is_err(), "a submitted audit can still be continued");
    b.tap_link(zh(Audit::ActView)).await;
    b.expect_h(2, zh(Audit::History)).await;
    b.client.clone().close().await.expect("session closes");

    // What was stored: status, score, the receipt and the comment.
    assert_eq!(one::<String>(&app, status_sql, id).await, "submitted");
    let score: f64 = one(&app, "select score from audit where id = ?", id).await;
    assert!((score - 92.5).abs() < 1e-9, "score {score}");
    let greeting: f64 = one(
        &app,
        "select percent from audit_section_score where audit_id = ? and section = 'greeting'",
        id,
    )
    .await;
    assert!((greeting - 50.0).abs() < 1e-9, "greeting {greeting}");
    let kinds =
        "select group_concat(section || ' ' || content_type) from evidence where audit_id = ?";
    assert_eq!(one::<String>(&app, kinds, id).await, "visit image/jpeg");
    let bytes: Vec<u8> = one(&app, "select bytes from evidence where audit_id = ?", id).await;
    assert!(bytes == photo, "the stored photo differs from the file");
    let comments =
        "select group_concat(question || ': ' || comment) from audit_comment where audit_id = ?";
    let expected = format!("seconds_to_greet: {said}");
    assert_eq!(one::<String>(&app, comments, id).await, expected);
    let visit = "select visit_date || ' ' || time_in || '-' || time_out from audit where id = ?";
    assert_eq!(
        one::<String>(&app, visit, id).await,
        "2026-11-20 10:00-10:25"
    );
}
