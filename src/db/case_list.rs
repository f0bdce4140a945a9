//! SQL for the due list of cases (filtered, overdue first, then by the nearest deadline) and the overdue sweep.

use sqlx::QueryBuilder;
use time::OffsetDateTime;

use super::cases::{CaseRow, SELECT, log, stamp};
use crate::db::Pool;
use crate::paging::Page;

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Open,
    Overdue,
    Closed,
    All,
}

impl State {
    pub const ALL: [State; 4] = [State::Open, State::Overdue, State::Closed, State::All];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Overdue => "overdue",
            State::Closed => "closed",
            State::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A list's filter, already checked.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub store: Option<String>,
    pub state: State,
    pub kind: Option<crate::cases::Kind>,
    /// Opened on or after / before these instants (local days turned to UTC by the caller).
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// A store manager's stores; `None` for roles that see every store.
    pub only_stores: Option<Vec<String>>,
}

/// Open and past a deadline at `now`, bound as $1 (SQL, over `c`).
const LATE: &str = "(c.step <> 'closed' and ((c.first_reply_at is null and c.reply_due < $1) or c.resolve_due < $1))";

fn push_where<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &Filter, now: &str)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" where 1 = 1");
    if let Some(stores) = &f.only_stores {
        q.push(" and c.store in (");
        let mut list = q.separated(", ");
        list.push_bind("");
        for s in stores {
            list.push_bind(s.clone());
        }
        q.push(")");
    }
    if let Some(s) = &f.store {
        q.push(" and c.store = ").push_bind(s.clone());
    }
    if let Some(k) = f.kind {
        q.push(" and c.kind = ").push_bind(k.as_str());
    }
    if let Some(t) = f.from {
        q.push(" and c.opened_at >= ").push_bind(stamp(t));
    }
    if let Some(t) = f.until {
        q.push(" and c.opened_at < ").push_bind(stamp(t));
    }
    match f.state {
        State::Open => {
            q.push(" and c.step <> 'closed'");
        }
        State::Closed => {
            q.push(" and c.step = 'closed'");
        }
        State::Overdue => {
            q.push(" and (c.step <> 'closed' and ((c.first_reply_at is null and c.reply_due < ")
                .push_bind(now.to_owned())
                .push(") or c.resolve_due < ")
                .push_bind(now.to_owned())
                .push("))");
        }
        State::All => {}
    }
}

/// One page of matching cases, overdue first, then by the deadline that comes next, and
/// the number of matches.
pub async fn page(
    pool: &Pool,
    f: &Filter,
    page: Page,
    now: OffsetDateTime,
) -> sqlx::Result<(Vec<CaseRow>, u64)> {
    let now = stamp(now);
    let total: i64 = crate::with_pool!(pool, ex => {
        let mut count = QueryBuilder::new("select count(*) from complaint_case c");
        push_where(&mut count, f, &now);
        count.build_query_scalar().fetch_one(ex).await?
    });
    let nearest = pool.pick(
        "min(c.reply_due, c.resolve_due)",
        "least(c.reply_due, c.resolve_due)",
    );
    let rows = crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new(SELECT);
        push_where(&mut q, f, &now);
        q.push(" order by c.step = 'closed', (c.step <> 'closed' and ((c.first_reply_at is null and c.reply_due < ")
            .push_bind(now.clone())
            .push(") or c.resolve_due < ")
            .push_bind(now.clone())
            .push(")) desc, case when c.step = 'closed' then null when c.first_reply_at is null then ")
            .push(nearest)
            .push(" else c.resolve_due end, c.opened_at desc, c.id desc");
        q.push(" limit ").push_bind(page.limit());
        q.push(" offset ").push_bind(page.offset());
        q.build_query_as().fetch_all(ex).await?
    });
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Matching cases with an id above `after`, oldest first, at most `limit`: an export
/// reads them chunk by chunk, so a long history never sits in memory at once.
pub async fn chunk(
    pool: &Pool,
    f: &Filter,
    now: OffsetDateTime,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<CaseRow>> {
    let now = stamp(now);
    crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new(SELECT);
        push_where(&mut q, f, &now);
        q.push(" and c.id > ").push_bind(after);
        q.push(" order by c.id limit ").push_bind(limit);
        q.build_query_as().fetch_all(ex).await
    })
}

/// How many cases visible to `only_stores` are overdue now (the dashboard's and nav's flag).
pub async fn overdue_count(
    pool: &Pool,
    only_stores: Option<Vec<String>>,
    now: OffsetDateTime,
) -> sqlx::Result<u64> {
    let f = Filter {
        state: State::Overdue,
        only_stores,
        ..Filter::default()
    };
    let now = stamp(now);
    let n: i64 = crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new("select count(*) from complaint_case c");
        push_where(&mut q, &f, &now);
        q.build_query_scalar().fetch_one(ex).await?
    });
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Marks open cases newly past a deadline as escalated, logs it, and returns them, so
/// each is escalated (and its webhook queued) once. Runs on the write pool.
pub async fn escalate_overdue(write: &Pool, now: OffsetDateTime) -> sqlx::Result<Vec<CaseRow>> {
    let at = stamp(now);
    let mut tx = write.begin().await?;
    let ids: Vec<i64> = crate::with_tx!(&mut tx, ex => sqlx::query_scalar(&format!(
        "select c.id from complaint_case c where c.overdue_at is null and {LATE} limit 500"
    ))
    .bind(&at)
    .fetch_all(&mut *ex)
    .await)?;
    let mut escalated = Vec::with_capacity(ids.len());
    for id in ids {
        crate::with_tx!(&mut tx, ex => sqlx::query("update complaint_case set overdue_at = $1 where id = $2")
            .bind(&at)
            .bind(id)
            .execute(&mut *ex)
            .await.map(|r| r.rows_affected()))?;
        let row: CaseRow = crate::with_tx!(&mut tx, ex => sqlx::query_as(&format!("{SELECT} where c.id = $1"))
            .bind(id)
            .fetch_one(&mut *ex)
            .await)?;
        let step = row.step();
        log(&mut tx, id, &at, None, step, "overdue", None, false).await?;
        crate::webhooks::enqueue(
            &mut tx,
            crate::webhooks::Event::CaseOverdue,
            &row.payload(),
            &at,
        )
        .await?;
        escalated.push(row);
    }
    tx.commit().await?;
    Ok(escalated)
}
