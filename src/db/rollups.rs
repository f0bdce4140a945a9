//! SQL for the rollups: summing responses' counts into the daily and monthly tables, and rebuilding them from stored responses.
//!
//! A batch of new responses ([`super::responses::insert_many`]), a manager's accepting held
//! responses and the rebuild all add through [`RollupBatch`]; the last two read a stored
//! response through [`add_stored`], so they always agree.

use std::collections::BTreeMap;

use sqlx::QueryBuilder;

use super::Tx;

use crate::rollup::{Contribution, Counts};

/// Counts of many responses summed per local day, store and form: what one
/// transaction adds to the daily and monthly rollups, in six statements at most.
#[derive(Debug, Default)]
pub struct RollupBatch {
    /// (day, store, form) → counts.
    days: BTreeMap<(String, String, String), Counts>,
}

/// Rollup rows per multi-row upsert (13 parameters each).
const ROLLUP_ROWS_PER_UPSERT: usize = 500;

impl RollupBatch {
    pub fn add(&mut self, form_id: &str, store: &str, day: time::Date, c: &Contribution) {
        self.days
            .entry((day.to_string(), store.to_owned(), form_id.to_owned()))
            .or_default()
            .add(c);
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Adds everything to the daily and monthly rollups inside the caller's transaction.
    pub async fn write(&self, tx: &mut Tx<'_>) -> sqlx::Result<()> {
        let mut months: BTreeMap<(String, String, String), Counts> = BTreeMap::new();
        for ((day, store, form), c) in &self.days {
            let month = day.get(..7).unwrap_or(day).to_owned();
            months
                .entry((month, store.clone(), form.clone()))
                .or_default()
                .merge(c);
        }
        upsert(tx, "daily", &self.days).await?;
        upsert(tx, "monthly", &months).await
    }
}

/// (day or month, store, form): the key of a rollup row.
type Key = (String, String, String);
type Groups = BTreeMap<Key, Counts>;

/// One granularity: `table` is the prefix (`daily` or `monthly`); the key's first part is its day or month.
async fn upsert(tx: &mut Tx<'_>, table: &str, groups: &Groups) -> sqlx::Result<()> {
    crate::with_tx!(tx, conn => {
        let all: Vec<(&Key, &Counts)> = groups.iter().collect();
        for chunk in all.chunks(ROLLUP_ROWS_PER_UPSERT) {
            let mut q = QueryBuilder::new(format!(
                "insert into {table}_stat (day, store_code, form_id, responses, sat_n, sat_top2, nps_n, \
                 nps_promoters, nps_detractors, return_n, return_repeat, complaints, awareness_n, complaint_n) "
            ));
            q.push_values(chunk, |mut b, ((day, store, form), c)| {
                b.push_bind(day)
                    .push_bind(store)
                    .push_bind(form)
                    .push_bind(c.responses)
                    .push_bind(c.sat_n)
                    .push_bind(c.sat_top2)
                    .push_bind(c.nps_n)
                    .push_bind(c.nps_promoters)
                    .push_bind(c.nps_detractors)
                    .push_bind(c.return_n)
                    .push_bind(c.return_repeat)
                    .push_bind(c.complaints)
                    .push_bind(c.awareness_n)
                    .push_bind(c.complaint_n);
            });
            // The existing row is named by its table: PostgreSQL reads a bare column
            // there as ambiguous with `excluded`.
            q.push(format!(
                " on conflict (day, store_code, form_id) do update set \
                  responses = {table}_stat.responses + excluded.responses, sat_n = {table}_stat.sat_n + excluded.sat_n, \
                  sat_top2 = {table}_stat.sat_top2 + excluded.sat_top2, nps_n = {table}_stat.nps_n + excluded.nps_n, \
                  nps_promoters = {table}_stat.nps_promoters + excluded.nps_promoters, \
                  nps_detractors = {table}_stat.nps_detractors + excluded.nps_detractors, \
                  return_n = {table}_stat.return_n + excluded.return_n, return_repeat = {table}_stat.return_repeat + excluded.return_repeat, \
                  complaints = {table}_stat.complaints + excluded.complaints, awareness_n = {table}_stat.awareness_n + excluded.awareness_n, \
                  complaint_n = {table}_stat.complaint_n + excluded.complaint_n"
            ));
            q.build().execute(&mut *conn).await?;
        }
        let channels: Vec<(&Key, &String, i64)> = groups
            .iter()
            .flat_map(|(k, c)| c.channels.iter().map(move |(ch, n)| (k, ch, *n)))
            .collect();
        for chunk in channels.chunks(ROLLUP_ROWS_PER_UPSERT) {
            let mut q = QueryBuilder::new(format!(
                "insert into {table}_channel (day, store_code, form_id, channel, n) "
            ));
            q.push_values(chunk, |mut b, ((day, store, form), channel, n)| {
                b.push_bind(day)
                    .push_bind(store)
                    .push_bind(form)
                    .push_bind(*channel)
                    .push_bind(*n);
            });
            q.push(format!(" on conflict (day, store_code, form_id, channel) do update set n = {table}_channel.n + excluded.n"));
            q.build().execute(&mut *conn).await?;
        }
        let gaps: Vec<(&Key, &String, (i64, f64, f64))> = groups
            .iter()
            .flat_map(|(k, c)| c.gaps.iter().map(move |(a, g)| (k, a, *g)))
            .collect();
        for chunk in gaps.chunks(ROLLUP_ROWS_PER_UPSERT) {
            let mut q = QueryBuilder::new(format!(
                "insert into {table}_gap (day, store_code, form_id, aspect, n, sum, sum_sq) "
            ));
            q.push_values(
                chunk,
                |mut b, ((day, store, form), aspect, (n, sum, sum_sq))| {
                    b.push_bind(day)
                        .push_bind(store)
                        .push_bind(form)
                        .push_bind(*aspect)
                        .push_bind(*n)
                        .push_bind(*sum)
                        .push_bind(*sum_sq);
                },
            );
            q.push(format!(
                " on conflict (day, store_code, form_id, aspect) do update set \
                  n = {table}_gap.n + excluded.n, sum = {table}_gap.sum + excluded.sum, sum_sq = {table}_gap.sum_sq + excluded.sum_sq"
            ));
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// Fills the rollups from stored responses when they are empty but responses exist
/// (a database from before reports). Each response is read against its own stored
/// definition. Responses stream from a read connection and their counts are flushed
/// every few thousand, so memory stays flat however many there are; everything lands in
/// one transaction, so a crash halfway leaves the rollups empty and the next start
/// rebuilds again.
pub async fn rebuild_if_empty(
    db: &crate::db::Db,
    utc_offset: time::UtcOffset,
) -> anyhow::Result<u64> {
    use futures_util::TryStreamExt;

    const FLUSH_EVERY: u64 = 5_000;
    let (rolled, stored): (i64, i64) = crate::with_pool!(&db.read, p => {
        sqlx::query_as(
            "select (select count(*) from daily_stat), \
             (select count(*) from response where state = 'counted')",
        )
        .fetch_one(p)
        .await?
    });
    if rolled > 0 || stored == 0 {
        return Ok(0);
    }
    let surveys = parse_definitions(crate::with_pool!(&db.read, p => {
        sqlx::query_as::<_, (String, String)>("select hash, source from form_version")
            .fetch_all(p)
            .await?
    }));
    let mut tx = db.write.begin().await?;
    for table in ["monthly_stat", "monthly_channel", "monthly_gap"] {
        crate::with_tx!(&mut tx, c => {
            sqlx::query(&format!("delete from {table}")).execute(&mut *c).await?;
        });
    }
    let mut reader = db.read.acquire().await?;
    let mut batch = RollupBatch::default();
    let mut count = 0u64;
    let mut current: Option<StoredResponse> = None;
    crate::with_conn!(&mut reader, rc => {
        let mut rows = sqlx::query_as::<_, StoredRow>(
            r"select r.id, r.definition_hash, r.store, r.form_id, r.submitted_at, a.question, a.value
              from response r left join answer a on a.response_id = r.id where r.state = 'counted'
              order by r.id, a.question, a.position",
        )
        .fetch(&mut *rc);
        while let Some((id, hash, store, form, at, q, v)) = rows.try_next().await? {
            if current.as_ref().is_none_or(|c| c.id != id) {
                if let Some(done) = current.take() {
                    count += u64::from(add_stored(&mut batch, &surveys, &done, utc_offset));
                    if count.is_multiple_of(FLUSH_EVERY) && !batch.is_empty() {
                        batch.write(&mut tx).await?;
                        batch = RollupBatch::default();
                    }
                }
                current = Some(StoredResponse {
                    id,
                    hash,
                    store,
                    form,
                    at,
                    raw: Default::default(),
                });
            }
            if let (Some(c), Some(q), Some(v)) = (current.as_mut(), q, v) {
                c.raw.entry(q).or_default().push(v);
            }
        }
    });
    if let Some(done) = current.take() {
        count += u64::from(add_stored(&mut batch, &surveys, &done, utc_offset));
    }
    batch.write(&mut tx).await?;
    tx.commit().await?;
    Ok(count)
}

/// A response joined with one of its answers, as the rebuild streams them: id,
/// definition hash, store, form, time, question, value.
type StoredRow = (
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Stored definitions by hash, parsed; `None` for one that no longer parses.
pub type Definitions = std::collections::HashMap<String, Option<crate::survey::Survey>>;

/// Parses `(hash, source)` rows of `form_version`.
pub fn parse_definitions(rows: impl IntoIterator<Item = (String, String)>) -> Definitions {
    rows.into_iter()
        .map(|(hash, source)| {
            let survey = crate::survey::parse_survey("stored definition", &source).ok();
            (hash, survey)
        })
        .collect()
}

/// A stored response as the rollups read it: its definition, store, form, time and raw answers.
#[derive(Debug, Default)]
pub struct StoredResponse {
    pub id: i64,
    /// The `form_version` hash it was given against.
    pub hash: String,
    pub store: Option<String>,
    pub form: String,
    /// `submitted_at` as stored (RFC 3339).
    pub at: String,
    pub raw: crate::answers::RawAnswers,
}

/// Adds what one stored response contributes to the rollups, read against its own stored
/// definition and counted under the stores' local day of its time. The rebuild and a
/// manager's accepting a held response both go through here, so they always agree.
/// Returns false (adding nothing) when its definition is missing or no longer parses,
/// or its time is not RFC 3339.
pub fn add_stored(
    batch: &mut RollupBatch,
    definitions: &Definitions,
    r: &StoredResponse,
    utc_offset: time::UtcOffset,
) -> bool {
    use time::format_description::well_known::Rfc3339;
    let Some(Some(survey)) = definitions.get(&r.hash) else {
        return false;
    };
    let checked = crate::answers::check(
        survey,
        &r.raw,
        crate::answers::Scope::All,
        survey.default_lang,
    );
    let Ok(day) =
        time::OffsetDateTime::parse(&r.at, &Rfc3339).map(|t| t.to_offset(utc_offset).date())
    else {
        return false;
    };
    let contribution = crate::rollup::contribution(survey, &checked.answers);
    batch.add(
        &r.form,
        r.store.as_deref().unwrap_or(""),
        day,
        &contribution,
    );
    true
}
