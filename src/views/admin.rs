//! Views for administration: the store registry, store posters and API tokens, in the viewer's language (accounts are in `users`).

use maud::{Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use time::UtcOffset;

use super::staff::{Viewer, alert, csrf, field, notice, pager, select, staff_page, trusted_svg};
use crate::answers::FieldErrors;
use crate::auth::Role;
use crate::db::stores::Store;
use crate::db::tokens::{Scope, TokenInfo};
use crate::i18n::admin::Admin;
use crate::i18n::staff::Staff;
use crate::i18n::{Lang, format};
use crate::paging::Page;

/// `path` with the non-empty `pairs` as its query, for the pager and the filter links.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let set: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    if set.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", set.join("&"))
    }
}

/// A filter's select whose empty choice means "all". Its id differs from its name, so it
/// never clashes with the same field of the page's other form.
pub(super) fn filter_select(
    name: &str,
    label: &str,
    all: &str,
    options: &[(String, String)],
    selected: &str,
) -> Markup {
    html! {
        div.field {
            label for={ "f-" (name) } { (label) }
            select id={ "f-" (name) } name=(name) {
                option value="" { (all) }
                @for (v, l) in options { option value=(v) selected[selected == v] { (l) } }
            }
        }
    }
}

/// One page of a list as drawn: its rows, how many match, and the page's address
/// without `page=`.
pub struct Listing<'a, T> {
    pub rows: &'a [T],
    pub total: u64,
    pub page: Page,
    pub base: String,
}

/// The Stores page's filters as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreFilterValues {
    pub region: String,
    pub search: String,
}

impl StoreFilterValues {
    pub fn url(&self) -> String {
        with_query(
            "/admin/stores",
            &[("region", &self.region), ("q", &self.search)],
        )
    }
}

pub struct StoresPage<'a> {
    pub viewer: &'a Viewer,
    pub list: Listing<'a, Store>,
    pub filter: &'a StoreFilterValues,
    /// Bad filter values, beside their fields.
    pub filter_errors: &'a FieldErrors,
    pub regions: &'a [String],
    /// (form id, title in the viewer's language) of every customer survey.
    pub forms: &'a [(String, String)],
    /// The store being edited (or typed), and whether the form should come first.
    pub edit: &'a Store,
    pub editing: bool,
    pub errors: &'a FieldErrors,
    pub refused: Option<&'a str>,
    pub done: Option<&'a str>,
}

pub fn stores_page(p: &StoresPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let admin = viewer.role == Role::Admin;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let th_code = Admin::CodeField.text(lang);
    let th_name = Admin::NameField.text(lang);
    let th_region = Admin::RegionField.text(lang);
    let th_address = Admin::AddressField.text(lang);
    let th_hours = Admin::HoursField.text(lang);
    let th_posters = Admin::PostersField.text(lang);
    let regions: Vec<(String, String)> = p.regions.iter().map(|r| (r.clone(), r.clone())).collect();
    let edit = p.edit;
    let store_form = html! {
        @if admin {
            section id="store-form" {
                h2 { (Admin::StoreFormTitle.text(lang)) }
                form method="post" action="/admin/stores" {
                    (csrf(&viewer.csrf))
                    (field("code", Admin::CodeLabel.text(lang), "text", &edit.code, p.errors))
                    (field("name", th_name, "text", &edit.name, p.errors))
                    (field("region", th_region, "text", &edit.region, p.errors))
                    (field("address", Admin::AddressLabel.text(lang), "text", &opt(&edit.address), p.errors))
                    (field("opening_hours", Admin::HoursLabel.text(lang), "text", &opt(&edit.opening_hours), p.errors))
                    button type="submit" { (Admin::SaveStore.text(lang)) }
                }
            }
        }
    };
    let form_first = p.editing || !p.errors.is_empty();
    let list = &p.list;
    let any_filter = *p.filter != StoreFilterValues::default();
    let search_error = p.filter_errors.get("q");
    let body = html! {
        (alert(p.refused))
        (notice(p.done))
        @if form_first { (store_form) }
        @if admin {
            p { (Admin::ImportCsv.text(lang)) " " code.wrap { "manyi stores import FILE.csv" } }
        }
        form.filters method="get" action="/admin/stores" {
            (filter_select("region", th_region, Admin::AllRegions.text(lang), &regions, &p.filter.region))
            div.field {
                label for="f-q" { (Admin::SearchStores.text(lang)) }
                @if let Some(e) = search_error { p.err id="err-q" { (e) } }
                input type="search" id="f-q" name="q" value=(p.filter.search) maxlength="50"
                    style="width:100%;min-height:44px;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:6px"
                    aria-invalid=[search_error.map(|_| "true")] aria-describedby=[search_error.map(|_| "err-q")];
            }
            button.sec type="submit" { (Staff::Filter.text(lang)) }
            @if any_filter { a href="/admin/stores" { (Staff::ClearFilters.text(lang)) } }
        }
        (pager(lang, list.page, list.total, &list.base))
        @if list.rows.is_empty() {
            p { (Staff::NoMatches.text(lang)) }
        } @else {
            table.cards {
                thead { tr {
                    th { (th_code) } th { (th_name) } th { (th_region) } th { (th_address) }
                    th { (th_hours) } th { (th_posters) }
                } }
                tbody {
                    @for s in list.rows {
                        tr {
                            td data-label=(th_code) {
                                @if admin {
                                    a.wrap href={ "/admin/stores?edit=" (utf8_percent_encode(&s.code, NON_ALPHANUMERIC)) "#store-form" }
                                        aria-label={ (Admin::EditStore.text(lang)) " " (s.code) } { (s.code) }
                                } @else { (s.code) }
                            }
                            td data-label=(th_name) { span.wrap { (s.name) } }
                            td data-label=(th_region) { span.wrap { (s.region) } }
                            td data-label=(th_address) { span.wrap { (opt(&s.address)) } }
                            td data-label=(th_hours) { span.wrap { (opt(&s.opening_hours)) } }
                            td data-label=(th_posters) {
                                div.wrap {
                                    @for (id, title) in p.forms {
                                        a href={ "/admin/stores/" (s.code) "/poster/" (id) } style="display:inline-block;min-height:24px" { (title) }
                                        br;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if list.page.count(list.total) > 1 { (pager(lang, list.page, list.total, &list.base)) }
        }
        @if !form_first { (store_form) }
    };
    staff_page(viewer, Admin::StoresTitle.text(lang), body)
}

/// Shown on screen, never printed: the notes and links around a poster.
const POSTER_CSS: &str = "\
.screen{border-bottom:1px solid #c4c7cc;margin-bottom:1rem;padding-bottom:.5rem}\
.alert{border:2px solid #b00020;border-radius:8px;padding:.5rem .75rem;color:#b00020;font-weight:600;overflow-wrap:anywhere}\
.screen a{min-height:44px;display:inline-flex;align-items:center}\
@media print{.screen{display:none}main{min-height:0}}\
";

/// What a poster page shows.
pub struct Poster<'a> {
    /// The staff reader's language, for the notes around the poster.
    pub lang: Lang,
    pub store: &'a Store,
    pub title_zh: &'a str,
    pub title_en: &'a str,
    pub url: &'a str,
    pub qr_svg: &'a str,
    /// The URL names this computer only (127.0.0.1, ::1, localhost): phones cannot open it.
    pub loopback: bool,
}

/// A printable A4 poster for the till: the store, the form's title, its QR code and URL,
/// in both languages for customers; the notes for the admin are on screen only.
pub fn poster_page(p: &Poster) -> Markup {
    let lang = p.lang;
    let store = p.store;
    super::layout_with(
        Lang::Zh,
        &format!("{} · {}", store.name, p.title_zh),
        POSTER_CSS,
        html! {
            div.screen lang=(lang.code()) {
                @if p.loopback {
                    p.alert role="alert" id="loopback" { (Admin::LoopbackWarning.fill(lang, p.url)) }
                }
                p { a href="/admin/stores" { "← " (Admin::BackToStores.text(lang)) } }
                p.hint { (Admin::PosterPrint.text(lang)) }
            }
            div style="text-align:center" {
                p.hint { (store.name) " · " (store.code) }
                h1 { (p.title_zh) }
                p lang="en" { (p.title_en) }
                div style="max-width:20rem;margin:1rem auto" role="img" aria-label=(Admin::QrFor.fill(lang, p.url)) { (trusted_svg(p.qr_svg)) }
                p { (Admin::PosterScan.text(Lang::Zh)) " · " span lang="en" { (Admin::PosterScan.text(Lang::En)) } }
                p style="overflow-wrap:anywhere" { code { (p.url) } }
            }
        },
    )
}

/// What the "new token" form was filled with, to show it again on an error.
#[derive(Debug, Default)]
pub struct NewTokenValues {
    pub name: String,
    /// `submit`, `sales`, or empty when none was chosen.
    pub scope: String,
    /// A store code; empty: any store.
    pub store: String,
    pub trusted: bool,
}

/// Where a token of each scope is sent.
fn endpoint(scope: Scope) -> &'static str {
    match scope {
        Scope::Submit => "POST /api/v1/forms/{id}/responses",
        Scope::Sales => "POST /api/v1/sales",
    }
}

/// A scope as the table names it.
fn scope_name(scope: Scope, lang: Lang) -> &'static str {
    match scope {
        Scope::Submit => Admin::ScopeSubmit.text(lang),
        Scope::Sales => Admin::ScopeSales.text(lang),
    }
}

pub struct TokensPage<'a> {
    pub viewer: &'a Viewer,
    pub tokens: &'a [TokenInfo],
    pub stores: &'a [Store],
    pub form: &'a NewTokenValues,
    pub errors: &'a FieldErrors,
    /// A token just made: shown once.
    pub new_token: Option<(&'a str, Scope)>,
    pub refused: Option<&'a str>,
    pub done: Option<&'a str>,
    /// The stores' time zone, for the creation times.
    pub offset: UtcOffset,
}

/// API tokens: a new token shown once at the top, the list with each token's scope,
/// store and trust, and a form for a new one.
pub fn tokens_page(p: &TokensPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let scopes: Vec<(String, String)> = vec![
        ("submit".into(), Admin::ScopeSubmitLong.text(lang).into()),
        ("sales".into(), Admin::ScopeSalesLong.text(lang).into()),
    ];
    let store_error = p.errors.get("store");
    let trusted_error = p.errors.get("trusted");
    let trusted_described = if trusted_error.is_some() {
        "err-trusted trusted-hint"
    } else {
        "trusted-hint"
    };
    let th_name = Admin::NameField.text(lang);
    let th_scope = Admin::ScopeField.text(lang);
    let th_store = Staff::StoreField.text(lang);
    let th_trusted = Admin::TrustedField.text(lang);
    let th_created = Admin::CreatedField.text(lang);
    let th_status = Staff::StatusField.text(lang);
    let form = p.form;
    let new_form = html! {
        section id="new-token" {
            h2 { (Admin::NewTokenTitle.text(lang)) }
            form method="post" action="/admin/tokens" {
                (csrf(&viewer.csrf))
                (field("name", Admin::TokenNameLabel.text(lang), "text", &form.name, p.errors))
                (select("scope", Admin::ScopeLabel.text(lang), &scopes, &form.scope, p.errors))
                div.field {
                    label for="store" { (th_store) }
                    @if let Some(e) = store_error { p.err id="err-store" { (e) } }
                    select id="store" name="store" aria-invalid=[store_error.map(|_| "true")] aria-describedby=[store_error.map(|_| "err-store")] {
                        option value="" { (Admin::AnyStoreOption.text(lang)) }
                        @for s in p.stores {
                            option value=(s.code) selected[s.code == form.store] { (s.code) " · " (s.name) }
                        }
                    }
                    p.hint { (Admin::TokenStoreHint.text(lang)) }
                }
                div.field {
                    @if let Some(e) = trusted_error { p.err id="err-trusted" { (e) } }
                    label style="display:flex;gap:.6rem;align-items:center;min-height:44px" {
                        input type="checkbox" id="trusted" name="trusted" value="yes" checked[form.trusted]
                            style="width:1.5rem;height:1.5rem;margin:0;flex:none"
                            aria-invalid=[trusted_error.map(|_| "true")] aria-describedby=(trusted_described);
                        (th_trusted)
                    }
                    p.hint id="trusted-hint" { (Admin::TrustedHint.text(lang)) }
                }
                button type="submit" { (Admin::CreateToken.text(lang)) }
            }
        }
    };
    let refused = !p.errors.is_empty();
    let body = html! {
        @if let Some((t, scope)) = p.new_token {
            // The token's own `<code>` comes first on the page, so it is found at a glance.
            div.summary role="status" {
                p { strong { (Admin::CopyNow.text(lang)) } }
                p.wrap { code { (t) } }
                p.hint.wrap {
                    (Admin::HeaderLabel.text(lang)) ": " code { "Authorization: Bearer …" }
                    br;
                    (Admin::EndpointLabel.text(lang)) ": " code { (endpoint(scope)) }
                }
            }
        }
        (alert(p.refused))
        (notice(p.done))
        @if refused { (new_form) }
        p.wrap { (Admin::CliTokens.text(lang)) " " code { "manyi token add --name NAME --scope submit|sales [--store CODE] [--trusted]" } }
        @if !p.tokens.is_empty() {
            table.cards {
                thead { tr {
                    th { (th_name) } th { (th_scope) } th { (th_store) } th { (th_trusted) }
                    th { (th_created) } th { (th_status) } th { (Staff::Actions.text(lang)) }
                } }
                tbody {
                    @for t in p.tokens {
                        tr {
                            td data-label=(th_name) { span.wrap { (t.name) } }
                            td data-label=(th_scope) { (scope_name(t.scope, lang)) }
                            td data-label=(th_store) { @if let Some(code) = &t.store { (code) } @else { (Admin::AnyStore.text(lang)) } }
                            td data-label=(th_trusted) { @if t.trusted { span.tag { (Admin::TrustedTag.text(lang)) } } @else { (Admin::No.text(lang)) } }
                            td data-label=(th_created) { (format::stored_time(&t.created_at, p.offset, lang)) }
                            td data-label=(th_status) {
                                @if t.revoked { span.tag.flag { (Admin::Revoked.text(lang)) } } @else { (Admin::StatusActive.text(lang)) }
                            }
                            td data-label="" {
                                @if !t.revoked {
                                    form.inline method="post" action={ "/admin/tokens/" (t.id) "/revoke" } {
                                        (csrf(&viewer.csrf))
                                        button.sec type="submit" aria-label={ (Admin::Revoke.text(lang)) " · " (t.name) } { (Admin::Revoke.text(lang)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !refused { (new_form) }
    };
    staff_page(viewer, Admin::TokensTitle.text(lang), body)
}
