//! Accepting or excluding held responses: one transaction picks them, adds the accepted ones to the rollups, sets their state and logs each decision.

use crate::db::{Pool, Tx};

use std::collections::{HashMap, HashSet};

use sqlx::QueryBuilder;
use time::UtcOffset;

use super::{HeldFilter, IDS_PER_QUERY, answers, held_where};
use time::format_description::well_known::Rfc3339;

use crate::answers::Scope;
use crate::cases::NewCase;
use crate::cases::deadline::Policy;
use crate::db::rollups::{Definitions, RollupBatch, StoredResponse, add_stored, parse_definitions};

/// Most responses one bulk decision changes; the rest stay held, and the answer says how many.
pub const BULK_LIMIT: i64 = 5_000;

/// Most responses one decision may name by id.
pub const MAX_IDS: usize = 500;

/// What a manager decides about a held response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Accept it: it counts from now on, in every indicator and chart.
    Counted,
    /// Keep it out for good. It stays stored (and exportable with `--include-held`).
    Excluded,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Counted => "counted",
            Decision::Excluded => "excluded",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "counted" => Some(Decision::Counted),
            "excluded" => Some(Decision::Excluded),
            _ => None,
        }
    }
}

/// The responses a decision is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Responses by public id (the queue's checkboxes).
    Ids(&'a [String]),
    /// Every held response matching the filter with an id up to `upto` (what the page
    /// counted), at most [`BULK_LIMIT`] of them, newest first.
    Filter { filter: &'a HeldFilter, upto: i64 },
}

/// What a decision did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decided {
    /// Responses that were held and now are counted or excluded.
    pub changed: u64,
    /// Named responses someone had already decided (a second click, another manager).
    pub already: u64,
    /// Named ids that match no response.
    pub unknown: u64,
    /// For a bulk decision: held responses still matching the filter afterwards.
    pub remaining: Option<u64>,
}

/// A held response picked for a decision.
#[derive(sqlx::FromRow)]
struct Picked {
    id: i64,
    public_id: Option<String>,
    state: String,
    definition_hash: String,
    store: Option<String>,
    form_id: String,
    submitted_at: String,
}

const PICK_COLUMNS: &str =
    "select r.id, r.public_id, r.state, r.definition_hash, r.store, r.form_id, r.submitted_at";

/// Accepts or excludes responses in one `begin immediate` transaction on the write pool:
/// picks the still-held ones among those targeted, adds each accepted one's contribution
/// (from its stored answers, against its stored definition, on its local day) to the
/// daily and monthly rollups, sets their state, and logs one `response_decision` row per
/// response with who and when. A response already decided is skipped, so a repeated post
/// changes nothing. Excluding changes no rollup: held responses were never in them.
/// An accepted response whose answers meet its survey's case rule opens its case now,
/// in the same transaction, dated when the customer sent it: a held response opened
/// none, so a flood never buried real complaints, and an accepted one must not be lost.
#[tracing::instrument(skip_all, fields(decision = decision.as_str(), user_id))]
pub async fn decide(
    write: &Pool,
    target: Target<'_>,
    decision: Decision,
    user_id: i64,
    now: &str,
    utc_offset: UtcOffset,
    deadlines: &Policy,
) -> sqlx::Result<Decided> {
    let mut tx = write.begin().await?;
    // Two managers may decide the same responses at once on PostgreSQL: the rows picked
    // stay locked until this commits, and the second decision then finds them decided.
    // (SQLite's `begin immediate` already lets one writer in at a time.)
    let lock = tx.pick("", " for update of r");
    let mut out = Decided::default();
    let picked: Vec<Picked> = match target {
        Target::Ids(ids) => {
            let unique: Vec<&String> = {
                let mut seen = HashSet::new();
                ids.iter().filter(|id| seen.insert(id.as_str())).collect()
            };
            let mut found: Vec<Picked> = Vec::new();
            for chunk in unique.chunks(IDS_PER_QUERY) {
                found.extend(crate::with_tx!(&mut tx, ex => {
                    let mut q = QueryBuilder::new(format!(
                        "{PICK_COLUMNS} from response r where r.public_id in ("
                    ));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind((*id).clone());
                    }
                    q.push(")").push(lock);
                    q.build_query_as::<Picked>().fetch_all(&mut *ex).await?
                }));
            }
            let known: HashSet<&str> = found
                .iter()
                .filter_map(|p| p.public_id.as_deref())
                .collect();
            out.unknown = unique
                .iter()
                .filter(|id| !known.contains(id.as_str()))
                .count() as u64;
            let (held, decided): (Vec<Picked>, Vec<Picked>) =
                found.into_iter().partition(|p| p.state == "held");
            out.already = decided.len() as u64;
            held
        }
        Target::Filter { filter, upto } => {
            crate::with_tx!(&mut tx, ex => {
                let mut q = held_where(PICK_COLUMNS, filter);
                q.push(" and r.id <= ")
                    .push_bind(upto)
                    .push(" order by r.submitted_at desc, r.id desc limit ")
                    .push_bind(BULK_LIMIT)
                    .push(lock);
                q.build_query_as::<Picked>().fetch_all(&mut *ex).await?
            })
        }
    };
    let ids: Vec<i64> = picked.iter().map(|p| p.id).collect();
    if decision == Decision::Counted && !ids.is_empty() {
        let (batch, cases) = contributions(&mut tx, &picked, utc_offset, deadlines).await?;
        batch.write(&mut tx).await?;
        for (response, case) in &cases {
            let (id, _) = crate::db::cases::insert(&mut tx, case, Some(*response), None).await?;
            let opened = crate::webhooks::Event::CaseOpened;
            crate::db::case_hooks::queue_event(&mut tx, id, opened).await?;
        }
    }
    for chunk in ids.chunks(IDS_PER_QUERY) {
        crate::with_tx!(&mut tx, ex => {
            let mut q = QueryBuilder::new("update response set state = ");
            q.push_bind(decision.as_str())
                .push(" where state = 'held' and id in (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *ex).await?;
            let mut q = QueryBuilder::new(
                "insert into response_decision (response_id, decision, decided_by, decided_at) ",
            );
            q.push_values(chunk, |mut b, id| {
                b.push_bind(*id)
                    .push_bind(decision.as_str())
                    .push_bind(user_id)
                    .push_bind(now);
            });
            q.build().execute(&mut *ex).await?;
        });
    }
    out.changed = ids.len() as u64;
    if let Target::Filter { filter, .. } = target {
        let (left,): (i64,) = crate::with_tx!(&mut tx, ex => {
            held_where("select count(*)", filter)
                .build_query_as()
                .fetch_one(&mut *ex)
                .await?
        });
        out.remaining = Some(left.max(0) as u64);
    }
    tx.commit().await?;
    Ok(out)
}

/// The rollup counts of responses about to be accepted, read as a rebuild reads them,
/// and the cases their answers open (by response row id).
async fn contributions(
    tx: &mut Tx<'_>,
    picked: &[Picked],
    utc_offset: UtcOffset,
    deadlines: &Policy,
) -> sqlx::Result<(RollupBatch, Vec<(i64, NewCase)>)> {
    let hashes: Vec<&str> = picked
        .iter()
        .map(|p| p.definition_hash.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut sources: Vec<(String, String)> = Vec::new();
    for chunk in hashes.chunks(IDS_PER_QUERY) {
        sources.extend(crate::with_tx!(&mut *tx, ex => {
            let mut q = QueryBuilder::new("select hash, source from form_version where hash in (");
            let mut list = q.separated(", ");
            for h in chunk {
                list.push_bind(h.to_string());
            }
            q.push(")");
            q.build_query_as::<(String, String)>()
                .fetch_all(&mut *ex)
                .await?
        }));
    }
    let definitions = parse_definitions(sources);
    let ids: Vec<i64> = picked.iter().map(|p| p.id).collect();
    let mut raw: HashMap<i64, crate::answers::RawAnswers> = HashMap::new();
    for (id, question, value) in answers(tx, &ids).await? {
        raw.entry(id)
            .or_default()
            .entry(question)
            .or_default()
            .push(value);
    }
    let mut batch = RollupBatch::default();
    let mut cases = Vec::new();
    for p in picked {
        let r = StoredResponse {
            id: p.id,
            hash: p.definition_hash.clone(),
            store: p.store.clone(),
            form: p.form_id.clone(),
            at: p.submitted_at.clone(),
            raw: raw.remove(&p.id).unwrap_or_default(),
        };
        if let Some(case) = case_of(&definitions, &r, deadlines, utc_offset) {
            cases.push((p.id, case));
        }
        if !add_stored(&mut batch, &definitions, &r, utc_offset) {
            // A rebuild skips it the same way, so the rollups still agree with one.
            tracing::warn!(
                response = p.id,
                "accepted response adds nothing: its definition or time cannot be read"
            );
        }
    }
    Ok((batch, cases))
}

/// The case a stored response's answers open under its own definition's rule, if any.
fn case_of(
    definitions: &Definitions,
    r: &StoredResponse,
    deadlines: &Policy,
    utc_offset: UtcOffset,
) -> Option<NewCase> {
    let Some(Some(survey)) = definitions.get(&r.hash) else {
        return None;
    };
    survey.case.as_ref()?;
    let store = r.store.as_deref()?;
    let checked = crate::answers::check(survey, &r.raw, Scope::All, survey.default_lang);
    let opening = crate::cases::rule::opening(survey, &checked.answers)?;
    let sent = time::OffsetDateTime::parse(&r.at, &Rfc3339).ok()?;
    Some(NewCase::from_opening(
        opening, store, sent, deadlines, utc_offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_through_their_names() {
        for d in [Decision::Counted, Decision::Excluded] {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        assert_eq!(Decision::parse("held"), None);
    }
}
