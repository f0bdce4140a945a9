//! Administration pages: accounts (admins), the store registry (admins edit, managers read) and store posters.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;
use validator::Validate;

use super::AppState;
use super::csrf_form::{CsrfForm, field_errors};
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role, SESSION_EPOCH, hash_password, session_error};
use crate::db::{stores, users};
use crate::error::{Error, Result};
use crate::i18n::Msg;
use crate::stores::StoreInput;
use crate::views::admin::{NewUserValues, poster_page, stores_page, users_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}/status", post(set_status))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/stores", get(list_stores).post(save_store))
        .route("/admin/stores/{code}/poster/{form_id}", get(poster))
}

#[derive(Debug, Default, Deserialize)]
struct Done {
    done: Option<String>,
    edit: Option<String>,
}

/// The notices a redirect after a change may ask for; anything else shows nothing.
fn done_text(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("Account created."),
        "status" => Some("Account status changed."),
        "password" => Some("Password reset."),
        "store" => Some("Store saved."),
        _ => None,
    }
}

async fn users_view(
    state: &AppState,
    user: &CurrentUser,
    form: &NewUserValues,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    Ok(users_page(
        &viewer,
        &users::list(&state.db.read).await?,
        form,
        errors,
        done,
    ))
}

async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<maud::Markup> {
    user.require_admin()?;
    users_view(
        &state,
        &user,
        &NewUserValues::default(),
        &FieldErrors::new(),
        done_text(q.done.as_deref()),
    )
    .await
}

fn check_password(p: &str) -> std::result::Result<(), validator::ValidationError> {
    if p.chars().count() >= 10 {
        Ok(())
    } else {
        Err(validator::ValidationError::new("short")
            .with_message("Use at least 10 characters.".into()))
    }
}

fn check_username(u: &str) -> std::result::Result<(), validator::ValidationError> {
    if (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("username")
            .with_message("Use 3–32 letters, digits, '.', '_' or '-'.".into()))
    }
}

fn check_role(r: &str) -> std::result::Result<(), validator::ValidationError> {
    Role::parse(r).map(|_| ()).ok_or_else(|| {
        validator::ValidationError::new("role")
            .with_message("Choose admin, manager or shopper.".into())
    })
}

#[derive(Debug, Deserialize, Validate)]
struct NewUser {
    #[serde(default)]
    #[validate(custom(function = "check_username"))]
    username: String,
    #[serde(default)]
    #[validate(custom(function = "check_role"))]
    role: String,
    #[serde(default)]
    #[validate(custom(function = "check_password"))]
    password: String,
}

async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewUser>,
) -> Result<Response> {
    user.require_admin()?;
    let values = NewUserValues {
        username: form.username.trim().to_owned(),
        role: form.role.clone(),
    };
    let mut errors = form
        .validate()
        .err()
        .map(|e| field_errors(&e))
        .unwrap_or_default();
    if errors.is_empty() {
        let hash = hash_password(form.password).await?;
        let role = Role::parse(&form.role).unwrap_or(Role::Shopper);
        if users::create(&state.db.write, &values.username, &hash, role)
            .await?
            .is_some()
        {
            return Ok(Redirect::to("/admin/users?done=created").into_response());
        }
        errors.insert("username".into(), "This username is taken.".into());
    }
    let page = users_view(&state, &user, &values, &errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    disabled: String,
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Redirect> {
    user.require_admin()?;
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(Error::BadRequest(
                "`disabled` must be true or false.".into(),
            ));
        }
    };
    if disabled && id == user.id {
        return Err(Error::BadRequest(
            "You cannot disable your own account.".into(),
        ));
    }
    // Disabling ends the account's sessions in the same update (see `users::set_disabled`).
    if users::set_disabled(&state.db.write, id, disabled)
        .await?
        .is_none()
    {
        return Err(Error::not_found(Msg::both("账号", "account"), id));
    }
    Ok(Redirect::to("/admin/users?done=status"))
}

#[derive(Debug, Deserialize, Validate)]
struct PasswordForm {
    #[serde(default)]
    #[validate(custom(function = "check_password"))]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response> {
    user.require_admin()?;
    if let Err(e) = form.validate() {
        let errors = field_errors(&e);
        let page = users_view(&state, &user, &NewUserValues::default(), &errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = hash_password(form.password).await?;
    // Every session of the account ends with the old password...
    let Some(epoch) = users::set_password(&state.db.write, id, &hash).await? else {
        return Err(Error::not_found(Msg::both("账号", "account"), id));
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

async fn stores_view(
    state: &AppState,
    user: &CurrentUser,
    edit: &crate::db::stores::Store,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    let forms: Vec<(String, String)> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| (s.id.clone(), s.title.get(s.default_lang).to_owned()))
        .collect();
    Ok(stores_page(
        &viewer,
        &stores::list(&state.db.read).await?,
        &forms,
        edit,
        errors,
        done,
    ))
}

async fn list_stores(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    let edit = match q.edit.as_deref() {
        Some(code) => stores::get(&state.db.read, code)
            .await?
            .ok_or_else(|| Error::not_found(Msg::both("门店", "store"), code))?,
        None => crate::db::stores::Store {
            code: String::new(),
            name: String::new(),
            region: String::new(),
            address: None,
            opening_hours: None,
        },
    };
    stores_view(
        &state,
        &user,
        &edit,
        &FieldErrors::new(),
        done_text(q.done.as_deref()),
    )
    .await
}

async fn save_store(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(input): CsrfForm<StoreInput>,
) -> Result<Response> {
    user.require_admin()?;
    match input.clone().parse() {
        Ok(store) => {
            stores::upsert(&state.db.write, &store).await?;
            Ok(Redirect::to("/admin/stores?done=store").into_response())
        }
        Err(errors) => {
            let shown = crate::db::stores::Store {
                code: input.code,
                name: input.name,
                region: input.region,
                address: input.address,
                opening_hours: input.opening_hours,
            };
            let page = stores_view(&state, &user, &shown, &errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The printable poster for one store and one customer survey, with the form's QR code.
async fn poster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, form_id)): Path<(String, String)>,
) -> Result<maud::Markup> {
    user.require_staff()?;
    let store = stores::get(&state.db.read, &code)
        .await?
        .ok_or_else(|| Error::not_found(Msg::both("门店", "store"), &code))?;
    let survey = state.survey(&form_id)?;
    if survey.is_audit() {
        return Err(Error::not_found(
            Msg::both("顾客问卷", "customer survey"),
            &form_id,
        ));
    }
    let base = state.settings.public_url.trim_end_matches('/');
    let url = format!("{base}/s/{}?store={}", survey.id, store.code);
    let qr =
        QrCode::new(url.as_bytes()).map_err(|e| Error::Other(anyhow::anyhow!("QR code: {e}")))?;
    let svg = qr.render::<svg::Color>().min_dimensions(240, 240).build();
    // The encoder's XML prolog has no place inside an HTML document.
    let svg = svg
        .find("<svg")
        .map_or(svg.as_str(), |at| &svg[at..])
        .to_owned();
    let title = |l| survey.title.get(l).to_owned();
    Ok(poster_page(
        &store,
        &title(crate::i18n::Lang::Zh),
        &title(crate::i18n::Lang::En),
        &url,
        &svg,
    ))
}
