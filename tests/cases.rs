//! Complaint cases through the real server: opening from survey answers in the response's transaction, the 8 steps with their refusals, the customer's signed links, and the overdue sweep.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;
use serde_json::json;

const RESPONSES: &str = "/api/v1/forms/post-purchase/responses";

async fn complaint(app: &TestApp, store: &str) -> String {
    let token = app.trusted_token().await;
    let body = json!({
        "store": store, "lang": "zh",
        "answers": { "overall_satisfaction": 2, "recommend": 8, "first_purchase": "no",
                     "complaint": "yes", "complaint_text": "冰箱送到时是坏的",
                     "complaint_request": "exchange", "contact_consent": "yes", "contact": "138****0000" }
    });
    let (status, res) = app.post_json_as(&token, RESPONSES, &body.to_string()).await;
    assert_eq!(status, 201, "{res}");
    sqlx::query_scalar("select code from complaint_case order by id desc limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("a case was opened")
}

#[tokio::test]
async fn a_complaint_opens_a_case_with_the_response_and_a_happy_answer_does_not() {
    let app = TestApp::new().await;
    let code = complaint(&app, "S001").await;
    assert!(
        code.starts_with("TS-") && code.ends_with("-000001"),
        "{code}"
    );
    let (response_id, description, request, contact, step): (i64, String, String, Option<String>, String) =
        sqlx::query_as("select response_id, description, request, contact, step from complaint_case where code = ?")
            .bind(&code)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let stored: i64 = sqlx::query_scalar("select max(id) from response")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(response_id, stored);
    assert_eq!(
        (description.as_str(), request.as_str(), step.as_str()),
        ("冰箱送到时是坏的", "exchange", "validity")
    );
    assert_eq!(contact.as_deref(), Some("138****0000"));

    let token = app.trusted_token().await;
    let happy = json!({ "store": "S001", "answers": { "overall_satisfaction": 5, "recommend": 10, "first_purchase": "no" } });
    let (status, _) = app
        .post_json_as(&token, RESPONSES, &happy.to_string())
        .await;
    assert_eq!(status, 201);
    let n: i64 = sqlx::query_scalar("select count(*) from complaint_case")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 1, "a satisfied promoter opens no case");
}

#[tokio::test]
async fn the_form_thanks_page_gives_the_reference_and_a_status_link_that_cannot_be_forged() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let code = complaint(&app, "S001").await;
    let key = app.state.intake.case_key(&app.db.write).await.unwrap();
    let tag = manyi::web::case_public::status_tag(key, &code);
    let customer = Browser::speaking(&base, "zh-CN");
    let (status, page) = customer.get_text(&format!("/c/{code}?k={tag}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&code) && page.contains("已收到"), "{page}");
    let (status, _) = customer
        .get_text(&format!("/c/{code}?k={}", "0".repeat(64)))
        .await;
    assert_eq!(status, 404, "a forged signature is no case");
    let (status, _) = customer.get_text("/c/TS-2026-000001").await;
    assert_eq!(status, 404);
    let (status, page) = customer
        .get_text(&format!("/s/post-purchase/thanks?case={code}&k={tag}"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(&code), "the thank-you page names the case");
    let (_, page) = customer
        .get_text("/s/post-purchase/thanks?case=TS-2099-999999&k=00")
        .await;
    assert!(
        !page.contains("TS-2099"),
        "a made-up reference is never echoed"
    );
}

async fn step(b: &Browser, code: &str, fields: &[(&str, &str)]) -> u16 {
    b.post_with_csrf(
        &format!("/cases/{code}"),
        &format!("/cases/{code}/step"),
        fields,
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn the_eight_steps_in_order_with_every_refusal() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let manager = app.add_user("mgr", Role::Manager).await;
    let sm = app.add_user("sm1", Role::StoreManager).await;
    app.add_user("sm2", Role::StoreManager).await;
    app.add_user("shop", Role::Shopper).await;
    let other: i64 = sqlx::query_scalar("select id from user where username = 'sm2'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    manyi::db::user_stores::set_user_stores(&app.db.write, sm, &["S001".into()])
        .await
        .unwrap();
    manyi::db::user_stores::set_user_stores(&app.db.write, other, &["S002".into()])
        .await
        .unwrap();
    let code = complaint(&app, "S001").await;

    let shopper = Browser::logged_in(&base, "shop").await;
    assert_eq!(shopper.get_text("/cases").await.0, 403);
    let stranger = Browser::logged_in(&base, "sm2").await;
    assert_eq!(
        stranger.get_text(&format!("/cases/{code}")).await.0,
        404,
        "another store's case does not exist"
    );
    let (_, list) = stranger.get_text("/cases").await;
    assert!(!list.contains(&code));

    let sm_b = Browser::logged_in(&base, "sm1").await;
    let (status, list) = sm_b.get_text("/cases").await;
    assert_eq!(status, 200);
    assert!(list.contains(&code));
    // Skipping ahead is refused, and changes nothing.
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "cause"),
                ("category", "delivery"),
                ("root_cause", "x")
            ]
        )
        .await,
        409
    );
    // Without CSRF nothing happens.
    let res = sm_b
        .post(
            &format!("/cases/{code}/step"),
            &[("action", "judge"), ("valid", "yes")],
        )
        .await;
    assert!(res.status().is_client_error());
    assert_eq!(
        step(&sm_b, &code, &[("action", "judge"), ("valid", "no")]).await,
        422,
        "an invalid verdict needs its reason"
    );
    assert_eq!(
        step(&sm_b, &code, &[("action", "judge"), ("valid", "yes")]).await,
        303
    );
    let owner = manager.to_string();
    assert_eq!(
        step(&sm_b, &code, &[("action", "assign"), ("owner", "999")]).await,
        422
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "assign"),
                ("owner", &owner),
                ("department", "物流")
            ]
        )
        .await,
        303
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "cause"),
                ("category", "nonsense"),
                ("root_cause", "承运商野蛮装卸")
            ]
        )
        .await,
        422
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "cause"),
                ("category", "delivery"),
                ("root_cause", "承运商野蛮装卸")
            ]
        )
        .await,
        303
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "propose"),
                ("solution", "更换承运商"),
                ("remedy", "上门换新")
            ]
        )
        .await,
        303
    );
    // A store manager may not approve their own solution.
    assert_eq!(step(&sm_b, &code, &[("action", "approve")]).await, 403);
    let mgr_b = Browser::logged_in(&base, "mgr").await;
    assert_eq!(
        step(
            &mgr_b,
            &code,
            &[("action", "send_back"), ("back_reason", "")]
        )
        .await,
        422
    );
    assert_eq!(
        step(
            &mgr_b,
            &code,
            &[("action", "send_back"), ("back_reason", "补偿不够")]
        )
        .await,
        303
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "propose"),
                ("solution", "更换承运商"),
                ("remedy", "上门换新并赠送延保")
            ]
        )
        .await,
        303
    );
    assert_eq!(step(&mgr_b, &code, &[("action", "approve")]).await, 303);
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[("action", "implement"), ("implementation", "已换新")]
        )
        .await,
        303
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "close"),
                ("summary", "顾客满意"),
                ("customer_accepted", "yes")
            ]
        )
        .await,
        422,
        "resolved yes/no is required"
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[
                ("action", "close"),
                ("summary", "顾客满意"),
                ("customer_accepted", "yes"),
                ("resolved", "yes")
            ]
        )
        .await,
        303
    );
    assert_eq!(
        step(
            &sm_b,
            &code,
            &[("action", "implement"), ("implementation", "again")]
        )
        .await,
        409,
        "a closed case takes no step"
    );

    let (step_now, resolved, first_reply, closed): (String, bool, Option<String>, Option<String>) =
        sqlx::query_as(
            "select step, resolved, first_reply_at, closed_at from complaint_case where code = ?",
        )
        .bind(&code)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(step_now, "closed");
    assert!(resolved && first_reply.is_some() && closed.is_some());
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from case_event e join complaint_case c on c.id = e.case_id where c.code = ? order by e.id",
    )
    .bind(&code).fetch_all(&app.pool).await.unwrap();
    assert_eq!(
        actions,
        [
            "opened",
            "valid",
            "assigned",
            "cause",
            "proposed",
            "sent_back",
            "proposed",
            "approved",
            "implemented",
            "closed"
        ]
    );

    // The recovery link works once.
    let key = app.state.intake.case_key(&app.db.write).await.unwrap();
    let links = manyi::web::case_public::links(key, &code, "");
    let path = links.recovery.clone();
    let customer = Browser::new(&base);
    assert_eq!(customer.get_text(&path).await.0, 200);
    let res = customer
        .post(&path, &[("satisfied", "yes"), ("will_return", "no")])
        .await;
    assert_eq!(res.status(), 303);
    let res = customer
        .post(&path, &[("satisfied", "no"), ("will_return", "no")])
        .await;
    assert_eq!(res.status(), 409, "answered once");
    let (sat, ret): (bool, bool) = sqlx::query_as(
        "select recovery_satisfied, recovery_return from complaint_case where code = ?",
    )
    .bind(&code)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(sat && !ret);
    let forged = path.replace("?k=", "?k=00");
    assert_eq!(customer.get_text(&forged).await.0, 404);
}

#[tokio::test]
async fn replies_reach_the_customer_and_notes_never_do() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    app.add_user("mgr", Role::Manager).await;
    let code = complaint(&app, "S002").await;
    let mgr = Browser::logged_in(&base, "mgr").await;
    let page = format!("/cases/{code}");
    assert_eq!(
        mgr.post_with_csrf(
            &page,
            &format!("{page}/reply"),
            &[("message", "我们明天上门更换")]
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        mgr.post_with_csrf(
            &page,
            &format!("{page}/note"),
            &[("text", "内部：司机是新来的")]
        )
        .await
        .status(),
        303
    );
    let key = app.state.intake.case_key(&app.db.write).await.unwrap();
    let tag = manyi::web::case_public::status_tag(key, &code);
    let (_, status) = Browser::new(&base)
        .get_text(&format!("/c/{code}?k={tag}&lang=zh"))
        .await;
    assert!(status.contains("我们明天上门更换"));
    assert!(!status.contains("司机"), "internal notes stay internal");
    assert!(
        !status.contains("138"),
        "the contact is never on the public page"
    );
    // Erasing the contact keeps the case.
    assert_eq!(
        mgr.post_with_csrf(&page, &format!("{page}/erase"), &[])
            .await
            .status(),
        303
    );
    let contact: Option<String> =
        sqlx::query_scalar("select contact from complaint_case where code = ?")
            .bind(&code)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(contact, None);
}

#[tokio::test]
async fn staff_record_a_walk_in_and_the_overdue_sweep_escalates_once_with_a_webhook_queued() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    app.add_user("mgr", Role::Manager).await;
    sqlx::query("insert into webhook (url, secret, events, created_at) values ('http://127.0.0.1:9/h', 'ab', 'case.opened case.overdue', '2026-01-01T00:00:00Z')")
        .execute(&app.pool).await.unwrap();
    let mgr = Browser::logged_in(&base, "mgr").await;
    let res = mgr
        .post_with_csrf(
            "/cases/new",
            "/cases/new",
            &[
                ("kind", "complaint"),
                ("channel", "phone"),
                ("store", "S101"),
                ("description", "电话投诉：收银员态度差"),
                ("request", "apology"),
                ("priority", "normal"),
                ("contact", "13900000000"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "a contact without consent is refused");
    let res = mgr
        .post_with_csrf(
            "/cases/new",
            "/cases/new",
            &[
                ("kind", "complaint"),
                ("channel", "phone"),
                ("store", "S101"),
                ("description", "电话投诉：收银员态度差"),
                ("request", "apology"),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let opened: i64 =
        sqlx::query_scalar("select count(*) from webhook_delivery where event = 'case.opened'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(opened, 1);
    // Both deadlines pass.
    sqlx::query("update complaint_case set reply_due = '2026-01-01T00:00:00Z', resolve_due = '2026-01-02T00:00:00Z'")
        .execute(&app.pool).await.unwrap();
    assert_eq!(
        manyi::web::case_steps::sweep_overdue(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        manyi::web::case_steps::sweep_overdue(&app.state)
            .await
            .unwrap(),
        0,
        "escalated once"
    );
    let overdue: i64 =
        sqlx::query_scalar("select count(*) from webhook_delivery where event = 'case.overdue'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(overdue, 1);
    let (_, list) = mgr.get_text("/cases?state=overdue").await;
    assert!(list.contains("TS-"), "{list}");
}

/// Posts one of a case page's forms (`step`, `reply`, `note`, `recovery`) and reads the answer.
async fn post_case(b: &Browser, code: &str, form: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = b
        .post_with_csrf(
            &format!("/cases/{code}"),
            &format!("/cases/{code}/{form}"),
            fields,
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// The text inside the page's `<textarea name=NAME>`.
fn textarea_of<'a>(page: &'a str, name: &str) -> &'a str {
    let open = format!("name=\"{name}\"");
    let at = page
        .find(&open)
        .unwrap_or_else(|| panic!("no textarea {name}: {page}"));
    let rest = &page[at..];
    let start = rest.find('>').expect("tag ends") + 1;
    let end = rest.find("</textarea>").expect("textarea ends");
    &rest[start..end]
}

/// The value chosen in the page's `<select name=NAME>`, if any.
fn selected_of(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("<select id=\"{name}\" name=\"{name}\""))?;
    let rest = &page[at..];
    let rest = &rest[..rest.find("</select>")?];
    let option = rest.split("<option").find(|o| o.contains(" selected"))?;
    let value = option.split("value=\"").nth(1)?;
    Some(value[..value.find('"')?].to_owned())
}

#[tokio::test]
async fn a_refused_step_reply_note_or_visit_keeps_everything_typed() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let manager = app.add_user("mgr", Role::Manager).await.to_string();
    let code = complaint(&app, "S001").await;
    let b = Browser::logged_in(&base, "mgr").await;

    // Validity: "not valid" without its reason.
    let (status, page) =
        post_case(&b, &code, "step", &[("action", "judge"), ("valid", "no")]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"err-reason\""), "{page}");
    assert_eq!(selected_of(&page, "valid").as_deref(), Some("no"));
    assert_eq!(textarea_of(&page, "reason"), "");
    // A refused reply keeps its text, and leaves the step's form to its own values.
    let long = "很".repeat(4001);
    let (status, page) = post_case(&b, &code, "reply", &[("message", &long)]).await;
    assert_eq!(status, 422);
    assert_eq!(textarea_of(&page, "message"), long);
    assert_eq!(selected_of(&page, "valid"), None);
    let (status, page) = post_case(&b, &code, "note", &[("text", &long)]).await;
    assert_eq!(status, 422);
    assert_eq!(textarea_of(&page, "text"), long);
    assert_eq!(
        textarea_of(&page, "message"),
        "",
        "only the posted form is filled"
    );

    assert_eq!(
        step(&b, &code, &[("action", "judge"), ("valid", "yes")]).await,
        303
    );
    // Assign: an owner not in the list, with a department typed.
    let (status, page) = post_case(
        &b,
        &code,
        "step",
        &[
            ("action", "assign"),
            ("owner", "999"),
            ("department", "物流部"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("value=\"物流部\""), "{page}");
    assert_eq!(
        step(&b, &code, &[("action", "assign"), ("owner", &manager)]).await,
        303
    );

    // Cause: no category; the root cause comes back, escaped.
    let cause = "<script>alert(1)</script> 承运商野蛮装卸 & 无人检查";
    let (status, page) = post_case(
        &b,
        &code,
        "step",
        &[("action", "cause"), ("category", ""), ("root_cause", cause)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"err-category\""));
    assert_eq!(
        textarea_of(&page, "root_cause"),
        "&lt;script&gt;alert(1)&lt;/script&gt; 承运商野蛮装卸 &amp; 无人检查"
    );
    assert!(!page.contains("<script>alert(1)"), "{page}");
    // A category typed with a missing root cause keeps the category.
    let (status, page) = post_case(
        &b,
        &code,
        "step",
        &[
            ("action", "cause"),
            ("category", "delivery"),
            ("root_cause", " "),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(selected_of(&page, "category").as_deref(), Some("delivery"));
    assert_eq!(
        step(
            &b,
            &code,
            &[
                ("action", "cause"),
                ("category", "delivery"),
                ("root_cause", "承运商野蛮装卸")
            ]
        )
        .await,
        303
    );

    // Solution: no remedy, then a remedy too long; the solution and compensation stay.
    let solution = "更换承运商，并培训装卸";
    let fields = [
        ("action", "propose"),
        ("solution", solution),
        ("remedy", ""),
        ("compensation", "赠送延保一年"),
    ];
    let (status, page) = post_case(&b, &code, "step", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"err-remedy\""));
    assert_eq!(textarea_of(&page, "solution"), solution);
    assert!(page.contains("value=\"赠送延保一年\""));
    let fields = [
        ("action", "propose"),
        ("solution", solution),
        ("remedy", &long),
    ];
    let (status, page) = post_case(&b, &code, "step", &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("4,000"), "the too-long message");
    assert_eq!(textarea_of(&page, "solution"), solution);
    assert_eq!(textarea_of(&page, "remedy"), long);
    let step_now: String = sqlx::query_scalar("select step from complaint_case where code = ?")
        .bind(&code)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(step_now, "solution", "nothing refused was stored");
    let fields = [
        ("action", "propose"),
        ("solution", solution),
        ("remedy", "上门换新"),
    ];
    assert_eq!(step(&b, &code, &fields).await, 303);

    // Approval: sent back without a reason keeps the comment.
    let (status, page) = post_case(
        &b,
        &code,
        "step",
        &[
            ("action", "send_back"),
            ("approval_note", "方案可以再细"),
            ("back_reason", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(textarea_of(&page, "approval_note"), "方案可以再细");
    assert_eq!(step(&b, &code, &[("action", "approve")]).await, 303);
    assert_eq!(
        step(
            &b,
            &code,
            &[("action", "implement"), ("implementation", "已换新")]
        )
        .await,
        303
    );

    // Summary: resolved left out keeps the summary and the customer's answer.
    let (status, page) = post_case(
        &b,
        &code,
        "step",
        &[
            ("action", "close"),
            ("summary", "顾客接受换新"),
            ("customer_accepted", "no"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(textarea_of(&page, "summary"), "顾客接受换新");
    assert_eq!(
        selected_of(&page, "customer_accepted").as_deref(),
        Some("no")
    );
    assert_eq!(selected_of(&page, "resolved"), None);
    let fields = [
        ("action", "close"),
        ("summary", "顾客接受换新"),
        ("resolved", "yes"),
    ];
    assert_eq!(step(&b, &code, &fields).await, 303);

    // The return visit: one answer given keeps it, and the missing one is marked.
    let (status, page) = post_case(&b, &code, "recovery", &[("satisfied", "yes")]).await;
    assert_eq!(status, 422);
    assert_eq!(selected_of(&page, "satisfied").as_deref(), Some("yes"));
    assert!(page.contains("id=\"err-will_return\""), "{page}");
}

#[tokio::test]
async fn a_suggestion_numbers_its_own_steps_and_the_code_is_not_translated() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    let amy = app.add_user("amy", Role::Manager).await.to_string();
    let b = Browser::logged_in(&base, "amy").await;
    let res = b
        .post_with_csrf(
            "/cases/new",
            "/cases/new",
            &[
                ("kind", "suggestion"),
                ("channel", "phone"),
                ("store", "S002"),
                ("description", "Open at nine on Sundays."),
                ("request", "none"),
                ("priority", "low"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let code: String = sqlx::query_scalar("select code from complaint_case")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (_, page) = b.get_text(&format!("/cases/{code}")).await;
    assert!(page.contains("Step 1 of 2 · Assign"), "{page}");
    assert!(
        page.contains(&format!(
            "<h1><span translate=\"no\">{code}</span> · Suggestion</h1>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("<title>{code} · Suggestion")),
        "{page}"
    );
    assert!(page.contains(">1. Assign<") && page.contains(">2. Summarise and evaluate<"));
    assert_eq!(
        step(&b, &code, &[("action", "assign"), ("owner", &amy)]).await,
        303
    );
    let (_, page) = b.get_text(&format!("/cases/{code}")).await;
    assert!(
        page.contains("Step 2 of 2 · Summarise and evaluate"),
        "{page}"
    );

    // A complaint keeps the 8 steps' numbers, in Chinese too.
    let complaint = complaint(&app, "S001").await;
    let zh = Browser::logged_in_speaking(&base, "amy", "zh-CN,zh").await;
    let (_, page) = zh.get_text(&format!("/cases/{complaint}")).await;
    assert!(page.contains("第 2 步，共 8 步 · 判断是否有效"), "{page}");
    assert!(page.contains(&format!("<span translate=\"no\">{complaint}</span> · 投诉")));
}

#[tokio::test]
async fn the_list_offers_its_filter_as_a_csv_with_and_without_contacts() {
    let app = TestApp::new().await;
    let base = app.spawn().await;
    app.add_user("mgr", Role::Manager).await;
    let b = Browser::logged_in(&base, "mgr").await;
    let (status, page) = b
        .get_text("/cases?store=S%26%3C1&state=all&kind=complaint&from=2026-01-01&to=2026-12-31")
        .await;
    assert_eq!(status, 200, "{page}");
    let query = "store=S%26%3C1&amp;state=all&amp;kind=complaint&amp;from=2026%2D01%2D01&amp;to=2026%2D12%2D31";
    assert!(
        page.contains(&format!(
            "<a href=\"/cases/export.csv?{query}\">Download CSV</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<a href=\"/cases/export.csv?{query}&amp;contact=1\">With contacts</a>"
        )),
        "{page}"
    );
    // The link leads to the export it names.
    let res = b
        .get("/cases/export.csv?store=S001&state=all&kind=complaint&contact=1")
        .await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",contact"), "{csv}");
    let (_, page) = Browser::logged_in_speaking(&base, "mgr", "zh-CN,zh")
        .await
        .get_text("/cases")
        .await;
    assert!(
        page.contains(">下载 CSV</a>") && page.contains(">含联系方式</a>"),
        "{page}"
    );
}
