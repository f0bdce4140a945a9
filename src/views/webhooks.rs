//! The webhooks admin page: a new endpoint's secret, the endpoints with their actions, the form to add one, and the delivery log.

use maud::{Markup, html};
use time::UtcOffset;

use super::admin::{Listing, with_query};
use super::staff::{Viewer, alert, csrf, field, notice, pager, staff_page};
use crate::answers::FieldErrors;
use crate::db::webhooks::{Delivery, Status, Webhook};
use crate::i18n::staff::Staff;
use crate::i18n::webhooks::Hook;
use crate::i18n::{Lang, format};
use crate::webhooks::Event;

/// An event's name for people.
pub fn event_name(event: Event, lang: Lang) -> &'static str {
    match event {
        Event::CaseOpened => Hook::EvOpened.text(lang),
        Event::CaseOverdue => Hook::EvOverdue.text(lang),
        Event::CaseClosed => Hook::EvClosed.text(lang),
    }
}

pub fn status_name(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Pending => Hook::StPending.text(lang),
        Status::Delivered => Hook::StDelivered.text(lang),
        Status::Failed => Hook::StFailed.text(lang),
    }
}

/// The log's address with its filter and without `page=`.
pub fn log_url(status: &str) -> String {
    with_query("/admin/webhooks", &[("status", status)])
}

/// What the "add a webhook" form was filled with, to show it again on an error.
#[derive(Debug, Default)]
pub struct NewHookValues {
    pub url: String,
    pub events: Vec<Event>,
}

pub struct WebhooksPage<'a> {
    pub viewer: &'a Viewer,
    pub hooks: &'a [Webhook],
    pub form: &'a NewHookValues,
    pub errors: &'a FieldErrors,
    /// The secret of the webhook just added, shown first so it is copied at once.
    pub new_secret: Option<&'a str>,
    pub refused: Option<&'a str>,
    pub done: Option<&'a str>,
    pub log: Listing<'a, Delivery>,
    /// The log's status filter as typed: empty, or a status name.
    pub status: &'a str,
    /// The stores' time zone, for the times shown.
    pub offset: UtcOffset,
}

pub fn webhooks_page(p: &WebhooksPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let refused = !p.errors.is_empty();
    let add_form = add_form(p);
    let body = html! {
        @if let Some(secret) = p.new_secret {
            div.summary role="status" {
                p { strong { (Hook::CopySecret.text(lang)) } }
                p.wrap { code { (secret) } }
            }
        }
        (alert(p.refused))
        (notice(p.done))
        @if refused { (add_form) }
        p { (Hook::Intro.text(lang)) }
        (hooks_table(p))
        @if !refused { (add_form) }
        (log_section(p))
    };
    staff_page(viewer, Hook::Title.text(lang), body)
}

fn hooks_table(p: &WebhooksPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let th_url = Hook::UrlField.text(lang);
    let th_events = Hook::EventsField.text(lang);
    let th_secret = Hook::SecretField.text(lang);
    let th_added = Hook::AddedField.text(lang);
    let th_status = Staff::StatusField.text(lang);
    html! {
        @if p.hooks.is_empty() {
            p { (Hook::NoWebhooks.text(lang)) }
        } @else {
            table.cards {
                thead { tr {
                    th { (th_url) } th { (th_events) } th { (th_secret) } th { (th_added) }
                    th { (th_status) } th { (Staff::Actions.text(lang)) }
                } }
                tbody {
                    @for h in p.hooks {
                        tr {
                            td data-label=(th_url) { span.wrap translate="no" { (h.url) } }
                            td data-label=(th_events) {
                                span { @for (i, e) in h.events.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (event_name(*e, lang))
                                } }
                            }
                            td data-label=(th_secret) {
                                details {
                                    summary { (Hook::ShowSecret.text(lang)) }
                                    code.wrap { (h.secret) }
                                }
                            }
                            td data-label=(th_added) {
                                span {
                                    (format::stored_time(&h.created_at, p.offset, lang))
                                    @if let Some(by) = &h.created_by {
                                        " · " (Hook::ByWord.text(lang)) " " span translate="no" { (by) }
                                    }
                                }
                            }
                            td data-label=(th_status) {
                                @if h.disabled { span.tag.flag { (Hook::Disabled.text(lang)) } }
                                @else { (Hook::Active.text(lang)) }
                            }
                            td data-label="" {
                                span style="display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-start" {
                                    form.inline method="post" action={ "/admin/webhooks/" (h.id) "/status" } {
                                        (csrf(&viewer.csrf))
                                        input type="hidden" name="disabled" value=(if h.disabled { "false" } else { "true" });
                                        button.sec type="submit" {
                                            @if h.disabled { (Hook::Enable.text(lang)) } @else { (Hook::Disable.text(lang)) }
                                        }
                                    }
                                    // A second click behind a disclosure: deleting loses the log, and works without JS.
                                    details {
                                        summary { (Hook::DeleteOpen.text(lang)) }
                                        form method="post" action={ "/admin/webhooks/" (h.id) "/delete" } {
                                            (csrf(&viewer.csrf))
                                            button.sec type="submit" { (Hook::DeleteConfirm.text(lang)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.hint { (Hook::DisabledHint.text(lang)) }
        }
    }
}

fn add_form(p: &WebhooksPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let events_error = p.errors.get("events");
    html! {
        section id="add-webhook" {
            h2 { (Hook::AddTitle.text(lang)) }
            form method="post" action="/admin/webhooks" {
                (csrf(&viewer.csrf))
                (field("url", Hook::UrlLabel.text(lang), "url", &p.form.url, p.errors))
                p.hint { (Hook::UrlHint.text(lang)) }
                fieldset.field aria-describedby=[events_error.map(|_| "err-events")] {
                    legend { strong { (Hook::EventsLabel.text(lang)) } }
                    @if let Some(e) = events_error { p.err id="err-events" { (e) } }
                    @for e in Event::ALL {
                        label style="display:flex;gap:.6rem;align-items:center;min-height:44px" {
                            input type="checkbox" name="events" value=(e.as_str()) checked[p.form.events.contains(&e)]
                                style="width:1.5rem;height:1.5rem;margin:0;flex:none";
                            (event_name(e, lang)) " " code { (e.as_str()) }
                        }
                    }
                }
                button type="submit" { (Hook::AddButton.text(lang)) }
            }
        }
    }
}

fn log_section(p: &WebhooksPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let list = &p.log;
    let th_event = Hook::ThEvent.text(lang);
    let th_case = Hook::ThCase.text(lang);
    let th_status = Staff::StatusField.text(lang);
    let th_attempts = Hook::ThAttempts.text(lang);
    let th_result = Hook::ThResult.text(lang);
    let th_times = Hook::ThTimes.text(lang);
    let time = |t: &str| format::stored_time(t, p.offset, lang);
    html! {
        section id="log" {
            h2 { (Hook::LogTitle.text(lang)) }
            p.hint { (Hook::LogHint.text(lang)) }
            form.filters method="get" action="/admin/webhooks" {
                div.field {
                    label for="f-status" { (th_status) }
                    select id="f-status" name="status" {
                        option value="" { (Staff::AllStatuses.text(lang)) }
                        @for s in Status::ALL {
                            option value=(s.as_str()) selected[p.status == s.as_str()] { (status_name(s, lang)) }
                        }
                    }
                }
                button.sec type="submit" { (Staff::Filter.text(lang)) }
                @if !p.status.is_empty() { a href="/admin/webhooks#log" { (Staff::ClearFilters.text(lang)) } }
            }
            (pager(lang, list.page, list.total, &list.base))
            @if list.rows.is_empty() {
                p { (Hook::NoDeliveries.text(lang)) }
            } @else {
                table.cards {
                    thead { tr {
                        th { (th_event) } th { (th_case) } th { (th_status) } th { (th_attempts) }
                        th { (th_result) } th { (th_times) } th { (Staff::Actions.text(lang)) }
                    } }
                    tbody {
                        @for d in list.rows {
                            @let status = Status::parse(&d.status);
                            tr {
                                td data-label=(th_event) {
                                    @match Event::parse(&d.event) {
                                        Some(e) => { (event_name(e, lang)) }
                                        None => { (d.event) }
                                    }
                                }
                                td data-label=(th_case) {
                                    @if let Some(code) = &d.case_code {
                                        a href={ "/cases/" (code) } translate="no" { (code) }
                                    } @else { "—" }
                                }
                                td data-label=(th_status) {
                                    @match status {
                                        Some(Status::Failed) => { span.tag.flag { (Hook::StFailed.text(lang)) } }
                                        Some(s) => { (status_name(s, lang)) }
                                        None => { (d.status) }
                                    }
                                }
                                td data-label=(th_attempts) { (d.attempts) }
                                td data-label=(th_result) {
                                    span.wrap {
                                        @match (&d.last_status, &d.last_error) {
                                            (_, Some(e)) => { (e) }
                                            (Some(code), None) => { "HTTP " (code) }
                                            (None, None) => { (Hook::NotTried.text(lang)) }
                                        }
                                    }
                                }
                                td data-label=(th_times) {
                                    span {
                                        (Hook::TimeQueued.text(lang)) " " (time(&d.created_at))
                                        @if let Some(at) = &d.delivered_at {
                                            br; (Hook::TimeDelivered.text(lang)) " " (time(at))
                                        } @else if status == Some(Status::Pending) && d.attempts > 0 {
                                            br; (Hook::TimeNext.text(lang)) " " (time(&d.next_attempt_at))
                                        }
                                    }
                                }
                                td data-label="" {
                                    @if status == Some(Status::Failed) {
                                        form.inline method="post" action={ "/admin/webhooks/deliveries/" (d.id) "/retry" } {
                                            (csrf(&viewer.csrf))
                                            button.sec type="submit" { (Hook::RetryNow.text(lang)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if list.page.count(list.total) > 1 { (pager(lang, list.page, list.total, &list.base)) }
            }
        }
    }
}
