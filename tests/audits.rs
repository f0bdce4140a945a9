//! Mystery shopping end to end over a real socket: assignment, draft, resume, evidence, submit, review and every refusal.

mod common;

use common::{Browser, TestApp, hidden};
use manyi::auth::Role;
use reqwest::multipart::{Form, Part};

/// A JPEG the location cleaner can read: JFIF header, a 1×1 frame, a scan, the end.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF,
    0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0, 0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0,
    0x12, 0x34, 0xFF, 0xD9,
];

struct World {
    app: TestApp,
    base: String,
    manager: Browser,
    shopper: Browser,
    audit: i64,
}

/// A manager, two shoppers, and one assignment for `sam` at S001.
async fn world() -> World {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    app.add_user("zoe", Role::Shopper).await;
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    let res = manager
        .post_with_csrf(
            "/assignments/new",
            "/assignments",
            &[
                ("shopper", &sam.to_string()),
                ("store", "S001"),
                ("checklist", "store-audit"),
                ("window_from", "2026-01-01"),
                ("window_to", "2099-12-31"),
                (
                    "scenario",
                    "Ask about a washing machine for a family of four",
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let audit: i64 = sqlx::query_scalar("select max(id) from audit")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let shopper = Browser::logged_in_speaking(&base, "sam", "zh-CN,zh;q=0.9").await;
    World {
        app,
        base,
        manager,
        shopper,
        audit,
    }
}

/// Posts one audit page as multipart, with the CSRF token from the audit page.
async fn post_page(
    b: &Browser,
    audit: i64,
    fields: &[(&str, &str)],
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, String) {
    // The session has one token; the list page carries it for everyone logged in.
    let token = b.csrf("/audits").await;
    let mut form = Form::new().text("_csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part("evidence", Part::bytes(bytes).file_name(name.to_owned()));
    }
    let res = b
        .http
        .post(format!("{}/audits/{audit}", b.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// The store-audit sections in order with answers: everything passes except the
/// greeting time (45 s > 30 s), and the restroom is N/A.
const SECTIONS: [&[(&str, &str)]; 6] = [
    &[
        ("seconds_to_greet", "45"),
        ("greet_smile", "yes"),
        ("staff_uniform", "yes"),
    ],
    &[
        ("entrance_clean", "yes"),
        ("shelves_stocked", "yes"),
        ("price_tags", "yes"),
        ("restroom_clean", "na"),
    ],
    &[
        ("product_answers", "expert"),
        ("explained_energy", "yes"),
        ("confidence", "5"),
    ],
    &[
        ("asked_needs", "yes"),
        ("suitable_offer", "yes"),
        ("no_pressure", "yes"),
    ],
    &[
        ("minutes_waiting", "3"),
        ("price_matched", "yes"),
        ("receipt_given", "yes"),
    ],
    &[
        ("thanked", "yes"),
        ("aftercare_explained", "yes"),
        ("follow_up_offered", "no"),
    ],
];

fn page_fields<'a>(
    page: usize,
    nav: &'a str,
    answers: &[(&'a str, &'a str)],
) -> Vec<(&'a str, String)> {
    let mut f: Vec<(&str, String)> = vec![("_page", page.to_string()), ("_nav", nav.to_owned())];
    f.extend(answers.iter().map(|(k, v)| (*k, (*v).to_owned())));
    f
}

async fn post(
    b: &Browser,
    audit: i64,
    fields: Vec<(&str, String)>,
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, String) {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_page(b, audit, &borrowed, files).await
}

#[tokio::test]
async fn assignment_draft_resume_submit_and_review_work_end_to_end() {
    let w = world().await;
    let id = w.audit;
    let (_, home) = w.shopper.get_text("/audits").await;
    assert!(home.contains("南京路店") && home.contains("待完成") && home.contains("开始"));

    // Visit page with a receipt photo, then the first section, then stop.
    let (status, page) = post(
        &w.shopper,
        id,
        page_fields(
            0,
            "next",
            &[
                ("visit_date", "2026-11-20"),
                ("time_in", "10:00"),
                ("time_out", "10:03"),
            ],
        ),
        vec![("receipt.jpg", JPEG.to_vec())],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("迎接"),
        "the greeting section follows the visit page"
    );
    let (status, _) = post(&w.shopper, id, page_fields(1, "save", SECTIONS[0]), vec![]).await;
    assert_eq!(status, 303);

    // Resume on another device: the draft opens where it stopped, answers kept.
    let phone = Browser::logged_in_speaking(&w.base, "sam", "zh-CN,zh;q=0.9").await;
    let (_, page) = phone.get_text(&format!("/audits/{id}")).await;
    assert_eq!(hidden(&page, "_page").as_deref(), Some("1"));
    assert!(page.contains(r#"name="seconds_to_greet" value="45""#));
    assert!(
        page.contains(r#"<html lang="zh-CN">"#),
        "the checklist's language, for screen readers"
    );
    let (_, visit) = phone.get_text(&format!("/audits/{id}?page=0")).await;
    assert!(visit.contains(r#"value="2026-11-20""#) && visit.contains("<img src=\"/audits/"));

    for (i, answers) in SECTIONS.iter().enumerate().skip(1) {
        let nav = if i == 5 { "submit" } else { "next" };
        let (status, page) = post(&phone, id, page_fields(i + 1, nav, answers), vec![]).await;
        if i < 5 {
            assert_eq!(status, 200, "section {i}: {page}");
        } else {
            // The failed timed item has no comment yet: back to the greeting page.
            assert_eq!(status, 422);
            assert!(page.contains("每个未达标项都需要一条如实的备注"));
            assert_eq!(hidden(&page, "_page").as_deref(), Some("1"));
        }
    }
    let mut greeting = page_fields(1, "next", SECTIONS[0]);
    greeting.push((
        "comment_seconds_to_greet",
        "Two staff were chatting at the till; greeted after 45 s.".into(),
    ));
    assert_eq!(post(&phone, id, greeting, vec![]).await.0, 200);
    let (status, _) = post(&phone, id, page_fields(6, "submit", SECTIONS[5]), vec![]).await;
    assert_eq!(status, 303);

    // Greeting 2/4 = 50%; every other section 100%; weighted (15×50 + 85×100) / 100 = 92.5%.
    let (score, critical, flags): (f64, bool, String) =
        sqlx::query_as("select score, critical_fail, flags from audit where id = ?")
            .bind(id)
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert!((score - 92.5).abs() < 1e-9, "{score}");
    assert!(!critical);
    assert!(
        flags.contains("3 minute(s)"),
        "short visit flagged: {flags}"
    );

    // The shopper can no longer change it.
    assert_eq!(
        post(&phone, id, page_fields(1, "next", SECTIONS[0]), vec![])
            .await
            .0,
        400
    );

    // The manager reviews: answers, comment, evidence, flags and scores are all on the page.
    let (status, review) = w.manager.get_text(&format!("/audits/{id}/review")).await;
    assert_eq!(status, 200);
    for needle in [
        "92.5%",
        "50.0%",
        "Two staff were chatting",
        "3 minute(s)",
        "Evidence photo 1",
        "N/A",
        "sam",
    ] {
        assert!(review.contains(needle), "review page lacks {needle}");
    }
    let path = format!("/audits/{id}/review");
    let res = w
        .manager
        .post_with_csrf(&path, &path, &[("action", "reject"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 422, "a rejection needs a reason");
    let res = w
        .manager
        .post_with_csrf(&path, &path, &[("action", "approve"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 303);
    let res = w
        .manager
        .post_with_csrf(&path, &path, &[("action", "approve"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 400, "approving twice is refused");
    let res = w
        .manager
        .post_with_csrf(
            &path,
            &path,
            &[
                ("action", "exclude"),
                ("reason", "Shopper knew the store manager"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let history: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "select e.action, u.username, e.reason from audit_event e join user u on u.id = e.actor_id where audit_id = ? order by e.id",
    )
    .bind(id)
    .fetch_all(&w.app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = history.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "assigned",
            "started",
            "submitted",
            "approved",
            "excluded from reports"
        ]
    );
    assert_eq!(
        history[4].2.as_deref(),
        Some("Shopper knew the store manager")
    );
    let (_, review) = w.manager.get_text(&path).await;
    assert!(
        review.contains("excluded from reports")
            && review.contains("Shopper knew the store manager")
    );
}

#[tokio::test]
async fn a_revision_request_sends_the_audit_back_with_its_reason() {
    let w = world().await;
    let id = w.audit;
    post(
        &w.shopper,
        id,
        page_fields(
            0,
            "next",
            &[
                ("visit_date", "2026-11-20"),
                ("time_in", "10:00"),
                ("time_out", "10:40"),
            ],
        ),
        vec![],
    )
    .await;
    let mut greeting = page_fields(1, "next", SECTIONS[0]);
    greeting.push(("comment_seconds_to_greet", "Waited.".into()));
    post(&w.shopper, id, greeting, vec![]).await;
    for (i, answers) in SECTIONS.iter().enumerate().skip(1) {
        post(
            &w.shopper,
            id,
            page_fields(i + 1, if i == 5 { "submit" } else { "next" }, answers),
            vec![],
        )
        .await;
    }
    let path = format!("/audits/{id}/review");
    let res = w
        .manager
        .post_with_csrf(
            &path,
            &path,
            &[
                ("action", "revise"),
                ("reason", "Add a photo of the price tags"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, page) = w.shopper.get_text(&format!("/audits/{id}")).await;
    assert!(page.contains("已退回修改：Add a photo of the price tags"));
    let (_, home) = w.shopper.get_text("/audits").await;
    assert!(home.contains("需要修改"));
    // Editing and submitting again works.
    let (status, _) = post(
        &w.shopper,
        id,
        page_fields(6, "submit", SECTIONS[5]),
        vec![],
    )
    .await;
    assert_eq!(status, 303);
    let status: String = sqlx::query_scalar("select status from audit where id = ?")
        .bind(id)
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
}

#[tokio::test]
async fn the_visit_must_fall_in_the_window_and_end_after_it_starts() {
    let w = world().await;
    sqlx::query("update audit set window_from = '2026-11-01', window_to = '2026-11-07'")
        .execute(&w.app.pool)
        .await
        .unwrap();
    post(
        &w.shopper,
        w.audit,
        page_fields(
            0,
            "next",
            &[
                ("visit_date", "2026-11-20"),
                ("time_in", "11:00"),
                ("time_out", "10:00"),
            ],
        ),
        vec![],
    )
    .await;
    let (status, page) = post(
        &w.shopper,
        w.audit,
        page_fields(6, "submit", SECTIONS[5]),
        vec![],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("到店日期必须在期限内：2026年11月1日 至 2026年11月7日。"));
    assert!(page.contains("离店时间必须晚于进店时间。"));
    assert_eq!(hidden(&page, "_page").as_deref(), Some("0"));
}

#[tokio::test]
async fn evidence_accepts_photos_and_refuses_everything_else() {
    let w = world().await;
    let id = w.audit;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let pdf = b"%PDF-1.7 not a photo".to_vec();
    let mut big = JPEG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, page) = post(
        &w.shopper,
        id,
        page_fields(0, "next", &[("_lang", "en")]),
        vec![("evil.svg", svg), ("doc.jpg", pdf)],
    )
    .await;
    assert_eq!(status, 422);
    // Messages are in the shopper's language (zh), whatever the checklist's.
    assert!(
        page.contains("未保存：evil.svg, doc.jpg。只能添加照片"),
        "{page}"
    );
    let (status, page) = post(
        &w.shopper,
        id,
        page_fields(0, "next", &[]),
        vec![("huge.jpg", big)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("huge.jpg"));
    let stored: i64 = sqlx::query_scalar("select count(*) from evidence")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let (status, _) = post(
        &w.shopper,
        id,
        page_fields(0, "next", &[]),
        vec![("ok.jpg", JPEG.to_vec())],
    )
    .await;
    assert_eq!(status, 200);
    let eid: i64 = sqlx::query_scalar("select id from evidence")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    let res = w.shopper.get(&format!("/audits/{id}/evidence/{eid}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);
    // The shopper can remove it from the draft.
    let (status, _) = post(
        &w.shopper,
        id,
        page_fields(0, &format!("delete-{eid}"), &[]),
        vec![],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        w.shopper
            .get(&format!("/audits/{id}/evidence/{eid}"))
            .await
            .status(),
        404
    );
    // A body over the upload limit gets a clear 413.
    let mut huge = JPEG.to_vec();
    huge.resize(11 * 1024 * 1024, 0);
    let (status, page) = post(
        &w.shopper,
        id,
        page_fields(0, "next", &[]),
        vec![("a.jpg", huge)],
    )
    .await;
    assert_eq!(status, 413, "{page}");
}

#[tokio::test]
async fn nobody_but_the_assigned_shopper_and_staff_can_see_or_touch_an_audit() {
    let w = world().await;
    let id = w.audit;
    post(
        &w.shopper,
        id,
        page_fields(0, "next", &[("visit_date", "2026-11-20")]),
        vec![("r.jpg", JPEG.to_vec())],
    )
    .await;
    let eid: i64 = sqlx::query_scalar("select id from evidence")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();

    let anon = Browser::new(&w.base);
    for path in [
        format!("/audits/{id}"),
        format!("/audits/{id}/review"),
        format!("/audits/{id}/evidence/{eid}"),
        "/audits".into(),
        "/assignments/new".into(),
    ] {
        let res = anon.get(&path).await;
        assert_eq!(
            (
                res.status().as_u16(),
                res.headers()["location"].to_str().unwrap()
            ),
            (303, "/login"),
            "{path}"
        );
    }
    // Another shopper cannot tell the audit exists.
    let zoe = Browser::logged_in(&w.base, "zoe").await;
    for path in [
        format!("/audits/{id}"),
        format!("/audits/{id}/evidence/{eid}"),
    ] {
        assert_eq!(zoe.get(&path).await.status(), 404, "{path}");
    }
    assert_eq!(
        post(&zoe, id, page_fields(1, "next", SECTIONS[0]), vec![])
            .await
            .0,
        404
    );
    let (_, list) = zoe.get_text("/audits").await;
    assert!(!list.contains("南京路店"));
    // Nor review it, nor assign work.
    assert_eq!(zoe.get(&format!("/audits/{id}/review")).await.status(), 403);
    let res = zoe
        .post_with_csrf(
            "/audits",
            &format!("/audits/{id}/review"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(zoe.get("/assignments/new").await.status(), 403);
    // The manager sees it but does not fill it in for the shopper.
    assert_eq!(
        w.manager
            .get(&format!("/audits/{id}/evidence/{eid}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        post(&w.manager, id, page_fields(1, "next", SECTIONS[0]), vec![])
            .await
            .0,
        403
    );
    // An unsubmitted audit has no review page yet; unknown ids are 404.
    assert_eq!(
        w.manager
            .get(&format!("/audits/{id}/review"))
            .await
            .status(),
        404
    );
    assert_eq!(w.manager.get("/audits/9999").await.status(), 404);
    // A post without the CSRF token is refused.
    let form = Form::new().text("_page", "0").text("_nav", "next");
    let res = w
        .shopper
        .http
        .post(format!("{}/audits/{id}", w.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn an_assignment_needs_a_shopper_store_checklist_and_a_sensible_window() {
    let w = world().await;
    let res = w
        .manager
        .post_with_csrf(
            "/assignments/new",
            "/assignments",
            &[
                ("shopper", "1"),
                ("store", "NOPE"),
                ("checklist", "post-purchase"),
                ("window_from", "2026-12-10"),
                ("window_to", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for message in [
        "Choose an active shopper.",
        "Choose a store from the registry.",
        "Choose a checklist.",
        "The window must end on or after its first day.",
    ] {
        assert!(page.contains(message), "missing: {message}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from audit")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn location_metadata_is_removed_from_uploaded_photos() {
    let w = world().await;
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude 31,14.2N</x:xmpmeta>";
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend_from_slice(&((xmp.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(xmp);
    jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]);
    let (status, _) = post(
        &w.shopper,
        w.audit,
        page_fields(0, "next", &[]),
        vec![("gps.jpg", jpeg)],
    )
    .await;
    assert_eq!(status, 200);
    let stored: Vec<u8> = sqlx::query_scalar("select bytes from evidence")
        .fetch_one(&w.app.pool)
        .await
        .unwrap();
    assert!(
        !stored.windows(7).any(|x| x == b"xmpmeta"),
        "location metadata stripped"
    );
    assert!(
        stored.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0xD9]),
        "the picture itself is kept"
    );
}
