//! Checks a submission against its survey: raw form values become typed answers, or a field → message map.

use std::collections::{BTreeMap, HashMap, HashSet};

use time::Date;
use time::macros::format_description;

use crate::expr::{Env, Value};
use crate::i18n::{Lang, Ui};
use crate::survey::{Choice, Kind, MAX_TEXT_CHARS, Question, Survey};

/// One checked answer, typed by its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Text(String),
    /// integer, rating (1–5) and nps (0–10).
    Int(i64),
    Decimal(f64),
    /// select_one and yes_no (`yes` / `no`).
    Choice(String),
    /// select_multiple, in the order of the choice list.
    Choices(Vec<String>),
    Date(Date),
}

impl Answer {
    pub fn to_value(&self) -> Value {
        match self {
            Answer::Text(s) | Answer::Choice(s) => Value::Str(s.clone()),
            Answer::Int(i) => Value::Num(*i as f64),
            Answer::Decimal(f) => Value::Num(*f),
            Answer::Choices(c) => Value::List(c.clone()),
            Answer::Date(d) => Value::Str(d.to_string()),
        }
    }

    /// The values as a form would post them, to re-fill inputs.
    pub fn form_values(&self) -> Vec<String> {
        match self {
            Answer::Choices(c) => c.clone(),
            other => vec![other.to_value().to_string()],
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Answer::Text(s) | Answer::Choice(s) => s.as_str().into(),
            Answer::Int(i) => (*i).into(),
            Answer::Decimal(f) => (*f).into(),
            Answer::Choices(c) => c.clone().into(),
            Answer::Date(d) => d.to_string().into(),
        }
    }
}

/// Why a value was refused; `message` words it for the respondent.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Required,
    WholeNumber,
    Number,
    AtLeast(String),
    AtMost(String),
    UnknownOption,
    OneOption,
    Date,
    TooLong,
    Rating,
    Nps,
    Constraint,
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Required => Ui::MsgRequired.text(lang).into(),
            Problem::WholeNumber => Ui::MsgWholeNumber.text(lang).into(),
            Problem::Number => Ui::MsgNumber.text(lang).into(),
            Problem::AtLeast(n) => Ui::MsgAtLeast.fill(lang, n),
            Problem::AtMost(n) => Ui::MsgAtMost.fill(lang, n),
            Problem::UnknownOption => Ui::MsgUnknownOption.text(lang).into(),
            Problem::OneOption => Ui::MsgOneOption.text(lang).into(),
            Problem::Date => Ui::MsgDate.text(lang).into(),
            Problem::TooLong => Ui::MsgTooLong.fill(lang, MAX_TEXT_CHARS),
            Problem::Rating => Ui::MsgRating.text(lang).into(),
            Problem::Nps => Ui::MsgNps.text(lang).into(),
            Problem::Constraint => Ui::MsgConstraint.text(lang).into(),
        }
    }
}

/// Parses the values posted for one question. Blank values count as no answer (`Ok(None)`).
pub fn parse_value(kind: &Kind, raw: &[String]) -> Result<Option<Answer>, Problem> {
    let values: Vec<&str> = raw
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    let Some(&first) = values.first() else {
        return Ok(None);
    };
    if values.len() > 1 && !matches!(kind, Kind::SelectMultiple(_)) {
        return Err(match kind {
            Kind::SelectOne(_) | Kind::YesNo { .. } => Problem::OneOption,
            _ => Problem::Required,
        });
    }
    let answer = match kind {
        Kind::SelectOne(choices) => Answer::Choice(choice(choices, first)?),
        Kind::SelectMultiple(choices) => {
            let mut picked: Vec<&Choice> = Vec::new();
            for v in &values {
                let c = choices
                    .iter()
                    .find(|c| c.name == *v)
                    .ok_or(Problem::UnknownOption)?;
                if !picked.iter().any(|p| p.name == c.name) {
                    picked.push(c);
                }
            }
            // Choice-list order, so the same picks always store the same way.
            let chosen = choices
                .iter()
                .filter(|c| picked.iter().any(|p| p.name == c.name))
                .map(|c| c.name.clone())
                .collect();
            Answer::Choices(chosen)
        }
        Kind::YesNo { na } => match first {
            "yes" | "no" => Answer::Choice(first.to_owned()),
            "na" if *na => Answer::Choice(first.to_owned()),
            _ => return Err(Problem::UnknownOption),
        },
        Kind::Rating => Answer::Int(int_in(first, 1, 5).ok_or(Problem::Rating)?),
        Kind::Nps => Answer::Int(int_in(first, 0, 10).ok_or(Problem::Nps)?),
        Kind::Text { .. } => {
            if first.chars().count() > MAX_TEXT_CHARS {
                return Err(Problem::TooLong);
            }
            Answer::Text(first.to_owned())
        }
        Kind::Integer { min, max } => {
            let n: i64 = first.parse().map_err(|_| Problem::WholeNumber)?;
            check_range(n, *min, *max)?;
            Answer::Int(n)
        }
        Kind::Decimal { min, max } => {
            let n: f64 = first.parse().map_err(|_| Problem::Number)?;
            if !n.is_finite() {
                return Err(Problem::Number);
            }
            check_range(n, *min, *max)?;
            Answer::Decimal(n)
        }
        Kind::Date => {
            let format = format_description!("[year]-[month]-[day]");
            Answer::Date(Date::parse(first, format).map_err(|_| Problem::Date)?)
        }
        Kind::Note => return Ok(None),
    };
    Ok(Some(answer))
}

fn choice(choices: &[Choice], v: &str) -> Result<String, Problem> {
    choices
        .iter()
        .find(|c| c.name == v)
        .map(|c| c.name.clone())
        .ok_or(Problem::UnknownOption)
}

fn int_in(v: &str, lo: i64, hi: i64) -> Option<i64> {
    v.parse().ok().filter(|n| (lo..=hi).contains(n))
}

fn check_range<T: PartialOrd + ToString>(
    n: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), Problem> {
    match (min, max) {
        (Some(lo), _) if n < lo => Err(Problem::AtLeast(lo.to_string())),
        (_, Some(hi)) if n > hi => Err(Problem::AtMost(hi.to_string())),
        _ => Ok(()),
    }
}

/// Raw posted values by question name. Unknown names are simply never looked at.
pub type RawAnswers = HashMap<String, Vec<String>>;

/// Field name → message in the respondent's language.
pub type FieldErrors = BTreeMap<String, String>;

/// Which questions a check must hold to: the whole form (submit) or one page (next).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope {
    All,
    Group(usize),
}

/// The outcome of checking a submission.
#[derive(Debug, Default)]
pub struct Checked {
    /// Relevant, answered questions in form order. Irrelevant ones are never here.
    pub answers: Vec<(String, Answer)>,
    pub errors: FieldErrors,
    /// Per group: whether any of its questions is relevant, so pages can be skipped.
    pub relevant_groups: Vec<bool>,
    /// Every question (notes included) that is relevant given the answers.
    pub relevant: HashSet<String>,
}

impl Checked {
    pub fn get(&self, name: &str) -> Option<&Answer> {
        self.answers.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }
}

struct Answered<'a> {
    known: &'a HashMap<String, Value>,
    current: Value,
}

impl Env for Answered<'_> {
    fn answer(&self, name: &str) -> Value {
        self.known.get(name).cloned().unwrap_or(Value::Null)
    }
    fn current(&self) -> Value {
        self.current.clone()
    }
}

/// Checks a submission in one pass in form order. Because expressions only
/// refer to earlier questions, each relevance test sees every answer it needs.
/// Questions outside `scope` are parsed leniently: a bad value there is dropped, not reported.
pub fn check(survey: &Survey, raw: &RawAnswers, scope: Scope, lang: Lang) -> Checked {
    let mut out = Checked::default();
    let mut known: HashMap<String, Value> = HashMap::new();
    for (gi, group) in survey.groups.iter().enumerate() {
        let in_scope = scope == Scope::All || scope == Scope::Group(gi);
        let env = Answered {
            known: &known,
            current: Value::Null,
        };
        let group_relevant = group.relevant.as_ref().is_none_or(|e| e.eval_bool(&env));
        let mut any_relevant = false;
        for q in &group.questions {
            let env = Answered {
                known: &known,
                current: Value::Null,
            };
            if !group_relevant || !q.relevant.as_ref().is_none_or(|e| e.eval_bool(&env)) {
                continue;
            }
            any_relevant = true;
            out.relevant.insert(q.name.clone());
            let posted = raw.get(&q.name).map_or(&[][..], Vec::as_slice);
            match check_one(q, posted, &known) {
                Ok(Some(answer)) => {
                    known.insert(q.name.clone(), answer.to_value());
                    out.answers.push((q.name.clone(), answer));
                }
                Ok(None) => {}
                Err(problem) if in_scope => {
                    out.errors
                        .insert(q.name.clone(), message(q, &problem, lang));
                }
                Err(_) => {}
            }
        }
        out.relevant_groups.push(any_relevant);
    }
    out
}

fn check_one(
    q: &Question,
    posted: &[String],
    known: &HashMap<String, Value>,
) -> Result<Option<Answer>, Problem> {
    match parse_value(&q.kind, posted)? {
        None if q.required => Err(Problem::Required),
        None => Ok(None),
        Some(answer) => {
            let env = Answered {
                known,
                current: answer.to_value(),
            };
            match &q.constraint {
                Some(c) if !c.eval_bool(&env) => Err(Problem::Constraint),
                _ => Ok(Some(answer)),
            }
        }
    }
}

/// The survey's own message when it gives one, else ours.
fn message(q: &Question, problem: &Problem, lang: Lang) -> String {
    let custom = match problem {
        Problem::Required => q.required_message.as_ref(),
        Problem::Constraint => q.constraint_message.as_ref(),
        _ => None,
    };
    custom.map_or_else(|| problem.message(lang), |t| t.get(lang).to_owned())
}

#[cfg(test)]
mod tests;
