//! SQL for the CSV export: a form's columns, and its responses read in chunks of a few thousand.
//!
//! sqlx hands each row from its SQLite worker thread to the async task on its own, copying
//! every value, which costs microseconds per row: one row per answer (about eleven per
//! response) held the export to some 20,000 responses a second. So SQLite packs a whole
//! chunk of responses into one JSON text, a single row to hand over, which the export parses
//! borrowing its strings. While one chunk's CSV is written, the worker thread already reads
//! the next, so the two halves of the work run on two cores.

use crate::db::Tx;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// Responses per query. A query costs tens of microseconds, nothing spread over 500
/// responses, and a chunk stays small: about 150 KB of JSON on the demo data, 15 MB even if
/// every response held five 2,000-character Chinese texts. Chunks of 256 to 8,000 exported
/// equally fast; 8,000 took twice the memory.
const CHUNK: i64 = 500;

/// One chunk of a form's responses after `$2`, as one JSON array of
/// `[id, submitted_at, store, lang, version, state, {question: value, …}]`: counted
/// responses only, or every state when `$4` is true. A value at position 0 is its text;
/// further options of a multiple choice are `[position, text]`, so the reader puts them in
/// order without trusting the order in which SQLite happens to aggregate rows (ordering
/// inside the aggregate is exact too, but made the whole export a third slower).
/// `+r.form_id` keeps SQLite off the (form_id, submitted_at) index, which would need a sort
/// by id; scanning in id order reads the chunk in order and stops at the limit. The state
/// test is on the same scanned row, so it costs no extra read.
const CHUNK_SQL: &str = r"
select count(*), max(c.id), json_group_array(json_array(
           c.id, c.submitted_at, c.store, c.lang, c.version, c.state,
           (select json_group_object(
                       a.question,
                       iif(a.position = 0, a.value, json_array(a.position, a.value)))
            from answer a
            where a.response_id = c.id)))
from (select r.id, r.submitted_at, r.store, r.lang, r.version, r.state
      from response r
      where +r.form_id = $1 and r.id > $2 and ($4 or r.state = 'counted')
      order by r.id
      limit $3) c";

/// [`CHUNK_SQL`] in PostgreSQL's words: the same array, the same shapes. `json` (not
/// `jsonb`) keeps a multiple choice's repeated keys, which the reader expects.
const CHUNK_SQL_PG: &str = r"
select count(*), max(c.id), coalesce(json_agg(json_build_array(
           c.id, c.submitted_at, c.store, c.lang, c.version, c.state,
           coalesce((select json_object_agg(
                       a.question,
                       case when a.position = 0 then to_json(a.value)
                            else json_build_array(a.position, a.value) end)
            from answer a
            where a.response_id = c.id), '{}'::json))), '[]'::json)::text
from (select r.id, r.submitted_at, r.store, r.lang, r.version, r.state
      from response r
      where r.form_id = $1 and r.id > $2 and ($4 or r.state = 'counted')
      order by r.id
      limit $3) c";

/// Question names of every definition a form's responses were given against,
/// newest definition first, each name once: the export's columns.
pub async fn question_columns(conn: &mut Tx<'_>, form_id: &str) -> sqlx::Result<Vec<String>> {
    // PostgreSQL has no rowid: two definitions first seen in the same second keep
    // their order by hash there, by insertion on SQLite.
    let sql = conn.pick(
        "select questions from form_version where form_id = $1 order by first_seen desc, rowid desc",
        "select questions from form_version where form_id = $1 order by first_seen desc, hash desc",
    );
    let rows = crate::with_tx!(&mut *conn, ex => sqlx::query_scalar::<_, String>(sql)
    .bind(form_id)
    .fetch_all(&mut *ex)
    .await)?;
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

/// One stored response, as the export sees it, borrowing from the chunk it was read in.
#[derive(Debug, Deserialize)]
pub struct ExportRow<'a> {
    pub id: i64,
    #[serde(borrow)]
    pub submitted_at: Cow<'a, str>,
    #[serde(borrow)]
    pub store: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub lang: Cow<'a, str>,
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    /// `counted`, `held` or `excluded`.
    #[serde(borrow)]
    pub state: Cow<'a, str>,
    #[serde(borrow)]
    pub answers: Answers<'a>,
}

/// A response's answers sorted by question, then position: a multiple choice has one
/// entry per option, in the order it was stored.
#[derive(Debug, Default)]
pub struct Answers<'a>(pub Vec<StoredAnswer<'a>>);

#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer<'a> {
    pub question: Cow<'a, str>,
    pub position: i64,
    pub value: Cow<'a, str>,
}

fn by_question_then_position(a: &StoredAnswer, b: &StoredAnswer) -> Ordering {
    (&a.question, a.position).cmp(&(&b.question, b.position))
}

/// A string that borrows from the JSON text unless it had escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// An answer's value: `"text"` at position 0, `[position, "text"]` after it.
struct Positioned<'a>(i64, Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Answers<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Entries<'a> {
            type Value = Answers<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of question: value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut answers = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((Text(question), Positioned(position, value))) = map.next_entry()? {
                    answers.push(StoredAnswer {
                        question,
                        position,
                        value,
                    });
                }
                // Almost always in order already, and checking costs one pass.
                if !answers.is_sorted_by(|a, b| by_question_then_position(a, b).is_le()) {
                    answers.sort_by(by_question_then_position);
                }
                Ok(Answers(answers))
            }
        }
        d.deserialize_map(Entries(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Positioned<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Value<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Value<'a> {
            type Value = Positioned<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or [position, text]")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Positioned(0, Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Positioned(0, Cow::Owned(v.to_owned())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let position = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let Text(text) = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                Ok(Positioned(position, text))
            }
        }
        d.deserialize_any(Value(PhantomData))
    }
}

/// A chunk as SQLite packed it: how many responses, the last id, and the JSON.
struct Chunk {
    count: i64,
    last: Option<i64>,
    json: String,
}

async fn chunk(
    conn: &mut Tx<'_>,
    form_id: &str,
    after: i64,
    every_state: bool,
) -> sqlx::Result<Chunk> {
    let sql = conn.pick(CHUNK_SQL, CHUNK_SQL_PG);
    let (count, last, json) = crate::with_tx!(&mut *conn, ex => sqlx::query_as(sql)
        .bind(form_id)
        .bind(after)
        .bind(CHUNK)
        .bind(every_state)
        .fetch_one(&mut *ex)
        .await)?;
    Ok(Chunk { count, last, json })
}

/// Parses a chunk and passes each response to `each`, in id order.
fn pass_on(
    chunk: &Chunk,
    each: &mut impl FnMut(&ExportRow<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut rows: Vec<ExportRow> = serde_json::from_str(&chunk.json)
        .map_err(|e| anyhow::anyhow!("Failed to read a chunk of the export: {e}"))?;
    // The scan already yields id order; the check keeps that a guarantee.
    if !rows.is_sorted_by_key(|r| r.id) {
        rows.sort_by_key(|r| r.id);
    }
    rows.iter().try_for_each(each)
}

/// Streams the counted responses of `form_id` (every response with `every_state`: held
/// and excluded too), oldest first, to `each`, and returns how many. Run it in a
/// transaction, with the columns read in the same one, for a consistent snapshot.
pub async fn for_each_response(
    conn: &mut Tx<'_>,
    form_id: &str,
    every_state: bool,
    mut each: impl FnMut(&ExportRow<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut total = 0;
    let mut current = chunk(conn, form_id, 0, every_state).await?;
    loop {
        total += current.count as usize;
        let after = match current.last {
            Some(last) if current.count == CHUNK => last,
            _ => break,
        };
        // join! polls the query first, which hands it to sqlx's worker thread; this task
        // then parses and writes the current chunk while SQLite reads the next.
        let (next, passed) = tokio::join!(chunk(conn, form_id, after, every_state), async {
            pass_on(&current, &mut each)
        });
        passed?;
        current = next?;
    }
    pass_on(&current, &mut each)?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_parses_borrowing_and_puts_answers_in_question_then_position_order() {
        // As SQLite might aggregate them: questions and options out of order, an escape.
        let json = r#"[[7, "2026-11-20T01:00:00Z", null, "zh", "1", "held", {
            "heard_from": [2, "ad"], "recommend": "9", "heard_from": "friend",
            "heard_from": [1, "online"], "comment": "say \"hi\"\n"}],
            [8, "t", "S1", "en", "1", "counted", {}]]"#;
        let rows: Vec<ExportRow> = serde_json::from_str(json).unwrap();
        assert_eq!(rows.len(), 2);
        let (first, second) = (&rows[0], &rows[1]);
        assert_eq!((first.id, first.store.as_deref()), (7, None));
        assert_eq!(
            (first.state.as_ref(), second.state.as_ref()),
            ("held", "counted")
        );
        assert!(matches!(first.submitted_at, Cow::Borrowed(_)));
        let answers: Vec<(&str, i64, &str)> = first
            .answers
            .0
            .iter()
            .map(|a| (a.question.as_ref(), a.position, a.value.as_ref()))
            .collect();
        assert_eq!(
            answers,
            [
                ("comment", 0, "say \"hi\"\n"),
                ("heard_from", 0, "friend"),
                ("heard_from", 1, "online"),
                ("heard_from", 2, "ad"),
                ("recommend", 0, "9"),
            ]
        );
        assert_eq!(second.store.as_deref(), Some("S1"));
        assert!(second.answers.0.is_empty());
    }

    #[test]
    fn a_value_that_is_neither_text_nor_position_and_text_is_an_error() {
        let json = r#"[[1, "t", null, "zh", "1", "counted", {"recommend": 9}]]"#;
        assert!(serde_json::from_str::<Vec<ExportRow>>(json).is_err());
    }
}
