//! SQL for the complaint-case reports: the facts of every case opened in a report's range (by the stores' local days), store, region and the reader's own stores.

use sqlx::{FromRow, QueryBuilder};
use time::{Duration, UtcOffset};

use super::Pool;
use super::cases::parse_stamp;
use super::dialect::{Dialect, push_in_json_list};
use super::held::day_start_utc;
use crate::cases::deadline::Due;
use crate::cases::stats::CaseFacts;
use crate::reports::Filter;

#[derive(Debug, Clone, FromRow)]
struct Row {
    code: String,
    store: String,
    category: Option<String>,
    opened_at: String,
    reply_due: String,
    resolve_due: String,
    first_reply_at: Option<String>,
    closed_at: Option<String>,
    valid: Option<bool>,
    recovery_satisfied: Option<bool>,
    contact: Option<String>,
}

/// ` and …` for the filter's range (local days in `offset`), store, region and the reader's
/// own stores. The
/// survey filter does not apply: most cases come from a counter or a phone, not a form.
fn push_filter<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &Filter, offset: UtcOffset)
where
    DB: Dialect,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    // Stored times are RFC 3339 UTC with a `Z`; the bounds are the same without it, so
    // text order is time order ("…T16:00:00Z" sorts after "…T16:00:00").
    let from = day_start_utc(f.from, offset);
    let to = day_start_utc(f.to.saturating_add(Duration::days(1)), offset);
    q.push(" and c.opened_at >= ").push_bind(from);
    q.push(" and c.opened_at < ").push_bind(to);
    if let Some(store) = &f.store {
        q.push(" and c.store = ").push_bind(store.clone());
    }
    if let Some(region) = &f.region {
        q.push(" and c.store in (select code from store where region = ")
            .push_bind(region.clone())
            .push(")");
    }
    if let Some(stores) = super::reports::only_stores(f) {
        push_in_json_list(q, "c.store", stores);
    }
}

/// The facts of every case the filter covers, oldest first. A row whose stored times do
/// not parse (never written by manyi) is left out and logged.
#[tracing::instrument(skip_all)]
pub async fn facts(pool: &Pool, f: &Filter, offset: UtcOffset) -> sqlx::Result<Vec<CaseFacts>> {
    let rows: Vec<Row> = crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new(
            "select c.code, c.store, c.category, c.opened_at, c.reply_due, c.resolve_due, c.first_reply_at, \
             c.closed_at, c.valid, c.recovery_satisfied, c.contact from complaint_case c where true",
        );
        push_filter(&mut q, f, offset);
        q.push(" order by c.opened_at, c.id");
        q.build_query_as().fetch_all(ex).await?
    });
    Ok(rows.into_iter().filter_map(to_facts).collect())
}

fn to_facts(r: Row) -> Option<CaseFacts> {
    let optional = |s: &Option<String>| match s.as_deref() {
        None => Some(None),
        Some(t) => parse_stamp(t).map(Some),
    };
    let parsed = (|| {
        Some(CaseFacts {
            opened_at: parse_stamp(&r.opened_at)?,
            due: Due {
                reply: parse_stamp(&r.reply_due)?,
                resolve: parse_stamp(&r.resolve_due)?,
            },
            first_reply_at: optional(&r.first_reply_at)?,
            closed_at: optional(&r.closed_at)?,
            store: r.store.clone(),
            category: r.category.clone(),
            valid: r.valid,
            recovery_satisfied: r.recovery_satisfied,
            contact: r.contact.clone(),
        })
    })();
    if parsed.is_none() {
        tracing::warn!(case = %r.code, "case left out of the reports: a stored time does not parse");
    }
    parsed
}
