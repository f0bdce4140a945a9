//! One connection: a clock of its bytes and open requests, the timeouts read from it, and the service that hands the router each request with the client's address.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::MissedTickBehavior;
use tower::ServiceExt;

use super::ConnectionLimits;

/// An accepted connection and what it needs to be served.
pub(super) struct Conn {
    pub stream: TcpStream,
    pub peer: SocketAddr,
    pub app: Router,
    pub limits: Arc<ConnectionLimits>,
    pub builder: Arc<auto::Builder<TokioExecutor>>,
    /// Changes once, when the server stops.
    pub stop: watch::Receiver<()>,
    /// Its slot under `--max-connections`, given back when this is dropped.
    pub _permit: OwnedSemaphorePermit,
}

/// Serves one connection until it ends, the server stops, or a timeout drops it.
pub(super) async fn serve(conn: Conn) {
    let Conn {
        stream,
        peer,
        app,
        limits,
        builder,
        mut stop,
        _permit,
    } = conn;
    let clock = Arc::new(Clock::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        clock: clock.clone(),
    });
    let requests = clock.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        // What `into_make_service_with_connect_info` did: extractors read the address.
        req.extensions_mut().insert(ConnectInfo(peer));
        let open = requests.request_started();
        let app = app.clone();
        async move {
            let Ok(response) = app.oneshot(req).await;
            Ok::<_, Infallible>(response.map(|body| Tracked { body, _open: open }))
        }
    });
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut tick = tokio::time::interval(limits.tick());
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut closing = false;
    loop {
        tokio::select! {
            ended = connection.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stop.changed(), if !closing => {
                // Open requests finish; an idle connection closes at once.
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = tick.tick() => match clock.verdict(&limits, closing, Instant::now()) {
                Verdict::Keep => {}
                Verdict::Close => {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
                Verdict::Drop(why) => {
                    tracing::debug!(%peer, why, "connection dropped");
                    return;
                }
            },
        }
    }
}

/// What the timeouts say about a connection right now.
#[derive(Debug, PartialEq)]
enum Verdict {
    Keep,
    /// Idle: close it politely (HTTP/2 gets a GOAWAY).
    Close,
    /// Dropped at once: nothing useful is in progress, or the client stopped reading.
    Drop(&'static str),
}

/// When bytes last moved, how many requests are open, and since when a request head
/// has been arriving. hyper's own header timer also runs between keep-alive requests,
/// which would make the idle timeout meaningless, so both are kept here.
struct Clock(Mutex<State>);

struct State {
    last_io: Instant,
    /// Set by the first byte read while no request is open (for the first request, at
    /// connect), cleared when the head is complete and the request reaches the router.
    head_since: Option<Instant>,
    open: usize,
}

impl Clock {
    fn new() -> Clock {
        let now = Instant::now();
        Clock(Mutex::new(State {
            last_io: now,
            head_since: Some(now),
            open: 0,
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        s.last_io = now;
        if s.open == 0 && s.head_since.is_none() {
            s.head_since = Some(now);
        }
    }

    fn wrote(&self) {
        self.lock().last_io = Instant::now();
    }

    fn request_started(self: &Arc<Self>) -> Open {
        let mut s = self.lock();
        s.open += 1;
        s.head_since = None;
        Open(self.clone())
    }

    fn verdict(&self, limits: &ConnectionLimits, closing: bool, now: Instant) -> Verdict {
        let s = self.lock();
        if s.head_since
            .is_some_and(|t| now.duration_since(t) >= limits.header_timeout)
        {
            return Verdict::Drop("request head not received within the header timeout");
        }
        if now.duration_since(s.last_io) >= limits.idle_timeout {
            if s.open == 0 && !closing {
                return Verdict::Close;
            }
            return Verdict::Drop("nothing moved within the idle timeout");
        }
        Verdict::Keep
    }
}

/// A request in progress, from its head reaching the router to its response body's end.
struct Open(Arc<Clock>);

impl Drop for Open {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.open = s.open.saturating_sub(1);
        s.last_io = Instant::now();
    }
}

/// The response body, keeping its request counted as open until hyper is done with it.
struct Tracked {
    body: Body,
    _open: Open,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, noting on the clock every read and write that moved a byte.
struct Watched {
    inner: TcpStream,
    clock: Arc<Clock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.clock.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.clock.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.clock.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const HEADER: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(20);

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: HEADER,
            idle_timeout: IDLE,
            ..ConnectionLimits::default()
        }
    }

    /// The verdict `after` from now.
    fn at(clock: &Clock, closing: bool, after: Duration) -> Verdict {
        clock.verdict(&limits(), closing, Instant::now() + after)
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_silent_connection_is_dropped_after_the_header_timeout() {
        let clock = Arc::new(Clock::new());
        assert_eq!(at(&clock, false, secs(5)), Verdict::Keep);
        assert!(matches!(at(&clock, false, HEADER), Verdict::Drop(_)));
    }

    #[test]
    fn between_requests_only_the_idle_timeout_runs() {
        let clock = Arc::new(Clock::new());
        drop(clock.request_started());
        assert_eq!(at(&clock, false, secs(15)), Verdict::Keep);
        assert_eq!(at(&clock, false, IDLE), Verdict::Close);
        // Asked to close and still there a tick later: dropped.
        assert!(matches!(at(&clock, true, IDLE), Verdict::Drop(_)));
    }

    #[test]
    fn an_open_request_stops_the_header_timer_but_not_the_idle_one() {
        let clock = Arc::new(Clock::new());
        let open = clock.request_started();
        clock.read();
        assert_eq!(at(&clock, false, secs(15)), Verdict::Keep);
        assert!(matches!(at(&clock, false, IDLE), Verdict::Drop(_)));
        drop(open);
        // The next request's first byte starts its header timer.
        clock.read();
        assert_eq!(at(&clock, false, secs(5)), Verdict::Keep);
        assert!(matches!(at(&clock, false, HEADER), Verdict::Drop(_)));
    }
}
