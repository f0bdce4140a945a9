//! manyi: customer-satisfaction surveys for retail chains. The library builds the router, so tests need no socket.
#![forbid(unsafe_code)]

pub mod answers;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod expr;
pub mod i18n;
pub mod survey;
pub mod views;
pub mod web;

use std::future::Future;

use tokio::net::TcpListener;

pub use web::{AppState, router};

/// Serves on an already-bound listener (port 0 in tests) until `shutdown` resolves,
/// then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
