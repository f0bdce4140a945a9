//! The shell and small widgets of staff pages (managers, admins, shoppers): nav bar, fields, tables.

use maud::{Markup, PreEscaped, html};

use super::layout::layout_with;
use crate::answers::FieldErrors;
use crate::auth::{CSRF_FIELD, Role};
use crate::i18n::Lang;
use crate::i18n::staff::Staff;
use crate::paging::Page;

/// Extra rules for staff pages only, so customer pages stay small. Below 40rem (a phone),
/// tables marked `.cards` turn into one card per row, each cell labelled from its
/// `data-label`, and the nav bar folds into a menu that opens without JavaScript.
const STAFF_CSS: &str = "\
main{max-width:64rem}\
.bar{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;border-bottom:1px solid #c4c7cc;padding-bottom:.5rem;margin-bottom:1rem}\
.bar a{min-height:44px;display:inline-flex;align-items:center}\
.links{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;flex:1}\
.links .end{margin-left:auto;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}\
.menu{display:none;margin-left:auto}\
.menu summary{min-height:44px;display:flex;align-items:center;padding:0 .75rem;border:2px solid #0b5394;border-radius:8px;color:#0b5394;font-weight:600;cursor:pointer}\
.menu .links{flex-direction:column;align-items:stretch;position:absolute;right:.5rem;left:.5rem;z-index:2;background:#fff;border:1px solid #c4c7cc;border-radius:8px;padding:.5rem 1rem;box-shadow:0 4px 12px #0003}\
.menu .links .end{margin-left:0}\
table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e0e2e6;vertical-align:top}\
td{overflow-wrap:anywhere}\
.wide{overflow-x:auto}\
.field{margin:0 0 1rem}\
.field label{display:block;font-weight:600}\
select,input[type=password],input[type=time],input[type=file]{width:100%;min-height:44px;font:inherit;padding:.4rem;border:1px solid #767676;border-radius:6px}\
.ok{color:#1e6b2f;font-weight:600}\
.alert{border:2px solid #b00020;border-radius:8px;padding:.5rem .75rem;color:#b00020;font-weight:600}\
.tag{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e8eef7;font-size:.85rem}\
.flag{background:#fdecea;color:#8a1c10}\
.inline{display:inline}\
.pager{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:1rem 0}\
.pager a{min-height:44px;display:inline-flex;align-items:center}\
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}\
.filters .field{flex:1 1 10rem;margin:0}\
.wrap{overflow-wrap:anywhere;word-break:break-all}\
svg{max-width:100%;height:auto}\
@media(max-width:40rem){\
main{padding:.75rem}\
.bar>.links{display:none}.menu{display:block}\
table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}\
table.cards tr{border:1px solid #c4c7cc;border-radius:8px;margin:0 0 .75rem;padding:.25rem .5rem}\
table.cards td{display:flex;gap:.75rem;justify-content:space-between;border:0;padding:.3rem 0;text-align:right}\
table.cards td::before{content:attr(data-label);font-weight:600;text-align:left;flex:none;max-width:45%}\
table.cards td[data-label='']::before{content:none}\
table.cards td>form,table.cards td>a{margin-left:auto}\
table.cards td a{min-height:44px;min-width:44px;display:inline-flex;align-items:center;justify-content:flex-end}\
}\
";

/// Who the page is for, to draw the nav bar in their language, with the session's CSRF
/// token for its forms.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: String,
    pub role: Role,
    pub lang: Lang,
    pub csrf: String,
}

impl Viewer {
    /// A staff text in the viewer's language.
    pub fn t(&self, text: Staff) -> &'static str {
        text.text(self.lang)
    }
}

pub fn staff_page(viewer: &Viewer, title: &str, body: Markup) -> Markup {
    staff_page_in(viewer, viewer.lang, title, body)
}

/// A staff page whose content is in `lang` (an audit written in Chinese read by an English
/// reader): the document's language is the content's, and the nav says its own.
pub fn staff_page_in(viewer: &Viewer, lang: Lang, title: &str, body: Markup) -> Markup {
    let nav = html! {
        nav.bar aria-label=(viewer.t(Staff::MainNav)) lang=(viewer.lang.code()) {
            strong { (viewer.t(Staff::Brand)) }
            (nav_links(viewer))
            details.menu {
                summary { (viewer.t(Staff::Menu)) }
                (nav_links(viewer))
            }
        }
        h1 { (title) }
        (body)
    };
    layout_with(lang, title, STAFF_CSS, nav)
}

/// The nav's links and forms: inline on a wide screen, inside the menu on a phone.
fn nav_links(viewer: &Viewer) -> Markup {
    let other = match viewer.lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    html! {
        div.links {
            a href="/audits" { @if viewer.role.is_staff() { (viewer.t(Staff::NavAudits)) } @else { (viewer.t(Staff::NavAssignments)) } }
            @if viewer.role.is_staff() {
                a href="/reports" { (viewer.t(Staff::NavReports)) }
                a href="/responses/held" { (viewer.t(Staff::NavHeld)) }
                a href="/assignments/new" { (viewer.t(Staff::NavNewAssignment)) }
                a href="/admin/stores" { (viewer.t(Staff::NavStores)) }
            }
            @if viewer.role == Role::Admin {
                a href="/admin/users" { (viewer.t(Staff::NavUsers)) }
                a href="/admin/tokens" { (viewer.t(Staff::NavTokens)) }
            }
            span.end {
                form.inline method="post" action="/account/lang" {
                    (csrf(&viewer.csrf))
                    input type="hidden" name="lang" value=(other.code());
                    button.link type="submit" lang=(other.code()) { (viewer.t(Staff::SwitchToOther)) }
                }
                form.inline method="post" action="/logout" {
                    (csrf(&viewer.csrf))
                    span.hint { span translate="no" { (viewer.username) } " (" (viewer.role.name(viewer.lang)) ") " }
                    button.sec type="submit" { (viewer.t(Staff::LogOut)) }
                }
            }
        }
    }
}

/// A page for people not logged in (the login form), with the staff styles.
pub fn public_page(lang: Lang, title: &str, body: Markup) -> Markup {
    layout_with(lang, title, STAFF_CSS, html! { h1 { (title) } (body) })
}

/// "Page 2 · 120 matching" with previous and next links. `base` is the list's address with
/// its filters and without `page=`, e.g. `/audits?store=S001`.
pub fn pager(lang: Lang, page: Page, total: u64, base: &str) -> Markup {
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        nav.pager aria-label=(Staff::PageOf.fill(lang, page.number)) {
            span role="status" { (Staff::Matches.fill(lang, crate::i18n::format::thousands(i64::try_from(total).unwrap_or(i64::MAX)))) }
            @if page.count(total) > 1 {
                span { (Staff::PageOf.fill(lang, page.number)) " / " (page.count(total)) }
            }
            @if page.has_prev() {
                a href={ (base) (sep) "page=" (page.number - 1) } rel="prev" { "← " (Staff::PrevPage.text(lang)) }
            }
            @if page.has_next(total) {
                a href={ (base) (sep) "page=" (page.number + 1) } rel="next" { (Staff::NextPage.text(lang)) " →" }
            }
        }
    }
}

/// A refused action's message at the top of the page, where the reader's eyes are.
pub fn alert(text: Option<&str>) -> Markup {
    html! { @if let Some(t) = text { p.alert role="alert" id="alert" { (t) } } }
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
