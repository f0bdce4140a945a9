//! One question of a survey file: its label and texts, expressions, default, indicator and scoring.

use std::collections::HashMap;

use toml::Spanned;

use super::checks::{is_identifier, toml_values};
use super::{Cx, Defined};
use crate::answers;
use crate::i18n::Lang;
use crate::survey::raw::{RawQuestion, RawText};
use crate::survey::{Choice, Indicator, Kind, Question, Text};

impl Cx<'_> {
    pub(super) fn question(
        &mut self,
        q: &RawQuestion,
        lists: &HashMap<String, Vec<Choice>>,
        defined: &HashMap<String, Defined>,
        order: usize,
    ) -> Question {
        let name = q.name.get_ref().clone();
        let field = format!("question '{name}'");
        if !is_identifier(&name) {
            self.error(&q.name, "name", format!("'{name}' must start with a letter and hold only letters, digits and '_' (at most 64)"));
        }
        let kind = self.kind(q, lists, &field);
        let is_note = kind == Kind::Note;
        let label = match &q.label {
            Some(l) => self.text(l, &format!("{field}.label")),
            None => {
                self.error(&q.name, &field, "has no label");
                Text::default()
            }
        };
        let opt_text = |cx: &mut Self, t: &Option<Spanned<RawText>>, key: &str| {
            t.as_ref().map(|t| cx.text(t, &format!("{field}.{key}")))
        };
        let hint = opt_text(self, &q.hint, "hint");
        let required_message = opt_text(self, &q.required_message, "required_message");
        let constraint_message = opt_text(self, &q.constraint_message, "constraint_message");
        let required = q.required.unwrap_or(false);
        if is_note
            && (required || q.constraint.is_some() || q.default.is_some() || q.indicator.is_some())
        {
            self.error(&q.kind, &field, "a note is display-only: it cannot be required or carry a constraint, default or indicator");
        }
        let relevant = q
            .relevant
            .as_ref()
            .and_then(|r| self.expr(r, &format!("{field}.relevant"), defined, order, None));
        let constraint = q.constraint.as_ref().and_then(|c| {
            self.expr(
                c,
                &format!("{field}.constraint"),
                defined,
                order,
                Some(&name),
            )
        });
        let default = match &q.default {
            Some(d) => {
                let values = toml_values(d.get_ref());
                if let Err(problem) = answers::parse_value(&kind, &values) {
                    self.error(d, &format!("{field}.default"), problem.message(Lang::En));
                }
                values
            }
            None => Vec::new(),
        };
        let indicator = q.indicator.as_ref().and_then(|tag| {
            let aspect = q.aspect.as_ref().map(|a| a.get_ref().as_str());
            match Indicator::parse(tag.get_ref(), aspect) {
                Ok(ind) if !self.indicators.insert(ind.key()) => {
                    self.error(tag, &format!("{field}.indicator"), format!("indicator '{}' is already on another question; each may appear once per survey", ind.key()));
                    None
                }
                Ok(ind) => match ind.fits(&kind) {
                    Ok(()) => Some(ind),
                    Err(wants) => {
                        self.error(tag, &format!("{field}.indicator"), format!("indicator '{ind}' goes on a {wants} question, not {}", kind.type_name()));
                        None
                    }
                },
                Err(msg) => {
                    self.error(tag, &format!("{field}.indicator"), msg);
                    None
                }
            }
        });
        if q.indicator.is_none()
            && let Some(a) = &q.aspect
        {
            self.error(
                a,
                &format!("{field}.aspect"),
                "`aspect` needs indicator = \"expectation\" or \"experience\"",
            );
        }
        let scoring = self.scoring(q, &kind, &field, defined, order);
        Question {
            scoring,
            name,
            kind,
            label,
            hint,
            required,
            required_message,
            relevant,
            constraint,
            constraint_message,
            default,
            indicator,
        }
    }
}
