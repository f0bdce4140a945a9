//! Uploads: reading a multipart audit page within its caps, storing its photos, and serving evidence back safely.
//!
//! The caps come from `UploadLimits` at run time, so the body limit is set here rather
//! than on the route: this reader counts every part and byte against them and stops at
//! the first one over, so a hostile post is never read to its end.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tower::{Layer, ServiceExt, service_fn};

use super::AppState;
use super::audits::visible_audit;
use crate::audits::{Cap, FIELD_BYTES, MAX_PARTS, UploadLimits, image_type};
use crate::auth::CurrentUser;
use crate::db::evidence;
use crate::error::{Error, Result};
use crate::i18n::audits::Audit;
use crate::i18n::{Lang, Msg};

/// The caps in force. `Settings` does not hold them yet, so these are the defaults.
pub fn limits(state: &AppState) -> UploadLimits {
    state.settings.uploads
}

/// What a posted page holds: text fields, the photos kept for storing, and the names of
/// files read but not kept.
#[derive(Default)]
pub struct Posted {
    pub fields: Vec<(String, String)>,
    /// At most `photos_per_post`, each at most `photo_bytes`.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files over `photo_bytes`: read past, not kept.
    pub too_big: Vec<String>,
    /// Files beyond `photos_per_post`: read past, not kept.
    pub extra: Vec<String>,
}

/// Why a post was refused before it was read to the end: nothing from it is stored.
#[derive(Debug)]
pub struct Unread {
    /// The page's `_lang` field, when it came before the problem (it comes second).
    pub lang: Option<String>,
    why: Why,
}

#[derive(Debug)]
enum Why {
    TooLarge,
    TooManyParts,
    Malformed(String),
    NotUtf8,
}

impl Unread {
    /// The refusal as an error page, said in both languages: the page is drawn in the
    /// reader's (`web::lang`).
    pub fn error(&self, limits: &UploadLimits) -> Error {
        match &self.why {
            Why::TooLarge => {
                let (k, size) = (limits.photos_per_post.to_string(), mb(limits.photo_bytes));
                Error::PayloadTooLarge(Audit::UpTooMuch.msg_with(&[("k", &k), ("size", &size)]))
            }
            Why::TooManyParts => Error::PayloadTooLarge(
                Audit::UpTooManyParts.msg_with(&[("k", &MAX_PARTS.to_string())]),
            ),
            Why::Malformed(detail) => {
                Error::BadRequest(Audit::UpMalformed.msg_with(&[("n", detail)]))
            }
            Why::NotUtf8 => Error::BadRequest(Audit::UpNotUtf8.msg()),
        }
    }
}

/// Bytes as whole megabytes when they are, else with one decimal.
fn mb(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MB) {
        (bytes / MB).to_string()
    } else {
        format!("{:.1}", bytes as f64 / MB as f64)
    }
}

/// What one part may spend on its boundary and headers, for the body's ceiling.
const PART_OVERHEAD: usize = 1024;

/// Opens the post as multipart under a ceiling on the whole body. The caps below count
/// part data only; the ceiling bounds what they do not see (boundaries, part headers, a
/// preamble), which the parser would otherwise buffer without end.
async fn open(request: Request, limits: &UploadLimits) -> Result<Multipart, Why> {
    let ceiling = limits
        .post_bytes()
        .saturating_add(MAX_PARTS * PART_OVERHEAD);
    let open = service_fn(|request: Request| async move {
        Ok::<_, Infallible>(Multipart::from_request(request, &()).await)
    });
    let opened = DefaultBodyLimit::max(ceiling)
        .layer(open)
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    opened.map_err(|e| Why::Malformed(e.body_text()))
}

/// Reads the parts in order, refusing the post at the first cap it breaks: more than
/// `post_bytes` of parts, more than `FIELD_BYTES` of text, or more than `MAX_PARTS` parts.
pub async fn read_multipart(request: Request, limits: &UploadLimits) -> Result<Posted, Unread> {
    let unread = |lang: Option<String>, why| Unread { lang, why };
    let mut multipart = open(request, limits).await.map_err(|w| unread(None, w))?;
    let mut posted = Posted::default();
    let (mut parts, mut total, mut text) = (0usize, 0usize, 0usize);
    loop {
        let lang = || {
            posted
                .fields
                .iter()
                .find(|(k, _)| k == "_lang")
                .map(|(_, v)| v.clone())
        };
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(unread(lang(), why(&e))),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(unread(lang(), Why::TooManyParts));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            let cap = FIELD_BYTES.saturating_sub(text);
            let (bytes, size) = read_part(field, &mut total, limits, Some(cap))
                .await
                .map_err(|w| unread(lang(), w))?;
            text += size;
            let bytes = bytes.ok_or_else(|| unread(lang(), Why::TooLarge))?;
            let value = String::from_utf8(bytes).map_err(|_| unread(lang(), Why::NotUtf8))?;
            posted.fields.push((name, value));
            continue;
        };
        let keep = posted.files.len() < limits.photos_per_post;
        let cap = keep.then_some(limits.photo_bytes);
        let (bytes, size) = read_part(field, &mut total, limits, cap)
            .await
            .map_err(|w| unread(lang(), w))?;
        match bytes {
            // A file input left empty still sends an empty part.
            _ if size == 0 && file_name.is_empty() => {}
            Some(bytes) if keep => posted.files.push((file_name, bytes)),
            None if keep => posted.too_big.push(file_name),
            _ => posted.extra.push(file_name),
        }
    }
    Ok(posted)
}

fn why(e: &MultipartError) -> Why {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Why::TooLarge
    } else {
        Why::Malformed(e.body_text())
    }
}

/// Reads one part chunk by chunk, adding to the post's `total`. Keeps the bytes while they
/// fit `keep` (`None` once over it, or when there is nothing to keep); returns its size.
async fn read_part(
    mut field: Field<'_>,
    total: &mut usize,
    limits: &UploadLimits,
    keep: Option<usize>,
) -> Result<(Option<Vec<u8>>, usize), Why> {
    let mut kept = keep.map(|_| Vec::new());
    let mut size = 0usize;
    while let Some(chunk) = field.chunk().await.map_err(|e| why(&e))? {
        size = size.saturating_add(chunk.len());
        *total = total.saturating_add(chunk.len());
        if *total > limits.post_bytes() {
            return Err(Why::TooLarge);
        }
        if keep.is_some_and(|cap| size > cap) {
            kept = None;
        } else if let Some(buf) = kept.as_mut() {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok((kept, size))
}

/// Names for a message: the first five (each cut to 60 characters), then how many more.
fn names(list: &[String], lang: Lang) -> String {
    let mut shown: Vec<String> = list
        .iter()
        .take(5)
        .map(|n| n.chars().take(60).collect())
        .collect();
    if list.len() > 5 {
        shown.push(Audit::UpAndMore.with(lang, &[("k", &(list.len() - 5).to_string())]));
    }
    shown.join(", ")
}

/// Stores the post's photos under `section`, each cleaned of location data and within the
/// caps. Returns the status and message for the page's evidence field when any was not
/// stored: 400 when a photo could not be read, else 422.
pub async fn store_photos(
    state: &AppState,
    audit_id: i64,
    section: &str,
    posted: &Posted,
    limits: &UploadLimits,
    lang: Lang,
) -> Result<Option<(StatusCode, String)>> {
    let mut not_photos = posted.too_big.clone();
    let (mut unreadable, mut capped) = (Vec::new(), Vec::new());
    for (name, bytes) in &posted.files {
        let Some(kind) = image_type(bytes) else {
            not_photos.push(name.clone());
            continue;
        };
        // Where the shopper was when the photo was taken is nobody's business; a JPEG we
        // cannot read might still say, so it is not stored.
        let cleaned = if kind == "image/jpeg" {
            match crate::photos::strip_location(bytes) {
                Some(c) => c,
                None => {
                    unreadable.push(name.clone());
                    continue;
                }
            }
        } else {
            bytes.clone()
        };
        let stored =
            evidence::add_within(&state.db.write, audit_id, section, kind, &cleaned, limits)
                .await?;
        if stored.is_none() {
            let used = evidence::usage(&state.db.read, audit_id, section).await?;
            // Refused but fits now: a photo was deleted meanwhile. The section cap is the
            // likeliest one it met.
            let cap = limits
                .admits(used, cleaned.len())
                .err()
                .unwrap_or(Cap::Section);
            capped.push((cap, name.clone()));
        }
    }
    let mut messages = Vec::new();
    if !unreadable.is_empty() {
        let n = names(&unreadable, lang);
        messages.push(Audit::UpUnreadable.with(lang, &[("n", &n)]));
    }
    if !not_photos.is_empty() {
        let (n, size) = (names(&not_photos, lang), mb(limits.photo_bytes));
        messages.push(Audit::UpNotPhotos.with(lang, &[("n", &n), ("size", &size)]));
    }
    if !posted.extra.is_empty() {
        let (n, k) = (
            names(&posted.extra, lang),
            limits.photos_per_post.to_string(),
        );
        messages.push(Audit::UpExtra.with(lang, &[("n", &n), ("k", &k)]));
    }
    for cap in [Cap::Section, Cap::AuditPhotos, Cap::AuditBytes] {
        let hit: Vec<String> = capped
            .iter()
            .filter(|(c, _)| *c == cap)
            .map(|(_, n)| n.clone())
            .collect();
        if !hit.is_empty() {
            messages.push(cap_message(cap, &names(&hit, lang), limits, lang));
        }
    }
    if messages.is_empty() {
        return Ok(None);
    }
    let status = if unreadable.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(Some((status, messages.join(" "))))
}

fn cap_message(cap: Cap, n: &str, limits: &UploadLimits, lang: Lang) -> String {
    let (key, k) = match cap {
        Cap::Section => (Audit::UpSectionFull, limits.photos_per_section.to_string()),
        Cap::AuditPhotos => (Audit::UpAuditFull, limits.photos_per_audit.to_string()),
        Cap::AuditBytes => (Audit::UpAuditBytes, mb(limits.audit_bytes)),
    };
    key.with(lang, &[("n", n), ("k", &k)])
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
        .ok_or_else(|| Error::not_found(Msg::both("证据文件", "evidence file"), evidence_id))?;
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
