//! Indicator tags: which satisfaction indicator a question feeds, and which question types may carry each.

use std::fmt;

use serde::Serialize;

use super::Kind;

/// The tag on a question that reports read. How each answer counts is
/// documented in the README ("Indicator tags").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "tag", content = "aspect", rename_all = "lowercase")]
pub enum Indicator {
    /// Overall satisfaction on 1–5; CSAT is the share answering 4 or 5.
    Satisfaction,
    /// Likelihood to recommend on 0–10; 9–10 promoters, 0–6 detractors.
    Reputation,
    /// "Is this your first purchase at this store?": "no" is a repeat customer.
    Return,
    /// "Do you have a complaint?": "yes" is a complaint.
    Complaint,
    /// "How did you hear about us?": each chosen option is a channel.
    Awareness,
    /// What the customer expected of an aspect, on 1–5.
    Expectation(String),
    /// What the customer experienced of the same aspect, on 1–5.
    Experience(String),
}

impl Indicator {
    pub const NAMES: &'static str =
        "satisfaction, reputation, return, complaint, awareness, expectation, experience";

    /// Parses the `indicator` key; `aspect` is required exactly for the paired tags.
    pub fn parse(tag: &str, aspect: Option<&str>) -> Result<Indicator, String> {
        let needs_aspect = |make: fn(String) -> Indicator| match aspect {
            Some(a) if is_aspect_name(a) => Ok(make(a.to_owned())),
            Some(a) => Err(format!(
                "aspect '{a}' must be lowercase letters, digits or '_' (e.g. \"price\")"
            )),
            None => Err(format!(
                "indicator '{tag}' needs an `aspect` (e.g. aspect = \"price\") to pair expectation with experience"
            )),
        };
        let plain = |ind: Indicator| match aspect {
            None => Ok(ind),
            Some(_) => Err(format!(
                "`aspect` only goes with the expectation and experience indicators, not '{tag}'"
            )),
        };
        match tag {
            "satisfaction" => plain(Indicator::Satisfaction),
            "reputation" => plain(Indicator::Reputation),
            "return" => plain(Indicator::Return),
            "complaint" => plain(Indicator::Complaint),
            "awareness" => plain(Indicator::Awareness),
            "expectation" => needs_aspect(Indicator::Expectation),
            "experience" => needs_aspect(Indicator::Experience),
            other => Err(format!(
                "unknown indicator '{other}'; known: {}",
                Self::NAMES
            )),
        }
    }

    /// Whether a question of this type can feed the indicator, and if not, which types can.
    pub fn fits(&self, kind: &Kind) -> Result<(), &'static str> {
        let ok = match self {
            Indicator::Satisfaction | Indicator::Expectation(_) | Indicator::Experience(_) => {
                matches!(kind, Kind::Rating)
            }
            Indicator::Reputation => matches!(kind, Kind::Nps),
            Indicator::Return | Indicator::Complaint => matches!(kind, Kind::YesNo { na: false }),
            Indicator::Awareness => matches!(kind, Kind::SelectOne(_) | Kind::SelectMultiple(_)),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Indicator::Satisfaction | Indicator::Expectation(_) | Indicator::Experience(_) => {
                "rating"
            }
            Indicator::Reputation => "nps",
            Indicator::Return | Indicator::Complaint => "yes_no",
            Indicator::Awareness => "select_one or select_multiple",
        })
    }

    /// Tags that may appear once per survey: two would make the indicator ambiguous.
    pub fn key(&self) -> String {
        match self {
            Indicator::Expectation(a) => format!("expectation/{a}"),
            Indicator::Experience(a) => format!("experience/{a}"),
            other => other.to_string(),
        }
    }
}

fn is_aspect_name(a: &str) -> bool {
    !a.is_empty()
        && a.len() <= 40
        && a.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Indicator::Satisfaction => "satisfaction",
            Indicator::Reputation => "reputation",
            Indicator::Return => "return",
            Indicator::Complaint => "complaint",
            Indicator::Awareness => "awareness",
            Indicator::Expectation(_) => "expectation",
            Indicator::Experience(_) => "experience",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_tags_need_an_aspect_and_others_refuse_one() {
        assert_eq!(
            Indicator::parse("expectation", Some("price")),
            Ok(Indicator::Expectation("price".into()))
        );
        assert!(Indicator::parse("experience", None).is_err());
        assert!(Indicator::parse("reputation", Some("price")).is_err());
        assert!(Indicator::parse("expectation", Some("Price!")).is_err());
        assert!(
            Indicator::parse("loyalty", None)
                .unwrap_err()
                .contains("known:")
        );
    }

    #[test]
    fn each_tag_fits_only_its_question_types() {
        assert!(Indicator::Reputation.fits(&Kind::Nps).is_ok());
        assert_eq!(Indicator::Reputation.fits(&Kind::Rating), Err("nps"));
        assert!(
            Indicator::Complaint
                .fits(&Kind::YesNo { na: false })
                .is_ok()
        );
        assert!(
            Indicator::Satisfaction
                .fits(&Kind::Text { multiline: false })
                .is_err()
        );
        assert!(
            Indicator::Awareness
                .fits(&Kind::SelectMultiple(vec![]))
                .is_ok()
        );
    }
}
