//! SQL for responses and their answers: storing a batch of submissions. Reading them back for export is in `export.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::QueryBuilder;

use super::{Conn, Pool, Tx};
use crate::{with_pool, with_tx};

use crate::answers::Answer;
use crate::quality::{Flag, to_column};
use crate::survey::Survey;

/// A checked submission, owned so it can wait in the writer's queue.
#[derive(Debug, Clone)]
pub struct Submission {
    pub survey: Arc<Survey>,
    pub store: Option<String>,
    pub lang: &'static str,
    pub answers: Vec<(String, Answer)>,
    /// The form token or API idempotency key: the same key stores once.
    pub submission_key: Option<String>,
    /// RFC 3339, UTC.
    pub submitted_at: String,
    /// The stores' local day, which the report rollups count the response under.
    pub day: time::Date,
    /// What the integrity checks found before it was queued.
    pub checks: Checks,
}

/// What the integrity checks found about a submission before it was queued.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    /// The purchase it rates, from a receipt code: a purchase stores one response, ever.
    pub receipt: Option<ReceiptUse>,
    /// Quality flags: any flag stores the response `held`, outside every rollup.
    pub flags: Vec<Flag>,
    /// The complaint or suggestion case its answers open (the survey's case rule),
    /// stored in the same transaction as the response.
    pub case: Option<crate::cases::NewCase>,
}

/// A receipt code as stored: its store, day and transaction digits, and the purchase day.
#[derive(Debug, Clone)]
pub struct ReceiptUse {
    /// The code's first 16 digits (store number, day, transaction): unique among responses.
    pub key: String,
    pub purchase_day: time::Date,
}

/// The stored response: its row id (internal), its public id (what clients see), whether
/// this call stored it (false on a repeated submit) and whether it is held back.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub id: i64,
    pub public_id: String,
    pub created: bool,
    pub held: bool,
    /// The code of the case the response opened (also on a repeated submit).
    pub case: Option<String>,
}

/// What became of one submission of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Stored(Stored),
    /// Its receipt code already stored another response; nothing was written.
    ReceiptUsed,
}

/// A fresh public id, 24 hex digits: the millisecond it was made (48 bits), then 48
/// random bits. It says when a response was stored, which its sender knows, but nothing
/// about how many there are; and since ids grow with time, each insert appends to the
/// unique index instead of dirtying a random page of it, which keeps commits small.
fn public_id() -> String {
    use rand::RngCore;
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut bytes = [0u8; 12];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    rand::thread_rng().fill_bytes(&mut bytes[6..]);
    hex::encode(bytes)
}

/// Rows per multi-row `insert`: well under SQLite's 32,766 bound parameters.
const RESPONSE_ROWS_PER_INSERT: usize = 500;
const ANSWER_ROWS_PER_INSERT: usize = 1000;

/// A response already stored under a submission key: key, id, public id, held, case code.
type KeyFound = (String, i64, Option<String>, bool, Option<String>);

/// Stores a batch of responses, their answers and their rollup counts in one
/// transaction, and returns one outcome per submission in order. A key already stored,
/// or repeated within the batch, yields the first response with `created: false`; a
/// receipt already used, or used earlier in the batch, yields `ReceiptUsed`. Held
/// responses are stored but add nothing to the rollups. Returns only after the commit,
/// so every `Stored` is on disk.
#[tracing::instrument(skip_all, fields(batch = batch.len()))]
pub async fn insert_many(conn: &mut Conn, batch: &[&Submission]) -> sqlx::Result<Vec<Outcome>> {
    let mut tx = conn.begin().await?;
    let mut by_key: HashMap<&str, Stored> = HashMap::new();
    let keys: Vec<&str> = batch
        .iter()
        .filter_map(|s| s.submission_key.as_deref())
        .collect();
    for chunk in keys.chunks(RESPONSE_ROWS_PER_INSERT) {
        let found: Vec<KeyFound> = with_tx!(&mut tx, c => {
            let mut q = QueryBuilder::new(
                "select submission_key, id, public_id, state = 'held', \
                 (select code from complaint_case c where c.response_id = response.id) \
                 from response where submission_key in (",
            );
            let mut list = q.separated(", ");
            for key in chunk {
                list.push_bind(*key);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut *c).await?
        });
        for (key, id, public_id, held, case) in found {
            if let Some(k) = chunk.iter().find(|k| **k == key) {
                let public_id = public_id.unwrap_or_default();
                by_key.insert(
                    k,
                    Stored {
                        id,
                        public_id,
                        created: false,
                        held,
                        case,
                    },
                );
            }
        }
    }
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    let receipts: Vec<&str> = batch
        .iter()
        .filter_map(|s| s.checks.receipt.as_ref().map(|r| r.key.as_str()))
        .collect();
    for chunk in receipts.chunks(RESPONSE_ROWS_PER_INSERT) {
        used.extend(with_tx!(&mut tx, c => {
            let mut q = QueryBuilder::new("select receipt from response where receipt in (");
            let mut list = q.separated(", ");
            for key in chunk {
                list.push_bind(*key);
            }
            q.push(")");
            q.build_query_scalar::<String>().fetch_all(&mut *c).await?
        }));
    }
    let mut ids = new_ids(&mut tx, batch.len()).await?.into_iter();
    let mut results = Vec::with_capacity(batch.len());
    let mut fresh: Vec<(Stored, &Submission)> = Vec::with_capacity(batch.len());
    for s in batch {
        if let Some(first) = s.submission_key.as_deref().and_then(|k| by_key.get(k)) {
            results.push(Outcome::Stored(Stored {
                created: false,
                ..first.clone()
            }));
            continue;
        }
        if let Some(r) = &s.checks.receipt
            && !used.insert(r.key.clone())
        {
            results.push(Outcome::ReceiptUsed);
            continue;
        }
        let Some(id) = ids.next() else {
            return Err(sqlx::Error::Protocol("fewer new ids than responses".into()));
        };
        let stored = Stored {
            id,
            public_id: public_id(),
            created: true,
            held: !s.checks.flags.is_empty(),
            case: None,
        };
        if let Some(k) = s.submission_key.as_deref() {
            by_key.insert(k, stored.clone());
        }
        results.push(Outcome::Stored(stored.clone()));
        fresh.push((stored, s));
    }
    let mut versions: Vec<&Survey> = Vec::new();
    for (_, s) in &fresh {
        if !versions.iter().any(|v| v.hash == s.survey.hash) {
            versions.push(&s.survey);
        }
    }
    for survey in versions {
        ensure_form_version(&mut tx, survey).await?;
    }
    with_tx!(&mut tx, c => {
        for chunk in fresh.chunks(RESPONSE_ROWS_PER_INSERT) {
            let mut q = QueryBuilder::new(
                "insert into response (id, form_id, version, definition_hash, store, lang, submitted_at, \
                 submission_key, public_id, receipt, purchase_day, state, flags) ",
            );
            q.push_values(chunk, |mut b, (stored, s)| {
                let receipt = s.checks.receipt.as_ref();
                b.push_bind(stored.id)
                    .push_bind(&s.survey.id)
                    .push_bind(&s.survey.version)
                    .push_bind(&s.survey.hash)
                    .push_bind(s.store.as_deref())
                    .push_bind(s.lang)
                    .push_bind(&s.submitted_at)
                    .push_bind(s.submission_key.as_deref())
                    .push_bind(&stored.public_id)
                    .push_bind(receipt.map(|r| r.key.as_str()))
                    .push_bind(receipt.map(|r| r.purchase_day.to_string()))
                    .push_bind(if stored.held { "held" } else { "counted" })
                    .push_bind(to_column(&s.checks.flags));
            });
            q.build().execute(&mut *c).await?;
        }
    });
    let rows: Vec<(i64, &str, i64, String, Option<f64>)> = fresh
        .iter()
        .flat_map(|(stored, s)| {
            let id = stored.id;
            s.answers.iter().flat_map(move |(q, a)| {
                storage_rows(a)
                    .into_iter()
                    .enumerate()
                    .map(move |(pos, (v, n))| (id, q.as_str(), pos as i64, v, n))
            })
        })
        .collect();
    with_tx!(&mut tx, c => {
        for chunk in rows.chunks(ANSWER_ROWS_PER_INSERT) {
            let mut q =
                QueryBuilder::new("insert into answer (response_id, question, position, value, num) ");
            q.push_values(chunk, |mut b, (id, question, pos, value, num)| {
                b.push_bind(id)
                    .push_bind(*question)
                    .push_bind(pos)
                    .push_bind(value)
                    .push_bind(num);
            });
            q.build().execute(&mut *c).await?;
        }
    });
    let mut counts = crate::db::rollups::RollupBatch::default();
    for (_, s) in fresh.iter().filter(|(stored, _)| !stored.held) {
        let c = crate::rollup::contribution(&s.survey, &s.answers);
        counts.add(&s.survey.id, s.store.as_deref().unwrap_or(""), s.day, &c);
    }
    counts.write(&mut tx).await?;
    // A held response opens no case: a flood of made-up complaints must not bury the
    // real ones. Accepting it from the held queue opens its case then.
    for (stored, s) in &fresh {
        if let (false, Some(case)) = (stored.held, &s.checks.case) {
            let (id, code) = crate::db::cases::insert(&mut tx, case, Some(stored.id), None).await?;
            let opened = crate::webhooks::Event::CaseOpened;
            crate::db::case_hooks::queue_event(&mut tx, id, opened).await?;
            // Every answer for this response, a repeat of its key in this batch included.
            for outcome in results.iter_mut() {
                if let Outcome::Stored(r) = outcome
                    && r.id == stored.id
                {
                    r.case = Some(code.clone());
                }
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// Keeps the definition a response or audit was given against, once per file version.
pub async fn ensure_form_version(tx: &mut Tx<'_>, s: &Survey) -> sqlx::Result<()> {
    let questions: Vec<&str> = s.answerable().map(|q| q.name.as_str()).collect();
    let questions = serde_json::to_string(&questions).unwrap_or_default();
    with_tx!(tx, c => {
        sqlx::query(
            r"insert into form_version (hash, form_id, version, questions, source, first_seen)
              values ($1, $2, $3, $4, $5, $6) on conflict (hash) do nothing",
        )
        .bind(&s.hash)
        .bind(&s.id)
        .bind(&s.version)
        .bind(&questions)
        .bind(&s.source)
        .bind(crate::db::now_rfc3339())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Ids for `n` new responses, reserved inside the batch's transaction. SQLite has one
/// writer, so the next ids after the largest are free; on PostgreSQL several servers
/// insert at once, and the identity's sequence hands each its own.
async fn new_ids(tx: &mut Tx<'_>, n: usize) -> sqlx::Result<Vec<i64>> {
    match tx {
        Tx::Sqlite(t) => {
            let next: i64 = sqlx::query_scalar("select coalesce(max(id), 0) + 1 from response")
                .fetch_one(&mut **t)
                .await?;
            Ok((next..next + n as i64).collect())
        }
        Tx::Postgres(t) => sqlx::query_scalar(
            "select nextval(pg_get_serial_sequence('response', 'id')) from generate_series(1, $1)",
        )
        .bind(n as i64)
        .fetch_all(&mut **t)
        .await,
    }
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

/// The public id of the response stored under a submission key, and whether it is held.
pub async fn by_key(pool: &Pool, key: &str) -> sqlx::Result<Option<(String, bool)>> {
    with_pool!(pool, p => {
        sqlx::query_as(
            "select coalesce(public_id, ''), state = 'held' from response where submission_key = $1",
        )
        .bind(key)
        .fetch_optional(p)
        .await
    })
}

/// Whether a receipt code (its first 16 digits) already stored a response.
pub async fn receipt_used(pool: &Pool, key: &str) -> sqlx::Result<bool> {
    with_pool!(pool, p => {
        sqlx::query_scalar("select exists (select 1 from response where receipt = $1)")
            .bind(key)
            .fetch_one(p)
            .await
    })
}

/// Whether the database answers at all (for /healthz).
pub async fn ping(pool: &Pool) -> sqlx::Result<()> {
    with_pool!(pool, p => sqlx::query("select 1").execute(p).await.map(|_| ()))
}

/// Stores generated responses in large transactions through the same path as
/// submissions. Used by the demo and the benchmark, where millions of rows must load in minutes.
pub async fn insert_batch(pool: &Pool, batch: &[Submission]) -> sqlx::Result<()> {
    let mut conn = pool.acquire().await?;
    for chunk in batch.chunks(5000) {
        let refs: Vec<&Submission> = chunk.iter().collect();
        insert_many(&mut conn, &refs).await?;
    }
    Ok(())
}
