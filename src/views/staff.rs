//! The shell and small widgets of staff pages (managers, admins, shoppers): nav bar, fields, tables.

use maud::{Markup, PreEscaped, html};

use super::layout::layout_with;
use crate::answers::FieldErrors;
use crate::auth::{CSRF_FIELD, Role};
use crate::i18n::Lang;

/// Extra rules for staff pages only, so customer pages stay small.
const STAFF_CSS: &str = "\
main{max-width:64rem}\
.bar{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;border-bottom:1px solid #c4c7cc;padding-bottom:.5rem;margin-bottom:1rem}\
.bar a{min-height:44px;display:inline-flex;align-items:center}\
.bar form{margin-left:auto}\
table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e0e2e6;vertical-align:top}\
.wide{overflow-x:auto}\
.field{margin:0 0 1rem}\
.field label{display:block;font-weight:600}\
select,input[type=password],input[type=time],input[type=file]{width:100%;min-height:44px;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:6px}\
.ok{color:#1e6b2f;font-weight:600}\
.tag{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e8eef7;font-size:.85rem}\
.flag{background:#fdecea;color:#8a1c10}\
.inline{display:inline}\
svg{max-width:100%;height:auto}\
";

/// Who the page is for, to draw the nav bar, with the session's CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: String,
    pub role: Role,
    pub csrf: String,
}

pub fn staff_page(viewer: &Viewer, title: &str, body: Markup) -> Markup {
    staff_page_in(viewer, Lang::En, title, body)
}

/// A staff page whose content is in `lang` (an audit shown in Chinese says so to screen readers).
pub fn staff_page_in(viewer: &Viewer, lang: Lang, title: &str, body: Markup) -> Markup {
    let nav = html! {
        nav.bar aria-label="Main" {
            strong { "满意 manyi" }
            a href="/audits" { @if viewer.role.is_staff() { "Audits" } @else { "My assignments" } }
            @if viewer.role.is_staff() {
                a href="/reports" { "Reports" }
                a href="/responses/held" { "Held responses" }
                a href="/assignments/new" { "New assignment" }
                a href="/admin/stores" { "Stores" }
            }
            @if viewer.role == Role::Admin { a href="/admin/users" { "Users" } a href="/admin/tokens" { "API tokens" } }
            form.inline method="post" action="/logout" {
                (csrf(&viewer.csrf))
                span.hint { (viewer.username) " (" (viewer.role) ") " }
                button.sec type="submit" { "Log out" }
            }
        }
        h1 { (title) }
        (body)
    };
    layout_with(lang, title, STAFF_CSS, nav)
}

/// A page for people not logged in (the login form), with the staff styles.
pub fn public_page(title: &str, body: Markup) -> Markup {
    layout_with(Lang::En, title, STAFF_CSS, html! { h1 { (title) } (body) })
}

pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// A labelled input with its error message bound by `aria-describedby`.
pub fn field(
    name: &str,
    label: &str,
    input_type: &str,
    value: &str,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    let err_id = format!("err-{name}");
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { p.err id=(err_id) { (e) } }
            input type=(input_type) id=(name) name=(name) value=(value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())];
        }
    }
}

/// A labelled select; `options` are (value, label) pairs.
pub fn select(
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    let err_id = format!("err-{name}");
    html! {
        div.field {
            label for=(name) { (label) }
            @if let Some(e) = error { p.err id=(err_id) { (e) } }
            select id=(name) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] {
                option value="" { "—" }
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// A short notice (e.g. "Saved") at the top of a page.
pub fn notice(text: Option<&str>) -> Markup {
    html! { @if let Some(t) = text { p.ok role="status" { (t) } } }
}

/// Markup we generated ourselves (e.g. an SVG from the QR encoder), inlined unescaped.
pub fn trusted_svg(svg: &str) -> Markup {
    PreEscaped(svg.to_owned())
}
