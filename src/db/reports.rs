//! SQL for reports: reading the daily and monthly rollups (with sales and audits) for a filter. Writing them is in [`super::rollups`].

use sqlx::FromRow;

use super::{Backend, Pool, dialect};

use crate::reports::{Filter, Grouping};

/// Summed counters of `daily_stat` for one group (a period or a store).
#[derive(Debug, Clone, Default, PartialEq, FromRow)]
pub struct Stat {
    pub key: String,
    pub responses: i64,
    pub sat_n: i64,
    pub sat_top2: i64,
    pub nps_n: i64,
    pub nps_promoters: i64,
    pub nps_detractors: i64,
    pub return_n: i64,
    pub return_repeat: i64,
    pub complaints: i64,
    /// Responses to forms with a complaint question.
    pub complaint_n: i64,
}

impl Stat {
    /// Adds another group's counters (the key stays).
    pub fn add(&mut self, x: &Stat) {
        self.responses += x.responses;
        self.sat_n += x.sat_n;
        self.sat_top2 += x.sat_top2;
        self.nps_n += x.nps_n;
        self.nps_promoters += x.nps_promoters;
        self.nps_detractors += x.nps_detractors;
        self.return_n += x.return_n;
        self.return_repeat += x.return_repeat;
        self.complaints += x.complaints;
        self.complaint_n += x.complaint_n;
    }
}

/// The SQL that turns a day into its period label.
fn period_sql(backend: Backend, g: Grouping, column: &str) -> String {
    match g {
        Grouping::Day => column.to_owned(),
        // The Monday on or before the day.
        Grouping::Week => dialect::week_start(backend, column),
        Grouping::Month => format!("substr({column}, 1, 7)"),
    }
}

/// The WHERE clause every rollup query shares: $1 from, $2 to, $3 store, $4 region, $5 form,
/// $6 the reader's own stores (see [`only_stores`]).
fn where_clause(backend: Backend) -> String {
    format!(
        "d.day between $1 and $2
    and ($3 is null or d.store_code = $3)
    and ($4 is null or d.store_code in (select code from store where region = $4))
    and ($5 is null or d.form_id = $5)
    and ($6 is null or {})",
        dialect::in_json_list(backend, "d.store_code", "$6")
    )
}

/// `Filter::only_stores` as one bound value, a JSON array read with `json_each`, so
/// every query keeps its fixed text whatever the number of stores. `[]` matches nothing.
pub fn only_stores(f: &Filter) -> Option<String> {
    f.only_stores
        .as_ref()
        .map(|s| serde_json::Value::from(s.clone()).to_string())
}

/// Every counter summed; PostgreSQL sums bigints as numeric, so each is cast back.
const SUMS: &str = "cast(sum(responses) as bigint) as responses, cast(sum(sat_n) as bigint) as sat_n,
    cast(sum(sat_top2) as bigint) as sat_top2, cast(sum(nps_n) as bigint) as nps_n,
    cast(sum(nps_promoters) as bigint) as nps_promoters,
    cast(sum(nps_detractors) as bigint) as nps_detractors, cast(sum(return_n) as bigint) as return_n,
    cast(sum(return_repeat) as bigint) as return_repeat,
    cast(sum(complaints) as bigint) as complaints, cast(sum(complaint_n) as bigint) as complaint_n";

/// A piece of a report's range and the rollup that answers it: whole months come from the
/// monthly rollup, the days before the first and after the last whole month from the daily one.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub table: &'static str,
    pub from: String,
    pub to: String,
}

/// Splits the range. Grouping by day or week needs days throughout.
pub fn spans(f: &Filter, by_period: bool) -> Vec<Span> {
    use time::Duration;
    let daily = |from: time::Date, to: time::Date| Span {
        table: "daily",
        from: from.to_string(),
        to: to.to_string(),
    };
    if by_period && f.grouping != Grouping::Month {
        return vec![daily(f.from, f.to)];
    }
    let month_start = |d: time::Date| d.replace_day(1).unwrap_or(d);
    // Saturating, so a filter at the calendar's ends cannot panic (`Filter::parse` keeps
    // dates far from them).
    let first_full = if f.from.day() == 1 {
        f.from
    } else {
        month_start(
            f.from
                .saturating_add(Duration::days(32 - i64::from(f.from.day()))),
        )
    };
    let last_full = if f.to.next_day().is_none_or(|d| d.day() == 1) {
        f.to
    } else {
        month_start(f.to).saturating_sub(Duration::days(1))
    };
    if first_full > last_full {
        return vec![daily(f.from, f.to)];
    }
    let mut out = Vec::new();
    if f.from < first_full {
        out.push(daily(f.from, first_full.saturating_sub(Duration::days(1))));
    }
    let month = |d: time::Date| d.to_string()[..7].to_owned();
    out.push(Span {
        table: "monthly",
        from: month(first_full),
        to: month(last_full),
    });
    if last_full < f.to {
        out.push(daily(last_full.saturating_add(Duration::days(1)), f.to));
    }
    out
}

fn bind<'q, DB, O>(
    q: sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>,
    span: &'q Span,
    f: &'q Filter,
) -> sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>
where
    DB: sqlx::Database,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.bind(&span.from)
        .bind(&span.to)
        .bind(f.store.as_deref())
        .bind(f.region.as_deref())
        .bind(f.form.as_deref())
        .bind(only_stores(f))
}

/// The stores part of the sales and audit queries, on `column`: $3 store, $4 region,
/// $5 the reader's own stores.
fn stores_where(backend: Backend, column: &str) -> String {
    format!(
        "($3 is null or {column} = $3)
           and ($4 is null or {column} in (select code from store where region = $4))
           and ($5 is null or {})",
        dialect::in_json_list(backend, column, "$5")
    )
}

/// Counters per period (or per store with `by_store`).
pub async fn stats(pool: &Pool, f: &Filter, by_store: bool) -> sqlx::Result<Vec<Stat>> {
    let key = if by_store {
        "d.store_code".to_owned()
    } else {
        period_sql(pool.backend(), f.grouping, "d.day")
    };
    let mut merged: std::collections::BTreeMap<String, Stat> = Default::default();
    let where_ = where_clause(pool.backend());
    for span in spans(f, !by_store) {
        let sql = format!(
            "select {key} as key, {SUMS} from {}_stat d where {where_} group by 1",
            span.table
        );
        for s in crate::with_pool!(pool, ex => bind(sqlx::query_as::<_, Stat>(&sql), &span, f)
            .fetch_all(ex)
            .await)?
        {
            let m = merged.entry(s.key.clone()).or_insert_with(|| Stat {
                key: s.key.clone(),
                ..Stat::default()
            });
            m.add(&s);
        }
    }
    Ok(merged.into_values().collect())
}

/// Respondents naming each awareness channel (most named first), and how many respondents named any.
pub async fn channels(pool: &Pool, f: &Filter) -> sqlx::Result<(Vec<(String, i64)>, i64)> {
    let mut merged: std::collections::BTreeMap<String, i64> = Default::default();
    let mut total = 0;
    let where_ = where_clause(pool.backend());
    for span in spans(f, false) {
        let sql = format!(
            "select d.channel, cast(sum(d.n) as bigint) from {}_channel d where {where_} group by 1",
            span.table
        );
        for (c, n) in crate::with_pool!(pool, ex => {
            bind(sqlx::query_as::<_, (String, i64)>(&sql), &span, f)
                .fetch_all(ex)
                .await?
        }) {
            *merged.entry(c).or_default() += n;
        }
        let sql = format!(
            "select cast(coalesce(sum(awareness_n), 0) as bigint) from {}_stat d where {where_}",
            span.table
        );
        let (t,): (i64,) = crate::with_pool!(pool, ex => bind(sqlx::query_as(&sql), &span, f).fetch_one(ex).await)?;
        total += t;
    }
    let mut rows: Vec<(String, i64)> = merged.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok((rows, total))
}

/// Per aspect: (aspect, n, Σ gap, Σ gap²).
pub async fn gaps(pool: &Pool, f: &Filter) -> sqlx::Result<Vec<(String, i64, f64, f64)>> {
    let mut merged: std::collections::BTreeMap<String, (i64, f64, f64)> = Default::default();
    let where_ = where_clause(pool.backend());
    for span in spans(f, false) {
        let sql = format!(
            "select d.aspect, cast(sum(d.n) as bigint), sum(d.sum), sum(d.sum_sq) from {}_gap d where {where_} group by 1",
            span.table
        );
        for (a, n, sum, sq) in crate::with_pool!(pool, ex => {
            bind(sqlx::query_as::<_, (String, i64, f64, f64)>(&sql), &span, f)
                .fetch_all(ex)
                .await?
        }) {
            let e = merged.entry(a).or_default();
            *e = (e.0 + n, e.1 + sum, e.2 + sq);
        }
    }
    Ok(merged
        .into_iter()
        .map(|(a, (n, s, q))| (a, n, s, q))
        .collect())
}

/// Sales per period (or per store): (key, revenue, transactions). Forms do not apply to sales.
pub async fn sales(
    pool: &Pool,
    f: &Filter,
    by_store: bool,
) -> sqlx::Result<Vec<(String, f64, i64)>> {
    let key = if by_store {
        "d.store_code".to_owned()
    } else {
        period_sql(pool.backend(), f.grouping, "d.day")
    };
    let sql = format!(
        "select {key}, sum(d.revenue), cast(sum(d.transactions) as bigint) from sales d
         where d.day between $1 and $2 and {}
         group by 1 order by 1",
        stores_where(pool.backend(), "d.store_code")
    );
    crate::with_pool!(pool, ex => sqlx::query_as(&sql)
        .bind(f.from.to_string())
        .bind(f.to.to_string())
        .bind(f.store.as_deref())
        .bind(f.region.as_deref())
        .bind(only_stores(f))
        .fetch_all(ex)
        .await)
}

/// Approved, not excluded audits' scores per period (or per store): (key, n, Σ, Σ²).
pub async fn audit_scores(
    pool: &Pool,
    f: &Filter,
    by_store: bool,
) -> sqlx::Result<Vec<(String, i64, f64, f64)>> {
    let key = if by_store {
        "a.store_code".to_owned()
    } else {
        period_sql(pool.backend(), f.grouping, "a.visit_date")
    };
    let sql = format!(
        "select {key}, count(*), sum(a.score), sum(a.score * a.score) from audit a
         where a.status = 'approved' and not a.excluded and a.score is not null
           and a.visit_date between $1 and $2 and {}
         group by 1 order by 1",
        stores_where(pool.backend(), "a.store_code")
    );
    crate::with_pool!(pool, ex => sqlx::query_as(&sql)
        .bind(f.from.to_string())
        .bind(f.to.to_string())
        .bind(f.store.as_deref())
        .bind(f.region.as_deref())
        .bind(only_stores(f))
        .fetch_all(ex)
        .await)
}

/// Section × store means of approved, not excluded audits: (section, store, n, mean %).
pub async fn section_heat(
    pool: &Pool,
    f: &Filter,
) -> sqlx::Result<Vec<(String, String, i64, f64)>> {
    let sql = format!(
        "select s.section, a.store_code, count(*), avg(s.percent) from audit_section_score s
         join audit a on a.id = s.audit_id
         where a.status = 'approved' and not a.excluded and s.percent is not null
           and a.visit_date between $1 and $2 and {}
         group by 1, 2",
        stores_where(pool.backend(), "a.store_code")
    );
    crate::with_pool!(pool, ex => sqlx::query_as(&sql)
        .bind(f.from.to_string())
        .bind(f.to.to_string())
        .bind(f.store.as_deref())
        .bind(f.region.as_deref())
        .bind(only_stores(f))
        .fetch_all(ex)
        .await)
}

/// Responses counted for `store` and `form` on the days from `from` up to, not
/// including, `to`: a store's own recent rate, for the burst check.
pub async fn responses_between(
    pool: &Pool,
    store: &str,
    form: &str,
    from: time::Date,
    to: time::Date,
) -> sqlx::Result<i64> {
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        "select cast(coalesce(sum(responses), 0) as bigint) from daily_stat \
         where store_code = $1 and form_id = $2 and day >= $3 and day < $4",
    )
    .bind(store)
    .bind(form)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_one(ex)
    .await)
}

/// Every region, for the filter.
pub async fn regions(pool: &Pool) -> sqlx::Result<Vec<String>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar("select distinct region from store order by region")
        .fetch_all(ex)
        .await)
}
