//! Webhooks for case events: the events, and queueing one delivery per subscribed endpoint inside the transaction that made the change.

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
/// transaction, so the change and its deliveries commit together. No network here.
pub async fn enqueue(
    conn: &mut sqlx::SqliteConnection,
    event: Event,
    payload: &serde_json::Value,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into webhook_delivery (webhook_id, event, payload, next_attempt_at, created_at) \
         select id, ?, ?, ?, ? from webhook \
         where not disabled and (' ' || events || ' ') like ('% ' || ? || ' %')",
    )
    .bind(event.as_str())
    .bind(payload.to_string())
    .bind(now)
    .bind(now)
    .bind(event.as_str())
    .execute(conn)
    .await
    .map(|_| ())
}
