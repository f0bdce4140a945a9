//! Views of audit lists and of creating an assignment.

use maud::{Markup, html};
use time::Date;

use super::staff::{Viewer, csrf, field, notice, select, staff_page};
use crate::answers::FieldErrors;
use crate::audits::{Status, parse_date};
use crate::db::audits::AuditRow;
use crate::scoring::show;

/// Where an assignment stands for the shopper: what to do next, and by when.
pub fn due_state(a: &AuditRow, today: Date) -> (&'static str, bool) {
    let status = a.status();
    if !status.editable() {
        return ("done", false);
    }
    if status == Status::RevisionRequested {
        return ("needs revision", true);
    }
    match (parse_date(&a.window_from), parse_date(&a.window_to)) {
        (_, Some(to)) if today > to => ("overdue", true),
        (Some(from), _) if today < from => ("upcoming", false),
        _ => ("due", false),
    }
}

pub fn audits_page(
    viewer: &Viewer,
    rows: &[AuditRow],
    filter: Option<Status>,
    today: Date,
    done: Option<&str>,
) -> Markup {
    let staff = viewer.role.is_staff();
    let title = if staff { "Audits" } else { "My assignments" };
    staff_page(
        viewer,
        title,
        html! {
            (notice(done))
            @if staff {
                form method="get" action="/audits" {
                    label for="status" { "Show " }
                    select id="status" name="status" {
                        option value="" { "all" }
                        @for s in Status::ALL { option value=(s.as_str()) selected[filter == Some(s)] { (s.label()) } }
                    }
                    " " button.sec type="submit" { "Filter" }
                }
            }
            @if rows.is_empty() {
                p { @if staff { "No audits yet. " a href="/assignments/new" { "Create an assignment" } "." } @else { "You have no assignments." } }
            } @else {
                div.wide { table {
                    thead { tr {
                        th { "Store" } th { "Visit window" } @if staff { th { "Shopper" } }
                        th { "Status" } th { "Score" } th {}
                    } }
                    tbody {
                        @for a in rows {
                            @let (due, urgent) = due_state(a, today);
                            tr {
                                td { (a.store_name) " " span.hint { (a.store_code) } }
                                td { (a.window_from) " – " (a.window_to) }
                                @if staff { td { (a.shopper) } }
                                td {
                                    span.tag.flag[urgent] { (due) } " "
                                    span.hint { (a.status().label()) }
                                    @if a.excluded { " " span.tag { "excluded" } }
                                }
                                td { @if a.submitted_at.is_some() { (show(a.score)) @if a.critical_fail { " " span.tag.flag { "critical" } } } }
                                td {
                                    @if staff && a.submitted_at.is_some() { a href={ "/audits/" (a.id) "/review" } { "Review" } }
                                    @else if !staff && a.status().editable() { a href={ "/audits/" (a.id) } { @if a.status() == Status::Assigned { "Start" } @else { "Continue" } } }
                                    @else { a href={ "/audits/" (a.id) } { "View" } }
                                }
                            }
                        }
                    }
                } }
            }
        },
    )
}

/// (value, label) lists for the assignment form's selects.
pub struct Choices {
    pub shoppers: Vec<(String, String)>,
    pub stores: Vec<(String, String)>,
    pub checklists: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct AssignmentValues {
    pub shopper: String,
    pub store: String,
    pub checklist: String,
    pub window_from: String,
    pub window_to: String,
    pub scenario: String,
}

pub fn new_assignment_page(
    viewer: &Viewer,
    c: &Choices,
    v: &AssignmentValues,
    errors: &FieldErrors,
) -> Markup {
    staff_page(
        viewer,
        "New assignment",
        html! {
            form method="post" action="/assignments" {
                (csrf(&viewer.csrf))
                (select("shopper", "Shopper", &c.shoppers, &v.shopper, errors))
                (select("store", "Store", &c.stores, &v.store, errors))
                (select("checklist", "Checklist", &c.checklists, &v.checklist, errors))
                (field("window_from", "Visit from", "date", &v.window_from, errors))
                (field("window_to", "Visit by", "date", &v.window_to, errors))
                div.field {
                    label for="scenario" { "Scenario (optional)" }
                    @if let Some(e) = errors.get("scenario") { p.err id="err-scenario" { (e) } }
                    textarea id="scenario" name="scenario" maxlength="1000" placeholder="e.g. ask about a washing machine for a family of four" { (v.scenario) }
                }
                button type="submit" { "Create assignment" }
            }
        },
    )
}
