//! The HTTP surface: shared state, the router with its layers, and small pages that belong to no feature.

mod api;
mod body;
mod form;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use sqlx::SqlitePool;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::survey::{Catalog, Survey};
use crate::views;

/// Largest request body we read. A survey answer set is a few KB at most.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub catalog: Arc<Catalog>,
}

impl AppState {
    pub fn new(pool: SqlitePool, catalog: Catalog) -> AppState {
        AppState {
            pool,
            catalog: Arc::new(catalog),
        }
    }

    fn survey(&self, id: &str) -> Result<Arc<Survey>> {
        self.catalog
            .get(id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("There is no form '{id}'.")))
    }
}

pub fn router(state: AppState) -> Router {
    const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                       form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .merge(form::routes())
        .nest("/api/v1", api::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The start page: every loaded form, with its link in each language.
async fn home(State(state): State<AppState>) -> maud::Markup {
    views::layout(
        Lang::Zh,
        "满意 manyi",
        html! {
            h1 { "满意 manyi" }
            p { "顾客满意度调查 · Customer satisfaction surveys" }
            ul {
                @for s in state.catalog.iter() {
                    li {
                        @for (i, lang) in s.languages.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href={ "/s/" (s.id) "?lang=" (lang) } lang=(lang.code()) { (s.title.get(*lang)) }
                        }
                    }
                }
            }
        },
    )
}

async fn healthz(State(state): State<AppState>) -> Response {
    match crate::db::responses::ping(&state.pool).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn not_found() -> Error {
    Error::NotFound("There is no page at this address.".into())
}
