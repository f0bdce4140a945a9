//! Checks a survey's `[settings.case]`: its expressions parse and every question it names exists with a fitting type.

use std::collections::HashMap;

use toml::Spanned;

use super::{Cx, Defined};
use crate::cases::rule::CaseRule;
use crate::cases::{Channel, Kind, Request};
use crate::survey::raw::RawCaseRule;
use crate::survey::{Group, Kind as Q, Question};

/// What a named question must be to serve its role in the rule.
#[derive(Clone, Copy)]
enum Want {
    Text,
    YesNo,
    /// A select_one answered `complaint` or `suggestion`.
    Kinds,
    /// A select_one whose choices are requests (refund, exchange, …).
    Requests,
}

impl Cx<'_> {
    pub(super) fn case_rule(
        &mut self,
        raw: &Spanned<RawCaseRule>,
        groups: &[Group],
        defined: &HashMap<String, Defined>,
    ) -> Option<CaseRule> {
        let r = raw.get_ref();
        if self.audit {
            self.error(
                raw,
                "settings.case",
                "audits open cases from findings, not from a rule; remove [settings.case]",
            );
            return None;
        }
        // usize::MAX: the rule is evaluated after the whole form, so it may use any answer.
        let when = self.expr(&r.when, "settings.case.when", defined, usize::MAX, None);
        let high_when = r
            .high_when
            .as_ref()
            .and_then(|e| self.expr(e, "settings.case.high_when", defined, usize::MAX, None));
        let kind = match &r.kind {
            None => Kind::Complaint,
            Some(k) => Kind::parse(k.get_ref()).unwrap_or_else(|| {
                self.error(
                    k,
                    "settings.case.kind",
                    "must be \"complaint\" or \"suggestion\"",
                );
                Kind::Complaint
            }),
        };
        let channel = match &r.channel {
            None => Channel::Survey,
            Some(c) => match Channel::parse(c.get_ref()) {
                Some(ch @ (Channel::Survey | Channel::Web)) => ch,
                _ => {
                    self.error(
                        c,
                        "settings.case.channel",
                        "must be \"survey\" or \"web\" (a customer's own form)",
                    );
                    Channel::Survey
                }
            },
        };
        let kind_from = self.named(&r.kind_from, "kind_from", groups, Want::Kinds);
        let mut description = Vec::new();
        for d in &r.description {
            if let Some(name) = self.named(&Some(d.clone()), "description", groups, Want::Text) {
                description.push(name);
            }
        }
        let request = self.named(&r.request, "request", groups, Want::Requests);
        let contact = self.named(&r.contact, "contact", groups, Want::Text);
        let consent = self.named(&r.consent, "consent", groups, Want::YesNo);
        if contact.is_some() != consent.is_some() {
            self.error(
                raw,
                "settings.case",
                "contact and consent go together: a contact is kept only when the customer agreed to be contacted",
            );
        }
        Some(CaseRule {
            when: when?,
            kind,
            kind_from,
            channel,
            description,
            request,
            contact,
            consent,
            high_when,
        })
    }

    fn named(
        &mut self,
        raw: &Option<Spanned<String>>,
        key: &str,
        groups: &[Group],
        want: Want,
    ) -> Option<String> {
        let at = raw.as_ref()?;
        let name = at.get_ref();
        let field = format!("settings.case.{key}");
        let Some(q) = groups
            .iter()
            .flat_map(|g| &g.questions)
            .find(|q| &q.name == name)
        else {
            self.error(
                at,
                &field,
                format!("'{name}' is not a question in this survey"),
            );
            return None;
        };
        if let Err(need) = fits(q, want) {
            self.error(at, &field, format!("'{name}' must be {need}"));
            return None;
        }
        Some(name.clone())
    }
}

fn fits(q: &Question, want: Want) -> Result<(), String> {
    match (want, &q.kind) {
        (Want::Text, Q::Text { .. }) => Ok(()),
        (Want::Text, _) => Err("a text question".into()),
        (Want::YesNo, Q::YesNo { .. }) => Ok(()),
        (Want::YesNo, _) => Err("a yes_no question".into()),
        (Want::Kinds, Q::SelectOne(choices))
            if choices.iter().all(|c| Kind::parse(&c.name).is_some()) =>
        {
            Ok(())
        }
        (Want::Kinds, _) => Err("a select_one whose choices are complaint and suggestion".into()),
        (Want::Requests, Q::SelectOne(choices))
            if choices.iter().all(|c| Request::parse(&c.name).is_some()) =>
        {
            Ok(())
        }
        (Want::Requests, _) => {
            let words: Vec<&str> = Request::ALL.iter().map(|r| r.as_str()).collect();
            Err(format!(
                "a select_one whose choices are among: {}",
                words.join(", ")
            ))
        }
    }
}
