//! Webhooks for case events: the events, queueing one delivery per subscribed endpoint inside the transaction that made the change, and the worker that sends them.
//!
//! Nothing here touches the network on the write path: [`enqueue`] is one SQL insert in
//! the caller's transaction, and [`deliver::deliver_due`] sends what is due later, taking
//! the write connection only for its short claim and outcome updates, never while it
//! waits for an endpoint. Signing is in [`sign`]; the wire format is in the README.

pub mod deliver;
pub mod sign;

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use deliver::{deliver_due, spawn_worker};

/// A case event a chain can subscribe an endpoint to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    CaseOpened,
    CaseOverdue,
    CaseClosed,
}

impl Event {
    pub const ALL: [Event; 3] = [Event::CaseOpened, Event::CaseOverdue, Event::CaseClosed];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::CaseOpened => "case.opened",
            Event::CaseOverdue => "case.overdue",
            Event::CaseClosed => "case.closed",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Queues one delivery per enabled webhook subscribed to `event`, inside the caller's
/// transaction (so the case and its deliveries commit together), due at once. Pure SQL:
/// no network, however many endpoints are failing. `now` is RFC 3339 UTC.
pub async fn enqueue(
    conn: &mut crate::db::Tx<'_>,
    event: Event,
    payload: &serde_json::Value,
    now: &str,
) -> sqlx::Result<()> {
    crate::db::webhooks::enqueue(conn, event, &payload.to_string(), now)
        .await
        .map(|_| ())
}

/// How deliveries are tried (from `--webhook-attempts` and `--webhook-timeout-secs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Attempts before a delivery is marked failed (an admin may still retry it).
    pub max_attempts: u32,
    /// The whole request, connecting included; past it the attempt failed.
    pub timeout: Duration,
    /// How often an idle worker looks for due deliveries.
    pub poll: Duration,
    /// The address staff reach manyi at (`--public-url`): a payload's `path` becomes its
    /// `url` when sent, so a queued delivery follows a later change of address.
    pub public_url: String,
}

/// Default for `--webhook-attempts`: the tenth and last attempt comes 4 h 15 min
/// (30 s × (2⁹ − 1)) after the first.
pub const DEFAULT_ATTEMPTS: u32 = 10;
/// Default for `--webhook-timeout-secs`.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: DEFAULT_ATTEMPTS,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            poll: Duration::from_secs(5),
            public_url: String::new(),
        }
    }
}

/// A time as stored: RFC 3339, UTC, whole seconds, so text order is time order.
pub fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_have_stable_names_that_parse_back() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(e));
        }
        assert_eq!(Event::CaseOverdue.as_str(), "case.overdue");
        assert_eq!(Event::parse("case.reopened"), None);
        assert_eq!(Event::parse("CASE.OPENED"), None);
    }

    #[test]
    fn stamps_are_utc_whole_seconds() {
        let t = time::macros::datetime!(2026-03-01 16:00:00.75 +08:00);
        assert_eq!(stamp(t), "2026-03-01T08:00:00Z");
    }
}
