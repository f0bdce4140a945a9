//! What a case page needs from the flow: a step's place in its own kind's flow ("Step 2 of 8"), and what was typed into a refused form.

use serde::Deserialize;

use super::{Kind, Step};

/// How many steps of a kind's numbering come before its first form. A complaint is
/// numbered as the training material's 8 steps, whose step 1 (recording) is the case's
/// creation, so its first form is step 2. A suggestion's lighter flow has no such
/// numbering to match: its forms count from 1.
fn counted_before(kind: Kind) -> usize {
    match kind {
        Kind::Complaint => 1,
        Kind::Suggestion => 0,
    }
}

/// `(position, total)` of `step` in a case of `kind`: a complaint's judging is (2, 8), a
/// suggestion's assigning (1, 2). `None` for a closed case or a step its kind never takes.
pub fn position(kind: Kind, step: Step) -> Option<(usize, usize)> {
    let forms: Vec<Step> = kind
        .steps()
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let at = forms.iter().position(|s| *s == step)?;
    let before = counted_before(kind);
    Some((before + at + 1, before + forms.len()))
}

/// What a person typed into one of a case page's forms, as posted. The web layer reads it
/// into an [`Action`](super::flow::Action); a refused post draws it back into its form,
/// so nothing typed is lost.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepValues {
    /// The step's action word (`judge`, `assign`, … `close`). The reply, note and
    /// return-visit handlers set `reply`, `note` and `recovery`, so a refused page knows
    /// which of its forms was posted.
    #[serde(default)]
    pub action: String,
    pub valid: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub solution: String,
    #[serde(default)]
    pub remedy: String,
    #[serde(default)]
    pub compensation: String,
    #[serde(default)]
    pub approval_note: String,
    #[serde(default)]
    pub back_reason: String,
    #[serde(default)]
    pub implementation: String,
    #[serde(default)]
    pub summary: String,
    pub customer_accepted: Option<String>,
    pub resolved: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub text: String,
    pub satisfied: Option<String>,
    pub will_return: Option<String>,
}

impl StepValues {
    /// Whether these values were posted by the form of `step` (approval has two buttons).
    pub fn posted_at(&self, step: Step) -> bool {
        let action = self.action.as_str();
        match step {
            Step::Validity => action == "judge",
            Step::Assign => action == "assign",
            Step::Cause => action == "cause",
            Step::Solution => action == "propose",
            Step::Approval => matches!(action, "approve" | "send_back"),
            Step::Implement => action == "implement",
            Step::Summary => action == "close",
            Step::Closed => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_keeps_the_training_materials_eight_steps() {
        let numbered: Vec<_> = Kind::Complaint
            .steps()
            .iter()
            .map(|s| position(Kind::Complaint, *s))
            .collect();
        assert_eq!(
            numbered,
            [
                Some((2, 8)),
                Some((3, 8)),
                Some((4, 8)),
                Some((5, 8)),
                Some((6, 8)),
                Some((7, 8)),
                Some((8, 8)),
                None
            ]
        );
        // The same as each step's own number in the 8 steps.
        for s in Kind::Complaint.steps().iter().filter(|s| s.is_open()) {
            assert_eq!(
                position(Kind::Complaint, *s),
                Some((usize::from(s.number()), 8))
            );
        }
    }

    #[test]
    fn a_suggestion_counts_its_own_two_steps() {
        assert_eq!(position(Kind::Suggestion, Step::Assign), Some((1, 2)));
        assert_eq!(position(Kind::Suggestion, Step::Summary), Some((2, 2)));
        assert_eq!(position(Kind::Suggestion, Step::Closed), None);
        assert_eq!(
            position(Kind::Suggestion, Step::Cause),
            None,
            "not in a suggestion's flow"
        );
    }

    #[test]
    fn typed_values_belong_to_the_form_that_posted_them() {
        let posted = |action: &str| StepValues {
            action: action.into(),
            ..StepValues::default()
        };
        assert!(posted("judge").posted_at(Step::Validity));
        assert!(!posted("judge").posted_at(Step::Assign));
        assert!(posted("approve").posted_at(Step::Approval));
        assert!(posted("send_back").posted_at(Step::Approval));
        assert!(posted("close").posted_at(Step::Summary));
        for other in ["reply", "note", "recovery", ""] {
            assert!(
                Step::ALL.iter().all(|s| !posted(other).posted_at(*s)),
                "{other:?} is no step's form"
            );
        }
    }
}
