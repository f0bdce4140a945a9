//! SQL for held responses: the queue a manager works through, the count a report shows, and accepting or excluding them with the rollups updated in the same transaction.
//!
//! Held rows are few next to counted ones, and the partial index
//! `response_held on response (form_id, submitted_at) where state = 'held'` holds only
//! them, so every query over held responses names it (`indexed by`): with a form it
//! seeks the form's range of times, without one it scans the held rows alone. Either
//! way counted responses are never read.
//!
//! Times are compared as text. Every writer stores `submitted_at` in UTC (RFC 3339,
//! ending in `Z`, whole seconds or milliseconds), so a local day becomes the UTC bounds
//! `YYYY-MM-DDTHH:MM:SS` (no suffix): a prefix sorts before every time that starts with
//! it, so both precisions fall on the right side of each bound.
//!
//! Deciding about them (accept or exclude), with the rollups, is in `held/decide.rs`.

mod decide;

pub use decide::{BULK_LIMIT, Decided, Decision, MAX_IDS, Target, decide};

use sqlx::QueryBuilder;
use time::{Date, PrimitiveDateTime, Time, UtcOffset};

use super::dialect::{Dialect, push_in_json_list};
use super::{Backend, Pool, Tx};
use crate::paging::Page;
use crate::quality::Flag;

/// Ids per `in (…)` list: well under SQLite's bound-parameter limit.
const IDS_PER_QUERY: usize = 500;

/// Which held (or decided) responses a page or a bulk decision covers. Days are the
/// stores' local days, as in the reports.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldFilter {
    pub form: Option<String>,
    pub store: Option<String>,
    pub region: Option<String>,
    pub flag: Option<Flag>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The stores' UTC offset, which turns days into times.
    pub utc_offset: UtcOffset,
}

/// Every held response: no form, store, flag or days; days (none here) in UTC.
impl Default for HeldFilter {
    fn default() -> HeldFilter {
        HeldFilter {
            form: None,
            store: None,
            region: None,
            flag: None,
            from: None,
            to: None,
            utc_offset: UtcOffset::UTC,
        }
    }
}

impl HeldFilter {
    /// The same forms, stores and days as a report's filter.
    pub fn for_report(f: &crate::reports::Filter, utc_offset: UtcOffset) -> HeldFilter {
        HeldFilter {
            form: f.form.clone(),
            store: f.store.clone(),
            region: f.region.clone(),
            flag: None,
            from: Some(f.from),
            to: Some(f.to),
            utc_offset,
        }
    }
}

/// The UTC time at which local `day` begins, as compared with `submitted_at` (see the module comment).
pub fn day_start_utc(day: Date, offset: UtcOffset) -> String {
    let t = PrimitiveDateTime::new(day, Time::MIDNIGHT)
        .assume_offset(offset)
        .to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Appends ` and …` for every part of the filter, on response `r`.
fn push_filter<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &HeldFilter)
where
    DB: Dialect,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(form) = &f.form {
        q.push(" and r.form_id = ").push_bind(form.clone());
    }
    if let Some(from) = f.from {
        q.push(" and r.submitted_at >= ")
            .push_bind(day_start_utc(from, f.utc_offset));
    }
    if let Some(to) = f.to {
        // The start of the next day, exclusive. `Filter::parse` keeps days far from the
        // calendar's end; a last day of the calendar simply has no upper bound.
        if let Some(next) = to.next_day() {
            q.push(" and r.submitted_at < ")
                .push_bind(day_start_utc(next, f.utc_offset));
        }
    }
    if let Some(store) = &f.store {
        q.push(" and r.store = ").push_bind(store.clone());
    }
    if let Some(region) = &f.region {
        q.push(" and r.store in (select code from store where region = ")
            .push_bind(region.clone())
            .push(")");
    }
    if let Some(flag) = f.flag {
        q.push(" and (' ' || r.flags || ' ') like ")
            .push_bind(format!("% {} %", flag.name()));
    }
}

/// The start of every query over held responses matching `f`.
fn held_where<'a, DB>(select: &str, f: &HeldFilter) -> QueryBuilder<'a, DB>
where
    DB: Dialect,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    // PostgreSQL's planner picks the partial index by itself.
    let index = match DB::BACKEND {
        Backend::Sqlite => " indexed by response_held",
        Backend::Postgres => "",
    };
    let mut q = QueryBuilder::new(format!(
        "{select} from response r{index} where r.state = 'held'"
    ));
    push_filter(&mut q, f);
    q
}

/// How many held responses match `f`, and the highest id among them (what a bulk
/// decision of "all of these" may reach, so responses held after the page was drawn are
/// not decided unseen).
pub async fn count(pool: &Pool, f: &HeldFilter) -> sqlx::Result<(i64, Option<i64>)> {
    crate::with_pool!(pool, ex => {
        held_where("select count(*), max(r.id)", f)
            .build_query_as()
            .fetch_one(ex)
            .await
    })
}

/// Held responses over the same stores, days and forms as a report: its "n held back".
/// A store manager's report counts their own stores' only (`Filter::only_stores`), which
/// the queue's filter has no place for.
#[tracing::instrument(skip_all)]
pub async fn count_for_report(
    pool: &Pool,
    f: &crate::reports::Filter,
    utc_offset: UtcOffset,
) -> sqlx::Result<i64> {
    let held = HeldFilter::for_report(f, utc_offset);
    crate::with_pool!(pool, ex => {
        let mut q = held_where("select count(*)", &held);
        if let Some(stores) = super::reports::only_stores(f) {
            push_in_json_list(&mut q, "r.store", stores);
        }
        q.build_query_scalar().fetch_one(ex).await
    })
}

/// A response as the queue lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HeldRow {
    pub id: i64,
    pub public_id: String,
    pub form_id: String,
    pub version: String,
    pub store: Option<String>,
    pub store_name: Option<String>,
    pub lang: String,
    pub submitted_at: String,
    pub flags: Option<String>,
}

const ROW_COLUMNS: &str = "select r.id, coalesce(r.public_id, '') as public_id, r.form_id, r.version, r.store, \
     (select s.name from store s where s.code = r.store) as store_name, r.lang, r.submitted_at, r.flags";

/// One page of the held responses matching `f`, oldest first: the longest waiting is
/// decided first ([`count`] says how many in all).
#[tracing::instrument(skip_all, fields(page = page.number))]
pub async fn list(pool: &Pool, f: &HeldFilter, page: Page) -> sqlx::Result<Vec<HeldRow>> {
    crate::with_pool!(pool, ex => {
        let mut q = held_where(ROW_COLUMNS, f);
        q.push(" order by r.submitted_at, r.id limit ")
            .push_bind(page.limit())
            .push(" offset ")
            .push_bind(page.offset());
        q.build_query_as::<HeldRow>().fetch_all(ex).await
    })
}

/// The stored answers of some responses: (response id, question, value), each
/// response's in question then position order.
pub async fn answers(conn: &mut Tx<'_>, ids: &[i64]) -> sqlx::Result<Vec<(i64, String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        out.extend(crate::with_tx!(&mut *conn, ex => {
            let mut q = QueryBuilder::new(
                "select response_id, question, value from answer where response_id in (",
            );
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(") order by response_id, question, position");
            q.build_query_as::<(i64, String, String)>()
                .fetch_all(&mut *ex)
                .await?
        }));
    }
    Ok(out)
}

/// One logged decision, as the page lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DecisionRow {
    pub decided_at: String,
    pub decision: String,
    pub decided_by: String,
    pub public_id: String,
    pub form_id: String,
    pub store: Option<String>,
    pub submitted_at: String,
    pub flags: Option<String>,
}

/// One page of logged decisions about responses matching `f` (the flag, form, store and
/// days are the response's), latest first, and how many there are in all.
#[tracing::instrument(skip_all, fields(page = page.number))]
pub async fn decisions(
    pool: &Pool,
    f: &HeldFilter,
    page: Page,
) -> sqlx::Result<(Vec<DecisionRow>, i64)> {
    // `cross join` keeps the log outermost: it is read latest first and stops at the page,
    // where a store filter would otherwise start from every response of the store.
    // (PostgreSQL has no `cross join … on`; its planner reads the log first by itself.)
    let from = pool.pick(
        " from response_decision d cross join response r on r.id = d.response_id \
         left join \"user\" u on u.id = d.decided_by where true",
        " from response_decision d join response r on r.id = d.response_id \
         left join \"user\" u on u.id = d.decided_by where true",
    );
    let rows = crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new(format!(
            "select d.decided_at, d.decision, coalesce(u.username, '#' || d.decided_by) as decided_by, \
             coalesce(r.public_id, '') as public_id, r.form_id, r.store, r.submitted_at, r.flags{from}"
        ));
        push_filter(&mut q, f);
        q.push(" order by d.id desc limit ")
            .push_bind(page.limit())
            .push(" offset ")
            .push_bind(page.offset());
        q.build_query_as::<DecisionRow>().fetch_all(ex).await?
    });
    let (total,): (i64,) = crate::with_pool!(pool, ex => {
        let mut q = QueryBuilder::new(format!("select count(*){from}"));
        push_filter(&mut q, f);
        q.build_query_as().fetch_one(ex).await?
    });
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, offset};

    #[test]
    fn a_local_day_starts_at_its_utc_time_without_a_suffix() {
        assert_eq!(
            day_start_utc(date!(2026 - 11 - 30), offset!(+8)),
            "2026-11-29T16:00:00"
        );
        assert_eq!(
            day_start_utc(date!(2026 - 11 - 30), UtcOffset::UTC),
            "2026-11-30T00:00:00"
        );
        assert_eq!(
            day_start_utc(date!(2026 - 12 - 01), offset!(-5:30)),
            "2026-12-01T05:30:00"
        );
    }

    #[test]
    fn both_stored_precisions_fall_inside_the_bounds_of_their_day() {
        let (start, end) = (
            day_start_utc(date!(2026 - 11 - 30), offset!(+8)),
            day_start_utc(date!(2026 - 12 - 01), offset!(+8)),
        );
        for inside in [
            "2026-11-29T16:00:00Z",
            "2026-11-29T16:00:00.000Z",
            "2026-11-30T15:59:59.999Z",
            "2026-11-30T15:59:59Z",
        ] {
            assert!(
                inside >= start.as_str() && inside < end.as_str(),
                "{inside}"
            );
        }
        for outside in [
            "2026-11-29T15:59:59.999Z",
            "2026-11-30T16:00:00Z",
            "2026-11-30T16:00:00.000Z",
        ] {
            assert!(
                !(outside >= start.as_str() && outside < end.as_str()),
                "{outside}"
            );
        }
    }
}
