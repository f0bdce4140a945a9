//! Complaint and suggestion cases: the vocabulary (kinds, channels, steps), the 8-step flow, deadlines and the survey rule that opens a case.
//!
//! Everything here is pure: the database (`db::cases`) and the pages (`web::cases`) call in.
//! The flow follows the training material's 8 steps (see README, "Complaints"):
//! 1 record, 2 validity, 3 assign, 4 cause, 5 solution, 6 approval, 7 implement,
//! 8 summary. Step 1 is the case's creation, so a stored case sits at step 2 or later.

pub mod args;
pub mod deadline;
pub mod finding;
pub mod flow;
pub mod import;
pub mod page;
pub mod rule;
pub mod stats;
pub mod taxonomy;

use serde::Serialize;

use crate::i18n::Lang;
use crate::i18n::cases::Case as T;

/// Declares a closed set of words stored in the database, with their catalogue labels.
macro_rules! vocabulary {
    ($name:ident { $($variant:ident => $word:literal, $label:ident;)+ }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and used in forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The name staff and customers read.
            pub fn label(self, lang: Lang) -> &'static str {
                match self { $($name::$variant => T::$label.text(lang)),+ }
            }
        }
    };
}

vocabulary!(Kind {
    Complaint => "complaint", KindComplaint;
    Suggestion => "suggestion", KindSuggestion;
});

vocabulary!(Channel {
    Survey => "survey", ChannelSurvey;
    WalkIn => "walk_in", ChannelWalkIn;
    Phone => "phone", ChannelPhone;
    Web => "web", ChannelWeb;
    MysteryShop => "mystery_shop", ChannelMysteryShop;
});

vocabulary!(Request {
    Refund => "refund", RequestRefund;
    Exchange => "exchange", RequestExchange;
    Repair => "repair", RequestRepair;
    Apology => "apology", RequestApology;
    Other => "other", RequestOther;
    Nothing => "none", RequestNone;
});

vocabulary!(Priority {
    High => "high", PriorityHigh;
    Normal => "normal", PriorityNormal;
    Low => "low", PriorityLow;
});

vocabulary!(Step {
    Validity => "validity", StepValidity;
    Assign => "assign", StepAssign;
    Cause => "cause", StepCause;
    Solution => "solution", StepSolution;
    Approval => "approval", StepApproval;
    Implement => "implement", StepImplement;
    Summary => "summary", StepSummary;
    Closed => "closed", StepClosed;
});

impl Kind {
    /// The code's prefix: 投诉 (TouSu) and 建议 (JianYi).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Complaint => "TS",
            Kind::Suggestion => "JY",
        }
    }

    /// The steps a case of this kind goes through after being recorded, in order. A
    /// suggestion has the lighter flow: someone owns it, then answers it.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Kind::Complaint => &[
                Step::Validity,
                Step::Assign,
                Step::Cause,
                Step::Solution,
                Step::Approval,
                Step::Implement,
                Step::Summary,
                Step::Closed,
            ],
            Kind::Suggestion => &[Step::Assign, Step::Summary, Step::Closed],
        }
    }

    /// The step a new case starts at.
    pub fn first_step(self) -> Step {
        self.steps()[0]
    }

    /// The step after `step` in this kind's flow (`Closed` stays closed).
    pub fn after(self, step: Step) -> Step {
        let steps = self.steps();
        steps
            .iter()
            .position(|s| *s == step)
            .and_then(|i| steps.get(i + 1))
            .copied()
            .unwrap_or(Step::Closed)
    }
}

impl Step {
    /// The step's number in the training material's 8 steps (1 is recording).
    pub fn number(self) -> u8 {
        match self {
            Step::Validity => 2,
            Step::Assign => 3,
            Step::Cause => 4,
            Step::Solution => 5,
            Step::Approval => 6,
            Step::Implement => 7,
            Step::Summary => 8,
            Step::Closed => 9,
        }
    }

    pub fn is_open(self) -> bool {
        self != Step::Closed
    }

    /// What the customer's status page says at this step: customers see progress, never
    /// the internal step names.
    pub fn public_status(self, lang: Lang) -> &'static str {
        match self {
            Step::Validity => T::PublicReceived.text(lang),
            Step::Closed => T::PublicClosed.text(lang),
            Step::Summary | Step::Implement => T::PublicResolving.text(lang),
            _ => T::PublicHandling.text(lang),
        }
    }
}

/// Everything a new case is stored with; its code and id come from the database.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub kind: Kind,
    pub channel: Channel,
    pub store: String,
    pub department: Option<String>,
    pub description: String,
    pub request: Request,
    /// Given only with the customer's explicit consent.
    pub contact: Option<String>,
    pub priority: Priority,
    pub opened_at: time::OffsetDateTime,
    /// The stores' local year it opened in: the year in its code.
    pub year: i32,
    pub due: deadline::Due,
}

impl NewCase {
    /// The case a survey response opens at `store`, received at `now`.
    pub fn from_opening(
        o: rule::Opening,
        store: &str,
        now: time::OffsetDateTime,
        policy: &deadline::Policy,
        offset: time::UtcOffset,
    ) -> NewCase {
        NewCase {
            kind: o.kind,
            channel: o.channel,
            store: store.to_owned(),
            department: None,
            description: o.description,
            request: o.request,
            contact: o.contact,
            priority: o.priority,
            opened_at: now,
            year: now.to_offset(offset).year(),
            due: policy.due(o.priority, now, offset),
        }
    }
}

/// A case's readable id: `TS-2026-000123`.
pub fn code(kind: Kind, year: i32, seq: i64) -> String {
    format!("{}-{year}-{seq:06}", kind.prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_padded() {
        assert_eq!(code(Kind::Complaint, 2026, 123), "TS-2026-000123");
        assert_eq!(code(Kind::Suggestion, 2027, 1_234_567), "JY-2027-1234567");
    }

    #[test]
    fn complaint_goes_through_every_step_in_order() {
        let mut step = Kind::Complaint.first_step();
        let mut seen = vec![step];
        while step.is_open() {
            step = Kind::Complaint.after(step);
            seen.push(step);
        }
        assert_eq!(seen, Kind::Complaint.steps());
        assert_eq!(
            seen.iter().map(|s| s.number()).collect::<Vec<_>>(),
            [2, 3, 4, 5, 6, 7, 8, 9]
        );
    }

    #[test]
    fn suggestion_has_the_light_flow() {
        assert_eq!(Kind::Suggestion.first_step(), Step::Assign);
        assert_eq!(Kind::Suggestion.after(Step::Assign), Step::Summary);
        assert_eq!(Kind::Suggestion.after(Step::Summary), Step::Closed);
        assert_eq!(Kind::Suggestion.after(Step::Closed), Step::Closed);
    }

    #[test]
    fn words_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Request::parse("none"), Some(Request::Nothing));
        assert_eq!(Priority::parse("urgent"), None);
    }
}
