//! SQL for responses and their answers: storing a submission, and reading a form's responses back for export.

use futures_util::TryStreamExt;
use sqlx::{Row, SqlitePool};

use crate::answers::Answer;
use crate::survey::Survey;

/// A checked submission, ready to store.
pub struct NewResponse<'a> {
    pub survey: &'a Survey,
    pub store: Option<&'a str>,
    pub lang: &'a str,
    pub answers: &'a [(String, Answer)],
    pub submission_key: Option<&'a str>,
    /// The stores' local day, which the report rollups count the response under.
    pub day: time::Date,
}

/// The id of the stored response, and whether this call stored it (false on a repeated submit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stored {
    pub id: i64,
    pub created: bool,
}

/// Stores a response and its answers in one transaction. The function returns
/// only after the commit, so an acknowledged response is on disk.
#[tracing::instrument(skip_all, fields(form = %new.survey.id))]
pub async fn insert(pool: &SqlitePool, new: NewResponse<'_>) -> sqlx::Result<Stored> {
    let now = crate::db::now_rfc3339();
    // IMMEDIATE takes the write lock up front, so a busy database makes us
    // wait on the busy timeout instead of failing halfway with SQLITE_BUSY.
    let mut tx = pool.begin_with("begin immediate").await?;
    if let Some(key) = new.submission_key {
        let existing =
            sqlx::query_scalar::<_, i64>(r"select id from response where submission_key = ?")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = existing {
            return Ok(Stored { id, created: false });
        }
    }
    let s = new.survey;
    ensure_form_version(&mut tx, s).await?;
    let id: i64 = sqlx::query_scalar(
        r"insert into response (form_id, version, definition_hash, store, lang, submitted_at, submission_key)
          values (?, ?, ?, ?, ?, ?, ?) returning id",
    )
    .bind(&s.id)
    .bind(&s.version)
    .bind(&s.hash)
    .bind(new.store)
    .bind(new.lang)
    .bind(&now)
    .bind(new.submission_key)
    .fetch_one(&mut *tx)
    .await?;
    for (question, answer) in new.answers {
        for (position, (value, num)) in storage_rows(answer).into_iter().enumerate() {
            sqlx::query(r"insert into answer (response_id, question, position, value, num) values (?, ?, ?, ?, ?)")
                .bind(id)
                .bind(question)
                .bind(position as i64)
                .bind(value)
                .bind(num)
                .execute(&mut *tx)
                .await?;
        }
    }
    let contribution = crate::rollup::contribution(s, new.answers);
    let day = new.day.to_string();
    let counts = crate::rollup::Counts::from(&contribution);
    crate::db::reports::add_counts(&mut tx, &s.id, new.store.unwrap_or(""), &day, &counts).await?;
    tx.commit().await?;
    Ok(Stored { id, created: true })
}

/// Keeps the definition a response or audit was given against, once per file version.
pub async fn ensure_form_version(tx: &mut sqlx::SqliteConnection, s: &Survey) -> sqlx::Result<()> {
    let questions: Vec<&str> = s.answerable().map(|q| q.name.as_str()).collect();
    sqlx::query(
        r"insert into form_version (hash, form_id, version, questions, source, first_seen)
          values (?, ?, ?, ?, ?, ?) on conflict (hash) do nothing",
    )
    .bind(&s.hash)
    .bind(&s.id)
    .bind(&s.version)
    .bind(serde_json::to_string(&questions).unwrap_or_default())
    .bind(&s.source)
    .bind(crate::db::now_rfc3339())
    .execute(tx)
    .await?;
    Ok(())
}

/// An answer as stored rows: text value plus the number where there is one.
pub fn storage_rows(answer: &Answer) -> Vec<(String, Option<f64>)> {
    match answer {
        Answer::Choices(c) => c.iter().map(|v| (v.clone(), None)).collect(),
        Answer::Int(i) => vec![(i.to_string(), Some(*i as f64))],
        Answer::Decimal(f) => vec![(f.to_string(), Some(*f))],
        other => vec![(other.to_value().to_string(), None)],
    }
}

/// One stored response, as the export sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub id: i64,
    pub submitted_at: String,
    pub store: Option<String>,
    pub lang: String,
    pub version: String,
    /// (question, values) in stored order; a multiple choice has several values.
    pub answers: Vec<(String, Vec<String>)>,
}

/// Question names of every definition a form's responses were given against,
/// newest definition first, each name once: the export's columns.
pub async fn question_columns(pool: &SqlitePool, form_id: &str) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query_scalar::<_, String>(
        r"select questions from form_version where form_id = ? order by first_seen desc, rowid desc",
    )
    .bind(form_id)
    .fetch_all(pool)
    .await?;
    let mut columns: Vec<String> = Vec::new();
    for json in rows {
        let names: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        for name in names {
            if !columns.contains(&name) {
                columns.push(name);
            }
        }
    }
    Ok(columns)
}

/// Streams every response of a form, oldest first, to `each`, one at a time,
/// so exporting millions of responses needs memory for one.
pub async fn for_each_in_form(
    pool: &SqlitePool,
    form_id: &str,
    mut each: impl FnMut(StoredResponse) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut rows = sqlx::query(
        r"select r.id, r.submitted_at, r.store, r.lang, r.version, a.question, a.value
          from response r left join answer a on a.response_id = r.id
          where r.form_id = ?
          order by r.id, a.question, a.position",
    )
    .bind(form_id)
    .fetch(pool);
    let mut current: Option<StoredResponse> = None;
    while let Some(row) = rows.try_next().await? {
        let id: i64 = row.try_get("id")?;
        if current.as_ref().is_none_or(|r| r.id != id) {
            if let Some(done) = current.take() {
                each(done)?;
            }
            current = Some(StoredResponse {
                id,
                submitted_at: row.try_get("submitted_at")?,
                store: row.try_get("store")?,
                lang: row.try_get("lang")?,
                version: row.try_get("version")?,
                answers: Vec::new(),
            });
        }
        let question: Option<String> = row.try_get("question")?;
        let value: Option<String> = row.try_get("value")?;
        if let (Some(q), Some(v), Some(resp)) = (question, value, current.as_mut()) {
            match resp.answers.last_mut() {
                Some((last, values)) if *last == q => values.push(v),
                _ => resp.answers.push((q, vec![v])),
            }
        }
    }
    if let Some(done) = current {
        each(done)?;
    }
    Ok(())
}

/// Whether the database answers at all (for /healthz).
pub async fn ping(pool: &SqlitePool) -> sqlx::Result<()> {
    sqlx::query("select 1").execute(pool).await.map(|_| ())
}

/// A generated response for [`insert_batch`].
pub struct BatchResponse {
    pub store: Option<String>,
    pub lang: &'static str,
    /// RFC 3339, UTC.
    pub submitted_at: String,
    /// The local day the rollups count it under.
    pub day: String,
    pub answers: Vec<(String, Answer)>,
}

/// Stores many responses of one survey in one transaction with multi-row inserts,
/// and adds them to the rollups through the same counting as single submissions.
/// Used by the demo and the benchmark, where millions of rows must load in minutes.
pub async fn insert_batch(
    pool: &SqlitePool,
    survey: &Survey,
    batch: &[BatchResponse],
) -> sqlx::Result<()> {
    let mut tx = pool.begin_with("begin immediate").await?;
    ensure_form_version(&mut tx, survey).await?;
    let first: i64 = sqlx::query_scalar("select coalesce(max(id), 0) + 1 from response")
        .fetch_one(&mut *tx)
        .await?;
    for (chunk_no, chunk) in batch.chunks(500).enumerate() {
        let mut q = sqlx::QueryBuilder::new(
            "insert into response (id, form_id, version, definition_hash, store, lang, submitted_at) ",
        );
        q.push_values(chunk.iter().enumerate(), |mut b, (i, r)| {
            b.push_bind(first + (chunk_no * 500 + i) as i64)
                .push_bind(&survey.id)
                .push_bind(&survey.version)
                .push_bind(&survey.hash)
                .push_bind(r.store.as_deref())
                .push_bind(r.lang)
                .push_bind(&r.submitted_at);
        });
        q.build().execute(&mut *tx).await?;
    }
    let rows: Vec<(i64, &str, i64, String, Option<f64>)> = batch
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.answers.iter().flat_map(move |(q, a)| {
                storage_rows(a)
                    .into_iter()
                    .enumerate()
                    .map(move |(pos, (v, n))| (first + i as i64, q.as_str(), pos as i64, v, n))
            })
        })
        .collect();
    for chunk in rows.chunks(1000) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into answer (response_id, question, position, value, num) ",
        );
        q.push_values(chunk, |mut b, (id, question, pos, value, num)| {
            b.push_bind(id)
                .push_bind(*question)
                .push_bind(pos)
                .push_bind(value)
                .push_bind(num);
        });
        q.build().execute(&mut *tx).await?;
    }
    let mut counts: std::collections::BTreeMap<(&str, &str), crate::rollup::Counts> =
        Default::default();
    for r in batch {
        let c = crate::rollup::contribution(survey, &r.answers);
        counts
            .entry((r.store.as_deref().unwrap_or(""), r.day.as_str()))
            .or_default()
            .add(&c);
    }
    for ((store, day), c) in &counts {
        crate::db::reports::add_counts(&mut tx, &survey.id, store, day, c).await?;
    }
    tx.commit().await
}
