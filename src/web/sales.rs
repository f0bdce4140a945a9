//! Sales data over HTTP: the token-authenticated JSON API, and the admin page that issues tokens.

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, routing::get};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::answers::FieldErrors;
use crate::auth::CurrentUser;
use crate::db::sales;
use crate::error::{ApiError, Error, Result};
use crate::sales::{RawSale, check_rows};
use crate::views::admin::tokens_page;

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

/// The id of the valid API token a request carries. Taken from the headers alone, and
/// listed before the body in every token-protected handler: axum runs it first, so a
/// request without a valid token is answered 401 before a byte of its body is read.
pub struct ApiToken(pub i64);

impl FromRequestParts<AppState> for ApiToken {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(Error::BadToken)?;
        let id = sales::check_token(&state.db.read, token)
            .await?
            .ok_or(Error::BadToken)?;
        Ok(ApiToken(id))
    }
}

async fn import(
    State(state): State<AppState>,
    ApiToken(token_id): ApiToken,
    body: std::result::Result<Json<Body>, JsonRejection>,
) -> std::result::Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let rows = match body {
        Body::Wrapped { sales } | Body::Rows(sales) => sales,
    };
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
    tracing::info!(token = token_id, rows = checked.len(), "sales imported");
    Ok(Json(json!({ "stored": checked.len() })))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    new_token: Option<&str>,
) -> Result<maud::Markup> {
    let viewer = user.viewer().await?;
    Ok(tokens_page(
        &viewer,
        &sales::tokens(&state.db.read).await?,
        new_token,
    ))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<maud::Markup> {
    user.require_admin()?;
    page(&state, &user, None).await
}

#[derive(Debug, Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewToken>,
) -> Result<Response> {
    user.require_admin()?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::BadRequest(
            "Name the token (at most 100 characters), e.g. \"POS export\".".into(),
        ));
    }
    let token = sales::create_token(&state.db.write, name, user.id).await?;
    // Shown once, now: only its digest is stored.
    Ok(page(&state, &user, Some(&token)).await?.into_response())
}

async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NewToken>,
) -> Result<Redirect> {
    user.require_admin()?;
    if !sales::revoke(&state.db.write, id).await? {
        return Err(Error::not_found("token", id));
    }
    Ok(Redirect::to("/admin/tokens"))
}
