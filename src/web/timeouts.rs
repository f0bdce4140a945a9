//! Request body deadlines: a body must arrive whole within the body timeout (the upload timeout for a shopper's photos), or the request is answered 408 and its connection closed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use serde_json::json;
use tokio::time::Sleep;

use super::AppState;
use crate::views;

const MESSAGE: &str = "The request took too long to arrive. Nothing was stored; please try again. \
                       请求上传超时，本次未保存，请重试。";

/// A deadline for the whole body, counted from its head: hyper has no body timeout, and
/// tower-http's `TimeoutBody` resets on every frame, so a client sending one byte every
/// few seconds would never be cut off.
pub async fn body_deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let timeout = body_timeout(&state.settings.connections, &req);
    let api = req.uri().path().starts_with("/api/");
    let http1 = req.version() <= Version::HTTP_11;
    let expired = Arc::new(AtomicBool::new(false));
    let flag = expired.clone();
    let req = req.map(|body| {
        Body::new(Deadline {
            body,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            expired: flag,
        })
    });
    let response = next.run(req).await;
    // Whatever the handler made of a cut-off body (400, 422…), the cause was time.
    if expired.load(Ordering::Relaxed) {
        timed_out(api, http1)
    } else {
        response
    }
}

/// Multipart posts under `/audits/` carry photos from a phone: they get the upload
/// timeout. No other route reads multipart, and others refuse it before reading.
fn body_timeout(limits: &super::ConnectionLimits, req: &Request) -> Duration {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    if req.method() == Method::POST && req.uri().path().starts_with("/audits/") && multipart {
        limits.upload_timeout
    } else {
        limits.body_timeout
    }
}

fn timed_out(api: bool, http1: bool) -> Response {
    let status = StatusCode::REQUEST_TIMEOUT;
    let mut response = if api {
        (status, Json(json!({ "errors": { "request": MESSAGE } }))).into_response()
    } else {
        (status, views::error_page_both(status, &MESSAGE.into())).into_response()
    };
    // The rest of the body may still be on its way: the connection cannot be reused.
    // (HTTP/2 has no Connection header; there the stream alone ends.)
    if http1 {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The request body, failing once its deadline has passed.
struct Deadline {
    body: Body,
    sleep: Pin<Box<Sleep>>,
    expired: Arc<AtomicBool>,
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(
                "the request body did not arrive within the body timeout",
            ))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::ConnectionLimits;

    fn timeout_of(method: Method, path: &str, content_type: &str) -> Duration {
        let limits = ConnectionLimits {
            body_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(300),
            ..ConnectionLimits::default()
        };
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::empty())
            .unwrap();
        body_timeout(&limits, &req)
    }

    #[test]
    fn only_multipart_audit_posts_get_the_upload_timeout() {
        let multipart = "multipart/form-data; boundary=x";
        let form = "application/x-www-form-urlencoded";
        let upload = Duration::from_secs(300);
        let body = Duration::from_secs(30);
        assert_eq!(timeout_of(Method::POST, "/audits/7", multipart), upload);
        assert_eq!(timeout_of(Method::POST, "/audits/7/review", form), body);
        assert_eq!(
            timeout_of(Method::POST, "/s/post-purchase", multipart),
            body
        );
        assert_eq!(
            timeout_of(Method::POST, "/api/v1/sales", "application/json"),
            body
        );
        assert_eq!(timeout_of(Method::PUT, "/audits/7", multipart), body);
    }
}
