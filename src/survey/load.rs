//! Turns a survey file's text into a checked `Survey`, collecting every problem with its position.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use sha2::{Digest, Sha256};
use toml::Spanned;

use super::raw::{RawChoice, RawGroup, RawSurvey, RawText};
use super::{Choice, Group, ReceiptMode, Survey, Text};
use crate::i18n::Lang;

/// One problem in a survey file. `Display` gives `file:line:column: field: reason`.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(col)) = (self.line, self.column) {
            write!(f, ":{line}:{col}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses and checks one survey file. `file` names it in error messages.
pub fn parse_survey(file: &str, source: &str) -> Result<Survey, Vec<LoadError>> {
    let mut cx = Cx {
        file,
        source,
        errors: Vec::new(),
        langs: Vec::new(),
        indicators: HashSet::new(),
        audit: false,
    };
    let raw: RawSurvey = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            cx.error_at(at, "", e.message().trim_end().to_owned());
            return Err(cx.errors);
        }
    };
    let survey = cx.survey(raw);
    if cx.errors.is_empty() {
        survey.ok_or(cx.errors)
    } else {
        Err(cx.errors)
    }
}

struct Cx<'a> {
    file: &'a str,
    source: &'a str,
    errors: Vec<LoadError>,
    langs: Vec<Lang>,
    /// A checklist: scoring keys are allowed and checked.
    audit: bool,
    /// Indicator tags seen so far: each may appear once per survey.
    indicators: HashSet<String>,
}

/// Where a name is defined, so expressions can be checked for forward references.
struct Defined {
    order: usize,
    is_note: bool,
}

impl Cx<'_> {
    fn error_at(&mut self, offset: usize, field: &str, message: String) {
        let before = &self.source[..offset.min(self.source.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        self.errors.push(LoadError {
            file: self.file.to_owned(),
            line: Some(line),
            column: Some(column),
            field: field.to_owned(),
            message,
        });
    }

    fn error_unplaced(&mut self, field: &str, message: String) {
        self.errors.push(LoadError {
            file: self.file.to_owned(),
            line: None,
            column: None,
            field: field.to_owned(),
            message,
        });
    }

    fn error<T>(&mut self, at: &Spanned<T>, field: &str, message: impl Into<String>) {
        self.error_at(at.span().start, field, message.into());
    }

    fn survey(&mut self, raw: RawSurvey) -> Option<Survey> {
        let s = &raw.settings;
        let id = s.id.get_ref().clone();
        if !is_form_id(&id) {
            self.error(&s.id, "settings.id", "must be 1–64 characters of a–z, 0–9, '-' or '_', starting with a letter or digit, so it can sit in a URL");
        }
        if s.version.get_ref().trim().is_empty() {
            self.error(&s.version, "settings.version", "must not be empty");
        }
        for code in s.languages.get_ref() {
            match Lang::parse(code).filter(|l| l.code() == code) {
                Some(l) if self.langs.contains(&l) => self.error(
                    &s.languages,
                    "settings.languages",
                    format!("lists '{code}' twice"),
                ),
                Some(l) => self.langs.push(l),
                None => self.error(
                    &s.languages,
                    "settings.languages",
                    format!("'{code}' is not supported; the form's own text exists in: zh, en"),
                ),
            }
        }
        if self.langs.is_empty() && s.languages.get_ref().is_empty() {
            self.error(
                &s.languages,
                "settings.languages",
                "must list at least one language",
            );
        }
        let default_code = s.default_language.get_ref();
        let default_lang = Lang::parse(default_code).filter(|l| self.langs.contains(l));
        if default_lang.is_none() {
            self.error(
                &s.default_language,
                "settings.default_language",
                format!("'{default_code}' must be one of settings.languages"),
            );
        }
        match s.kind.as_ref().map(|k| (k, k.get_ref().as_str())) {
            None | Some((_, "survey")) => {}
            Some((_, "audit")) => self.audit = true,
            Some((at, other)) => self.error(
                at,
                "settings.kind",
                format!("'{other}' is not a kind; use \"survey\" or \"audit\""),
            ),
        }
        let receipt = self.receipt_mode(s.receipt.as_ref());
        let title = self.text(&s.title, "settings.title");
        let description = s
            .description
            .as_ref()
            .map(|d| self.text(d, "settings.description"));

        let lists = self.choice_lists(&raw.choices);
        let defined = self.definitions(&raw.groups);
        if raw.groups.is_empty() {
            self.error_unplaced(
                "group",
                "the survey has no [[group]]; add at least one group of questions".into(),
            );
        }
        let mut group_names = HashSet::new();
        let mut groups = Vec::new();
        let mut order = 0;
        for g in &raw.groups {
            if !group_names.insert(g.get_ref().name.get_ref().clone()) {
                self.error(
                    &g.get_ref().name,
                    "group.name",
                    format!("group '{}' is defined twice", g.get_ref().name.get_ref()),
                );
            }
            groups.push(self.group(g, &lists, &defined, &mut order));
        }
        self.check_aspect_pairs(&groups);
        self.check_weights(&raw.groups, &groups);
        Some(Survey {
            id,
            version: s.version.get_ref().trim().to_owned(),
            title,
            description,
            default_lang: default_lang?,
            languages: self.langs.clone(),
            groups,
            audit: self.audit,
            receipt,
            hash: hex::encode(Sha256::digest(self.source.as_bytes())),
            source: self.source.to_owned(),
        })
    }

    /// `settings.receipt`, read after `settings.kind`: a mystery shopper's visit has
    /// no customer receipt to check.
    fn receipt_mode(&mut self, raw: Option<&Spanned<String>>) -> ReceiptMode {
        let Some(at) = raw else {
            return ReceiptMode::Off;
        };
        let mode = match at.get_ref().as_str() {
            "required" => ReceiptMode::Required,
            "optional" => ReceiptMode::Optional,
            other => {
                self.error(
                    at,
                    "settings.receipt",
                    format!("'{other}' is not a receipt setting; use \"required\" or \"optional\", or leave it out"),
                );
                return ReceiptMode::Off;
            }
        };
        if self.audit {
            self.error(
                at,
                "settings.receipt",
                "audits (kind = \"audit\") take no receipt code; receipts are for customer surveys",
            );
        }
        mode
    }

    fn text(&mut self, raw: &Spanned<RawText>, field: &str) -> Text {
        let mut text = BTreeMap::new();
        match raw.get_ref() {
            RawText::Plain(s) if self.langs.len() <= 1 => {
                if let Some(&l) = self.langs.first() {
                    text.insert(l, s.clone());
                }
            }
            RawText::Plain(_) => {
                let example: Vec<String> =
                    self.langs.iter().map(|l| format!("{l} = \"…\"")).collect();
                self.error(
                    raw,
                    field,
                    format!(
                        "give this text in every language of the survey, e.g. {{ {} }}",
                        example.join(", ")
                    ),
                );
            }
            RawText::PerLanguage(map) => {
                for (code, s) in map {
                    match Lang::parse(code).filter(|l| l.code() == code && self.langs.contains(l)) {
                        Some(_) if s.trim().is_empty() => {
                            self.error(raw, field, format!("the '{code}' text is empty"))
                        }
                        Some(l) => {
                            text.insert(l, s.clone());
                        }
                        None => self.error(
                            raw,
                            field,
                            format!("'{code}' is not one of the survey's languages"),
                        ),
                    }
                }
                for l in self.langs.clone() {
                    if !map.contains_key(l.code()) {
                        self.error(raw, field, format!("missing the '{l}' text"));
                    }
                }
            }
        }
        Text(text)
    }

    fn choice_lists(
        &mut self,
        raw: &BTreeMap<String, Spanned<Vec<RawChoice>>>,
    ) -> HashMap<String, Vec<Choice>> {
        let mut lists = HashMap::new();
        for (list, choices) in raw {
            let field = format!("choices.{list}");
            if choices.get_ref().is_empty() {
                self.error(choices, &field, "the list has no choices");
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for c in choices.get_ref() {
                let name = c.name.get_ref();
                if !is_choice_name(name) {
                    self.error(&c.name, &field, format!("choice name '{name}' must be 1–64 characters of letters, digits, '_' or '-' (no spaces: answers are stored by name)"));
                }
                if !seen.insert(name.clone()) {
                    self.error(&c.name, &field, format!("choice '{name}' appears twice"));
                }
                let label = self.text(&c.label, &format!("{field}.{name}.label"));
                let points = c
                    .points
                    .as_ref()
                    .and_then(|p| self.points(p, &format!("{field}.{name}.points")));
                out.push(Choice {
                    name: name.clone(),
                    label,
                    points,
                });
            }
            lists.insert(list.clone(), out);
        }
        lists
    }

    /// Every question name with its position, so references can be told apart
    /// as unknown (a typo) or forward (defined later).
    fn definitions(&mut self, groups: &[Spanned<RawGroup>]) -> HashMap<String, Defined> {
        let mut defined = HashMap::new();
        let mut order = 0;
        for g in groups {
            for q in &g.get_ref().questions {
                let q = q.get_ref();
                let name = q.name.get_ref();
                let is_note = q.kind.get_ref().trim() == "note";
                if defined
                    .insert(name.clone(), Defined { order, is_note })
                    .is_some()
                {
                    self.error(
                        &q.name,
                        "name",
                        format!(
                            "question '{name}' is defined twice; names must be unique in a survey"
                        ),
                    );
                }
                order += 1;
            }
        }
        defined
    }

    fn group(
        &mut self,
        raw: &Spanned<RawGroup>,
        lists: &HashMap<String, Vec<Choice>>,
        defined: &HashMap<String, Defined>,
        order: &mut usize,
    ) -> Group {
        let g = raw.get_ref();
        let name = g.name.get_ref().clone();
        if !is_identifier(&name) {
            self.error(
                &g.name,
                "group.name",
                format!("'{name}' must start with a letter and hold only letters, digits and '_'"),
            );
        }
        let field = format!("group '{name}'");
        let label = self.text(&g.label, &format!("{field}.label"));
        let relevant = g
            .relevant
            .as_ref()
            .and_then(|r| self.expr(r, &format!("{field}.relevant"), defined, *order, None));
        if g.questions.is_empty() {
            self.error(
                &g.name,
                &field,
                "the group has no questions; add [[group.question]] entries",
            );
        }
        let questions = g
            .questions
            .iter()
            .map(|q| {
                let question = self.question(q.get_ref(), lists, defined, *order);
                *order += 1;
                question
            })
            .collect();
        let weight = g
            .weight
            .as_ref()
            .and_then(|w| self.weight(w, &format!("{field}.weight")));
        Group {
            name,
            label,
            relevant,
            questions,
            weight,
        }
    }
}

mod checks;
mod question;
mod scoring;
use checks::{is_choice_name, is_form_id, is_identifier};

#[cfg(test)]
mod tests;
