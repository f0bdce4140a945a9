//! The finer checks of a survey file: question types, expressions, indicator tags and `settings.ask_store`.

use std::collections::HashMap;

use toml::Spanned;

use super::{Cx, Defined};
use crate::expr::Expr;
use crate::survey::raw::RawQuestion;
use crate::survey::{Choice, Group, Indicator, Kind};

const TYPES: &str = "select_one LIST, select_multiple LIST, yes_no, rating, nps, text, integer, decimal, date, note";

impl Cx<'_> {
    pub(super) fn kind(
        &mut self,
        q: &RawQuestion,
        lists: &HashMap<String, Vec<Choice>>,
        field: &str,
    ) -> Kind {
        let words: Vec<&str> = q.kind.get_ref().split_whitespace().collect();
        let field = format!("{field}.type");
        let list = |cx: &mut Self, name: Option<&&str>| -> Vec<Choice> {
            match name {
                None => {
                    cx.error(&q.kind, &field, format!("'{}' needs a choice list, e.g. \"{} heard_from\" with a [choices] heard_from = [...] table", words[0], words[0]));
                    Vec::new()
                }
                Some(list) => lists.get(*list).cloned().unwrap_or_else(|| {
                    cx.error(
                        &q.kind,
                        &field,
                        format!("choice list '{list}' is not defined under [choices]"),
                    );
                    Vec::new()
                }),
            }
        };
        let kind = match words.as_slice() {
            ["select_one", rest @ ..] if rest.len() <= 1 => {
                Kind::SelectOne(list(self, rest.first()))
            }
            ["select_multiple", rest @ ..] if rest.len() <= 1 => {
                Kind::SelectMultiple(list(self, rest.first()))
            }
            ["yes_no"] => Kind::YesNo {
                na: q.allow_na.as_ref().is_some_and(|a| *a.get_ref()),
            },
            ["rating"] => Kind::Rating,
            ["nps"] => Kind::Nps,
            ["text"] => Kind::Text { multiline: false },
            ["integer"] => Kind::Integer {
                min: self.bound_int(&q.min, "min"),
                max: self.bound_int(&q.max, "max"),
            },
            ["decimal"] => Kind::Decimal {
                min: self.bound_float(&q.min, "min"),
                max: self.bound_float(&q.max, "max"),
            },
            ["date"] => Kind::Date,
            ["note"] => Kind::Note,
            _ => {
                self.error(
                    &q.kind,
                    &field,
                    format!(
                        "unknown question type '{}'; known: {TYPES}",
                        q.kind.get_ref()
                    ),
                );
                Kind::Note
            }
        };
        let has_range = matches!(kind, Kind::Integer { .. } | Kind::Decimal { .. });
        for bound in [&q.min, &q.max].into_iter().flatten() {
            if !has_range {
                self.error(
                    bound,
                    &field,
                    "min and max only apply to integer and decimal questions",
                );
            }
        }
        match (&kind, &q.min, &q.max) {
            (
                Kind::Integer {
                    min: Some(lo),
                    max: Some(hi),
                },
                _,
                Some(at),
            ) if lo > hi => {
                self.error(at, &field, format!("max {hi} is below min {lo}"));
            }
            (
                Kind::Decimal {
                    min: Some(lo),
                    max: Some(hi),
                },
                _,
                Some(at),
            ) if lo > hi => {
                self.error(at, &field, format!("max {hi} is below min {lo}"));
            }
            _ => {}
        }
        match q.appearance.as_ref().map(|a| (a, a.get_ref().as_str())) {
            None => kind,
            Some((_, "multiline")) if kind == (Kind::Text { multiline: false }) => {
                Kind::Text { multiline: true }
            }
            Some((at, other)) => {
                self.error(at, &format!("{field}.appearance"), format!("appearance '{other}' is not supported on a {} question (only \"multiline\", on text)", kind.type_name()));
                kind
            }
        }
    }

    fn bound_int(&mut self, v: &Option<Spanned<toml::Value>>, key: &str) -> Option<i64> {
        let v = v.as_ref()?;
        match v.get_ref() {
            toml::Value::Integer(i) => Some(*i),
            _ => {
                self.error(
                    v,
                    key,
                    format!("{key} of an integer question must be a whole number"),
                );
                None
            }
        }
    }

    fn bound_float(&mut self, v: &Option<Spanned<toml::Value>>, key: &str) -> Option<f64> {
        let v = v.as_ref()?;
        match v.get_ref() {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) if f.is_finite() => Some(*f),
            _ => {
                self.error(v, key, format!("{key} must be a number"));
                None
            }
        }
    }

    /// Parses an expression and checks its references: each must name a
    /// question that comes earlier (`own` may also refer to itself, as a constraint does).
    pub(super) fn expr(
        &mut self,
        raw: &Spanned<String>,
        field: &str,
        defined: &HashMap<String, Defined>,
        order: usize,
        own: Option<&str>,
    ) -> Option<Expr> {
        // +1 skips the opening quote, so columns point into the expression. An offset
        // into the parsed text is one into the file only when the file spells it as is:
        // after an escape (`\t`, `\u3000`) or in a multi-line string it could land inside
        // a character (a panic when slicing there), so those errors point at the string.
        let start = raw.span().start + 1;
        let verbatim = self
            .source
            .get(start..)
            .is_some_and(|s| s.starts_with(raw.get_ref().as_str()));
        let expr = match Expr::parse(raw.get_ref()) {
            Ok(e) => e,
            Err(e) => {
                self.error_at(
                    if verbatim { start + e.offset } else { start },
                    field,
                    format!("cannot parse `{}`: {}", raw.get_ref(), e.message),
                );
                return None;
            }
        };
        let mut ok = true;
        for name in expr.references() {
            let problem = match defined.get(&name) {
                None => Some(format!(
                    "refers to ${{{name}}}, which is not a question in this survey"
                )),
                Some(_) if Some(name.as_str()) == own => None,
                Some(d) if d.order >= order => Some(format!(
                    "refers to ${{{name}}}, which comes later in the form; an expression may only use earlier answers"
                )),
                Some(d) if d.is_note => Some(format!(
                    "refers to ${{{name}}}, which is a note and has no answer"
                )),
                Some(_) => None,
            };
            if let Some(p) = problem {
                self.error_at(start, field, p);
                ok = false;
            }
        }
        if expr.uses_current() && own.is_none() {
            self.error_at(
                start,
                field,
                "`.` (the current answer) only has a meaning in a constraint".into(),
            );
            ok = false;
        }
        ok.then_some(expr)
    }

    /// Every expectation must be paired with an experience on the same aspect, and back.
    pub(super) fn check_aspect_pairs(&mut self, groups: &[Group]) {
        let mut aspects: HashMap<&str, (bool, bool)> = HashMap::new();
        for q in groups.iter().flat_map(|g| &g.questions) {
            match &q.indicator {
                Some(Indicator::Expectation(a)) => aspects.entry(a).or_default().0 = true,
                Some(Indicator::Experience(a)) => aspects.entry(a).or_default().1 = true,
                _ => {}
            }
        }
        let mut unpaired: Vec<_> = aspects
            .into_iter()
            .filter(|(_, (e, x))| !(*e && *x))
            .collect();
        unpaired.sort();
        for (aspect, (has_expectation, _)) in unpaired {
            let missing = if has_expectation {
                "experience"
            } else {
                "expectation"
            };
            self.error_unplaced("indicator", format!("aspect '{aspect}' has no {missing} question; expectation and experience come in pairs"));
        }
    }

    /// `settings.ask_store`, read after `settings.kind`: a mystery shopper's visit form
    /// names its store already.
    pub(super) fn ask_store(&mut self, raw: Option<&Spanned<bool>>) -> bool {
        match raw {
            Some(at) if *at.get_ref() && self.audit => {
                self.error(at, "settings.ask_store", "audits (kind = \"audit\") are filed for their visit's store; ask_store is for customer surveys");
                false
            }
            Some(at) => *at.get_ref(),
            None => false,
        }
    }
}

pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn is_form_id(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub(super) fn is_choice_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A TOML default as the form values it stands for.
pub(super) fn toml_values(v: &toml::Value) -> Vec<String> {
    match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Float(f) => vec![f.to_string()],
        toml::Value::Boolean(b) => vec![if *b { "yes" } else { "no" }.to_owned()],
        toml::Value::Array(items) => items.iter().flat_map(toml_values).collect(),
        toml::Value::Datetime(d) => vec![d.to_string()],
        toml::Value::Table(_) => vec!["<table>".to_owned()],
    }
}
