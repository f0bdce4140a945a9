//! The one error type: logs causes, shows people a helpful page, and gives the API a JSON body.

use axum::Json;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::answers::FieldErrors;
use crate::db::WriteError;
use crate::db::faults::{Fault, classify};
use crate::i18n::{Lang, Msg};
use crate::views;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The message names what was not found, e.g. "There is no form 'x'".
    #[error("{0}")]
    NotFound(Msg),
    #[error("{0}")]
    BadRequest(Msg),
    /// Not logged in: pages send the browser to the login form.
    #[error("Please log in first.")]
    Unauthorized,
    /// A machine client without a valid API token: 401 with `WWW-Authenticate: Bearer`.
    /// The message says what to send (see `web::api_token`).
    #[error("{0}")]
    BadToken(String),
    /// Logged in, but not allowed (wrong role, or a refused CSRF token).
    #[error("{0}")]
    Forbidden(Msg),
    #[error("{0}")]
    TooManyRequests(Msg),
    /// Over a rate limit: 429 with `Retry-After` in whole seconds; nothing was stored.
    #[error("{message}")]
    RateLimited { message: Msg, retry_after: u64 },
    /// The request conflicts with what is stored, e.g. a receipt code already used.
    #[error("{0}")]
    Conflict(Msg),
    #[error("{0}")]
    PayloadTooLarge(Msg),
    #[error("{0}")]
    UnsupportedMediaType(Msg),
    /// A JSON body that parsed but does not have the expected shape.
    #[error("{0}")]
    Unprocessable(Msg),
    /// Answers that fail the survey's checks: field name → message.
    #[error("some answers are not valid")]
    Invalid(FieldErrors),
    /// Too much load right now: 503 with `Retry-After`; nothing was stored.
    #[error(
        "The server is busy. Nothing was stored; please try again in a moment. 服务器繁忙，本次未保存，请稍后重试。"
    )]
    Busy,
    /// The disk is full: 507; nothing was stored.
    #[error(
        "The server's storage is full. Nothing was stored; please try again later. 服务器存储已满，本次未保存，请稍后重试。"
    )]
    StorageFull,
    /// The database cannot write right now (an I/O error, or shutting down): 503.
    #[error(
        "The server cannot store anything right now. Nothing was stored; please try again later. 服务器暂时无法保存，本次未保存，请稍后重试。"
    )]
    Unavailable(String),
    #[error("database error")]
    Sqlx(#[from] sqlx::Error),
    #[error("internal error")]
    Other(#[from] anyhow::Error),
}

/// The body limit, in words, for the 413 message.
pub const BODY_LIMIT_TEXT: &str = "64 KB";

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized | Error::BadToken(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::TooManyRequests(_) | Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Unprocessable(_) | Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Busy | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            Error::Sqlx(e) => match classify(e) {
                // Lock waits and pool timeouts are load, not bugs.
                Fault::Busy => StatusCode::SERVICE_UNAVAILABLE,
                Fault::Full => StatusCode::INSUFFICIENT_STORAGE,
                Fault::Io => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Error::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds a client should wait before retrying a 503.
    pub const RETRY_AFTER_SECONDS: u64 = 2;

    /// What the client may read, in both languages. 5xx causes stay in the log.
    pub fn public_message(&self) -> Msg {
        const BUSY: (&str, &str) = (
            "服务器繁忙，本次未保存，请稍后重试。",
            "The server is busy. Nothing was stored; please try again in a moment.",
        );
        const FULL: (&str, &str) = (
            "服务器存储已满，本次未保存，请稍后重试。",
            "The server's storage is full. Nothing was stored; please try again later.",
        );
        const DOWN: (&str, &str) = (
            "服务器暂时无法保存，本次未保存，请稍后重试。",
            "The server cannot store anything right now. Nothing was stored; please try again later.",
        );
        const OURS: (&str, &str) = (
            "服务器出了问题，请稍后再试。",
            "Something went wrong on our side. Please try again in a moment.",
        );
        let pick = |(zh, en): (&'static str, &'static str)| Msg::both(zh, en);
        match self {
            Error::NotFound(m)
            | Error::BadRequest(m)
            | Error::Forbidden(m)
            | Error::TooManyRequests(m)
            | Error::Conflict(m)
            | Error::PayloadTooLarge(m)
            | Error::UnsupportedMediaType(m)
            | Error::Unprocessable(m)
            | Error::RateLimited { message: m, .. } => m.clone(),
            Error::Unauthorized => Msg::both("请先登录。", "Please log in first."),
            Error::BadToken(m) => Msg::from(m.clone()),
            Error::Invalid(fields) => {
                Msg::from(fields.values().cloned().collect::<Vec<_>>().join(" "))
            }
            Error::Busy => pick(BUSY),
            Error::StorageFull => pick(FULL),
            Error::Unavailable(_) => pick(DOWN),
            Error::Sqlx(e) => match classify(e) {
                Fault::Busy => pick(BUSY),
                Fault::Full => pick(FULL),
                Fault::Io => pick(DOWN),
                _ => pick(OURS),
            },
            Error::Other(_) => pick(OURS),
        }
    }

    fn log(&self) {
        match self {
            Error::Sqlx(e) => tracing::error!(error = ?e, "database error"),
            Error::Other(e) => tracing::error!(error = ?e, "internal error"),
            Error::Unavailable(cause) => tracing::error!(%cause, "cannot write"),
            _ => {}
        }
    }

    pub fn forbidden_role() -> Error {
        Error::Forbidden(crate::i18n::staff::Staff::ErrForbiddenRole.msg())
    }

    /// What a missing object, or one the user may not see, looks like: the same
    /// 404 either way, so ids cannot be probed.
    pub fn not_found(what: Msg, id: impl std::fmt::Display) -> Error {
        Error::NotFound(Msg::both(
            format!("没有{} {id}。", what.get(Lang::Zh)),
            format!("There is no {} {id}.", what.get(Lang::En)),
        ))
    }

    pub fn too_large() -> Error {
        Error::PayloadTooLarge(Msg::both(
            format!("提交的内容超过了 {BODY_LIMIT_TEXT} 的上限。"),
            format!("The request body is larger than the {BODY_LIMIT_TEXT} limit."),
        ))
    }
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Busy => Error::Busy,
            WriteError::Full => Error::StorageFull,
            WriteError::Unavailable(cause) => Error::Unavailable(cause),
            WriteError::ReceiptUsed => Error::Conflict(Msg::both(
                "这张小票的号码已经用过了。",
                "This receipt code has already been used for a response.",
            )),
        }
    }
}

/// The headers an error's status calls for beyond the body: `Retry-After` on a rate
/// limit, `WWW-Authenticate` on a missing or bad API token.
fn with_error_headers(error: &Error, mut response: Response) -> Response {
    match error {
        Error::RateLimited { retry_after, .. } => {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        Error::BadToken(_) => {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        _ => {}
    }
    response
}

/// Adds `Retry-After` to a 503, so clients and proxies back off instead of hammering.
pub fn with_retry_after(mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        || response.status() == StatusCode::INSUFFICIENT_STORAGE
    {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(Error::RETRY_AFTER_SECONDS),
        );
    }
    response
}

impl From<BytesRejection> for Error {
    fn from(r: BytesRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::too_large(),
            _ => Error::BadRequest(Msg::both(
                format!("无法读取提交的内容：{}", r.body_text()),
                format!("Could not read the request body: {}", r.body_text()),
            )),
        }
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType(
                "Send JSON with the header Content-Type: application/json.".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY => Error::Unprocessable(r.body_text().into()),
            _ => Error::BadRequest(r.body_text().into()),
        }
    }
}

/// An error page's status and message, kept on the response so `web::lang` can draw the
/// page again in the reader's language once it knows it.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub message: Msg,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        if let Error::Unauthorized = self {
            return axum::response::Redirect::to("/login").into_response();
        }
        let status = self.status();
        let message = self.public_message();
        let mut response = (status, views::error_page(status, &message, Lang::Zh)).into_response();
        response
            .extensions_mut()
            .insert(ErrorPage { status, message });
        with_error_headers(&self, with_retry_after(response))
    }
}

/// The same error, rendered for the JSON API as `{"errors": {...}}`.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        error.log();
        let status = error.status();
        let body = match &error {
            Error::Invalid(fields) => json!({ "errors": fields }),
            other => json!({ "errors": { "request": other.public_message().to_string() } }),
        };
        with_error_headers(
            &error,
            with_retry_after((status, Json(body)).into_response()),
        )
    }
}
