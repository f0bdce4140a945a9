//! The last net for a bug: a panicking handler answers the 500 page (JSON on the API), the panic is logged as one line, and the connection stays up.

use std::any::Any;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

use crate::views;

const MESSAGE: &str = "Something went wrong on our side. Please try again in a moment.";

/// Marks a response made from a panic, so the API layer can answer it in JSON.
#[derive(Debug, Clone, Copy)]
struct Panicked;

/// Wraps `router` so a panic in it becomes a 500 answer instead of a dropped
/// connection. The real router uses it; so can a test with a handler that panics.
pub fn catch_panics<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(CatchPanicLayer::custom(
            answer as fn(Box<dyn Any + Send + 'static>) -> Response,
        ))
        .layer(middleware::from_fn(json_for_api))
}

/// The panic was already logged by the hook; this only answers.
fn answer(_: Box<dyn Any + Send + 'static>) -> Response {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    let mut response = (status, views::error_page_both(status, &both_languages())).into_response();
    response.extensions_mut().insert(Panicked);
    response
}

async fn json_for_api(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if api && response.extensions().get::<Panicked>().is_some() {
        let body = json!({ "errors": { "request": MESSAGE } });
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    }
    response
}

/// Replaces the default panic hook, which prints two lines to stderr (and a backtrace
/// with `RUST_BACKTRACE`), with one error line in the log: message and place. Set by
/// `manyi serve` only, so test failures keep their usual output.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic: {message}");
    }));
}

/// Answered outside `web::lang`, before the reader's language is known: both languages.
fn both_languages() -> crate::i18n::Msg {
    crate::i18n::Msg::both("服务器出了问题，请稍后再试。", MESSAGE)
}
