//! Audit scoring: items, sections and the overall percentage, with N/A, bonus, weights and critical fails.
//!
//! The rule (also in the README, with a worked example):
//! - An item earns `points × fraction achieved`; N/A (or unanswered) counts 0 earned, 0 possible.
//!   Fractions: yes = 1, no = 0; a rating r on 1–5 = (r − 1) / 4; a choice = its points / the best
//!   choice's points; an item with a `pass` rule = 1 if the rule holds, else 0.
//! - A bonus item adds to earned only. An item fails when it earns nothing (fraction 0).
//! - Section % = Σ earned / Σ possible, at most 100; a section with nothing possible is N/A.
//! - Overall % = the weighted mean of the non-N/A section percentages when sections have
//!   weights, else Σ earned / Σ possible over all items; at most 100.
//! - Critical fails come last: a failed `critical = "section"` item sets its section to 0 (its
//!   earned points count as 0 in the unweighted sum), a failed `critical = "visit"` item sets
//!   the overall score to 0.

use std::collections::HashMap;

use serde::Serialize;

use crate::answers::Answer;
use crate::expr::{Env, Value};
use crate::survey::{Critical, Kind, Question, Survey};

/// One scored item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub name: String,
    pub earned: f64,
    pub possible: f64,
    /// N/A or unanswered: counts for nothing.
    pub na: bool,
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionScore {
    pub name: String,
    pub earned: f64,
    pub possible: f64,
    /// `None` when nothing in the section was possible (N/A).
    pub percent: Option<f64>,
    pub critical_fail: bool,
    pub items: Vec<ItemScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditScore {
    pub sections: Vec<SectionScore>,
    /// `None` when every section is N/A.
    pub overall: Option<f64>,
    /// A critical item failed (in any scope).
    pub critical_fail: bool,
}

struct Current<'a> {
    answers: &'a HashMap<&'a str, Value>,
    current: Value,
}

impl Env for Current<'_> {
    fn answer(&self, name: &str) -> Value {
        self.answers.get(name).cloned().unwrap_or(Value::Null)
    }
    fn current(&self) -> Value {
        self.current.clone()
    }
}

/// The fraction an answered item achieved, or `None` for N/A.
fn fraction(q: &Question, answer: &Answer, answers: &HashMap<&str, Value>) -> Option<f64> {
    let scoring = q.scoring.as_ref()?;
    if let Some(pass) = &scoring.pass {
        let env = Current {
            answers,
            current: answer.to_value(),
        };
        return Some(if pass.eval_bool(&env) { 1.0 } else { 0.0 });
    }
    match (&q.kind, answer) {
        (Kind::YesNo { .. }, Answer::Choice(c)) => match c.as_str() {
            "yes" => Some(1.0),
            "no" => Some(0.0),
            _ => None,
        },
        (Kind::Rating, Answer::Int(r)) => Some(((*r as f64 - 1.0) / 4.0).clamp(0.0, 1.0)),
        (Kind::SelectOne(choices), Answer::Choice(c)) => {
            let best = choices.iter().filter_map(|c| c.points).reduce(f64::max)?;
            let got = choices.iter().find(|x| &x.name == c)?.points.unwrap_or(0.0);
            (best > 0.0).then(|| (got / best).clamp(0.0, 1.0))
        }
        _ => None,
    }
}

/// Scores one item. Unscored questions give `None`.
pub fn score_item(
    q: &Question,
    answer: Option<&Answer>,
    answers: &HashMap<&str, Value>,
) -> Option<ItemScore> {
    let scoring = q.scoring.as_ref()?;
    let f = answer.and_then(|a| fraction(q, a, answers));
    let item = match f {
        None => ItemScore {
            name: q.name.clone(),
            earned: 0.0,
            possible: 0.0,
            na: true,
            failed: false,
        },
        Some(f) => ItemScore {
            name: q.name.clone(),
            earned: scoring.points * f,
            possible: if scoring.bonus { 0.0 } else { scoring.points },
            na: false,
            failed: f == 0.0 && !scoring.bonus,
        },
    };
    Some(item)
}

fn capped_percent(earned: f64, possible: f64) -> Option<f64> {
    (possible > 0.0).then(|| (100.0 * earned / possible).min(100.0))
}

/// Scores a checked set of answers against a checklist.
pub fn score(survey: &Survey, answers: &[(String, Answer)]) -> AuditScore {
    let by_name: HashMap<&str, &Answer> = answers.iter().map(|(n, a)| (n.as_str(), a)).collect();
    let values: HashMap<&str, Value> = answers
        .iter()
        .map(|(n, a)| (n.as_str(), a.to_value()))
        .collect();
    let mut visit_fail = false;
    let mut sections = Vec::new();
    for group in &survey.groups {
        let mut section_fail = false;
        let mut items = Vec::new();
        for q in &group.questions {
            let Some(item) = score_item(q, by_name.get(q.name.as_str()).copied(), &values) else {
                continue;
            };
            match q.scoring.as_ref().and_then(|s| s.critical) {
                Some(Critical::Section) if item.failed => section_fail = true,
                Some(Critical::Visit) if item.failed => visit_fail = true,
                _ => {}
            }
            items.push(item);
        }
        let earned: f64 = items.iter().map(|i| i.earned).sum();
        let possible: f64 = items.iter().map(|i| i.possible).sum();
        let percent = capped_percent(earned, possible).map(|p| if section_fail { 0.0 } else { p });
        sections.push(SectionScore {
            name: group.name.clone(),
            earned,
            possible,
            percent,
            critical_fail: section_fail,
            items,
        });
    }
    let weighted = survey.groups.iter().all(|g| g.weight.is_some()) && !survey.groups.is_empty();
    let overall = if weighted {
        let (sum, weights) = survey
            .groups
            .iter()
            .zip(&sections)
            .filter_map(|(g, s)| Some((g.weight? * s.percent?, g.weight?)))
            .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
        (weights > 0.0).then(|| sum / weights)
    } else {
        let earned: f64 = sections
            .iter()
            .map(|s| if s.critical_fail { 0.0 } else { s.earned })
            .sum();
        let possible: f64 = sections.iter().map(|s| s.possible).sum();
        capped_percent(earned, possible)
    };
    let overall = overall.map(|o| if visit_fail { 0.0 } else { o });
    let critical_fail = visit_fail || sections.iter().any(|s| s.critical_fail);
    AuditScore {
        sections,
        overall,
        critical_fail,
    }
}

/// Items that failed and, by the checklist, need a comment.
pub fn needs_comment(survey: &Survey, answers: &[(String, Answer)]) -> Vec<String> {
    let values: HashMap<&str, Value> = answers
        .iter()
        .map(|(n, a)| (n.as_str(), a.to_value()))
        .collect();
    survey
        .questions()
        .filter(|q| q.scoring.as_ref().is_some_and(|s| s.comment_on_fail))
        .filter_map(|q| {
            let answer = answers.iter().find(|(n, _)| *n == q.name).map(|(_, a)| a);
            score_item(q, answer, &values)
                .filter(|i| i.failed)
                .map(|_| q.name.clone())
        })
        .collect()
}

/// A percentage as shown: one decimal.
pub fn show(percent: Option<f64>) -> String {
    percent.map_or_else(|| "N/A".to_owned(), |p| format!("{p:.1}%"))
}

#[cfg(test)]
mod tests;
