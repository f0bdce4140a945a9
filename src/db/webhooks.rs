//! SQL for webhooks and their delivery queue: registering endpoints, queueing, the worker's claim and outcomes, and the admins' log.
//!
//! Times are RFC 3339 UTC with whole seconds, so comparing the text compares the times.

use std::fmt;

use super::{Pool, Tx};

use crate::paging::Page;
use crate::webhooks::Event;

/// A registered endpoint. `Debug` hides the secret and the URL, which may carry a
/// credential of its own (DingTalk's `access_token`).
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub events: Vec<Event>,
    pub created_at: String,
    /// The admin who added it, when the account still exists.
    pub created_by: Option<String>,
    pub disabled: bool,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("events", &self.events)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its first try or its next retry.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Gave up after the last allowed attempt; an admin may retry it.
    Failed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Delivered, Status::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// The stored form of an event list.
pub fn events_text(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An event list read back; unknown names (none can be written) are skipped.
pub fn parse_events(text: &str) -> Vec<Event> {
    text.split_whitespace().filter_map(Event::parse).collect()
}

type HookRow = (i64, String, String, String, String, Option<String>, bool);

/// Adds an endpoint; returns its id.
#[tracing::instrument(skip_all, fields(events = %events_text(events)))]
pub async fn create(
    pool: &Pool,
    url: &str,
    secret: &str,
    events: &[Event],
    created_by: Option<i64>,
    now: &str,
) -> sqlx::Result<i64> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        r"insert into webhook (url, secret, events, created_at, created_by)
          values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(url)
    .bind(secret)
    .bind(events_text(events))
    .bind(now)
    .bind(created_by)
    .fetch_one(ex)
    .await)
}

/// Every endpoint, oldest first.
pub async fn list(pool: &Pool) -> sqlx::Result<Vec<Webhook>> {
    let rows: Vec<HookRow> = crate::with_pool!(pool, ex => sqlx::query_as(
        r#"select w.id, w.url, w.secret, w.events, w.created_at, u.username, w.disabled
          from webhook w left join "user" u on u.id = w.created_by order by w.id"#,
    )
    .fetch_all(ex)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, url, secret, events, created_at, created_by, disabled)| Webhook {
                id,
                url,
                secret,
                events: parse_events(&events),
                created_at,
                created_by,
                disabled,
            },
        )
        .collect())
}

/// Stops or resumes deliveries to an endpoint; `None` when there is no such webhook.
/// A stopped endpoint's pending deliveries wait, and go out once it is enabled again.
pub async fn set_disabled(pool: &Pool, id: i64, disabled: bool) -> sqlx::Result<Option<()>> {
    let done = crate::with_pool!(pool, ex => sqlx::query("update webhook set disabled = $1 where id = $2")
        .bind(disabled)
        .bind(id)
        .execute(ex)
        .await.map(|r| r.rows_affected()))?;
    Ok((done > 0).then_some(()))
}

/// Deletes an endpoint and its deliveries; `None` when there is no such webhook.
pub async fn delete(pool: &Pool, id: i64) -> sqlx::Result<Option<()>> {
    let mut tx = pool.begin().await?;
    crate::with_tx!(&mut tx, ex => sqlx::query("delete from webhook_delivery where webhook_id = $1")
        .bind(id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    let done = crate::with_tx!(&mut tx, ex => sqlx::query("delete from webhook where id = $1")
        .bind(id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok((done > 0).then_some(()))
}

/// One pending delivery per enabled webhook subscribed to `event`, due at once, in the
/// caller's transaction.
pub async fn enqueue(
    conn: &mut Tx<'_>,
    event: Event,
    payload: &str,
    now: &str,
) -> sqlx::Result<u64> {
    let sql = conn.pick(
        r"insert into webhook_delivery (webhook_id, event, payload, next_attempt_at, created_at)
          select id, $1, $2, $3, $3 from webhook
          where not disabled and instr(' ' || events || ' ', ' ' || $1 || ' ') > 0",
        r"insert into webhook_delivery (webhook_id, event, payload, next_attempt_at, created_at)
          select id, $1, $2, $3, $3 from webhook
          where not disabled and strpos(' ' || events || ' ', ' ' || $1 || ' ') > 0",
    );
    let done = crate::with_tx!(&mut *conn, ex => sqlx::query(sql)
    .bind(event.as_str())
    .bind(payload)
    .bind(now)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Whether any delivery is due by `now`: read on the read pool, so an idle worker never
/// takes the write connection.
pub async fn any_due(pool: &Pool, now: &str) -> sqlx::Result<bool> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        r"select exists (select 1 from webhook_delivery d join webhook w on w.id = d.webhook_id
          where d.status = 'pending' and d.next_attempt_at <= $1 and not w.disabled)",
    )
    .bind(now)
    .fetch_one(ex)
    .await)
}

/// A delivery a worker has taken, with what it needs to send it. `Debug` hides the
/// URL and the secret.
#[derive(Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub event: String,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

impl fmt::Debug for Claimed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claimed")
            .field("id", &self.id)
            .field("event", &self.event)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Takes up to `limit` deliveries due by `now`, oldest first, and moves each one's next
/// attempt to `lease_until`: another pass skips them meanwhile, and if this process dies
/// before recording an outcome they are due again then. One short transaction.
pub async fn claim(
    pool: &Pool,
    now: &str,
    lease_until: &str,
    limit: i64,
) -> sqlx::Result<Vec<Claimed>> {
    let mut tx = pool.begin().await?;
    // SQLite's one writer already keeps two claims apart; on PostgreSQL another server
    // may claim at the same moment, and skips the rows this one has locked.
    let sql = tx.pick(
        r"select d.id, d.event, d.payload, d.attempts, w.url, w.secret
          from webhook_delivery d join webhook w on w.id = d.webhook_id
          where d.status = 'pending' and d.next_attempt_at <= $1 and not w.disabled
          order by d.next_attempt_at, d.id limit $2",
        r"select d.id, d.event, d.payload, d.attempts, w.url, w.secret
          from webhook_delivery d join webhook w on w.id = d.webhook_id
          where d.status = 'pending' and d.next_attempt_at <= $1 and not w.disabled
          order by d.next_attempt_at, d.id limit $2 for update of d skip locked",
    );
    let due: Vec<Claimed> = crate::with_tx!(&mut tx, ex => sqlx::query_as(sql)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *ex)
    .await)?;
    for d in &due {
        crate::with_tx!(&mut tx, ex => sqlx::query("update webhook_delivery set next_attempt_at = $1 where id = $2")
            .bind(lease_until)
            .bind(d.id)
            .execute(&mut *ex)
            .await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(due)
}

/// Records an answered 2xx.
pub async fn mark_delivered(pool: &Pool, id: i64, http_status: u16, at: &str) -> sqlx::Result<()> {
    crate::with_pool!(pool, ex => sqlx::query(
        r"update webhook_delivery set status = 'delivered', attempts = attempts + 1,
          last_status = $1, last_error = null, delivered_at = $2 where id = $3",
    )
    .bind(i64::from(http_status))
    .bind(at)
    .bind(id)
    .execute(ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed attempt: due again at `retry_at`, or `failed` for good when `None`.
pub async fn mark_attempt_failed(
    pool: &Pool,
    id: i64,
    http_status: Option<u16>,
    error: &str,
    retry_at: Option<&str>,
) -> sqlx::Result<()> {
    let status = if retry_at.is_some() {
        Status::Pending
    } else {
        Status::Failed
    };
    crate::with_pool!(pool, ex => sqlx::query(
        r"update webhook_delivery set status = $1, attempts = attempts + 1, last_status = $2,
          last_error = $3, next_attempt_at = coalesce($4, next_attempt_at) where id = $5",
    )
    .bind(status.as_str())
    .bind(http_status.map(i64::from))
    .bind(error)
    .bind(retry_at)
    .bind(id)
    .execute(ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts a failed delivery back in the queue, due at `now`; `None` when there is no failed
/// delivery with that id. Its attempts so far are kept, so one more failure ends it again.
pub async fn retry(pool: &Pool, id: i64, now: &str) -> sqlx::Result<Option<()>> {
    let done = crate::with_pool!(pool, ex => sqlx::query(
        r"update webhook_delivery set status = 'pending', next_attempt_at = $1
          where id = $2 and status = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(ex)
    .await.map(|r| r.rows_affected()))?;
    Ok((done > 0).then_some(()))
}

/// One row of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    /// The case's code, from the payload.
    pub case_code: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

/// A page of the delivery log, latest first, optionally of one status, with how many match.
pub async fn deliveries(
    pool: &Pool,
    status: Option<Status>,
    page: Page,
) -> sqlx::Result<(Vec<Delivery>, u64)> {
    // Two shapes of query rather than `? is null or status = ?`, so the filtered one
    // can use the (status, id) index.
    let filter = if status.is_some() {
        "where status = $1"
    } else {
        ""
    };
    let count_sql = format!("select count(*) from webhook_delivery {filter}");
    let total: i64 = crate::with_pool!(pool, ex => {
        let mut count = sqlx::query_scalar(&count_sql);
        if let Some(s) = status {
            count = count.bind(s.as_str());
        }
        count.fetch_one(ex).await?
    });
    let total = u64::try_from(total).unwrap_or(0);
    let page = page.clamp(total);
    // The payload is JSON the server wrote itself.
    let case_code = pool.pick(
        "case when json_valid(payload) then json_extract(payload, '$.code') end",
        "payload::json ->> 'code'",
    );
    let (limit, offset) = if status.is_some() {
        ("$2", "$3")
    } else {
        ("$1", "$2")
    };
    let sql = format!(
        r"select id, webhook_id, event, {case_code} as case_code,
          status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at
          from webhook_delivery {filter} order by id desc limit {limit} offset {offset}"
    );
    let rows = crate::with_pool!(pool, ex => {
        let mut rows = sqlx::query_as(&sql);
        if let Some(s) = status {
            rows = rows.bind(s.as_str());
        }
        rows.bind(page.limit())
            .bind(page.offset())
            .fetch_all(ex)
            .await?
    });
    Ok((rows, total))
}
