//! The accept loop: a cap on open connections, per-connection timeouts, and graceful shutdown.
//!
//! `axum::serve` has no header, idle or connection limits, so a slow or silent client
//! could hold a connection (and its memory) forever. This loop serves the same router
//! with hyper directly and bounds every connection in time and in number.

mod conn;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioExecutor;
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Default for `--header-timeout-secs`.
pub const HEADER_TIMEOUT_SECS: u64 = 10;
/// Default for `--body-timeout-secs`.
pub const BODY_TIMEOUT_SECS: u64 = 30;
/// Default for `--upload-timeout-secs`: two 5 MB photos over a slow phone uplink.
pub const UPLOAD_TIMEOUT_SECS: u64 = 300;
/// Default for `--idle-timeout-secs`.
pub const IDLE_TIMEOUT_SECS: u64 = 60;
/// Default for `--max-connections`: above the 4,096 requests the load benchmark keeps
/// outstanding, and a few kilobytes each when idle.
pub const MAX_CONNECTIONS: usize = 10_000;

/// How long a client may take, and how many connections may be open at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's head (request line and headers) must arrive within this time of its
    /// first byte; the first request of a connection, within this time of connecting.
    pub header_timeout: Duration,
    /// A request body must arrive whole within this time of its head (then 408).
    pub body_timeout: Duration,
    /// The same for multipart posts under `/audits/` (the shopper's photos).
    pub upload_timeout: Duration,
    /// A connection on which no byte moves for this long is closed: an idle keep-alive
    /// connection, or a client that stopped reading its response.
    pub idle_timeout: Duration,
    /// Connections open at once. Beyond it new connections wait in the kernel's accept
    /// backlog until one closes; requests on open connections still meet `--max-in-flight`.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(HEADER_TIMEOUT_SECS),
            body_timeout: Duration::from_secs(BODY_TIMEOUT_SECS),
            upload_timeout: Duration::from_secs(UPLOAD_TIMEOUT_SECS),
            idle_timeout: Duration::from_secs(IDLE_TIMEOUT_SECS),
            max_connections: MAX_CONNECTIONS,
        }
    }
}

impl ConnectionLimits {
    /// How often a connection checks its clock: fine enough that a limit is kept within
    /// a quarter of itself, coarse enough to cost nothing with thousands of connections.
    fn tick(&self) -> Duration {
        (self.header_timeout.min(self.idle_timeout) / 4)
            .clamp(Duration::from_millis(50), Duration::from_secs(1))
    }
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets every
/// open request finish (each still bounded by the timeouts) and returns.
pub async fn serve_router(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Every connection holds one permit; all permits back means all connections closed.
    let max = limits
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopped) = watch::channel(());
    // hyper answers HTTP/1.1 and cleartext HTTP/2 (prior knowledge), as axum::serve did.
    let builder = Arc::new(auto::Builder::new(TokioExecutor::new()));
    let limits = Arc::new(limits);
    tokio::pin!(shutdown);
    loop {
        // Waiting for a slot before accepting is what leaves the extra connections in
        // the backlog instead of accepting them into memory.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
        };
        // Pages are small and written at once: Nagle would only add delay.
        let _ = stream.set_nodelay(true);
        tokio::spawn(conn::serve(conn::Conn {
            stream,
            peer,
            app: app.clone(),
            limits: limits.clone(),
            builder: builder.clone(),
            stop: stopped.clone(),
            _permit: permit,
        }));
    }
    // Closing the listener refuses new connections while open ones finish.
    drop(listener);
    let _ = stop.send(());
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Per-connection errors (the client gave up) are routine; anything else, such as
/// running out of file descriptors, is logged and retried after a pause instead of
/// spinning.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
