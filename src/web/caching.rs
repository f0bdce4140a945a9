//! Cache-Control for every answer: staff pages, private JSON and CSV, and evidence photos are never kept by a browser or a proxy.
//!
//! The rule, in order:
//! 1. Evidence photos (`/audits/{id}/evidence/{n}`) are `private, no-store`.
//! 2. A staff path (`/home`, `/login`, `/logout`, `/admin/…`, `/audits…`,
//!    `/assignments…`, `/reports…`), or a request that carries a cookie or an
//!    `Authorization` header, is `no-store`, whatever the handler set.
//! 3. Anything else is `no-store` unless its handler chose its own `Cache-Control`.
//!
//! The site icon is the one exception to rule 2: it is the same for everyone, and a
//! browser asks for it with the staff cookie too.
//!
//! So nothing is cacheable unless a public handler opts in on purpose.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// First path segments of pages behind the login (and the login itself, which holds a
/// CSRF token).
const STAFF: &[&str] = &[
    "home",
    "login",
    "logout",
    "admin",
    "audits",
    "assignments",
    "reports",
];

pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let evidence = is_evidence(path);
    let private = evidence
        || is_staff(path)
        || (path != "/favicon.ico"
            && (req.headers().contains_key(header::COOKIE)
                || req.headers().contains_key(header::AUTHORIZATION)));
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if evidence {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    } else if private || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_staff(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    STAFF.contains(&first)
}

fn is_evidence(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["audits", _, "evidence", _])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_and_evidence_paths_are_recognised_by_segment() {
        for path in [
            "/home",
            "/login",
            "/admin/users",
            "/admin/stores/S001/poster/post-purchase",
            "/audits",
            "/audits/3/review",
            "/assignments/new",
            "/reports/league-nps/data.csv",
        ] {
            assert!(is_staff(path), "{path}");
        }
        for path in [
            "/",
            "/s/post-purchase",
            "/api/v1/forms",
            "/healthz",
            "/homework",
        ] {
            assert!(!is_staff(path), "{path}");
        }
        assert!(is_evidence("/audits/3/evidence/9"));
        assert!(!is_evidence("/audits/3"));
        assert!(!is_evidence("/audits/3/evidence/9/x"));
    }
}
