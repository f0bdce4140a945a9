//! The review page: what the shopper recorded, how it scored, what happened to it, and the decision form.

use maud::{Markup, html};

use super::audit_form::history;
use super::staff::{Viewer, csrf, staff_page};
use crate::answers::{Checked, FieldErrors};
use crate::audits::Status;
use crate::db::audits::{AuditRow, EventRow};
use crate::db::evidence::EvidenceInfo;
use crate::scoring::{AuditScore, show};
use crate::survey::{Kind, Question, Survey};

pub struct ReviewPage<'a> {
    pub viewer: &'a Viewer,
    pub audit: &'a AuditRow,
    pub survey: &'a Survey,
    pub answers: &'a Checked,
    pub items: &'a AuditScore,
    /// Stored at submission: (section, percent, earned, possible, critical fail).
    pub sections: &'a [(String, Option<f64>, f64, f64, bool)],
    pub comments: &'a [(String, String)],
    pub evidence: &'a [EvidenceInfo],
    pub events: &'a [EventRow],
    pub errors: &'a FieldErrors,
}

/// An answer in words: the choice label rather than its code.
fn answer_text(q: &Question, p: &ReviewPage) -> String {
    let lang = p.survey.default_lang;
    let Some(answer) = p.answers.get(&q.name) else {
        return "—".into();
    };
    let label = |v: &str| match (&q.kind, v) {
        (Kind::YesNo { .. }, "yes") => "yes".to_owned(),
        (Kind::YesNo { .. }, "no") => "no".to_owned(),
        (Kind::YesNo { .. }, "na") => "N/A".to_owned(),
        (kind, v) => kind
            .choices()
            .and_then(|c| c.iter().find(|c| c.name == v))
            .map_or_else(|| v.to_owned(), |c| c.label.get(lang).to_owned()),
    };
    answer
        .form_values()
        .iter()
        .map(|v| label(v))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn review_page(p: &ReviewPage) -> Markup {
    let a = p.audit;
    let lang = p.survey.default_lang;
    let flags = a.flags();
    let minutes = match (
        a.time_in.as_deref().and_then(crate::audits::parse_time),
        a.time_out.as_deref().and_then(crate::audits::parse_time),
    ) {
        (Some(i), Some(o)) => Some((o - i).whole_minutes()),
        _ => None,
    };
    let body = html! {
        p {
            strong { (a.store_name) } " (" (a.store_code) ") · shopper " strong { (a.shopper) }
            " · window " (a.window_from) " – " (a.window_to)
        }
        @if let Some(s) = &a.scenario { p { "Scenario: " (s) } }
        p {
            "Status: " strong { (a.status().label()) }
            @if a.excluded { " " span.tag.flag { "excluded from reports" } " " (a.exclusion_reason.as_deref().unwrap_or("")) }
        }
        p {
            "Visit " (a.visit_date.as_deref().unwrap_or("?")) ", " (a.time_in.as_deref().unwrap_or("?")) "–" (a.time_out.as_deref().unwrap_or("?"))
            @if let Some(m) = minutes { " (" (m) " min)" }
        }
        @if !flags.is_empty() {
            div.summary { strong { "Flags for review" } ul { @for f in &flags { li { (f) } } } }
        }
        h2 { "Score: " (show(a.score)) @if a.critical_fail { " " span.tag.flag { "critical fail" } } }
        div.wide { table {
            thead { tr { th { "Section" } th { "Score" } th { "Points" } } }
            tbody {
                @for (name, percent, earned, possible, critical) in p.sections {
                    @let label = p.survey.groups.iter().find(|g| &g.name == name).map_or(name.as_str(), |g| g.label.get(lang));
                    tr {
                        td { (label) }
                        td { (show(*percent)) @if *critical { " " span.tag.flag { "critical" } } }
                        td { (format!("{earned:.2} / {possible:.2}")) }
                    }
                }
            }
        } }
        @for (group, section) in p.survey.groups.iter().zip(&p.items.sections) {
            h2 { (group.label.get(lang)) }
            div.wide { table {
                thead { tr { th { "Item" } th { "Answer" } th { "Points" } th { "Comment" } } }
                tbody {
                    @for q in group.questions.iter().filter(|q| p.answers.relevant.contains(&q.name)) {
                        @let item = section.items.iter().find(|i| i.name == q.name);
                        tr {
                            td { (q.label.get(lang)) }
                            td { (answer_text(q, p)) }
                            td {
                                @if let Some(i) = item {
                                    @if i.na { "N/A" } @else { (format!("{:.2} / {:.2}", i.earned, i.possible)) }
                                    @if i.failed { " " span.tag.flag { "failed" } }
                                }
                            }
                            td { (p.comments.iter().find(|(n, _)| *n == q.name).map_or("", |(_, c)| c.as_str())) }
                        }
                    }
                }
            } }
            (photos(a.id, p.evidence, &group.name))
        }
        h2 { "Receipt" }
        (photos(a.id, p.evidence, "visit"))
        h2 { "History" }
        (history(p.events))
        (decision(p))
    };
    staff_page(
        p.viewer,
        &format!("Review: {}", p.survey.title.get(lang)),
        body,
    )
}

fn photos(audit: i64, evidence: &[EvidenceInfo], section: &str) -> Markup {
    html! {
        @for (i, e) in evidence.iter().filter(|e| e.section == section).enumerate() {
            a href={ "/audits/" (audit) "/evidence/" (e.id) } {
                img src={ "/audits/" (audit) "/evidence/" (e.id) } width="160" alt={ "Evidence photo " (i + 1) " for " (section) };
            }
            " "
        }
    }
}

fn decision(p: &ReviewPage) -> Markup {
    let a = p.audit;
    let actions: &[(&str, &str)] = match a.status() {
        Status::Submitted => &[
            ("approve", "Approve"),
            ("revise", "Send back for revision"),
            ("reject", "Reject"),
        ],
        Status::Approved if a.excluded => &[("include", "Include in reports again")],
        Status::Approved => &[("exclude", "Exclude from reports")],
        _ => &[],
    };
    html! {
        @if !actions.is_empty() {
            h2 { "Decision" }
            form method="post" action={ "/audits/" (a.id) "/review" } {
                (csrf(&p.viewer.csrf))
                div.field {
                    label for="reason" { "Reason (required except to approve; the shopper sees it)" }
                    @if let Some(e) = p.errors.get("reason") { p.err id="err-reason" { (e) } }
                    textarea id="reason" name="reason" maxlength="1000"
                        aria-invalid=[p.errors.get("reason").map(|_| "true")]
                        aria-describedby=[p.errors.get("reason").map(|_| "err-reason")] {}
                }
                div.nav {
                    @for (value, label) in actions {
                        button.sec[*value != "approve"] type="submit" name="action" value=(value) { (label) }
                    }
                }
            }
        }
    }
}
