//! Sales data over HTTP: the token-authenticated JSON API, and the admin page that issues integration tokens of every scope.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, routing::get};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::api_token::SalesClient;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::CurrentUser;
use crate::db::tokens::{self, Scope};
use crate::db::{sales, stores};
use crate::error::{ApiError, Error, Result};
use crate::i18n::Msg;
use crate::sales::{RawSale, check_rows};
use crate::views::admin::{NewTokenValues, tokens_page};

/// A day's sales for a few hundred stores fits easily.
const SALES_BODY_LIMIT: usize = 5 * 1024 * 1024;

pub fn api_routes() -> Router<AppState> {
    Router::new().route(
        "/sales",
        post(import).layer(DefaultBodyLimit::max(SALES_BODY_LIMIT)),
    )
}

pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(list).post(create))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

/// Either `{"sales": [...]}` or a bare array of rows.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Body {
    Wrapped { sales: Vec<RawSale> },
    Rows(Vec<RawSale>),
}

async fn import(
    State(state): State<AppState>,
    SalesClient(client): SalesClient,
    body: std::result::Result<Json<Body>, JsonRejection>,
) -> std::result::Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let rows = match body {
        Body::Wrapped { sales } | Body::Rows(sales) => sales,
    };
    // A store-bound token sends its own store's figures, nobody else's.
    if let Some(bound) = &client.store
        && let Some(other) = rows.iter().find(|r| r.store.trim() != bound)
    {
        return Err(ApiError(Error::Forbidden(format!(
            "This token is bound to store '{bound}' and cannot send sales for store '{}'. Nothing was stored.",
            other.store.trim()
        ).into())));
    }
    if rows.is_empty() {
        return Err(ApiError(Error::Unprocessable(
            "Send at least one sales row.".into(),
        )));
    }
    let numbered: Vec<(u64, RawSale)> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64, r))
        .collect();
    let stores = sales::store_codes(&state.db.read).await?;
    let checked = check_rows(&numbered, &stores).map_err(|problems| {
        let errors: FieldErrors = problems
            .into_iter()
            .map(|p| match p.split_once(": ") {
                Some((line, why)) => (
                    format!("sales[{}]", line.trim_start_matches("line ")),
                    why.to_owned(),
                ),
                None => ("sales".to_owned(), p),
            })
            .collect();
        ApiError(Error::Invalid(errors))
    })?;
    sales::upsert_all(&state.db.write, &checked).await?;
    tracing::info!(token = client.id, rows = checked.len(), "sales imported");
    Ok(Json(json!({ "stored": checked.len() })))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: &NewTokenValues,
    errors: &FieldErrors,
    new_token: Option<(&str, Scope)>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    Ok(tokens_page(
        &viewer,
        &tokens::list(&state.db.read).await?,
        &stores::list(&state.db.read).await?,
        form,
        errors,
        new_token,
    ))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<maud::Markup> {
    user.require_admin()?;
    page(
        &state,
        &user,
        &NewTokenValues::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    /// Empty: any store.
    #[serde(default)]
    store: String,
    /// Present when the box is ticked.
    trusted: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewToken>,
) -> Result<Response> {
    user.require_admin()?;
    let values = NewTokenValues {
        name: form.name.trim().to_owned(),
        scope: form.scope.trim().to_owned(),
        store: form.store.trim().to_owned(),
        trusted: form.trusted.is_some(),
    };
    let mut errors = FieldErrors::new();
    if values.name.is_empty() || values.name.chars().count() > 100 {
        errors.insert(
            "name".into(),
            "Name the token (at most 100 characters), e.g. \"POS export\".".into(),
        );
    }
    let scope = Scope::parse(&values.scope);
    if scope.is_none() {
        errors.insert(
            "scope".into(),
            "Choose what the token may send: submit (customer responses) or sales.".into(),
        );
    }
    let store = (!values.store.is_empty()).then_some(values.store.as_str());
    if let Some(code) = store
        && !stores::exists(&state.db.read, code).await?
    {
        errors.insert("store".into(), format!("There is no store '{code}'."));
    }
    if values.trusted && scope == Some(Scope::Sales) {
        errors.insert(
            "trusted".into(),
            "Only a submit token can be trusted: trust concerns the checks on responses.".into(),
        );
    }
    let Some(scope) = scope.filter(|_| errors.is_empty()) else {
        let page = page(&state, &user, &values, &errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let created = tokens::create(
        &state.db.write,
        &values.name,
        scope,
        store,
        values.trusted,
        Some(user.id),
    )
    .await?;
    tracing::info!(token = created.id, %scope, "token created");
    // Shown once, now: only its digest is stored.
    let page = page(
        &state,
        &user,
        &NewTokenValues::default(),
        &FieldErrors::new(),
        Some((&created.token, scope)),
    )
    .await?;
    Ok(page.into_response())
}

/// The revoke button's form: nothing but its CSRF token.
#[derive(Debug, Deserialize)]
struct Empty {}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Redirect> {
    user.require_admin()?;
    let revoked = tokens::revoke(&state.db.write, id).await?;
    state.tokens.clear();
    if !revoked {
        return Err(Error::not_found(Msg::both("令牌", "token"), id));
    }
    Ok(Redirect::to("/admin/tokens"))
}
