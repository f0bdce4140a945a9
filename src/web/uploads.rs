//! Uploads: reading a multipart audit page (fields and photos), and serving evidence back safely.

use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::AppState;
use super::audits::visible_audit;
use crate::auth::CurrentUser;
use crate::db::evidence;
use crate::error::{Error, Result};

/// What a posted page holds: text fields and uploaded files.
#[derive(Default)]
pub struct Posted {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
}

pub async fn read_multipart(multipart: Result<Multipart, MultipartRejection>) -> Result<Posted> {
    let mut multipart = multipart.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::too_large(),
        _ => Error::BadRequest(format!("The form could not be read: {}", e.body_text())),
    })?;
    let mut posted = Posted::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Error::PayloadTooLarge(
                    "The photos are too large: send at most two photos of 5 MB each at a time."
                        .into(),
                ));
            }
            Err(e) => {
                return Err(Error::BadRequest(format!(
                    "The form could not be read: {}",
                    e.body_text()
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge(
                "The photos are too large: send at most two photos of 5 MB each at a time.".into(),
            ),
            _ => Error::BadRequest(format!("The form could not be read: {}", e.body_text())),
        })?;
        match file_name {
            // A file input left empty still sends an empty part.
            Some(f) if f.is_empty() && bytes.is_empty() => {}
            Some(f) => posted.files.push((f, bytes.to_vec())),
            None => {
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    Error::BadRequest("The form data is not valid UTF-8 text.".into())
                })?;
                posted.fields.push((name, text));
            }
        }
    }
    Ok(posted)
}

/// Serves one evidence image to its shopper or to staff, as an image only:
/// the type was detected at upload, and the page cannot run anything.
pub async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> Result<Response> {
    let audit = visible_audit(&state, &user, id).await?;
    let (content_type, bytes) = evidence::evidence_bytes(&state.db.read, audit.id, evidence_id)
        .await?
        .ok_or_else(|| Error::not_found("evidence file", evidence_id))?;
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    let kind = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, kind);
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}
