//! What one response adds to the daily report rollups, derived from its survey's indicator tags.

use crate::answers::Answer;
use crate::survey::{Indicator, Survey};

/// One response's contribution to `daily_stat`, `daily_channel` and `daily_gap`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contribution {
    /// The 1–5 satisfaction answer.
    pub satisfaction: Option<i64>,
    /// The 0–10 recommend answer.
    pub recommend: Option<i64>,
    /// Some(true) for a repeat customer ("no" to "first purchase?").
    pub repeat: Option<bool>,
    pub complaint: bool,
    /// Its form has a complaint question (asked, or skipped for a happy customer, who
    /// has none): the response counts in the complaint rate's per-100-responses base.
    pub complaint_asked: bool,
    pub channels: Vec<String>,
    /// (aspect, experience − expectation) for aspects with both answers.
    pub gaps: Vec<(String, f64)>,
}

/// Summed contributions of many responses for one form, store and day: what a rollup row adds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub responses: i64,
    pub sat_n: i64,
    pub sat_top2: i64,
    pub nps_n: i64,
    pub nps_promoters: i64,
    pub nps_detractors: i64,
    pub return_n: i64,
    pub return_repeat: i64,
    pub complaints: i64,
    /// Responses to forms with a complaint question (the per-100-responses base).
    pub complaint_n: i64,
    pub awareness_n: i64,
    pub channels: std::collections::BTreeMap<String, i64>,
    /// aspect → (n, Σ gap, Σ gap²)
    pub gaps: std::collections::BTreeMap<String, (i64, f64, f64)>,
}

impl Counts {
    pub fn add(&mut self, c: &Contribution) {
        let one = |b: bool| i64::from(b);
        self.responses += 1;
        self.sat_n += one(c.satisfaction.is_some());
        self.sat_top2 += one(c.satisfaction.is_some_and(|s| s >= 4));
        self.nps_n += one(c.recommend.is_some());
        self.nps_promoters += one(c.recommend.is_some_and(|r| r >= 9));
        self.nps_detractors += one(c.recommend.is_some_and(|r| r <= 6));
        self.return_n += one(c.repeat.is_some());
        self.return_repeat += one(c.repeat == Some(true));
        self.complaints += one(c.complaint);
        self.complaint_n += one(c.complaint_asked);
        self.awareness_n += one(!c.channels.is_empty());
        for ch in &c.channels {
            *self.channels.entry(ch.clone()).or_default() += 1;
        }
        for (aspect, gap) in &c.gaps {
            let e = self.gaps.entry(aspect.clone()).or_default();
            *e = (e.0 + 1, e.1 + gap, e.2 + gap * gap);
        }
    }
}

impl Counts {
    /// Adds another group's counts, as if its responses had been added one by one.
    pub fn merge(&mut self, o: &Counts) {
        self.responses += o.responses;
        self.sat_n += o.sat_n;
        self.sat_top2 += o.sat_top2;
        self.nps_n += o.nps_n;
        self.nps_promoters += o.nps_promoters;
        self.nps_detractors += o.nps_detractors;
        self.return_n += o.return_n;
        self.return_repeat += o.return_repeat;
        self.complaints += o.complaints;
        self.complaint_n += o.complaint_n;
        self.awareness_n += o.awareness_n;
        for (ch, n) in &o.channels {
            *self.channels.entry(ch.clone()).or_default() += n;
        }
        for (aspect, (n, sum, sum_sq)) in &o.gaps {
            let e = self.gaps.entry(aspect.clone()).or_default();
            *e = (e.0 + n, e.1 + sum, e.2 + sum_sq);
        }
    }
}

impl From<&Contribution> for Counts {
    fn from(c: &Contribution) -> Counts {
        let mut counts = Counts::default();
        counts.add(c);
        counts
    }
}

/// Reads the tagged answers of a response. Untagged questions contribute nothing.
pub fn contribution(survey: &Survey, answers: &[(String, Answer)]) -> Contribution {
    let mut c = Contribution {
        complaint_asked: survey
            .questions()
            .any(|q| q.indicator == Some(Indicator::Complaint)),
        ..Contribution::default()
    };
    let mut expected: Vec<(&str, i64)> = Vec::new();
    let mut experienced: Vec<(&str, i64)> = Vec::new();
    for (name, answer) in answers {
        let Some(indicator) = survey.question(name).and_then(|q| q.indicator.as_ref()) else {
            continue;
        };
        match (indicator, answer) {
            (Indicator::Satisfaction, Answer::Int(v)) => c.satisfaction = Some(*v),
            (Indicator::Reputation, Answer::Int(v)) => c.recommend = Some(*v),
            (Indicator::Return, Answer::Choice(v)) => c.repeat = Some(v == "no"),
            (Indicator::Complaint, Answer::Choice(v)) => c.complaint = v == "yes",
            (Indicator::Awareness, Answer::Choice(v)) => c.channels = vec![v.clone()],
            (Indicator::Awareness, Answer::Choices(v)) => c.channels = v.clone(),
            (Indicator::Expectation(a), Answer::Int(v)) => expected.push((a.as_str(), *v)),
            (Indicator::Experience(a), Answer::Int(v)) => experienced.push((a.as_str(), *v)),
            _ => {}
        }
    }
    for (aspect, exp) in &experienced {
        if let Some((_, before)) = expected.iter().find(|(a, _)| a == aspect) {
            c.gaps.push(((*aspect).to_owned(), (*exp - *before) as f64));
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{RawAnswers, Scope, check};
    use crate::i18n::Lang;

    fn shipped() -> Survey {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/post-purchase.toml");
        crate::survey::parse_survey("pp", &std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn tagged_answers_become_a_contribution() {
        let s = shipped();
        let mut raw = RawAnswers::new();
        for (k, v) in [
            ("overall_satisfaction", "2"),
            ("recommend", "6"),
            ("first_purchase", "no"),
            ("heard_from", "friend"),
            ("heard_from", "ad"),
            ("expect_price", "4"),
            ("exp_price", "2"),
            ("exp_service", "5"),
            ("complaint", "yes"),
            ("complaint_text", "Waited a long time"),
        ] {
            raw.entry(k.into()).or_default().push(v.into());
        }
        let checked = check(&s, &raw, Scope::All, Lang::En);
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        let c = contribution(&s, &checked.answers);
        assert_eq!(c.satisfaction, Some(2));
        assert_eq!(c.recommend, Some(6));
        assert_eq!(c.repeat, Some(true));
        assert!(c.complaint);
        assert_eq!(c.channels, vec!["friend".to_owned(), "ad".to_owned()]);
        // Only price has both answers: 2 − 4 = −2; service has no expectation.
        assert_eq!(c.gaps, vec![("price".to_owned(), -2.0)]);
        assert!(c.complaint_asked);
    }

    #[test]
    fn a_happy_customer_skipped_past_the_complaint_question_is_still_in_its_base() {
        let s = shipped();
        let mut raw = RawAnswers::new();
        for (k, v) in [("overall_satisfaction", "5"), ("recommend", "10")] {
            raw.entry(k.into()).or_default().push(v.into());
        }
        let checked = check(&s, &raw, Scope::All, Lang::En);
        let c = contribution(&s, &checked.answers);
        assert!(!c.complaint);
        assert!(c.complaint_asked, "the form asks about complaints");
        let mut counts = Counts::default();
        counts.add(&c);
        counts.add(&Contribution::default());
        assert_eq!((counts.responses, counts.complaint_n), (2, 1));
    }
}
