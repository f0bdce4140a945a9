//! The Users page: accounts with their role and status, a store manager's stores, and the add-account form, in the viewer's language.

use maud::{Markup, html};

use super::admin::{Listing, filter_select, with_query};
use super::staff::{Viewer, alert, csrf, field, notice, pager, select, staff_page};
use crate::answers::FieldErrors;
use crate::auth::Role;
use crate::db::users::User;
use crate::i18n::admin::Admin;
use crate::i18n::staff::Staff;

/// The Users page's filters as typed: a role name and `active` or `disabled`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilterValues {
    pub role: String,
    pub status: String,
}

impl UserFilterValues {
    pub fn url(&self) -> String {
        with_query(
            "/admin/users",
            &[("role", &self.role), ("status", &self.status)],
        )
    }
}

/// What the "add account" form was filled with, to show it again on an error.
#[derive(Debug, Default)]
pub struct NewUserValues {
    pub username: String,
    pub role: String,
}

pub struct UsersPage<'a> {
    pub viewer: &'a Viewer,
    /// The bound stores of the store managers on this page.
    pub stores_of: &'a std::collections::HashMap<i64, Vec<String>>,
    pub list: Listing<'a, User>,
    pub filter: &'a UserFilterValues,
    pub form: &'a NewUserValues,
    pub errors: &'a FieldErrors,
    /// A refused action, said at the top.
    pub refused: Option<&'a str>,
    pub done: Option<&'a str>,
}

pub fn users_page(p: &UsersPage) -> Markup {
    let viewer = p.viewer;
    let lang = viewer.lang;
    let roles: Vec<(String, String)> = Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.name(lang).to_owned()))
        .collect();
    let statuses: Vec<(String, String)> = vec![
        ("active".into(), Admin::StatusActive.text(lang).into()),
        ("disabled".into(), Admin::StatusDisabled.text(lang).into()),
    ];
    let th_user = Staff::Username.text(lang);
    let th_role = Admin::RoleField.text(lang);
    let th_status = Staff::StatusField.text(lang);
    let th_password = Admin::NewPassword.text(lang);
    let add_form = html! {
        section id="add-account" {
            h2 { (Admin::AddAccountTitle.text(lang)) }
            form method="post" action="/admin/users" {
                (csrf(&viewer.csrf))
                (field("username", th_user, "text", &p.form.username, p.errors))
                (select("role", th_role, &roles, &p.form.role, p.errors))
                (field("password", Admin::PasswordLabel.text(lang), "password", "", p.errors))
                button type="submit" { (Admin::AddAccount.text(lang)) }
            }
        }
    };
    let refused_add = !p.errors.is_empty();
    let list = &p.list;
    let any_filter = *p.filter != UserFilterValues::default();
    let body = html! {
        (alert(p.refused))
        (notice(p.done))
        // A refused account comes back with its form first, where the message is.
        @if refused_add { (add_form) }
        form.filters method="get" action="/admin/users" {
            (filter_select("role", th_role, Admin::AllRoles.text(lang), &roles, &p.filter.role))
            (filter_select("status", th_status, Staff::AllStatuses.text(lang), &statuses, &p.filter.status))
            button.sec type="submit" { (Staff::Filter.text(lang)) }
            @if any_filter { a href="/admin/users" { (Staff::ClearFilters.text(lang)) } }
        }
        (pager(lang, list.page, list.total, &list.base))
        @if list.rows.is_empty() {
            p { (Staff::NoMatches.text(lang)) }
        } @else {
            table.cards {
                thead { tr {
                    th { (th_user) } th { (th_role) } th { (th_status) }
                    th { (Staff::Actions.text(lang)) } th { (th_password) }
                } }
                tbody {
                    @for u in list.rows {
                        tr {
                            td data-label=(th_user) { span.wrap { (u.username) } }
                            td data-label=(th_role) {
                                (u.role.name(lang))
                                @if u.role == Role::StoreManager { (stores_form(viewer, u, p.stores_of.get(&u.id))) }
                            }
                            td data-label=(th_status) {
                                @if u.disabled { span.tag.flag { (Admin::StatusDisabled.text(lang)) } }
                                @else { (Admin::StatusActive.text(lang)) }
                            }
                            td data-label="" {
                                form.inline method="post" action={ "/admin/users/" (u.id) "/status" } {
                                    (csrf(&viewer.csrf))
                                    input type="hidden" name="disabled" value=(if u.disabled { "false" } else { "true" });
                                    button.sec type="submit" {
                                        @if u.disabled { (Admin::Enable.text(lang)) } @else { (Admin::Disable.text(lang)) }
                                    }
                                }
                            }
                            td data-label=(th_password) {
                                form method="post" action={ "/admin/users/" (u.id) "/password" }
                                    style="display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;flex:1 1 12rem;margin:0" {
                                    (csrf(&viewer.csrf))
                                    input type="password" name="password" autocomplete="new-password"
                                        aria-label={ (th_password) " · " (u.username) }
                                        style="flex:1 1 8rem;width:auto;min-width:0";
                                    button.sec type="submit" { (Admin::ResetPassword.text(lang)) }
                                }
                            }
                        }
                    }
                }
            }
            @if list.page.count(list.total) > 1 { (pager(lang, list.page, list.total, &list.base)) }
        }
        @if !refused_add { (add_form) }
    };
    staff_page(viewer, Admin::UsersTitle.text(lang), body)
}

/// A store manager's stores, and the form that replaces them.
fn stores_form(viewer: &Viewer, u: &User, stores: Option<&Vec<String>>) -> Markup {
    let lang = viewer.lang;
    let current = stores.map(|s| s.join(" ")).unwrap_or_default();
    let label = Admin::StoresOfUserLabel.text(lang);
    html! {
        @if current.is_empty() { br; span.tag.flag { (Admin::NoStoresBound.text(lang)) } }
        form method="post" action={ "/admin/users/" (u.id) "/stores" }
            style="display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.4rem 0 0" {
            (csrf(&viewer.csrf))
            input type="text" name="stores" value=(current) placeholder="S001 S002"
                aria-label={ (Admin::StoresOfUser.text(lang)) " · " (u.username) " · " (label) }
                title=(label) style="flex:1 1 8rem;width:auto;min-width:0";
            button.sec type="submit" { (Admin::SaveStores.text(lang)) }
        }
    }
}
