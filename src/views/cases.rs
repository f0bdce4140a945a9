//! The due list of cases and the form staff record a walk-in or phone case with, both phone-first.

use maud::{Markup, html};
use time::{OffsetDateTime, UtcOffset};

use super::staff::{Viewer, alert, csrf, pager, staff_page};
use crate::answers::FieldErrors;
use crate::cases::deadline::Late;
use crate::cases::{Channel, Kind, Priority, Request};
use crate::db::case_list::State;
use crate::db::cases::CaseRow;
use crate::i18n::Lang;
use crate::i18n::cases::Case as T;
use crate::i18n::format::stored_time;
use crate::paging::Page;
use crate::web::cases::NewCaseForm;

/// Cases' own rules: the late tag, step progress, and a consent box big enough for a
/// thumb (a bare checkbox is 13 px; WCAG 2.5.8 asks 24).
pub const CASE_CSS: &str = "\
.late{background:#b00020;color:#fff}\
.due{white-space:nowrap}\
textarea{width:100%;min-height:6rem;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:6px}\
input[type=text],input[type=tel]{width:100%;min-height:44px;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:6px}\
fieldset{border:1px solid #c4c7cc;border-radius:8px;margin:0 0 1rem;padding:.5rem .75rem}\
fieldset label{display:flex;gap:.5rem;align-items:center;min-height:44px}\
fieldset input[type=checkbox]{width:28px;height:28px;margin:0;flex:none}\
.steps{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;padding:0;margin:0 0 1rem}\
.steps li{padding:.1rem .4rem;border-radius:4px;background:#eef0f3;font-size:.85rem}\
.steps li.now{background:#0b5394;color:#fff;font-weight:600}\
.steps li.done{background:#d9ead3}\
.quote{border-left:4px solid #0b5394;padding:.25rem .75rem;margin:0 0 1rem;white-space:pre-wrap;overflow-wrap:anywhere}\
.hist{list-style:none;padding:0}\
.exports{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:center}\
.exports a{min-height:44px;display:inline-flex;align-items:center}\
.hist li{border-bottom:1px solid #e0e2e6;padding:.4rem 0;overflow-wrap:anywhere}\
";

/// What the filter form shows back.
pub struct ListEcho<'a> {
    pub store: &'a str,
    pub state: State,
    pub kind: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

pub struct ListView<'a> {
    pub viewer: &'a Viewer,
    pub rows: &'a [CaseRow],
    pub total: u64,
    pub page: Page,
    pub now: OffsetDateTime,
    pub offset: UtcOffset,
    pub stores: &'a [(String, String)],
    pub query: ListEcho<'a>,
    pub errors: &'a FieldErrors,
}

fn state_label(s: State, lang: Lang) -> &'static str {
    match s {
        State::Open => T::StateOpen.text(lang),
        State::Overdue => T::StateOverdue.text(lang),
        State::Closed => T::StateClosed.text(lang),
        State::All => T::StateAll.text(lang),
    }
}

/// The late tag of a case, if any.
pub fn late_tag(late: Option<Late>, lang: Lang) -> Markup {
    html! {
        @match late {
            Some(Late::Reply) => { " " span.tag.late { (T::LateReply.text(lang)) } }
            Some(Late::Resolve) => { " " span.tag.late { (T::LateResolve.text(lang)) } }
            None => {}
        }
    }
}

/// The deadline that matters now: the reply's until replied, then the resolution's.
fn next_due(c: &CaseRow, offset: UtcOffset, lang: Lang) -> String {
    if c.closed_at.is_some() {
        return String::new();
    }
    let (label, at) = if c.first_reply_at.is_none() {
        (T::ReplyBy, &c.reply_due)
    } else {
        (T::ResolveBy, &c.resolve_due)
    };
    format!("{} {}", label.text(lang), stored_time(at, offset, lang))
}

pub fn list_page(v: &ListView) -> Markup {
    let lang = v.viewer.lang;
    let q = &v.query;
    // The list's filter, carried by its pages and by its export.
    let filter = format!(
        "store={}&state={}&kind={}&from={}&to={}",
        urlencode(q.store),
        q.state.as_str(),
        urlencode(q.kind),
        urlencode(q.from),
        urlencode(q.to)
    );
    let base = format!("/cases?{filter}");
    let export = format!("/cases/export.csv?{filter}");
    let first_error = v.errors.values().next().map(String::as_str);
    let body = html! {
        style { (maud::PreEscaped(CASE_CSS)) }
        (alert(first_error))
        p { a.btn href="/cases/new" { (T::NewCase.text(lang)) } }
        details.filters-box open[!v.errors.is_empty()] {
            summary { (state_label(q.state, lang)) " · " (if q.store.is_empty() { T::StateAll.text(lang) } else { q.store }) }
            form.filters method="get" action="/cases" {
                div.field {
                    label for="state" { (T::FilterState.text(lang)) }
                    select id="state" name="state" {
                        @for s in State::ALL {
                            option value=(s.as_str()) selected[s == q.state] { (state_label(s, lang)) }
                        }
                    }
                }
                div.field {
                    label for="store" { (T::FilterStore.text(lang)) }
                    select id="store" name="store" {
                        option value="" { (T::StateAll.text(lang)) }
                        @for (code, name) in v.stores {
                            option value=(code) selected[code == q.store] { (code) " " (name) }
                        }
                    }
                }
                div.field {
                    label for="kind" { (T::FilterKind.text(lang)) }
                    select id="kind" name="kind" {
                        option value="" { (T::StateAll.text(lang)) }
                        @for k in Kind::ALL {
                            option value=(k.as_str()) selected[k.as_str() == q.kind] { (k.label(lang)) }
                        }
                    }
                }
                (super::staff::field("from", T::From.text(lang), "date", q.from, v.errors))
                (super::staff::field("to", T::To.text(lang), "date", q.to, v.errors))
                button type="submit" { (T::Apply.text(lang)) }
            }
        }
        p.exports {
            a href=(export) { (T::ExportCsv.text(lang)) }
            a href={ (export) "&contact=1" } { (T::ExportWithContacts.text(lang)) }
            span.hint { (T::ExportHint.text(lang)) }
        }
        (pager(lang, v.page, v.total, &base))
        @if v.rows.is_empty() {
            p { (T::NoCases.text(lang)) }
        } @else {
            table.cards {
                thead { tr {
                    th { (T::ThCode.text(lang)) } th { (T::ThStore.text(lang)) } th { (T::ThStep.text(lang)) }
                    th { (T::ThDue.text(lang)) } th { (T::ThPriority.text(lang)) }
                } }
                tbody {
                    @for c in v.rows {
                        tr {
                            td data-label=(T::ThCode.text(lang)) {
                                a href={ "/cases/" (c.code) } translate="no" { (c.code) }
                                " " span.tag { (c.kind().label(lang)) }
                            }
                            td data-label=(T::ThStore.text(lang)) { (c.store) " " (c.store_name.as_deref().unwrap_or("")) }
                            td data-label=(T::ThStep.text(lang)) { (c.step().label(lang)) (late_tag(c.late(v.now), lang)) }
                            td.due data-label=(T::ThDue.text(lang)) { (next_due(c, v.offset, lang)) }
                            td data-label=(T::ThPriority.text(lang)) {
                                (Priority::parse(&c.priority).map_or(c.priority.as_str(), |p| p.label(lang)))
                            }
                        }
                    }
                }
            }
            (pager(lang, v.page, v.total, &base))
        }
    };
    staff_page(v.viewer, T::ListTitle.text(lang), body)
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

pub struct NewForm<'a> {
    pub viewer: &'a Viewer,
    pub stores: &'a [(String, String)],
    pub form: &'a NewCaseForm,
    pub errors: &'a FieldErrors,
}

/// A labelled choice among words, with its error beside it.
pub fn choice(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let owned: Vec<(String, String)> = options
        .iter()
        .map(|(v, t)| ((*v).to_owned(), (*t).to_owned()))
        .collect();
    super::staff::select(name, label, &owned, selected, errors)
}

/// A labelled text area with its error beside it.
pub fn textarea(name: &str, label: &str, value: &str, errors: &FieldErrors) -> Markup {
    let error = errors.get(name);
    let err_id = format!("err-{name}");
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { p.err id=(err_id) { (e) } }
            textarea id=(name) name=(name) maxlength="4000"
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] { (value) }
        }
    }
}

pub fn new_page(v: &NewForm) -> Markup {
    let lang = v.viewer.lang;
    let f = v.form;
    let kinds: Vec<(&str, &str)> = Kind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label(lang)))
        .collect();
    let channels: Vec<(&str, &str)> = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Survey)
        .map(|c| (c.as_str(), c.label(lang)))
        .collect();
    let requests: Vec<(&str, &str)> = Request::ALL
        .iter()
        .map(|r| (r.as_str(), r.label(lang)))
        .collect();
    let priorities: Vec<(&str, &str)> = Priority::ALL
        .iter()
        .map(|p| (p.as_str(), p.label(lang)))
        .collect();
    let stores: Vec<(String, String)> = v
        .stores
        .iter()
        .map(|(c, n)| (c.clone(), format!("{c} {n}")))
        .collect();
    let first_error = v.errors.values().next().map(String::as_str);
    let body = html! {
        style { (maud::PreEscaped(CASE_CSS)) }
        (alert(first_error))
        form method="post" action="/cases/new" {
            (csrf(&v.viewer.csrf))
            (choice("kind", T::Kind.text(lang), &kinds, &f.kind, v.errors))
            (choice("channel", T::Channel.text(lang), &channels, &f.channel, v.errors))
            (super::staff::select("store", T::Store.text(lang), &stores, &f.store, v.errors))
            (textarea("description", T::Description.text(lang), &f.description, v.errors))
            (choice("request", T::Request.text(lang), &requests, &f.request, v.errors))
            (choice("priority", T::Priority.text(lang), &priorities, &f.priority, v.errors))
            (super::staff::field("department", T::Department.text(lang), "text", &f.department, v.errors))
            fieldset {
                legend { (T::Contact.text(lang)) }
                label { input type="checkbox" name="consent" value="yes" checked[f.consent.as_deref() == Some("yes")]; (T::Consent.text(lang)) }
                (super::staff::field("contact", T::ContactField.text(lang), "text", &f.contact, v.errors))
            }
            button type="submit" { (T::Record.text(lang)) }
        }
    };
    staff_page(v.viewer, T::NewTitle.text(lang), body)
}
