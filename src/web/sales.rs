//! Sales data over HTTP: the token-authenticated JSON API, and the admin page that issues integration tokens of every scope.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
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
use crate::i18n::admin::Admin;
use crate::sales::{RawSale, check_rows};
use crate::views::admin::{NewTokenValues, TokensPage, tokens_page};

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

/// What a Tokens page shows besides the list.
struct Extra<'a> {
    form: &'a NewTokenValues,
    errors: &'a FieldErrors,
    new_token: Option<(&'a str, Scope)>,
    refused: Option<&'static str>,
    done: Option<&'static str>,
}

async fn page(state: &AppState, user: &CurrentUser, extra: Extra<'_>) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    let pool = &state.db.read;
    let (tokens, stores) = tokio::try_join!(tokens::list(pool), stores::list(pool))?;
    Ok(tokens_page(&TokensPage {
        viewer: &viewer,
        tokens: &tokens,
        stores: &stores,
        form: extra.form,
        errors: extra.errors,
        new_token: extra.new_token,
        refused: extra.refused,
        done: extra.done,
        offset: state.settings.utc_offset,
    }))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<maud::Markup> {
    user.require_admin()?;
    let done = (q.done.as_deref() == Some("revoked")).then(|| Admin::TokenRevoked.text(user.lang));
    page(
        &state,
        &user,
        Extra {
            form: &NewTokenValues::default(),
            errors: &FieldErrors::new(),
            new_token: None,
            refused: None,
            done,
        },
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
    let lang = user.lang;
    let values = NewTokenValues {
        name: form.name.trim().to_owned(),
        scope: form.scope.trim().to_owned(),
        store: form.store.trim().to_owned(),
        trusted: form.trusted.is_some(),
    };
    let mut errors = FieldErrors::new();
    if values.name.is_empty() || values.name.chars().count() > 100 {
        errors.insert("name".into(), Admin::ErrTokenName.text(lang).into());
    }
    let scope = Scope::parse(&values.scope);
    if scope.is_none() {
        errors.insert("scope".into(), Admin::ErrScope.text(lang).into());
    }
    let store = (!values.store.is_empty()).then_some(values.store.as_str());
    if let Some(code) = store
        && !stores::exists(&state.db.read, code).await?
    {
        errors.insert("store".into(), Admin::ErrNoSuchStore.fill(lang, code));
    }
    if values.trusted && scope == Some(Scope::Sales) {
        errors.insert("trusted".into(), Admin::ErrTrustedSales.text(lang).into());
    }
    let Some(scope) = scope.filter(|_| errors.is_empty()) else {
        let extra = Extra {
            form: &values,
            errors: &errors,
            new_token: None,
            refused: Some(Admin::ErrTokenRefused.text(lang)),
            done: None,
        };
        let page = page(&state, &user, extra).await?;
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
    // Shown once, now, at the top: only its digest is stored.
    let extra = Extra {
        form: &NewTokenValues::default(),
        errors: &FieldErrors::new(),
        new_token: Some((&created.token, scope)),
        refused: None,
        done: None,
    };
    Ok(page(&state, &user, extra).await?.into_response())
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
        return Err(Error::not_found(Admin::TokenWord.msg(), id));
    }
    Ok(Redirect::to("/admin/tokens?done=revoked"))
}
