//! Reading an existing complaint log (`manyi cases import`): CSV text in, the cases to store or every bad line with its reason out.
//!
//! Pure: the command (`cli::cases`) reads the file, the store registry and the cases
//! already imported, and writes what this returns in one transaction.
//!
//! The step an imported case enters the flow at is the furthest its fields reach:
//! `closed_at` given → `closed` (with `resolved` and the recovery answers); else a
//! `category` given → `solution` (judged valid, the cause known); else → `validity`.
//! Every imported row is a complaint of normal priority whose request is unknown
//! (`other`); its deadlines count from its own `opened_at`.

use std::collections::{HashMap, HashSet};

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::deadline::Policy;
use super::flow::MAX_TEXT;
use super::taxonomy::Taxonomy;
use super::{Channel, Kind, NewCase, Priority, Request, Step};
use crate::db::cases::stamp;

/// The columns, in the order the issue gives them (any order is read).
pub const HEADER: [&str; 10] = [
    "opened_at",
    "store",
    "channel",
    "category",
    "description",
    "first_reply_at",
    "closed_at",
    "resolved",
    "recovery_satisfied",
    "recovery_return",
];

/// What identifies a case across imports: the store, the opening instant (UTC, whole
/// seconds) and the description. Two rows with the same key are one case told twice.
pub type Key = (String, String, String);

/// What the rows are checked against.
pub struct Context<'a> {
    pub stores: &'a HashSet<String>,
    pub taxonomy: &'a Taxonomy,
    pub policy: &'a Policy,
    /// The stores' UTC offset: the year in a case's code and its resolution day.
    pub offset: UtcOffset,
    /// No time in the file may be later.
    pub now: OffsetDateTime,
    /// Cases imported earlier, by key, with their codes.
    pub already: &'a HashMap<Key, String>,
}

/// One good row, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCase {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub case: NewCase,
    pub step: Step,
    pub category: Option<String>,
    /// As given, else the closing time: closing answers the customer, as in the live flow.
    pub first_reply_at: Option<OffsetDateTime>,
    /// Whether the file gave the first reply (then the log gets a "reply" event).
    pub reply_given: bool,
    pub closed_at: Option<OffsetDateTime>,
    pub resolved: Option<bool>,
    pub recovery_satisfied: Option<bool>,
    pub recovery_return: Option<bool>,
}

impl ImportedCase {
    /// `Some(true)` for the cases that passed step 2: every one past `validity`.
    pub fn valid(&self) -> Option<bool> {
        (self.step != Step::Validity).then_some(true)
    }

    pub fn key(&self) -> Key {
        key(
            &self.case.store,
            self.case.opened_at,
            &self.case.description,
        )
    }
}

pub fn key(store: &str, opened_at: OffsetDateTime, description: &str) -> Key {
    (
        store.to_owned(),
        stamp(opened_at),
        description.trim().to_owned(),
    )
}

/// The step a case enters at, from what the file says of it.
pub fn entry_step(closed: bool, category: bool) -> Step {
    if closed {
        Step::Closed
    } else if category {
        Step::Solution
    } else {
        Step::Validity
    }
}

/// Reads the whole file. All or nothing: the cases, oldest first (so their codes number
/// in time order), or every bad line with its reason, in line order.
pub fn parse(text: &str, cx: &Context) -> Result<Vec<ImportedCase>, Vec<(u64, String)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_owned())
            .collect(),
        Err(e) => return Err(vec![(1, format!("cannot read the header: {e}"))]),
    };
    let columns = columns(&header).map_err(|e| vec![(1, e)])?;
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<Key, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push((line, format!("cannot read the line: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            problems.push((
                line,
                format!(
                    "{} fields, but the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let field = |name: &str| record.get(columns[name]).unwrap_or_default();
        match row(line, &field, cx) {
            Ok(c) => {
                let k = c.key();
                if let Some(code) = cx.already.get(&k) {
                    problems.push((line, format!("already imported as {code}")));
                } else if let Some(first) = seen.get(&k) {
                    problems.push((
                        line,
                        format!("the same case as line {first} (store, opened_at and description)"),
                    ));
                } else {
                    seen.insert(k, line);
                    cases.push(c);
                }
            }
            Err(reasons) => problems.extend(reasons.into_iter().map(|r| (line, r))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if cases.is_empty() {
        return Err(vec![(2, "no cases: the file has only its header".into())]);
    }
    cases.sort_by_key(|c| c.case.opened_at);
    Ok(cases)
}

/// Where each column is; every one of `HEADER` must be there, and nothing else.
fn columns(header: &[String]) -> Result<HashMap<&'static str, usize>, String> {
    let mut at = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        match HEADER.iter().find(|c| **c == h.as_str()) {
            Some(c) if at.contains_key(c) => {
                return Err(format!("the column '{h}' is there twice"));
            }
            Some(c) => {
                at.insert(*c, i);
            }
            None => {
                return Err(format!(
                    "unknown column '{h}'; the header is {}",
                    HEADER.join(",")
                ));
            }
        }
    }
    let missing: Vec<&str> = HEADER
        .iter()
        .copied()
        .filter(|c| !at.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the header lacks {}; it is {}",
            missing.join(", "),
            HEADER.join(",")
        ));
    }
    Ok(at)
}

/// One row: the case, or every reason it is wrong.
fn row<'r>(
    line: u64,
    field: &dyn Fn(&str) -> &'r str,
    cx: &Context,
) -> Result<ImportedCase, Vec<String>> {
    let mut why = Vec::new();
    let opened = match field("opened_at") {
        "" => {
            why.push("opened_at is empty".to_owned());
            None
        }
        s => time_of("opened_at", s, cx.now)
            .map_err(|e| why.push(e))
            .ok(),
    };
    let store = field("store");
    if store.is_empty() {
        why.push("store is empty".into());
    } else if !cx.stores.contains(store) {
        why.push(format!(
            "unknown store '{store}' (import it with `manyi stores import` first)"
        ));
    }
    let channel = Channel::parse(field("channel"));
    if channel.is_none() {
        why.push(format!(
            "unknown channel '{}'; one of {}",
            field("channel"),
            Channel::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let category = Some(field("category")).filter(|c| !c.is_empty());
    if let Some(c) = category
        && !cx.taxonomy.contains(c)
    {
        why.push(format!(
            "unknown category '{c}'; one of {}",
            cx.taxonomy
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let description = field("description");
    if description.is_empty() {
        why.push("description is empty".into());
    } else if description.chars().count() > MAX_TEXT {
        why.push(format!("description is longer than {MAX_TEXT} characters"));
    }
    let optional_time = |name: &str, why: &mut Vec<String>| match field(name) {
        "" => None,
        s => time_of(name, s, cx.now).map_err(|e| why.push(e)).ok(),
    };
    let first_reply = optional_time("first_reply_at", &mut why);
    let closed = optional_time("closed_at", &mut why);
    let mut answer = |name: &str| match field(name) {
        "" => None,
        s if s.eq_ignore_ascii_case("yes") => Some(true),
        s if s.eq_ignore_ascii_case("no") => Some(false),
        s => {
            why.push(format!("{name} is '{s}'; write yes, no or nothing"));
            None
        }
    };
    let resolved = answer("resolved");
    let satisfied = answer("recovery_satisfied");
    let will_return = answer("recovery_return");
    if let Some(o) = opened {
        if closed.is_some_and(|c| c < o) {
            why.push("closed_at is before opened_at".into());
        }
        if first_reply.is_some_and(|r| r < o) {
            why.push("first_reply_at is before opened_at".into());
        }
    }
    if let (Some(r), Some(c)) = (first_reply, closed)
        && r > c
    {
        why.push("first_reply_at is after closed_at (closing answers the customer)".into());
    }
    if closed.is_none() && field("closed_at").is_empty() {
        if !field("resolved").is_empty() {
            why.push("resolved is given, but the case is open (no closed_at)".into());
        }
        if !field("recovery_satisfied").is_empty() || !field("recovery_return").is_empty() {
            why.push(
                "a recovery answer is given, but the case is not closed (no closed_at)".into(),
            );
        }
    }
    let (Some(opened), Some(channel), true) = (opened, channel, why.is_empty()) else {
        return Err(why);
    };
    let priority = Priority::Normal;
    Ok(ImportedCase {
        line,
        case: NewCase {
            kind: Kind::Complaint,
            channel,
            store: store.to_owned(),
            department: None,
            description: description.to_owned(),
            request: Request::Other,
            contact: None,
            priority,
            opened_at: opened,
            year: opened.to_offset(cx.offset).year(),
            due: cx.policy.due(priority, opened, cx.offset),
        },
        step: entry_step(closed.is_some(), category.is_some()),
        category: category.map(str::to_owned),
        first_reply_at: first_reply.or(closed),
        reply_given: first_reply.is_some(),
        closed_at: closed,
        resolved,
        recovery_satisfied: satisfied,
        recovery_return: will_return,
    })
}

/// An RFC 3339 time with its offset, stored in UTC with whole seconds.
fn time_of(name: &str, s: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
        format!(
            "{name} '{s}' is not an RFC 3339 time with its offset, like 2025-03-01T14:30:00+08:00"
        )
    })?;
    let t = t.to_offset(UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    if t > now {
        return Err(format!("{name} '{s}' is in the future"));
    }
    Ok(t)
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
