//! The shipped complaint-and-suggestion form through the real router: the cases it opens, the store picker with its refusals, and the indicators it leaves alone.

mod common;

use std::io::Read;

use axum::body::Body;
use axum::http::Request;
use common::{Browser, TestApp, hidden};
use manyi::auth::Role;

const FORM: &str = "/s/complaint";
/// Every question of the form, as a browser that showed them all posts in `_seen`.
const SEEN: &str =
    "_seen=feedback_kind+feedback_text+visit_date+complaint_request+contact_consent+contact";

/// A token issued with no store ten minutes ago: the picker's page, as a customer who took
/// their time got it (an instant post would be held back as too fast).
async fn storeless_token(app: &TestApp) -> String {
    let key = app.state.intake.form_key(&app.db.write).await.unwrap();
    let issued = manyi::auth::signed::unix_now() - 600;
    manyi::intake::form_token::issue(key, "complaint", None, issued)
}

/// The case row a stored response opened, by the code in the thank-you redirect.
#[derive(Debug, sqlx::FromRow)]
struct Case {
    code: String,
    kind: String,
    channel: String,
    store: String,
    description: String,
    request: String,
    contact: Option<String>,
    contact_consent: i64,
    priority: String,
}

async fn case_of(app: &TestApp, code: &str) -> Case {
    sqlx::query_as(
        "select code, kind, channel, store, description, request, contact, contact_consent, priority \
         from complaint_case where code = ?",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .expect("the redirect names a stored case")
}

/// The case code and signature in a thank-you redirect.
fn thanks_case(location: &str) -> (String, String) {
    let q = location.split_once('?').map_or("", |(_, q)| q);
    let get = |k: &str| {
        q.split('&')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k} in {location}"))
            .to_owned()
    };
    (get("case"), get("k"))
}

/// Posts the last page of a filled form and follows the redirect's case.
async fn submit(app: &TestApp, fields: &str) -> (Case, String) {
    let (status, headers, page) = app
        .post_form(FORM, &format!("{SEEN}&_page=1&_nav=submit&{fields}"))
        .await;
    assert_eq!(status, 303, "{page}");
    let location = headers["location"].to_str().unwrap().to_owned();
    let (code, _) = thanks_case(&location);
    (case_of(app, &code).await, location)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[tokio::test]
async fn a_complaint_with_consent_opens_a_web_case_and_the_thanks_page_links_its_status() {
    let app = TestApp::new().await;
    let (status, first) = app.get("/s/complaint?store=S001&lang=en").await;
    assert_eq!(status, 200);
    assert!(first.contains("<h1>Tell us</h1>"), "{first}");
    assert!(
        !first.contains("<select"),
        "the QR code names the store: no picker"
    );
    assert_eq!(hidden(&first, "_store").as_deref(), Some("S001"));

    // Page 1 → 2: a complaint, so "what would you like us to do?" applies.
    let words = "The fridge was delivered with a broken door";
    let page1 = format!(
        "_store=S001&_lang=en&_page=0&_nav=next&_seen=feedback_kind+feedback_text+visit_date\
         &feedback_kind=complaint&feedback_text={}&visit_date=2026-11-28",
        words.replace(' ', "+")
    );
    let (status, _, page) = app.post_form(FORM, &page1).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>What happens next</h1>"), "{page}");
    assert!(page.contains("What would you like us to do?"));

    let (case, location) = submit(
        &app,
        &format!(
            "_store=S001&_lang=en&feedback_kind=complaint&feedback_text={}&visit_date=2026-11-28\
             &complaint_request=refund&contact_consent=yes&contact=138-0000-1234",
            words.replace(' ', "+")
        ),
    )
    .await;
    assert!(case.code.starts_with("TS-"), "{}", case.code);
    assert_eq!(
        (
            case.kind.as_str(),
            case.channel.as_str(),
            case.store.as_str(),
            case.description.as_str(),
            case.request.as_str(),
        ),
        ("complaint", "web", "S001", words, "refund")
    );
    assert_eq!(case.contact.as_deref(), Some("138-0000-1234"));
    assert_eq!(case.contact_consent, 1);
    assert_eq!(case.priority, "high", "a refund asked for is handled first");

    let (status, thanks) = app.get(&location).await;
    assert_eq!(status, 200);
    let (code, k) = thanks_case(&location);
    assert!(thanks.contains(&code), "{thanks}");
    let link = format!("/c/{code}?k={k}");
    assert!(thanks.contains(&format!("href=\"{link}\"")), "{thanks}");
    let (status, status_page) = app.get(&link).await;
    assert_eq!(status, 200, "the status link opens without a login");
    assert!(status_page.contains(&code));
}

#[tokio::test]
async fn a_suggestion_opens_a_suggestion_case_that_asks_for_nothing() {
    let app = TestApp::new().await;
    let (case, _) = submit(
        &app,
        "_store=S101&_lang=zh&feedback_kind=suggestion&feedback_text=希望周末多开一个收银台\
         &complaint_request=refund&contact_consent=no",
    )
    .await;
    assert!(case.code.starts_with("JY-"), "{}", case.code);
    assert_eq!(
        (
            case.kind.as_str(),
            case.channel.as_str(),
            case.store.as_str()
        ),
        ("suggestion", "web", "S101")
    );
    assert_eq!(case.description, "希望周末多开一个收银台");
    // The request question applies to complaints only: a posted one is not kept.
    assert_eq!(case.request, "none");
    assert_eq!(case.priority, "normal");
}

#[tokio::test]
async fn without_consent_no_contact_is_stored_even_when_one_is_posted() {
    let app = TestApp::new().await;
    let (case, _) = submit(
        &app,
        "_store=S002&_lang=zh&feedback_kind=complaint&feedback_text=店员态度很差，没人理我\
         &complaint_request=apology&contact_consent=no&contact=13800000000",
    )
    .await;
    assert_eq!(case.contact, None);
    assert_eq!(case.contact_consent, 0);
    assert_eq!(case.request, "apology");
    assert_eq!(
        count(
            &app,
            "select count(*) from answer where question = 'contact'"
        )
        .await,
        0,
        "nor among the answers"
    );
}

#[tokio::test]
async fn a_consenting_customer_must_leave_a_contact() {
    let app = TestApp::new().await;
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!(
                "{SEEN}&_page=1&_nav=submit&_store=S001&_lang=en&feedback_kind=complaint\
                 &feedback_text=Waited+forty+minutes&contact_consent=yes"
            ),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Please leave a phone number or WeChat ID"),
        "{page}"
    );
    assert_eq!(app.count_responses().await, 0);
}

#[tokio::test]
async fn the_store_picker_appears_only_when_no_store_is_known() {
    let app = TestApp::new().await;
    let (status, page) = app.get("/s/complaint?lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("Which store is this about?"), "{page}");
    assert!(
        page.contains(r#"<select id="q-_store" name="_store" required"#),
        "{page}"
    );
    assert!(page.contains(r#"<option value="" selected>Choose a store</option>"#));
    // Grouped by region, by name within it.
    let east = page.find(r#"<optgroup label="East">"#).expect("East");
    let south = page.find(r#"<optgroup label="South">"#).expect("South");
    let (s001, s002, s101) = (
        page.find(r#"value="S001""#).unwrap(),
        page.find(r#"value="S002""#).unwrap(),
        page.find(r#"value="S101""#).unwrap(),
    );
    assert!(
        east < s002 && s002 < s001 && s001 < south && south < s101,
        "{page}"
    );
    assert_eq!(hidden(&page, "_store"), None, "the choice is the select's");

    let (_, zh) = app.get("/s/complaint").await;
    assert!(zh.contains("您要反馈的是哪家门店？"), "the page's language");
    assert!(zh.contains("请选择门店"));

    let (_, with_store) = app.get("/s/complaint?store=S101").await;
    assert!(!with_store.contains("<select"));
    let (_, other) = app.get("/s/post-purchase").await;
    assert!(!other.contains("<select"), "only surveys that ask for it");
}

#[tokio::test]
async fn the_chosen_store_is_carried_and_the_case_is_filed_under_it() {
    let app = TestApp::new().await;
    let token = storeless_token(&app).await;
    let base = format!("_token={token}&_lang=en");
    let answers = "feedback_kind=complaint&feedback_text=The+app+coupon+was+refused";
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!("{base}&_store=S002&_page=0&_nav=next&_seen=feedback_kind+feedback_text+visit_date&{answers}"),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>What happens next</h1>"));
    assert_eq!(hidden(&page, "_store").as_deref(), Some("S002"));
    assert_eq!(hidden(&page, "_token").as_deref(), Some(token.as_str()));

    // Back to the first page: the picker again, with the choice selected.
    let (_, _, back) = app
        .post_form(
            FORM,
            &format!("{base}&_store=S002&_page=1&_nav=back&{answers}"),
        )
        .await;
    assert!(back.contains(r#"<option value="S002" selected>"#), "{back}");

    let (status, headers, page) = app
        .post_form(
            FORM,
            &format!("{base}&_store=S002&{SEEN}&_page=1&_nav=submit&{answers}&complaint_request=other&contact_consent=no"),
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let (code, _) = thanks_case(headers["location"].to_str().unwrap());
    let case = case_of(&app, &code).await;
    assert_eq!(
        (case.store.as_str(), case.priority.as_str()),
        ("S002", "normal")
    );
}

#[tokio::test]
async fn no_store_chosen_is_asked_like_a_required_question_in_the_pages_language() {
    let app = TestApp::new().await;
    let token = storeless_token(&app).await;
    for (lang, message) in [
        ("en", "Please answer this question."),
        ("zh", "请回答这个问题。"),
    ] {
        let (status, _, page) = app
            .post_form(
                FORM,
                &format!(
                    "_token={token}&_lang={lang}&_store=&_page=0&_nav=next&_seen=feedback_kind+feedback_text+visit_date\
                     &feedback_kind=suggestion&feedback_text=More+parking+please"
                ),
            )
            .await;
        assert_eq!(status, 422, "{page}");
        assert!(
            page.contains(&format!(r#"<p class="err" id="err-_store">{message}</p>"#)),
            "{page}"
        );
        assert!(
            page.contains(r##"href="#q-_store""##),
            "in the error summary"
        );
        assert!(page.contains("More parking please"), "answers kept");
    }
    // A hand-made post straight to the last page, no store: back to the picker.
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!(
                "_token={token}&_lang=en&{SEEN}&_page=1&_nav=submit\
                 &feedback_kind=suggestion&feedback_text=More+parking+please&contact_consent=no"
            ),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("<h1>Tell us</h1>") && page.contains("err-_store"),
        "{page}"
    );
    assert_eq!(app.count_responses().await, 0);
}

#[tokio::test]
async fn an_unknown_chosen_store_is_a_bad_request_with_the_answers_kept() {
    let app = TestApp::new().await;
    let token = storeless_token(&app).await;
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!(
                "_token={token}&_lang=en&_store=S999&_page=0&_nav=next&_seen=feedback_kind+feedback_text+visit_date\
                 &feedback_kind=complaint&feedback_text=Charged+twice+at+the+till"
            ),
        )
        .await;
    assert_eq!(status, 400, "{page}");
    assert!(
        page.contains("There is no store &#39;S999&#39;")
            || page.contains("There is no store 'S999'"),
        "{page}"
    );
    assert!(page.contains("Charged twice at the till"), "answers kept");
    assert!(page.contains(r#"value="complaint" checked"#));
    assert!(
        page.contains(r#"<option value="" selected>"#),
        "choose again"
    );
    assert_eq!(app.count_responses().await, 0);
}

#[tokio::test]
async fn a_token_issued_for_one_store_is_refused_with_another() {
    let app = TestApp::new().await;
    let s001 = app.form_token(FORM, "_store=S001").await.unwrap();
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!(
                "_token={s001}&_store=S002&_lang=en&{SEEN}&_page=1&_nav=submit\
                 &feedback_kind=suggestion&feedback_text=Brighter+lights+in+aisle+3&contact_consent=no"
            ),
        )
        .await;
    assert_eq!(status, 400, "{page}");
    assert_eq!(app.count_responses().await, 0, "nothing stored");
    assert_ne!(hidden(&page, "_token").as_deref(), Some(s001.as_str()));
    // The same token with its own store stores.
    let (status, _, page) = app
        .post_form(
            FORM,
            &format!(
                "_token={s001}&_store=S001&_lang=en&{SEEN}&_page=1&_nav=submit\
                 &feedback_kind=suggestion&feedback_text=Brighter+lights+in+aisle+3&contact_consent=no"
            ),
        )
        .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(app.count_responses().await, 1);
}

#[tokio::test]
async fn the_picker_page_fits_in_one_round_trip_when_compressed() {
    let app = TestApp::new().await;
    for uri in ["/s/complaint?lang=zh", "/s/complaint?lang=en&store=S001"] {
        let req = Request::get(uri)
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(app.router(), req).await.unwrap();
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        assert!(bytes.len() <= 14 * 1024, "{uri}: {} bytes", bytes.len());
        let mut html = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut html)
            .unwrap();
        assert!(!html.contains("<script"), "works without JavaScript");
    }
}

/// The rollup counters behind CSAT, NPS, return, complaint rate and awareness.
async fn indicator_sums(app: &TestApp) -> (i64, i64, i64, i64, i64, i64) {
    sqlx::query_as(
        "select coalesce(sum(sat_n), 0), coalesce(sum(sat_top2), 0), coalesce(sum(nps_n), 0), \
         coalesce(sum(nps_detractors), 0), coalesce(sum(complaints), 0), coalesce(sum(awareness_n), 0) \
         from daily_stat",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_forms_answers_move_no_satisfaction_indicator() {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    // One ordinary survey answer, so the report has something to show.
    let (status, _, page) = app
        .post_form(
            "/s/post-purchase",
            "_store=S001&_lang=en&_page=3&_nav=submit&overall_satisfaction=4&recommend=9&first_purchase=no",
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    let csvs = [
        "/reports/league-csat/data.csv",
        "/reports/league-nps/data.csv",
    ];
    let mut before = Vec::new();
    for csv in csvs {
        before.push(manager.get_text(csv).await);
    }
    let sums = indicator_sums(&app).await;

    submit(
        &app,
        "_store=S001&_lang=zh&feedback_kind=complaint&feedback_text=收银员多收了钱，很不满意\
         &complaint_request=refund&contact_consent=no",
    )
    .await;
    assert_eq!(app.count_responses().await, 2);
    assert_eq!(
        indicator_sums(&app).await,
        sums,
        "no indicator counter moved"
    );
    let (n, tagged): (i64, i64) = sqlx::query_as(
        "select responses, sat_n + nps_n + return_n + complaints + awareness_n \
         from daily_stat where form_id = 'complaint'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (n, tagged),
        (1, 0),
        "counted as a response, in no indicator"
    );
    for (status, body) in &before {
        assert_eq!(*status, 200, "{body}");
        assert!(body.contains("S001"), "the report shows the store: {body}");
    }
    for (csv, was) in csvs.iter().zip(&before) {
        assert_eq!(&manager.get_text(csv).await, was, "{csv}");
    }
}

#[tokio::test]
async fn the_complaint_rate_counts_only_forms_that_ask_about_complaints() {
    let app = TestApp::with_settings(manyi::web::Settings {
        min_n: 1,
        ..manyi::web::Settings::default()
    })
    .await;
    app.add_user("mia", Role::Manager).await;
    // Two post-purchase answers at S001: one unhappy with a complaint, one happy (never
    // asked, so no complaint): 1 complaint per 2 responses = 50 per 100.
    let unhappy = "_store=S001&_lang=en&_page=4&_nav=submit\
        &_seen=overall_satisfaction+recommend+first_purchase+complaint+complaint_text+complaint_request+suggestion+contact_consent\
        &overall_satisfaction=2&recommend=3&first_purchase=no&complaint=yes\
        &complaint_text=Queue+too+long&complaint_request=apology&contact_consent=no";
    let happy = "_store=S001&_lang=en&_page=3&_nav=submit&overall_satisfaction=5&recommend=10&first_purchase=no";
    for body in [unhappy, happy] {
        let (status, _, page) = app.post_form("/s/post-purchase", body).await;
        assert_eq!(status, 303, "{page}");
    }
    let base = app.spawn().await;
    let manager = Browser::logged_in(&base, "mia").await;
    let rate = || async {
        let (status, csv) = manager
            .get_text("/reports/league-complaints/data.csv")
            .await;
        assert_eq!(status, 200, "{csv}");
        csv.lines()
            .find(|l| l.starts_with("S001"))
            .unwrap_or_else(|| panic!("no S001 row: {csv}"))
            .split(',')
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert_eq!(rate().await, "50.0000");
    // Two complaints through the complaint form: cases, not survey answers about a visit.
    for words in ["收银员多收了钱，很不满意", "送货晚了三个小时"] {
        submit(
            &app,
            &format!("_store=S001&_lang=zh&feedback_kind=complaint&feedback_text={words}&complaint_request=refund&contact_consent=no"),
        )
        .await;
    }
    assert_eq!(rate().await, "50.0000", "not 25 (1 in 4) nor 75 (3 in 4)");
    let (responses, base_n): (i64, i64) =
        sqlx::query_as("select sum(responses), sum(complaint_n) from daily_stat")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((responses, base_n), (4, 2));
}

#[tokio::test]
async fn the_api_needs_the_store_for_the_complaint_form_and_then_opens_its_case() {
    let app = TestApp::new().await;
    let token = app.submit_token().await;
    let answers = serde_json::json!({
        "feedback_kind": "complaint",
        "feedback_text": "Kiosk: the fridge arrived broken",
        "complaint_request": "exchange",
        "contact_consent": "no",
    });
    let url = "/api/v1/forms/complaint/responses";
    let body = serde_json::json!({ "lang": "en", "answers": answers });
    let (status, res) = app.post_json_as(&token, url, &body.to_string()).await;
    assert_eq!(status, 422, "{res}");
    assert!(
        res["errors"]["store"]
            .as_str()
            .is_some_and(|m| m.contains("needs the store")),
        "{res}"
    );
    assert_eq!(
        app.count_responses().await,
        0,
        "nothing stored without a store"
    );
    let body = serde_json::json!({ "lang": "en", "store": "S002", "answers": answers });
    let (status, res) = app.post_json_as(&token, url, &body.to_string()).await;
    assert_eq!(status, 201, "{res}");
    let (store, channel): (String, String) =
        sqlx::query_as("select store, channel from complaint_case")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((store.as_str(), channel.as_str()), ("S002", "web"));
}
