//! The HTTP surface: shared state, the router with its layers, and small pages that belong to no feature.

mod admin;
mod api;
pub mod api_token;
mod audit_form;
mod audits;
mod auth;
mod body;
mod caching;
mod case_export;
pub mod case_public;
pub mod case_steps;
pub mod cases;
mod csrf_form;
mod held;
pub mod lang;
mod panics;
mod reports;
mod review;
mod sales;
pub mod serve;
mod start;
mod timeouts;
mod uploads;
mod user_stores;
mod users;
mod webhooks;
pub use form::decode_body;
pub use panics::{catch_panics, install_panic_hook};
pub use serve::ConnectionLimits;
pub use uploads::{Posted, Unread, read_multipart};
mod form;
mod form_draw;
mod form_intake;

use std::sync::Arc;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::api_limits::ApiLimits;
use crate::auth::LoginLimiter;
use crate::db::Db;
use crate::db::sessions::Sessions;
use crate::error::{Error, Result};
use crate::survey::{Catalog, Survey};

/// Largest request body we read. A survey answer set is a few KB at most.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub settings: Arc<Settings>,
    pub limiter: Arc<LoginLimiter>,
    /// Per-token limits on the JSON API, from `settings.api_limits`.
    pub api_limits: Arc<ApiLimits>,
    /// Form tokens, per-address limits and receipt keys, from `settings.intake`.
    pub intake: Arc<crate::intake::Intake>,
    /// Integration tokens checked lately (see `db::tokens::Cache`).
    pub tokens: Arc<crate::db::tokens::Cache>,
}

/// Run-time settings that handlers need (from flags and `MANYI_*` variables).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address customers reach, for QR codes (e.g. `https://survey.example.com`).
    pub public_url: String,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Read the client's address from X-Forwarded-For (set only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Audits shorter than this are flagged for the reviewer.
    pub min_visit_minutes: i64,
    /// The stores' time zone: a response counts for the local day it was given on.
    pub utc_offset: time::UtcOffset,
    /// Fewer answers than this and a report shows "not enough data".
    pub min_n: u64,
    /// Requests handled at once; one more is answered 503 at once, so memory stays
    /// flat under any load.
    pub max_in_flight: usize,
    /// Header, body and idle timeouts and the cap on open connections, kept by `serve`.
    pub connections: ConnectionLimits,
    /// Caps on a shopper's evidence photos.
    pub uploads: crate::audits::UploadLimits,
    /// Integration tokens' rate limits and a kiosk's gap between responses.
    pub api_limits: crate::api_limits::Policy,
    /// Form-token lifetime, per-address limits and receipt age.
    pub intake: crate::intake::Policy,
    /// Complaint cases' first-reply and resolution deadlines, per priority.
    pub case_deadlines: crate::cases::deadline::Policy,
    /// The cause categories step 4 of a case chooses from.
    pub case_categories: crate::cases::taxonomy::Taxonomy,
    /// Webhook deliveries' attempts and timeout.
    pub webhooks: crate::webhooks::Policy,
}

impl Settings {
    /// Today in the stores' time zone.
    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc()
            .to_offset(self.utc_offset)
            .date()
    }
}

impl Settings {
    /// The moment a response is received, as stored (RFC 3339, UTC, whole seconds) and
    /// as the local day its rollups count it under, from one reading of the clock. A
    /// rebuild derives the day from the stored time; cutting to whole seconds never
    /// crosses midnight, so both always agree.
    pub fn received_now(&self) -> (String, time::Date) {
        let now = time::OffsetDateTime::now_utc();
        let stored = now.replace_nanosecond(0).unwrap_or(now);
        let text = stored
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        (text, stored.to_offset(self.utc_offset).date())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_proxy: false,
            min_visit_minutes: 5,
            utc_offset: time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC),
            min_n: crate::indicators::DEFAULT_MIN_N,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            connections: ConnectionLimits::default(),
            uploads: crate::audits::UploadLimits::default(),
            api_limits: crate::api_limits::Policy::default(),
            intake: crate::intake::Policy::default(),
            case_deadlines: crate::cases::deadline::Policy::default(),
            case_categories: crate::cases::taxonomy::Taxonomy::shipped(),
            webhooks: crate::webhooks::Policy {
                public_url: "http://127.0.0.1:8080".into(),
                ..crate::webhooks::Policy::default()
            },
        }
    }
}

/// Extractors that only read (the current user) take the read pool.
impl FromRef<AppState> for crate::db::Pool {
    fn from_ref(state: &AppState) -> crate::db::Pool {
        state.db.read.clone()
    }
}

/// Default for `--max-in-flight`.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

impl AppState {
    pub fn new(db: Db, catalog: Catalog) -> AppState {
        AppState::with_settings(db, catalog, Settings::default())
    }

    pub fn with_settings(db: Db, catalog: Catalog, settings: Settings) -> AppState {
        AppState {
            db,
            catalog: Arc::new(catalog),
            api_limits: Arc::new(ApiLimits::new(settings.api_limits.clone())),
            intake: Arc::new(crate::intake::Intake::new(settings.intake.clone())),
            tokens: Arc::new(crate::db::tokens::Cache::default()),
            settings: Arc::new(settings),
            limiter: Arc::new(LoginLimiter::default()),
        }
    }

    /// A survey customers may answer: checklists are never served as public forms.
    fn customer_survey(&self, id: &str) -> Result<Arc<Survey>> {
        self.survey(id).and_then(|s| {
            if s.is_audit() {
                Err(Error::NotFound(crate::i18n::Msg::both(
                    format!("没有名为“{id}”的问卷。"),
                    format!("There is no form '{id}'."),
                )))
            } else {
                Ok(s)
            }
        })
    }

    fn survey(&self, id: &str) -> Result<Arc<Survey>> {
        self.catalog.get(id).cloned().ok_or_else(|| {
            Error::NotFound(crate::i18n::Msg::both(
                format!("没有名为“{id}”的问卷。"),
                format!("There is no form '{id}'."),
            ))
        })
    }
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(start::home))
        .route("/favicon.ico", get(start::favicon))
        .route("/healthz", get(healthz))
        .merge(form::routes())
        .nest("/api/v1", api::routes().merge(sales::api_routes()))
        .merge(auth::routes())
        .merge(lang::routes())
        .merge(admin::routes())
        .merge(audits::routes())
        .merge(audit_form::routes())
        .merge(review::routes())
        .merge(held::routes())
        .merge(cases::routes())
        .merge(reports::routes())
        .merge(sales::admin_routes())
        .merge(webhooks::routes());
    layered(routes, state)
}

/// Every layer of the real router, around any routes: `router` uses it, and tests wrap
/// routes of their own (a handler that panics) in exactly the same stack.
pub fn layered(routes: Router<AppState>, state: AppState) -> Router {
    const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                       form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    // Only staff pages touch the session, so customers never get a cookie.
    let sessions = SessionManagerLayer::new(Sessions::new(&state.db))
        .with_name("manyi_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));
    let routes = routes
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(lang::localize))
        .layer(sessions);
    // Inside the header layers, so the 500 page gets CSP, nosniff and no-store too.
    catch_panics(routes)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            timeouts::body_deadline,
        ))
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
        .layer(middleware::from_fn(caching::cache_control))
        .layer(TraceLayer::new_for_http())
        // Outermost: past this many requests at once, answer 503 before reading
        // anything, instead of queueing without bound. `Router::layer` wraps each route
        // on its own, so the limit must share one semaphore to count them all.
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(
                    state.settings.max_in_flight.max(1),
                )),
        )
        .with_state(state)
}

/// For a supervisor or load balancer: 200 "ok" only when the database reads and the
/// write path stores; otherwise 503 with the reason.
async fn healthz(State(state): State<AppState>) -> Response {
    if let Err(e) = crate::db::responses::ping(&state.db.read).await {
        tracing::error!(error = ?e, "health check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    match state.db.writer.health().await {
        None => (StatusCode::OK, "ok").into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("write path failing: {reason}"),
        )
            .into_response(),
    }
}

/// The answer to a request beyond `--max-in-flight`: JSON for the API, a page for people.
async fn overloaded(uri: axum::http::Uri, _: tower::BoxError) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(Error::Busy).into_response()
    } else {
        Error::Busy.into_response()
    }
}

async fn not_found() -> Error {
    Error::NotFound(crate::i18n::staff::Staff::ErrNoPage.msg())
}
