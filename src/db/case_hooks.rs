//! Queuing a case's webhook inside the caller's transaction, so the event is stored with the change it reports.

use time::OffsetDateTime;

use super::cases::{CaseRow, SELECT, stamp};
use crate::webhooks::Event;

/// Queues `event` for case `case_id` from the row as it is now in this transaction.
pub async fn queue_event(
    conn: &mut sqlx::SqliteConnection,
    case_id: i64,
    event: Event,
) -> sqlx::Result<()> {
    let row: CaseRow = sqlx::query_as(&format!("{SELECT} where c.id = ?"))
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?;
    let at = stamp(OffsetDateTime::now_utc());
    crate::webhooks::enqueue(conn, event, &row.payload(), &at).await
}
