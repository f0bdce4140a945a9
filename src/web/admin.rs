//! Administration pages: accounts (admins), the store registry (admins edit, managers read) and store posters.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::{CurrentUser, Role, SESSION_EPOCH, hash_password, session_error};
use crate::db::stores::{Store, StoreFilter};
use crate::db::users::UserFilter;
use crate::db::{stores, users};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::i18n::admin::Admin;
use crate::paging::Page;
use crate::stores::StoreInput;
use crate::views::admin::{
    Listing, NewUserValues, Poster, StoreFilterValues, StoresPage, UserFilterValues, UsersPage,
    poster_page, stores_page, users_page,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}/status", post(set_status))
        .route("/admin/users/{id}/password", post(reset_password))
        .route(
            "/admin/users/{id}/stores",
            post(super::user_stores::save_stores),
        )
        .route("/admin/stores", get(list_stores).post(save_store))
        .route("/admin/stores/{code}/poster/{form_id}", get(poster))
}

/// The list pages' query: filters, the page, the notice after a change, the store to edit.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    done: Option<String>,
    edit: Option<String>,
    page: Option<String>,
    role: Option<String>,
    status: Option<String>,
    region: Option<String>,
    q: Option<String>,
}

/// The value with its spaces trimmed, or `None` when nothing is left.
fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// The notices a redirect after a change may ask for; anything else shows nothing.
fn done_text(done: Option<&str>, lang: Lang) -> Option<&'static str> {
    let key = match done? {
        "created" => Admin::AccountCreated,
        "status" => Admin::StatusChanged,
        "password" => Admin::PasswordWasReset,
        "store" => Admin::StoreSaved,
        "stores" => Admin::StoresSaved,
        _ => return None,
    };
    Some(key.text(lang))
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

#[derive(Debug, Deserialize)]
struct StatusForm {
    disabled: String,
}

async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response> {
    user.require_admin()?;
    let disabled = match form.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(Error::BadRequest(Admin::ErrDisabledValue.msg())),
    };
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

/// Longest text the store search takes.
const SEARCH_MAX: usize = 50;

/// What a Stores page shows besides its list.
struct StoresExtra<'a> {
    edit: &'a Store,
    editing: bool,
    errors: &'a FieldErrors,
    refused: Option<&'static str>,
    done: Option<&'static str>,
}

async fn stores_view(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    extra: StoresExtra<'_>,
) -> Result<(StatusCode, maud::Markup)> {
    let viewer = user.viewer().await?;
    let lang = viewer.lang;
    let forms: Vec<(String, String)> = state
        .catalog
        .iter()
        .filter(|s| !s.is_audit())
        .map(|s| (s.id.clone(), s.title.get(lang).to_owned()))
        .collect();
    let mut filter_errors = FieldErrors::new();
    let region = blank(q.region.as_deref()).map(str::to_owned);
    let mut search = blank(q.q.as_deref()).map(str::to_owned);
    if search
        .as_ref()
        .is_some_and(|s| s.chars().count() > SEARCH_MAX)
    {
        filter_errors.insert("q".into(), Admin::ErrSearch.text(lang).into());
        search = None;
    }
    let values = StoreFilterValues {
        region: region.clone().unwrap_or_default(),
        search: search.clone().unwrap_or_default(),
    };
    let filter = StoreFilter { region, search };
    let asked = Page::parse(q.page.as_deref());
    let pool = &state.db.read;
    let ((rows, total), regions) = tokio::try_join!(
        stores::page(pool, &filter, asked),
        crate::db::reports::regions(pool)
    )?;
    let status = if filter_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = stores_page(&StoresPage {
        viewer: &viewer,
        list: Listing {
            rows: &rows,
            total,
            page: asked.clamp(total),
            base: values.url(),
        },
        filter: &values,
        filter_errors: &filter_errors,
        regions: &regions,
        forms: &forms,
        edit: extra.edit,
        editing: extra.editing,
        errors: extra.errors,
        refused: extra
            .refused
            .or_else(|| (!filter_errors.is_empty()).then(|| Admin::ErrSearch.text(lang))),
        done: extra.done,
    });
    Ok((status, page))
}

fn empty_store() -> Store {
    Store {
        code: String::new(),
        name: String::new(),
        region: String::new(),
        address: None,
        opening_hours: None,
    }
}

async fn list_stores(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    user.require_staff()?;
    let edit = match blank(q.edit.as_deref()) {
        Some(code) if user.role == Role::Admin => Some(
            stores::get(&state.db.read, code)
                .await?
                .ok_or_else(|| Error::not_found(Admin::StoreWord.msg(), code))?,
        ),
        _ => None,
    };
    let done = done_text(q.done.as_deref(), user.lang);
    let editing = edit.is_some();
    let edit = edit.unwrap_or_else(empty_store);
    let extra = StoresExtra {
        edit: &edit,
        editing,
        errors: &FieldErrors::new(),
        refused: None,
        done,
    };
    Ok(stores_view(&state, &user, &q, extra).await?.into_response())
}

async fn save_store(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(input): CsrfForm<StoreInput>,
) -> Result<Response> {
    user.require_admin()?;
    match input.clone().parse(user.lang) {
        Ok(store) => {
            stores::upsert(&state.db.write, &store).await?;
            Ok(Redirect::to("/admin/stores?done=store").into_response())
        }
        Err(errors) => {
            let shown = Store {
                code: input.code,
                name: input.name,
                region: input.region,
                address: input.address,
                opening_hours: input.opening_hours,
            };
            let extra = StoresExtra {
                edit: &shown,
                editing: true,
                errors: &errors,
                refused: Some(Admin::ErrStoreRefused.text(user.lang)),
                done: None,
            };
            let (_, page) = stores_view(&state, &user, &ListQuery::default(), extra).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Whether a URL's host names this computer only (a loopback or unspecified address, or
/// `localhost`): a QR code pointing there opens on no customer's phone.
pub fn is_local_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else if host_port.matches(':').count() > 1 {
        // A bare IPv6 address, without brackets or port.
        host_port
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
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
        .ok_or_else(|| Error::not_found(Admin::StoreWord.msg(), &code))?;
    let survey = state.survey(&form_id)?;
    if survey.is_audit() {
        return Err(Error::not_found(Admin::CustomerSurveyWord.msg(), &form_id));
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
    Ok(poster_page(&Poster {
        lang: user.lang,
        store: &store,
        title_zh: survey.title.get(Lang::Zh),
        title_en: survey.title.get(Lang::En),
        url: &url,
        qr_svg: &svg,
        loopback: is_local_url(base),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_on_this_computer_are_recognised() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.0.0.2",
            "http://localhost:8080/",
            "https://LOCALHOST",
            "http://[::1]:8080",
            "http://0.0.0.0:8080",
            "http://user@127.0.0.1",
            "localhost:8080",
            "http://shop.localhost",
        ] {
            assert!(is_local_url(url), "{url}");
        }
        for url in [
            "https://survey.example.com",
            "http://192.168.1.20:8080",
            "http://[2001:db8::1]:8080",
            "https://127.0.0.1.example.com",
            "http://localhost.example.com",
        ] {
            assert!(!is_local_url(url), "{url}");
        }
    }
}
