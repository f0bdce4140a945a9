//! What the virtual customers send: valid answers to the shipped post-purchase survey, by the API and by the form.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Bytes;
use axum::http::{Request, header};
use http_body_util::Full;

/// Every tenth answer is unhappy, so the form's feedback page and its follow-up
/// question (and their rollups) are part of the mix.
fn unhappy(n: u64) -> bool {
    n.is_multiple_of(10)
}

pub fn store(n: u64) -> String {
    format!("S{:03}", n % 24 + 1)
}

/// The integration token every API request carries: a trusted `submit` token (a POS
/// forwarding what it collected), made by `Server::start` with `manyi token add`. One
/// for the whole run, so it is set once rather than threaded through every client.
pub static API_TOKEN: OnceLock<String> = OnceLock::new();

pub fn api_request(addr: SocketAddr, n: u64, key: &str) -> Request<Full<Bytes>> {
    let answers = if unhappy(n) {
        serde_json::json!({ "overall_satisfaction": 2, "recommend": 5, "first_purchase": "yes",
            "heard_from": ["passing"], "exp_price": 2, "exp_service": 1,
            "complaint": "yes", "complaint_text": "The queue was far too long" })
    } else {
        serde_json::json!({ "overall_satisfaction": 5, "recommend": 9, "first_purchase": "no",
            "heard_from": ["friend", "online"], "expect_price": 4, "expect_service": 4,
            "expect_quality": 5, "expect_environment": 4, "exp_price": 4, "exp_service": 5,
            "exp_quality": 5, "exp_environment": 4 })
    };
    let body = serde_json::json!({ "store": store(n), "lang": "en", "answers": answers });
    Request::post(format!(
        "http://{addr}/api/v1/forms/post-purchase/responses"
    ))
    .header(header::CONTENT_TYPE, "application/json")
    .header(
        header::AUTHORIZATION,
        format!("Bearer {}", API_TOKEN.get().map_or("", String::as_str)),
    )
    .header("idempotency-key", key)
    .body(Full::new(Bytes::from(body.to_string())))
    .expect("valid request")
}

/// The storing POST of the form: every answer, posted from the last page that applies.
pub fn form_request(addr: SocketAddr, n: u64, token: &str) -> Request<Full<Bytes>> {
    let answers = if unhappy(n) {
        "_page=4&overall_satisfaction=2&recommend=5&first_purchase=yes&heard_from=passing\
         &exp_price=2&exp_service=1&complaint=yes&complaint_text=The+queue+was+far+too+long"
    } else {
        "_page=3&overall_satisfaction=5&recommend=9&first_purchase=no&heard_from=friend\
         &heard_from=online&expect_price=4&expect_service=4&expect_quality=5\
         &expect_environment=4&exp_price=4&exp_service=5&exp_quality=5&exp_environment=4"
    };
    let body = format!(
        "_token={token}&_lang=en&_store={}&{answers}&_nav=submit",
        store(n)
    );
    Request::post(format!("http://{addr}/s/post-purchase"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Full::new(Bytes::from(body)))
        .expect("valid request")
}

pub fn get(addr: SocketAddr, path: &str) -> Request<Full<Bytes>> {
    Request::get(format!("http://{addr}{path}"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Full::default())
        .expect("valid request")
}

/// The page's hidden `_token`, as a browser would submit it.
pub fn token_of(page: &str) -> Option<String> {
    let at = page.find(r#"name="_token" value=""#)? + r#"name="_token" value=""#.len();
    Some(page[at..].chars().take_while(|c| *c != '"').collect())
}

/// The key column of a stored API response (see `src/web/api.rs`).
pub fn stored_key(key: &str) -> String {
    // `t1`: the database's first token, the one the setup made.
    format!("api:post-purchase:t1:{key}")
}

/// The public id an API answer carries.
pub fn id_of(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(body).ok()?["id"]
        .as_str()
        .map(str::to_owned)
}
