//! Views of audit lists (with their filters and pages) and of creating an assignment.

use maud::{Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use time::Date;

use super::staff::{Viewer, alert, csrf, field, notice, pager, select, staff_page};
use crate::answers::FieldErrors;
use crate::audits::{Status, parse_date};
use crate::db::audits::AuditRow;
use crate::i18n::audits::{Audit, status_name};
use crate::i18n::staff::Staff;
use crate::i18n::{Lang, format};
use crate::paging::Page;

/// Where an assignment stands for the shopper: what to do next, and whether it is pressing.
pub fn due_state(a: &AuditRow, today: Date) -> (Audit, bool) {
    let status = a.status();
    if !status.editable() {
        return (Audit::DueDone, false);
    }
    if status == Status::RevisionRequested {
        return (Audit::DueRevision, true);
    }
    match (parse_date(&a.window_from), parse_date(&a.window_to)) {
        (_, Some(to)) if today > to => (Audit::DueOverdue, true),
        (Some(from), _) if today < from => (Audit::DueUpcoming, false),
        _ => (Audit::DueNow, false),
    }
}

/// A stored day (YYYY-MM-DD) as the reader writes it; anything else as stored.
pub fn day(text: &str, lang: Lang) -> String {
    parse_date(text).map_or_else(|| text.to_owned(), |d| format::date(d, lang))
}

/// A score as shown: one decimal, or "N/A" in the reader's words.
pub fn score_text(percent: Option<f64>, lang: Lang) -> String {
    percent.map_or_else(
        || Audit::NotApplicable.text(lang).to_owned(),
        |p| format::percent(p, 1),
    )
}

/// The list's filters as typed (kept in the form and in the pager's links).
#[derive(Debug, Clone, Default)]
pub struct ListFilters {
    pub store: String,
    pub status: String,
    pub from: String,
    pub to: String,
}

impl ListFilters {
    /// `/audits` with the filters that are set, for the pager.
    pub fn url(&self) -> String {
        let pairs: Vec<String> = [
            ("store", &self.store),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
        if pairs.is_empty() {
            "/audits".into()
        } else {
            format!("/audits?{}", pairs.join("&"))
        }
    }

    fn any(&self) -> bool {
        [&self.store, &self.status, &self.from, &self.to]
            .iter()
            .any(|v| !v.is_empty())
    }
}

pub struct ListPage<'a> {
    pub viewer: &'a Viewer,
    pub rows: &'a [AuditRow],
    pub total: u64,
    pub page: Page,
    pub filters: &'a ListFilters,
    /// (code, label) of every store, for the filter.
    pub stores: &'a [(String, String)],
    /// Bad filter values, beside their fields; the list is not shown then.
    pub errors: &'a FieldErrors,
    /// Today in the stores' time zone.
    pub today: Date,
    pub done: Option<&'a str>,
}

pub fn audits_page(p: &ListPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let staff = viewer.role.is_staff();
    let title = if staff {
        Audit::ListTitle
    } else {
        Audit::MyAssignments
    }
    .text(lang);
    let statuses: Vec<(String, String)> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), status_name(*s, lang).to_owned()))
        .collect();
    let th_store = Audit::ThStore.text(lang);
    let th_window = Audit::ThWindow.text(lang);
    let th_shopper = Audit::ThShopper.text(lang);
    let th_status = Audit::ThStatus.text(lang);
    let th_score = Audit::ThScore.text(lang);
    let body = html! {
        (notice(p.done))
        @if !p.errors.is_empty() { (alert(Some(Audit::FilterRefused.text(lang)))) }
        form.filters method="get" action="/audits" {
            (select("store", Staff::StoreField.text(lang), p.stores, &p.filters.store, p.errors))
            (select("status", Staff::StatusField.text(lang), &statuses, &p.filters.status, p.errors))
            (field("from", Staff::FromDate.text(lang), "date", &p.filters.from, p.errors))
            (field("to", Staff::ToDate.text(lang), "date", &p.filters.to, p.errors))
            button.sec type="submit" { (Staff::Filter.text(lang)) }
            @if p.filters.any() { a href="/audits" { (Staff::ClearFilters.text(lang)) } }
        }
        p.hint { (Audit::DateFilterHint.text(lang)) }
        @if p.errors.is_empty() {
            @if p.rows.is_empty() && !p.filters.any() {
                p {
                    @if staff { (Audit::NoAuditsYet.text(lang)) " " a href="/assignments/new" { (Audit::CreateAssignment.text(lang)) } }
                    @else { (Audit::NoAssignments.text(lang)) }
                }
            } @else if p.rows.is_empty() {
                p { (Staff::NoMatches.text(lang)) }
                (pager(lang, p.page, p.total, &p.filters.url()))
            } @else {
                (pager(lang, p.page, p.total, &p.filters.url()))
                table.cards {
                    thead { tr {
                        th { (th_store) } th { (th_window) } @if staff { th { (th_shopper) } }
                        th { (th_status) } th { (th_score) } th { (Audit::ThAction.text(lang)) }
                    } }
                    tbody {
                        @for a in p.rows {
                            @let (due, urgent) = due_state(a, p.today);
                            tr {
                                td data-label=(th_store) { span { (a.store_name) " " span.hint { (a.store_code) } } }
                                td data-label=(th_window) { span { (day(&a.window_from, lang)) " – " (day(&a.window_to, lang)) } }
                                @if staff { td data-label=(th_shopper) { (a.shopper) } }
                                td data-label=(th_status) {
                                    span {
                                        span.tag.flag[urgent] { (due.text(lang)) } " "
                                        span.hint { (status_name(a.status(), lang)) }
                                        @if a.excluded { " " span.tag { (Audit::TagExcluded.text(lang)) } }
                                    }
                                }
                                td data-label=(th_score) {
                                    @if a.submitted_at.is_some() {
                                        span {
                                            (score_text(a.score, lang))
                                            @if a.critical_fail { " " span.tag.flag { (Audit::TagCritical.text(lang)) } }
                                        }
                                    } @else { "—" }
                                }
                                td data-label="" {
                                    @if staff && a.submitted_at.is_some() { a href={ "/audits/" (a.id) "/review" } { (Audit::ActReview.text(lang)) } }
                                    @else if !staff && a.status().editable() {
                                        a href={ "/audits/" (a.id) } { @if a.status() == Status::Assigned { (Audit::ActStart.text(lang)) } @else { (Audit::ActContinue.text(lang)) } }
                                    }
                                    @else { a href={ "/audits/" (a.id) } { (Audit::ActView.text(lang)) } }
                                }
                            }
                        }
                    }
                }
                @if p.page.count(p.total) > 1 { (pager(lang, p.page, p.total, &p.filters.url())) }
            }
        }
    };
    staff_page(viewer, title, body)
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
    let lang = viewer.lang;
    staff_page(
        viewer,
        Audit::NewAssignment.text(lang),
        html! {
            @if !errors.is_empty() { (alert(Some(Audit::AssignmentRefused.text(lang)))) }
            form method="post" action="/assignments" {
                (csrf(&viewer.csrf))
                (select("shopper", Audit::FieldShopper.text(lang), &c.shoppers, &v.shopper, errors))
                (select("store", Audit::FieldStore.text(lang), &c.stores, &v.store, errors))
                (select("checklist", Audit::FieldChecklist.text(lang), &c.checklists, &v.checklist, errors))
                (field("window_from", Audit::FieldFrom.text(lang), "date", &v.window_from, errors))
                (field("window_to", Audit::FieldTo.text(lang), "date", &v.window_to, errors))
                div.field {
                    label for="scenario" { (Audit::FieldScenario.text(lang)) }
                    @if let Some(e) = errors.get("scenario") { p.err id="err-scenario" { (e) } }
                    textarea id="scenario" name="scenario" maxlength="1000" placeholder=(Audit::ScenarioExample.text(lang))
                        aria-invalid=[errors.get("scenario").map(|_| "true")]
                        aria-describedby=[errors.get("scenario").map(|_| "err-scenario")] { (v.scenario) }
                }
                button type="submit" style="white-space:nowrap" { (Audit::CreateButton.text(lang)) }
            }
        },
    )
}
