//! Binding a store manager to the stores whose cases they handle (the Users page's "Stores" form).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::csrf_form::CsrfForm;
use super::users::{UsersExtra, refused_users_page};
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role};
use crate::db::{stores, user_stores, users};
use crate::error::{Error, Result};
use crate::i18n::admin::Admin;
use crate::stores::{MAX_STORES_PER_USER, parse_code_list};
use crate::views::users::NewUserValues;

#[derive(Debug, Deserialize)]
pub(super) struct StoresForm {
    #[serde(default)]
    stores: String,
}

/// Replaces the stores of store manager `id`. Every code must be a registered store, so a
/// typo never leaves a manager silently blind to their own store's cases.
pub(super) async fn save_stores(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StoresForm>,
) -> Result<Response> {
    user.require_admin()?;
    let lang = user.lang;
    let Some(account) = users::by_id(&state.db.read, id).await? else {
        return Err(Error::not_found(Admin::AccountWord.msg(), id));
    };
    if account.role != Role::StoreManager {
        return refuse(&state, &user, Admin::ErrNotStoreManager.text(lang).into()).await;
    }
    let codes = match parse_code_list(&form.stores) {
        Ok(codes) => codes,
        Err(bad) => {
            return refuse(&state, &user, Admin::ErrUnknownStores.fill(lang, &bad)).await;
        }
    };
    if codes.len() > MAX_STORES_PER_USER {
        let why = Admin::ErrTooManyStores.fill(lang, MAX_STORES_PER_USER);
        return refuse(&state, &user, why).await;
    }
    for code in &codes {
        if !stores::exists(&state.db.read, code).await? {
            return refuse(&state, &user, Admin::ErrUnknownStores.fill(lang, code)).await;
        }
    }
    user_stores::set_user_stores(&state.db.write, id, &codes).await?;
    Ok(Redirect::to("/admin/users?done=stores").into_response())
}

/// The Users page again with why the stores were not saved at the top; nothing changed.
async fn refuse(state: &AppState, user: &CurrentUser, why: String) -> Result<Response> {
    let extra = UsersExtra {
        form: &NewUserValues::default(),
        errors: &FieldErrors::new(),
        refused: Some(&why),
        done: None,
    };
    refused_users_page(state, user, StatusCode::UNPROCESSABLE_ENTITY, extra).await
}
