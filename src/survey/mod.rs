//! A loaded survey: the typed, checked structure every page, answer check and report works from.

mod catalog;
mod indicator;
mod load;
mod raw;

use std::collections::BTreeMap;

use serde::Serialize;

pub use catalog::{Catalog, load_dir};
pub use indicator::Indicator;
pub use load::{LoadError, parse_survey};

use crate::expr::Expr;
use crate::i18n::Lang;

/// Text given per language. Loading checks that every survey language is
/// present, so `get` only falls back for languages the survey doesn't offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<Lang, String>);

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.values().next())
            .map_or("", String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Survey {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub description: Option<Text>,
    pub default_lang: Lang,
    pub languages: Vec<Lang>,
    pub groups: Vec<Group>,
    /// A mystery-shopping checklist (`settings.kind = "audit"`), scored and reviewed.
    pub audit: bool,
    /// Whether the form asks for a receipt code (`settings.receipt`).
    pub receipt: ReceiptMode,
    /// SHA-256 of the file's bytes: stored with every response so an answer
    /// can always be traced to the exact definition it was given against.
    pub hash: String,
    /// The file's text, kept so the database can snapshot each version.
    pub source: String,
}

impl Survey {
    /// Whether this is a mystery-shopping checklist rather than a customer survey.
    pub fn is_audit(&self) -> bool {
        self.audit
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.groups.iter().flat_map(|g| g.questions.iter())
    }

    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions().find(|q| q.name == name)
    }

    /// The questions that take an answer (everything but notes), in form order.
    pub fn answerable(&self) -> impl Iterator<Item = &Question> {
        self.questions().filter(|q| !matches!(q.kind, Kind::Note))
    }
}

/// Whether a customer survey asks for the code printed on the till slip (see
/// `docs/receipt-codes.md`): one purchase, one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptMode {
    /// No receipt field (`settings.receipt` absent).
    #[default]
    Off,
    /// A code may be given; one that is given must be valid and unused.
    Optional,
    /// No response without a valid, unused code.
    Required,
}

/// A section of the form; the no-JS renderer shows one group per page.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub label: Text,
    pub relevant: Option<Expr>,
    pub questions: Vec<Question>,
    /// Audit section weight; either every section has one or none does.
    pub weight: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub name: String,
    pub kind: Kind,
    pub label: Text,
    pub hint: Option<Text>,
    pub required: bool,
    pub required_message: Option<Text>,
    pub relevant: Option<Expr>,
    pub constraint: Option<Expr>,
    pub constraint_message: Option<Text>,
    /// Form values shown before the respondent answers, already checked against `kind`.
    pub default: Vec<String>,
    pub indicator: Option<Indicator>,
    /// How the item scores in an audit; `None` for unscored questions and customer surveys.
    pub scoring: Option<Scoring>,
}

/// The scoring fields of one checklist item (see the README, "Scoring").
#[derive(Debug, Clone)]
pub struct Scoring {
    /// The item's weight: it earns `points × fraction achieved`.
    pub points: f64,
    /// Adds to points earned, never to points possible.
    pub bonus: bool,
    pub critical: Option<Critical>,
    /// Pass/fail rule on the answer (`.`), e.g. `. <= 30` for "greeted within 30 seconds".
    pub pass: Option<Expr>,
    /// A failed item must carry a comment.
    pub comment_on_fail: bool,
}

/// What a failed critical (knock-out) item zeroes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Critical {
    Section,
    Visit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    SelectOne(Vec<Choice>),
    SelectMultiple(Vec<Choice>),
    /// `na`: the checklist allows "not applicable" (audits only).
    YesNo {
        na: bool,
    },
    /// 1 (very dissatisfied) to 5 (very satisfied).
    Rating,
    /// 0 (not at all likely) to 10 (extremely likely).
    Nps,
    Text {
        multiline: bool,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Decimal {
        min: Option<f64>,
        max: Option<f64>,
    },
    Date,
    /// Display-only text; never answered or stored.
    Note,
}

impl Kind {
    /// The name used in the definition file and the JSON API.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::SelectOne(_) => "select_one",
            Kind::SelectMultiple(_) => "select_multiple",
            Kind::YesNo { .. } => "yes_no",
            Kind::Rating => "rating",
            Kind::Nps => "nps",
            Kind::Text { .. } => "text",
            Kind::Integer { .. } => "integer",
            Kind::Decimal { .. } => "decimal",
            Kind::Date => "date",
            Kind::Note => "note",
        }
    }

    pub fn choices(&self) -> Option<&[Choice]> {
        match self {
            Kind::SelectOne(c) | Kind::SelectMultiple(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub name: String,
    pub label: Text,
    /// Points this option earns in an audit checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
}

/// Longest free-text answer we keep; a form answer longer than this is refused, not cut.
pub const MAX_TEXT_CHARS: usize = 2000;
