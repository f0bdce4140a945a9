//! Fuzz target: the multipart and photo path. The bytes are posted as a multipart body to
//! `manyi::web::read_multipart`, the reader that applies the upload caps, and every photo it
//! keeps goes through the steps `store_photos` takes before storing: `image_type`, then
//! `strip_location` for JPEGs. The bytes are also cleaned as one photo on their own.
#![no_main]

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Request, header};
use libfuzzer_sys::fuzz_target;
use manyi::audits::{UploadLimits, image_type};
use manyi::i18n::Lang;
use manyi::photos::strip_location;

/// The boundary the seeds use.
const BOUNDARY: &str = "fuzzb";

/// Small caps, so inputs of a few KB can reach every one of them.
const LIMITS: UploadLimits = UploadLimits {
    photos_per_post: 2,
    photos_per_section: 5,
    photos_per_audit: 30,
    photo_bytes: 512,
    audit_bytes: 4096,
};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
});

/// What `store_photos` does to a kept file before it touches the database.
fn clean(bytes: &[u8]) {
    if image_type(bytes) != Some("image/jpeg") {
        return;
    }
    if let Some(cleaned) = strip_location(bytes) {
        // The cleaner only drops or zeroes bytes, and keeps the JPEG start.
        assert!(cleaned.len() <= bytes.len());
        assert!(cleaned.starts_with(&[0xFF, 0xD8]));
    }
}

fuzz_target!(|data: &[u8]| {
    clean(data);
    let request = Request::post("/audits/1")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(data.to_vec()))
        .expect("a valid request");
    match RUNTIME.block_on(manyi::web::read_multipart(request, &LIMITS)) {
        Ok(posted) => {
            assert!(posted.files.len() <= LIMITS.photos_per_post);
            for (_, bytes) in &posted.files {
                assert!(bytes.len() <= LIMITS.photo_bytes);
                clean(bytes);
            }
        }
        Err(unread) => {
            let _ = unread.error(Lang::En, &LIMITS);
        }
    }
});
