//! Queuing a case's webhook inside the caller's transaction, so the event is stored with the change it reports.

use time::OffsetDateTime;

use super::Tx;

use super::cases::{CaseRow, SELECT, stamp};
use crate::webhooks::Event;

/// Queues `event` for case `case_id` from the row as it is now in this transaction.
pub async fn queue_event(conn: &mut Tx<'_>, case_id: i64, event: Event) -> sqlx::Result<()> {
    let row: CaseRow = crate::with_tx!(&mut *conn, ex => sqlx::query_as(&format!("{SELECT} where c.id = $1"))
        .bind(case_id)
        .fetch_one(&mut *ex)
        .await)?;
    let at = stamp(OffsetDateTime::now_utc());
    crate::webhooks::enqueue(conn, event, &row.payload(), &at).await
}
