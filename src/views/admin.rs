//! Views for logging in and for administration: accounts, the store registry and store posters.

use maud::{Markup, html};

use super::staff::{Viewer, csrf, field, notice, select, staff_page, trusted_svg};
use crate::answers::FieldErrors;
use crate::auth::Role;
use crate::db::stores::Store;
use crate::db::tokens::{Scope, TokenInfo};
use crate::db::users::User;

fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
        .collect()
}

pub fn users_page(
    viewer: &Viewer,
    users: &[User],
    form: &NewUserValues,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    staff_page(
        viewer,
        "Users",
        html! {
            (notice(done))
            div.wide { table {
                thead { tr { th { "Username" } th { "Role" } th { "Status" } th { "Actions" } } }
                tbody {
                    @for u in users {
                        tr {
                            td { (u.username) }
                            td { (u.role) }
                            td { @if u.disabled { span.tag.flag { "disabled" } } @else { "active" } }
                            td {
                                form.inline method="post" action={ "/admin/users/" (u.id) "/status" } {
                                    (csrf(&viewer.csrf))
                                    input type="hidden" name="disabled" value=(if u.disabled { "false" } else { "true" });
                                    button.sec type="submit" { @if u.disabled { "Enable" } @else { "Disable" } }
                                }
                                " "
                                form.inline method="post" action={ "/admin/users/" (u.id) "/password" } {
                                    (csrf(&viewer.csrf))
                                    label { "New password " input type="password" name="password" autocomplete="new-password" size="12"; }
                                    " " button.sec type="submit" { "Reset" }
                                }
                            }
                        }
                    }
                }
            } }
            h2 { "Add an account" }
            form method="post" action="/admin/users" {
                (csrf(&viewer.csrf))
                (field("username", "Username", "text", &form.username, errors))
                (select("role", "Role", &role_options(), &form.role, errors))
                (field("password", "Password (at least 10 characters)", "password", "", errors))
                button type="submit" { "Add account" }
            }
        },
    )
}

/// What the "add account" form was filled with, to show it again on an error.
#[derive(Debug, Default)]
pub struct NewUserValues {
    pub username: String,
    pub role: String,
}

pub fn stores_page(
    viewer: &Viewer,
    stores: &[Store],
    forms: &[(String, String)],
    edit: &Store,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    staff_page(
        viewer,
        "Stores",
        html! {
            (notice(done))
            p { (stores.len()) " stores. Import a CSV with " code { "manyi stores import FILE.csv" } "." }
            div.wide { table {
                thead { tr { th { "Code" } th { "Name" } th { "Region" } th { "Address" } th { "Hours" } th { "Posters" } } }
                tbody {
                    @for s in stores {
                        tr {
                            td { @if viewer.role == Role::Admin { a href={ "/admin/stores?edit=" (s.code) } { (s.code) } } @else { (s.code) } }
                            td { (s.name) } td { (s.region) } td { (opt(&s.address)) } td { (opt(&s.opening_hours)) }
                            td { @for (id, title) in forms { a href={ "/admin/stores/" (s.code) "/poster/" (id) } { (title) } br; } }
                        }
                    }
                }
            } }
            @if viewer.role == Role::Admin {
                h2 { "Add or edit a store" }
                form method="post" action="/admin/stores" {
                    (csrf(&viewer.csrf))
                    (field("code", "Code (letters, digits, - or _)", "text", &edit.code, errors))
                    (field("name", "Name", "text", &edit.name, errors))
                    (field("region", "Region", "text", &edit.region, errors))
                    (field("address", "Address (optional)", "text", &opt(&edit.address), errors))
                    (field("opening_hours", "Opening hours (optional)", "text", &opt(&edit.opening_hours), errors))
                    button type="submit" { "Save store" }
                }
            }
        },
    )
}

/// A printable A4 poster for the till: the store, the form's title, its QR code and URL.
pub fn poster_page(
    store: &Store,
    title_zh: &str,
    title_en: &str,
    url: &str,
    qr_svg: &str,
) -> Markup {
    super::layout(
        crate::i18n::Lang::Zh,
        &format!("{} · {title_zh}", store.name),
        html! {
            div style="text-align:center" {
                p.hint { (store.name) " · " (store.code) }
                h1 { (title_zh) }
                p { (title_en) }
                div style="max-width:20rem;margin:1rem auto" role="img" aria-label={ "QR code for " (url) } { (trusted_svg(qr_svg)) }
                p { "扫码参与调查 · Scan to take the survey" }
                p { code { (url) } }
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

/// API tokens: the list with each token's scope, store and trust, a form for a new one,
/// and a new token shown once.
pub fn tokens_page(
    viewer: &Viewer,
    tokens: &[TokenInfo],
    stores: &[Store],
    form: &NewTokenValues,
    errors: &FieldErrors,
    new_token: Option<(&str, Scope)>,
) -> Markup {
    let scopes: Vec<(String, String)> = vec![
        ("submit".into(), "submit: customer responses".into()),
        ("sales".into(), "sales: daily sales figures".into()),
    ];
    let store_error = errors.get("store");
    let trusted_error = errors.get("trusted");
    let trusted_described = if trusted_error.is_some() {
        "err-trusted trusted-hint"
    } else {
        "trusted-hint"
    };
    staff_page(
        viewer,
        "API tokens",
        html! {
            @if let Some((t, scope)) = new_token {
                div.summary role="status" {
                    p { strong { "Copy this token now; it is not shown again:" } }
                    p { code { (t) } }
                    p.hint { "Send it as " code { "Authorization: Bearer …" } " to " code { (endpoint(scope)) } "." }
                }
            }
            p { "Create tokens here or with " code { "manyi token add --name NAME --scope submit|sales [--store CODE] [--trusted]" } "." }
            div.wide { table {
                thead { tr { th { "Name" } th { "Scope" } th { "Store" } th { "Trusted" } th { "Created (UTC)" } th { "Status" } th {} } }
                tbody {
                    @for t in tokens {
                        tr {
                            td { (t.name) }
                            td { (t.scope.as_str()) }
                            td { @if let Some(code) = &t.store { (code) } @else { "any store" } }
                            td { @if t.trusted { span.tag { "trusted" } } @else { "no" } }
                            td { (t.created_at) }
                            td { @if t.revoked { span.tag.flag { "revoked" } } @else { "active" } }
                            td {
                                @if !t.revoked {
                                    form.inline method="post" action={ "/admin/tokens/" (t.id) "/revoke" } {
                                        (csrf(&viewer.csrf))
                                        button.sec type="submit" { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            h2 { "New token" }
            form method="post" action="/admin/tokens" {
                (csrf(&viewer.csrf))
                (field("name", "What it is for (e.g. POS nightly export, Kiosk at S001)", "text", &form.name, errors))
                (select("scope", "What it may send", &scopes, &form.scope, errors))
                div.field {
                    label for="store" { "Store" }
                    @if let Some(e) = store_error { p.err id="err-store" { (e) } }
                    select id="store" name="store" aria-invalid=[store_error.map(|_| "true")] aria-describedby=[store_error.map(|_| "err-store")] {
                        option value="" { "Any store" }
                        @for s in stores {
                            option value=(s.code) selected[s.code == form.store] { (s.code) " · " (s.name) }
                        }
                    }
                    p.hint { "A token bound to one store (a kiosk or tablet in the store) can only submit for that store." }
                }
                div.field {
                    @if let Some(e) = trusted_error { p.err id="err-trusted" { (e) } }
                    label {
                        input type="checkbox" id="trusted" name="trusted" value="yes" checked[form.trusted]
                            aria-invalid=[trusted_error.map(|_| "true")] aria-describedby=(trusted_described);
                        " Trusted"
                    }
                    p.hint id="trusted-hint" { "Tick for a POS or CRM that forwards answers it collected itself: its responses skip the per-address, duplicate and burst checks, and only the token's own, higher rate limit applies." }
                }
                button type="submit" { "Create token" }
            }
        },
    )
}
