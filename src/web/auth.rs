//! Logging in and out, with the rate limit, session renewal and CSRF check.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::csrf_form::CsrfForm;
use crate::auth::{CurrentUser, SESSION_USER, csrf_token, session_error, verify_password};
use crate::db::users;
use crate::error::{Error, Result};
use crate::views::admin::login_page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(show_login).post(login))
        .route("/logout", post(logout))
        .route("/home", get(home))
}

/// The client's address for the rate limit: the socket's, or behind a trusted proxy the
/// last X-Forwarded-For entry (earlier entries are whatever the client chose to send).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let forwarded = state
            .settings
            .trust_proxy
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty());
        let socket = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(
            forwarded.or(socket).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

async fn show_login(session: Session) -> Result<Response> {
    Ok(login_page(&csrf_token(&session).await?, "", None).into_response())
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[tracing::instrument(skip_all)]
async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response> {
    let username = form.username.trim().to_owned();
    if let Err(wait) = state.limiter.check(&username, &addr) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        tracing::warn!(%addr, "login rate limit reached");
        let message = format!(
            "Too many failed logins for this account or from your address. Please wait {minutes} minute(s) and try again."
        );
        return login_again(&session, &username, StatusCode::TOO_MANY_REQUESTS, &message).await;
    }
    let user = users::by_username(&state.db.read, &username).await?;
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.clone());
    if !verify_password(hash, form.password).await {
        state.limiter.record_failure(&username, &addr);
        return login_again(
            &session,
            &username,
            StatusCode::UNAUTHORIZED,
            "Wrong username or password.",
        )
        .await;
    }
    let Some(user) = user else {
        return Err(Error::Unauthorized);
    };
    state.limiter.record_success(&username);
    // A new session id at login, so a session fixed before login is worthless after it.
    session.cycle_id().await.map_err(session_error)?;
    session.remove_value("csrf").await.map_err(session_error)?;
    session
        .insert(SESSION_USER, user.id)
        .await
        .map_err(session_error)?;
    tracing::info!(user = user.id, "logged in");
    Ok(Redirect::to("/home").into_response())
}

/// The login form again, with the name kept and one message for both causes of failure.
async fn login_again(
    session: &Session,
    username: &str,
    status: StatusCode,
    message: &str,
) -> Result<Response> {
    let token = csrf_token(session).await?;
    Ok((status, login_page(&token, username, Some(message))).into_response())
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn logout(session: Session, CsrfForm(_): CsrfForm<Empty>) -> Result<Redirect> {
    session.flush().await.map_err(session_error)?;
    Ok(Redirect::to("/login"))
}

/// Where each role starts.
async fn home(_user: CurrentUser) -> Redirect {
    Redirect::to("/audits")
}
