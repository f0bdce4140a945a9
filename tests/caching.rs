//! Cache-Control on every kind of answer: staff pages, report SVG and CSV, evidence photos, the shopper's audit page, API JSON and public pages.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{Browser, TestApp};
use manyi::auth::Role;
use manyi::db::audits::NewAssignment;

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1,
];

fn cache_control(res: &reqwest::Response) -> &str {
    res.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("(none)")
}

#[tokio::test]
async fn staff_pages_reports_and_evidence_are_never_stored() {
    let app = TestApp::new().await;
    let ada = app.add_user("ada", Role::Admin).await;
    let sam = app.add_user("sam", Role::Shopper).await;
    let audit = manyi::db::audits::create(
        &app.db.write,
        NewAssignment {
            shopper_id: sam,
            store_code: "S001",
            checklist_id: "store-audit",
            window_from: "2026-01-01",
            window_to: "2099-12-31",
            scenario: None,
            created_by: ada,
        },
    )
    .await
    .unwrap();
    // Straight into the table: this test is about the answer's headers, not the upload.
    let photo: i64 = sqlx::query_scalar(
        "insert into evidence (audit_id, section, content_type, size, bytes, uploaded_at)
         values (?, 'visit', 'image/jpeg', ?, ?, '2026-11-22T10:00:00Z') returning id",
    )
    .bind(audit)
    .bind(JPEG.len() as i64)
    .bind(JPEG)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let base = app.spawn().await;
    let admin = Browser::logged_in(&base, "ada").await;
    // The staff start page redirects to the audit list.
    let res = admin.get("/home").await;
    assert_eq!(res.status(), 303);
    assert_eq!(cache_control(&res), "no-store");
    for path in [
        "/audits",
        "/assignments/new",
        "/admin/users",
        "/admin/stores",
        "/admin/tokens",
        "/admin/stores/S001/poster/post-purchase",
        "/reports",
        "/reports/trend-csat/chart.svg",
        "/reports/league-nps/data.csv",
    ] {
        let res = admin.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(cache_control(&res), "no-store", "{path}");
    }
    let evidence = format!("/audits/{audit}/evidence/{photo}");
    let res = admin.get(&evidence).await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "private, no-store");
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);

    let shopper = Browser::logged_in(&base, "sam").await;
    let res = shopper.get(&format!("/audits/{audit}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(cache_control(&res), "no-store");
    let res = shopper.get(&evidence).await;
    assert_eq!(cache_control(&res), "private, no-store");

    // Refusals are not cached either: a stranger's 303 to the login and 404s.
    let stranger = Browser::new(&base);
    for path in ["/reports", &evidence, "/admin/users"] {
        let res = stranger.get(path).await;
        assert!(res.status() == 303 || res.status() == 404, "{path}");
        assert_eq!(
            cache_control(&res),
            if path == evidence {
                "private, no-store"
            } else {
                "no-store"
            },
            "{path}"
        );
    }
}

#[tokio::test]
async fn api_json_and_public_pages_are_not_stored() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let submit = Request::post("/api/v1/forms/post-purchase/responses")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(
            r#"{"store": "S001", "lang": "en", "answers": {"recommend": 9}}"#,
        ))
        .unwrap();
    let (status, headers, body) = app.send(submit).await;
    assert!(status == 201 || status == 422, "{status} {body}");
    assert_eq!(headers["cache-control"], "no-store");
    for path in [
        "/",
        "/login",
        "/healthz",
        "/api/v1/forms",
        "/api/v1/forms/post-purchase",
        "/s/post-purchase?store=S001",
        "/no/such/page",
    ] {
        let (status, headers, _) = app
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert!(status == 200 || status == 404, "{path}: {status}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
}
