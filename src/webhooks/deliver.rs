//! Sending due deliveries: claim, sign, POST with a timeout, record the outcome, and back off exponentially on failure.

use std::error::Error as _;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Policy, sign, stamp};
use crate::db::Db;
use crate::db::webhooks::{self, Claimed};

/// Deliveries one pass takes at most; they are sent at once, so one slow endpoint
/// holds up only its own.
pub const BATCH: i64 = 16;
/// The wait after the first failed attempt; each further failure doubles it.
const FIRST_DELAY_SECS: i64 = 30;
/// The longest wait between two attempts.
const MAX_DELAY_SECS: i64 = 6 * 3600;
/// Longest error text kept in the log.
const ERROR_MAX: usize = 300;

/// The HTTP client the worker sends with: the request timeout covers connecting and the
/// answer, and redirects are not followed (a 303 would turn the POST into a GET, and a
/// redirect elsewhere would carry a signed body to an address nobody registered).
pub fn client(policy: &Policy) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("manyi-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The wait before the next attempt, after `failed` attempts have failed (1 for the
/// first): 30 s × 2^(failed − 1), at most 6 h. No jitter: one server's few endpoints
/// do not stampede anyone.
pub fn backoff(failed: u32) -> time::Duration {
    let doublings = failed.saturating_sub(1).min(20);
    time::Duration::seconds((FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS))
}

/// When to try again after `failed` failed attempts at `now`, or `None` when that was
/// the last one allowed.
pub fn retry_at(failed: u32, max_attempts: u32, now: OffsetDateTime) -> Option<OffsetDateTime> {
    (failed < max_attempts.max(1)).then(|| now + backoff(failed))
}

/// The body POSTed: `{"case": …, "delivery": id, "event": "case.opened", "sent_at": "…"}`.
pub fn body(event: &str, delivery: i64, sent_at: &str, case: Value) -> Vec<u8> {
    let body = json!({ "event": event, "delivery": delivery, "sent_at": sent_at, "case": case });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered(u16),
    Failed { status: Option<u16>, error: String },
}

/// An HTTP status as an outcome: 2xx delivered, anything else failed.
pub fn judge(status: reqwest::StatusCode) -> Outcome {
    let code = status.as_u16();
    if status.is_success() {
        return Outcome::Delivered(code);
    }
    let reason = status.canonical_reason().unwrap_or("");
    let error = if status.is_redirection() {
        format!(
            "HTTP {code} {reason}: redirects are not followed; register the address it points to"
        )
    } else {
        format!("HTTP {code} {reason}").trim_end().to_owned()
    };
    Outcome::Failed {
        status: Some(code),
        error,
    }
}

/// A transport error in words, without the URL: a DingTalk or WeCom URL carries its own
/// access token, and this text is stored and shown.
fn describe(e: reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs());
    }
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if text.chars().count() > ERROR_MAX {
        text = text.chars().take(ERROR_MAX).collect::<String>() + "…";
    }
    text
}

/// The case with `url`, the staff page's absolute address, beside its `path`.
pub fn with_url(mut case: Value, public_url: &str) -> Value {
    if let Some(path) = case.get("path").and_then(Value::as_str) {
        let url = format!("{}{path}", public_url.trim_end_matches('/'));
        if let Some(obj) = case.as_object_mut() {
            obj.insert("url".into(), Value::String(url));
        }
    }
    case
}

/// Signs and POSTs one delivery.
async fn send(
    client: &reqwest::Client,
    d: &Claimed,
    policy: &Policy,
    now: OffsetDateTime,
) -> Outcome {
    let case: Value = match serde_json::from_str(&d.payload) {
        Ok(v) => with_url(v, &policy.public_url),
        Err(e) => {
            return Outcome::Failed {
                status: None,
                error: format!("the stored payload is not JSON: {e}"),
            };
        }
    };
    let timestamp = now.unix_timestamp();
    let body = body(&d.event, d.id, &stamp(now), case);
    let request = client
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Manyi-Event", &d.event)
        .header("X-Manyi-Delivery", d.id.to_string())
        .header("X-Manyi-Timestamp", timestamp.to_string())
        .header(
            "X-Manyi-Signature",
            sign::signature(&d.secret, timestamp, &body),
        )
        .body(body);
    match request.send().await {
        // The answer's body is not read: only its status counts.
        Ok(res) => judge(res.status()),
        Err(e) => Outcome::Failed {
            status: None,
            error: describe(e, policy.timeout),
        },
    }
}

/// Stores one attempt's outcome: one short write.
async fn record(
    db: &Db,
    d: &Claimed,
    outcome: Outcome,
    policy: &Policy,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    match outcome {
        Outcome::Delivered(code) => {
            webhooks::mark_delivered(&db.write, d.id, code, &stamp(now)).await
        }
        Outcome::Failed { status, error } => {
            let failed = u32::try_from(d.attempts)
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            let next = retry_at(failed, policy.max_attempts, now).map(stamp);
            tracing::warn!(
                delivery = d.id,
                attempt = failed,
                status,
                gave_up = next.is_none(),
                "webhook delivery failed"
            );
            webhooks::mark_attempt_failed(&db.write, d.id, status, &error, next.as_deref()).await
        }
    }
}

/// One pass: sends every delivery due by `now` (up to [`BATCH`]) and records each
/// outcome; returns how many were tried. The write connection is held only to claim
/// them and to record each outcome, never across a request. Tests call this with a
/// `now` of their choosing to step through retries.
pub async fn deliver_due(
    db: &Db,
    client: &reqwest::Client,
    policy: &Policy,
    now: OffsetDateTime,
) -> sqlx::Result<usize> {
    let now_text = stamp(now);
    if !webhooks::any_due(&db.read, &now_text).await? {
        return Ok(0);
    }
    // Past the request's timeout and then some: a worker that died mid-request leaves
    // its rows due again at this time, to be sent once more (at least once, never lost).
    let lease = now + policy.timeout + time::Duration::seconds(60);
    let claimed = webhooks::claim(&db.write, &now_text, &stamp(lease), BATCH).await?;
    let results = join_all(claimed.iter().map(|d| async move {
        let outcome = send(client, d, policy, now).await;
        record(db, d, outcome, policy, now).await
    }))
    .await;
    results.into_iter().collect::<sqlx::Result<Vec<()>>>()?;
    Ok(claimed.len())
}

/// Starts the background worker: a pass whenever one may have work, and a look every
/// `policy.poll` otherwise. The server starts it; tests call [`deliver_due`] instead.
pub fn spawn_worker(db: Db, policy: Policy) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match client(&policy) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook deliveries are off: the HTTP client did not start");
                return;
            }
        };
        loop {
            match deliver_due(&db, &client, &policy, OffsetDateTime::now_utc()).await {
                // A full batch may have more behind it.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery pass failed"),
            }
            tokio::time::sleep(policy.poll).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_wait_doubles_from_30_seconds_up_to_6_hours() {
        let secs = |n| backoff(n).whole_seconds();
        assert_eq!(
            (1..=11).map(secs).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]
        );
        assert_eq!(secs(0), 30);
        assert_eq!(secs(u32::MAX), 21600);
    }

    #[test]
    fn the_last_allowed_attempt_gives_up() {
        let now = datetime!(2026-03-01 08:00:00 UTC);
        assert_eq!(
            retry_at(1, 10, now),
            Some(datetime!(2026-03-01 08:00:30 UTC))
        );
        assert_eq!(
            retry_at(9, 10, now),
            Some(datetime!(2026-03-01 10:08:00 UTC))
        );
        assert_eq!(retry_at(10, 10, now), None);
        assert_eq!(retry_at(11, 10, now), None);
        // Zero attempts allowed still means the one already made.
        assert_eq!(retry_at(1, 0, now), None);
    }

    #[test]
    fn only_2xx_is_delivered() {
        use reqwest::StatusCode;
        assert_eq!(judge(StatusCode::OK), Outcome::Delivered(200));
        assert_eq!(judge(StatusCode::NO_CONTENT), Outcome::Delivered(204));
        assert_eq!(
            judge(StatusCode::INTERNAL_SERVER_ERROR),
            Outcome::Failed {
                status: Some(500),
                error: "HTTP 500 Internal Server Error".into()
            }
        );
        let Outcome::Failed { status, error } = judge(StatusCode::MOVED_PERMANENTLY) else {
            panic!("a redirect is not a delivery");
        };
        assert_eq!(status, Some(301));
        assert!(error.contains("redirects are not followed"), "{error}");
    }

    #[test]
    fn a_cases_path_becomes_its_url_at_the_address_the_server_runs_with() {
        let case = json!({"code": "TS-2026-000001", "path": "/cases/TS-2026-000001"});
        let sent = with_url(case, "https://cx.example.com/");
        assert_eq!(sent["url"], "https://cx.example.com/cases/TS-2026-000001");
        assert_eq!(sent["path"], "/cases/TS-2026-000001");
        // A payload without a path (an older queue) goes as stored.
        assert_eq!(
            with_url(json!({"code": "C-1"}), "https://x"),
            json!({"code": "C-1"})
        );
    }

    #[test]
    fn the_body_wraps_the_case_with_the_event_and_the_delivery_id() {
        let b = body(
            "case.closed",
            42,
            "2026-03-01T08:00:00Z",
            json!({"code": "C-1"}),
        );
        assert_eq!(
            String::from_utf8(b).unwrap(),
            r#"{"case":{"code":"C-1"},"delivery":42,"event":"case.closed","sent_at":"2026-03-01T08:00:00Z"}"#
        );
    }
}
