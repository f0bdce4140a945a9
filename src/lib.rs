//! manyi: customer-satisfaction surveys for retail chains. The library builds the router, so tests need no socket.
#![forbid(unsafe_code)]

pub mod answers;
pub mod api_limits;
pub mod audits;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod config;
pub mod csv_safe;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod expr;
pub mod held;
pub mod i18n;
pub mod indicators;
pub mod intake;
pub mod paging;
pub mod photos;
pub mod quality;
pub mod receipt;
pub mod reports;
pub mod rollup;
pub mod sales;
pub mod scoring;
pub mod stores;
pub mod survey;
pub mod views;
pub mod web;

use std::future::Future;

use tokio::net::TcpListener;

pub use web::{AppState, router};

/// Serves on an already-bound listener (port 0 in tests) until `shutdown` resolves,
/// then lets in-flight requests finish. Timeouts and the connection cap come from
/// `state.settings.connections`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let limits = state.settings.connections.clone();
    web::serve::serve_router(listener, router(state), limits, shutdown).await
}
