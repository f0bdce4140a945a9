//! The case state machine: which action each step takes, who may take it, and where it leads. Steps can't be skipped.

use crate::auth::Role;
use crate::i18n::Msg;
use crate::i18n::cases::Case as T;

use super::taxonomy::Taxonomy;
use super::{Kind, Step};

/// Longest free text a step takes; a case is read on a phone.
pub const MAX_TEXT: usize = 4000;

/// Who acts: their role, and for a store manager the stores they handle.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
    pub stores: Vec<String>,
}

impl Actor {
    /// Whether this person may see and handle cases of `store`. Admins and managers
    /// handle every store; a store manager only their own; shoppers none.
    pub fn handles(&self, store: &str) -> bool {
        match self.role {
            Role::Admin | Role::Manager => true,
            Role::StoreManager => self.stores.iter().any(|s| s == store),
            Role::Shopper => false,
        }
    }

    /// The supervisor who approves a solution (step 6): a manager or an admin.
    pub fn supervises(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

/// What an actor does to a case, already parsed from the step's form.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Step 2: valid, or invalid with the reason (which closes the case).
    Judge { valid: bool, reason: String },
    /// Step 3: the owner, and optionally the department responsible.
    Assign {
        owner: i64,
        department: Option<String>,
    },
    /// Step 4: a category from the taxonomy and the root cause.
    Cause {
        category: String,
        root_cause: String,
    },
    /// Step 5: the solution and the remedy for this customer, with any compensation.
    Propose {
        solution: String,
        remedy: String,
        compensation: Option<String>,
    },
    /// Step 6: the supervisor approves...
    Approve { note: Option<String> },
    /// ...or sends the solution back with a reason.
    SendBack { reason: String },
    /// Step 7: what was done.
    Implement { note: String },
    /// Step 8: the summary, whether the customer accepted, and resolved yes/no.
    Close {
        summary: String,
        customer_accepted: Option<bool>,
        resolved: bool,
    },
    /// At any open step: a message for the customer (the first one is the first reply).
    Reply { message: String },
    /// At any open step: an internal note, never shown to the customer.
    Note { text: String },
}

impl Action {
    /// The step this action belongs to; `None` for replies and notes, taken at any open step.
    pub fn step(&self) -> Option<Step> {
        Some(match self {
            Action::Judge { .. } => Step::Validity,
            Action::Assign { .. } => Step::Assign,
            Action::Cause { .. } => Step::Cause,
            Action::Propose { .. } => Step::Solution,
            Action::Approve { .. } | Action::SendBack { .. } => Step::Approval,
            Action::Implement { .. } => Step::Implement,
            Action::Close { .. } => Step::Summary,
            Action::Reply { .. } | Action::Note { .. } => return None,
        })
    }

    /// The word logged in `case_event.action`.
    pub fn word(&self) -> &'static str {
        match self {
            Action::Judge { valid: true, .. } => "valid",
            Action::Judge { valid: false, .. } => "invalid",
            Action::Assign { .. } => "assigned",
            Action::Cause { .. } => "cause",
            Action::Propose { .. } => "proposed",
            Action::Approve { .. } => "approved",
            Action::SendBack { .. } => "sent_back",
            Action::Implement { .. } => "implemented",
            Action::Close { .. } => "closed",
            Action::Reply { .. } => "reply",
            Action::Note { .. } => "note",
        }
    }
}

/// What an accepted action does: the step the case moves to and whether the logged
/// event is shown to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub to: Step,
    pub public: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not this person's case (another store's): answered as if it did not exist.
    Hidden,
    /// The role may not take this step.
    Role(Msg),
    /// The case is at another step: steps can't be skipped or repeated.
    Step(Msg),
    /// A field (named as in the step's form) is missing or wrong.
    Field(&'static str, Msg),
}

/// The one rule: `action` by `actor` on a case of `kind` and `store` at `step`.
pub fn decide(
    kind: Kind,
    store: &str,
    step: Step,
    actor: &Actor,
    action: &Action,
    taxonomy: &Taxonomy,
) -> Result<Transition, Refusal> {
    if !actor.handles(store) {
        return Err(Refusal::Hidden);
    }
    if !step.is_open() {
        return Err(Refusal::Step(T::ErrClosed.msg()));
    }
    match action {
        Action::Reply { message } => {
            check_text("message", message, T::ErrMessageEmpty)?;
            return Ok(Transition {
                to: step,
                public: true,
            });
        }
        Action::Note { text } => {
            check_text("text", text, T::ErrMessageEmpty)?;
            return Ok(Transition {
                to: step,
                public: false,
            });
        }
        _ => {}
    }
    let Some(wanted) = action.step() else {
        return Err(Refusal::Step(T::ErrNotInFlow.msg()));
    };
    if !kind.steps().contains(&wanted) {
        return Err(Refusal::Step(T::ErrNotInFlow.msg()));
    }
    if wanted != step {
        return Err(Refusal::Step(Msg::both(
            format!(
                "这一步要在“{}”时做，案件现在在“{}”。",
                wanted.label(crate::i18n::Lang::Zh),
                step.label(crate::i18n::Lang::Zh)
            ),
            format!(
                "This step is taken at '{}'; the case is at '{}'.",
                wanted.label(crate::i18n::Lang::En),
                step.label(crate::i18n::Lang::En)
            ),
        )));
    }
    if wanted == Step::Approval && !actor.supervises() {
        return Err(Refusal::Role(T::ErrSupervisorOnly.msg()));
    }
    check_fields(action, taxonomy)?;
    let to = match action {
        Action::Judge { valid: false, .. } => Step::Closed,
        Action::SendBack { .. } => Step::Solution,
        _ => kind.after(step),
    };
    let public = matches!(
        action,
        Action::Judge { valid: false, .. } | Action::Close { .. }
    );
    Ok(Transition { to, public })
}

fn check_text(field: &'static str, text: &str, empty: T) -> Result<(), Refusal> {
    let n = text.trim().chars().count();
    if n == 0 {
        return Err(Refusal::Field(field, empty.msg()));
    }
    if n > MAX_TEXT {
        return Err(Refusal::Field(field, T::ErrTooLong.msg()));
    }
    Ok(())
}

/// An optional text may be left out, but not be longer than a required one.
fn check_optional(field: &'static str, text: Option<&String>) -> Result<(), Refusal> {
    match text {
        Some(t) if t.trim().chars().count() > MAX_TEXT => {
            Err(Refusal::Field(field, T::ErrTooLong.msg()))
        }
        _ => Ok(()),
    }
}

fn check_fields(action: &Action, taxonomy: &Taxonomy) -> Result<(), Refusal> {
    match action {
        Action::Judge { valid, reason } => {
            if !valid {
                check_text("reason", reason, T::ErrReasonEmpty)?;
            }
        }
        Action::Assign { department, .. } => {
            if let Some(d) = department {
                check_text("department", d, T::ErrDepartmentEmpty)?;
            }
        }
        Action::Cause {
            category,
            root_cause,
        } => {
            if !taxonomy.contains(category) {
                return Err(Refusal::Field("category", T::ErrCategory.msg()));
            }
            check_text("root_cause", root_cause, T::ErrRootCauseEmpty)?;
        }
        Action::Propose {
            solution,
            remedy,
            compensation,
        } => {
            check_text("solution", solution, T::ErrSolutionEmpty)?;
            check_text("remedy", remedy, T::ErrRemedyEmpty)?;
            check_optional("compensation", compensation.as_ref())?;
        }
        Action::SendBack { reason } => check_text("back_reason", reason, T::ErrReasonEmpty)?,
        Action::Implement { note } => check_text("implementation", note, T::ErrImplementEmpty)?,
        Action::Close { summary, .. } => check_text("summary", summary, T::ErrSummaryEmpty)?,
        Action::Approve { note } => check_optional("approval_note", note.as_ref())?,
        Action::Reply { .. } | Action::Note { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
