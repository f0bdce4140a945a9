//! The Users page (admins): listing, filtering, adding, disabling and resetting accounts; binding a store manager's stores is in `user_stores`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::AppState;
use super::admin::{ListQuery, blank, done_text};
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role, SESSION_EPOCH, hash_password, session_error};
use crate::db::users;
use crate::db::users::UserFilter;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::admin::Admin;
use crate::paging::Page;
use crate::views::admin::Listing;
use crate::views::users::{NewUserValues, UserFilterValues, UsersPage, users_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}/status", post(set_status))
        .route("/admin/users/{id}/password", post(reset_password))
        .route(
            "/admin/users/{id}/stores",
            post(super::user_stores::save_stores),
        )
}

/// The Users page's filter, checked: a bad value is a 400 naming what to choose.
fn user_filter(q: &ListQuery) -> Result<(UserFilter, UserFilterValues)> {
    let role = match blank(q.role.as_deref()) {
        None => None,
        Some(r) => Some(Role::parse(r).ok_or_else(|| Error::BadRequest(Admin::ErrRole.msg()))?),
    };
    let disabled = match blank(q.status.as_deref()) {
        None => None,
        Some("active") => Some(false),
        Some("disabled") => Some(true),
        Some(_) => return Err(Error::BadRequest(Admin::ErrUserStatus.msg())),
    };
    let values = UserFilterValues {
        role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        status: match disabled {
            None => String::new(),
            Some(false) => "active".into(),
            Some(true) => "disabled".into(),
        },
    };
    Ok((UserFilter { role, disabled }, values))
}

/// What a Users page shows besides its list.
pub(super) struct UsersExtra<'a> {
    pub form: &'a NewUserValues,
    pub errors: &'a FieldErrors,
    pub refused: Option<&'a str>,
    pub done: Option<&'static str>,
}

async fn users_view(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    extra: UsersExtra<'_>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    let (filter, values) = user_filter(q)?;
    let asked = Page::parse(q.page.as_deref());
    let (rows, total) = users::page(&state.db.read, filter, asked).await?;
    let ids: Vec<i64> = rows
        .iter()
        .filter(|u| u.role == Role::StoreManager)
        .map(|u| u.id)
        .collect();
    let stores_of = crate::db::user_stores::stores_of_users(&state.db.read, &ids).await?;
    Ok(users_page(&UsersPage {
        stores_of: &stores_of,
        viewer: &viewer,
        list: Listing {
            rows: &rows,
            total,
            page: asked.clamp(total),
            base: values.url(),
        },
        filter: &values,
        form: extra.form,
        errors: extra.errors,
        refused: extra.refused,
        done: extra.done,
    }))
}

async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<maud::Markup> {
    user.require_admin()?;
    let done = done_text(q.done.as_deref(), user.lang);
    users_view(
        &state,
        &user,
        &q,
        UsersExtra {
            form: &NewUserValues::default(),
            errors: &FieldErrors::new(),
            refused: None,
            done,
        },
    )
    .await
}

fn username_ok(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn password_ok(p: &str) -> bool {
    p.chars().count() >= 10
}

#[derive(Debug, Deserialize)]
struct NewUser {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

impl NewUser {
    /// Each field's problem, in `lang`.
    fn check(&self, lang: Lang) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if !username_ok(self.username.trim()) {
            errors.insert("username".into(), Admin::ErrUsername.text(lang).into());
        }
        if Role::parse(&self.role).is_none() {
            errors.insert("role".into(), Admin::ErrRole.text(lang).into());
        }
        if !password_ok(&self.password) {
            errors.insert("password".into(), Admin::ErrPassword.text(lang).into());
        }
        errors
    }
}

/// The Users page again, refused: the message at the top, the list's first page.
pub(super) async fn refused_users_page(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    extra: UsersExtra<'_>,
) -> Result<Response> {
    let page = users_view(state, user, &ListQuery::default(), extra).await?;
    Ok((status, page).into_response())
}

/// The users page with an account action's refusal at the top and an empty add-account form.
async fn refused_account_action(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    why: Admin,
) -> Result<Response> {
    let extra = UsersExtra {
        form: &NewUserValues::default(),
        errors: &FieldErrors::new(),
        refused: Some(why.text(user.lang)),
        done: None,
    };
    refused_users_page(state, user, status, extra).await
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewUser>,
) -> Result<Response> {
    user.require_admin()?;
    let lang = user.lang;
    let values = NewUserValues {
        username: form.username.trim().to_owned(),
        role: form.role.clone(),
    };
    let mut errors = form.check(lang);
    if errors.is_empty() {
        let hash = hash_password(form.password).await?;
        let role = Role::parse(&form.role).unwrap_or(Role::Shopper);
        if users::create(&state.db.write, &values.username, &hash, role)
            .await?
            .is_some()
        {
            return Ok(Redirect::to("/admin/users?done=created").into_response());
        }
        errors.insert("username".into(), Admin::ErrUsernameTaken.text(lang).into());
    }
    refused_users_page(
        &state,
        &user,
        StatusCode::UNPROCESSABLE_ENTITY,
        UsersExtra {
            form: &values,
            errors: &errors,
            refused: Some(Admin::ErrAccountRefused.text(lang)),
            done: None,
        },
    )
    .await
}

/// An enable/disable form (accounts, webhooks): `disabled` is `true` or `false`.
#[derive(Debug, Deserialize)]
pub(super) struct StatusForm {
    disabled: String,
}

impl StatusForm {
    /// The posted flag; anything else is a 400 saying what it must be.
    pub(super) fn disabled(&self) -> Result<bool> {
        match self.disabled.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::BadRequest(Admin::ErrDisabledValue.msg())),
        }
    }
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response> {
    user.require_admin()?;
    let disabled = form.disabled()?;
    if disabled && id == user.id {
        return refused_account_action(
            &state,
            &user,
            StatusCode::BAD_REQUEST,
            Admin::ErrDisableSelf,
        )
        .await;
    }
    // Disabling ends the account's sessions in the same update (see `users::set_disabled`).
    if users::set_disabled(&state.db.write, id, disabled)
        .await?
        .is_none()
    {
        return Err(Error::not_found(Admin::AccountWord.msg(), id));
    }
    Ok(Redirect::to("/admin/users?done=status").into_response())
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response> {
    user.require_admin()?;
    if !password_ok(&form.password) {
        return refused_account_action(
            &state,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            Admin::ErrPasswordRefused,
        )
        .await;
    }
    let hash = hash_password(form.password).await?;
    // Every session of the account ends with the old password...
    let Some(epoch) = users::set_password(&state.db.write, id, &hash).await? else {
        return Err(Error::not_found(Admin::AccountWord.msg(), id));
    };
    // ...except this one, when an admin resets their own: the person who just chose
    // the password stays logged in here, and only their other sessions end.
    if id == user.id {
        user.session
            .insert(SESSION_EPOCH, epoch)
            .await
            .map_err(session_error)?;
    }
    Ok(Redirect::to("/admin/users?done=password").into_response())
}
