//! When a survey response opens a case: a survey's `[settings.case]` rule, and what the case takes from the answers.
//!
//! ```toml
//! [settings.case]
//! when = "${complaint} = 'yes' or ${recommend} <= 6 or ${overall_satisfaction} <= 2"
//! description = ["complaint_text", "suggestion"]   # the customer's words: first answered wins
//! request = "complaint_request"                    # a select_one with refund/exchange/…
//! contact = "contact"                              # kept only when `consent` is yes
//! consent = "contact_consent"
//! high_when = "${recommend} <= 2"                  # priority high; otherwise normal
//! ```

use crate::answers::Answer;
use crate::expr::{Env, Expr, Value};
use crate::survey::{Kind as QuestionKind, Survey};

use super::{Channel, Kind, Priority, Request};

/// A survey's checked case rule (`settings.case`).
#[derive(Debug, Clone)]
pub struct CaseRule {
    pub when: Expr,
    /// The kind when `kind_from` is unset or unanswered.
    pub kind: Kind,
    /// A select_one question answered `complaint` or `suggestion` (the complaint form).
    pub kind_from: Option<String>,
    pub channel: Channel,
    /// Text questions holding the customer's words, in order of preference.
    pub description: Vec<String>,
    pub request: Option<String>,
    pub contact: Option<String>,
    pub consent: Option<String>,
    pub high_when: Option<Expr>,
}

/// What a response's answers open: everything a new case needs from the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub kind: Kind,
    pub channel: Channel,
    pub priority: Priority,
    pub description: String,
    pub request: Request,
    /// Only when the customer said yes to being contacted.
    pub contact: Option<String>,
}

struct Answers<'a>(&'a [(String, Answer)]);

impl Env for Answers<'_> {
    fn answer(&self, name: &str) -> Value {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Value::Null, |(_, a)| a.to_value())
    }
    fn current(&self) -> Value {
        Value::Null
    }
}

fn text<'a>(answers: &'a [(String, Answer)], name: &str) -> Option<&'a str> {
    answers
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, a)| match a {
            Answer::Text(t) | Answer::Choice(t) if !t.trim().is_empty() => Some(t.trim()),
            _ => None,
        })
}

/// The case these answers open, if the survey has a rule and it holds.
pub fn opening(survey: &Survey, answers: &[(String, Answer)]) -> Option<Opening> {
    let rule = survey.case.as_ref()?;
    let env = Answers(answers);
    if !rule.when.eval_bool(&env) {
        return None;
    }
    let kind = rule
        .kind_from
        .as_deref()
        .and_then(|q| text(answers, q))
        .and_then(Kind::parse)
        .unwrap_or(rule.kind);
    let description = rule
        .description
        .iter()
        .find_map(|q| text(answers, q))
        .map_or_else(|| summary(survey, answers), str::to_owned);
    let request = rule
        .request
        .as_deref()
        .and_then(|q| text(answers, q))
        .and_then(Request::parse)
        .unwrap_or(Request::Nothing);
    let consented = rule
        .consent
        .as_deref()
        .is_some_and(|q| text(answers, q) == Some("yes"));
    let contact = rule
        .contact
        .as_deref()
        .filter(|_| consented)
        .and_then(|q| text(answers, q))
        .map(str::to_owned);
    let priority = if rule.high_when.as_ref().is_some_and(|e| e.eval_bool(&env)) {
        Priority::High
    } else {
        Priority::Normal
    };
    Some(Opening {
        kind,
        channel: rule.channel,
        priority,
        description,
        request,
        contact,
    })
}

/// When the customer wrote nothing, the case says what they scored, in the survey's
/// own language: "总体满意度: 2/5; 推荐意愿: 3/10".
fn summary(survey: &Survey, answers: &[(String, Answer)]) -> String {
    let lang = survey.default_lang;
    let parts: Vec<String> = survey
        .answerable()
        .filter_map(|q| {
            let top = match q.kind {
                QuestionKind::Rating => 5,
                QuestionKind::Nps => 10,
                _ => return None,
            };
            let (_, Answer::Int(v)) = answers.iter().find(|(n, _)| *n == q.name)? else {
                return None;
            };
            Some(format!("{}: {v}/{top}", q.label.get(lang)))
        })
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Survey {
        crate::survey::parse_survey(
            "post-purchase.toml",
            include_str!("../../surveys/post-purchase.toml"),
        )
        .expect("shipped survey loads")
    }

    fn a(pairs: &[(&str, Answer)]) -> Vec<(String, Answer)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_happy_customer_opens_nothing() {
        let s = shipped();
        let answers = a(&[
            ("overall_satisfaction", Answer::Int(5)),
            ("recommend", Answer::Int(10)),
        ]);
        assert_eq!(opening(&s, &answers), None);
    }

    #[test]
    fn a_complaint_opens_a_case_with_the_customers_words() {
        let s = shipped();
        let answers = a(&[
            ("overall_satisfaction", Answer::Int(2)),
            ("recommend", Answer::Int(8)),
            ("complaint", Answer::Choice("yes".into())),
            ("complaint_text", Answer::Text("冰箱送到时是坏的".into())),
            ("complaint_request", Answer::Choice("exchange".into())),
            ("contact_consent", Answer::Choice("no".into())),
            ("contact", Answer::Text("13800000000".into())),
        ]);
        let o = opening(&s, &answers).expect("opens");
        assert_eq!(o.kind, Kind::Complaint);
        assert_eq!(o.channel, Channel::Survey);
        assert_eq!(o.description, "冰箱送到时是坏的");
        assert_eq!(o.request, Request::Exchange);
        // No consent: the number is not kept, even though it was typed.
        assert_eq!(o.contact, None);
    }

    #[test]
    fn a_detractor_without_words_opens_a_case_saying_what_they_scored() {
        let s = shipped();
        let answers = a(&[
            ("overall_satisfaction", Answer::Int(4)),
            ("recommend", Answer::Int(1)),
            ("complaint", Answer::Choice("no".into())),
            ("contact_consent", Answer::Choice("yes".into())),
            ("contact", Answer::Text("wx: lili".into())),
        ]);
        let o = opening(&s, &answers).expect("NPS ≤ 6 opens a case");
        assert_eq!(o.priority, Priority::High);
        assert_eq!(o.request, Request::Nothing);
        assert_eq!(o.contact.as_deref(), Some("wx: lili"));
        assert!(o.description.contains("4/5"), "{}", o.description);
        assert!(o.description.contains("1/10"), "{}", o.description);
    }
}
