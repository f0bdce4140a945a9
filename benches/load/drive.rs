//! The load generator: closed-loop virtual clients (one keep-alive connection each) and an open-loop arrival schedule.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;

use crate::requests::{api_request, form_request, get, id_of, store, stored_key, token_of};

type Http = Client<HttpConnector, Full<Bytes>>;

/// Longer than any sane answer: a request still open after this is a hang, reported as one.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Most open-loop requests in flight at once, so a stalled server cannot exhaust our fds;
/// an arrival beyond it is counted as "not sent", never silently delayed.
pub const OPEN_MAX_OUTSTANDING: usize = 4096;
/// The label of an open-loop arrival dropped at that cap.
const NOT_SENT: &str = "not sent (cap)";
/// Every Nth API request of a client repeats its last acknowledged Idempotency-Key,
/// so idempotency is checked under load too (expected: 200 with the same id).
const REPEAT_EVERY: u64 = 20;

/// A client with its own connection pool. With `max_idle = 1` and one request at a time,
/// it is exactly one keep-alive connection, like one phone.
fn client(max_idle: usize) -> Http {
    let mut connector = HttpConnector::new();
    // Without it, Nagle and delayed ACKs add ~40 ms to some small requests.
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(max_idle)
        .build(connector)
}

/// Which path a run drives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Api,
    Form,
}

/// What one run saw. Latencies are in microseconds.
#[derive(Debug, Default)]
pub struct Tally {
    /// Counts per outcome: "201", "303", "200 repeat", "503", "GET 503", "conn error", …
    pub statuses: BTreeMap<String, u64>,
    /// Latency of acknowledged submissions only (201 or 303): what a customer waits for.
    pub acked_us: Vec<u32>,
    /// Form runs: latency of the page GET that fetched the token.
    pub get_us: Vec<u32>,
    /// Latency of refusals (503 to a submission): how fast overload is told.
    pub refused_us: Vec<u32>,
    /// Submission keys as the server stores them, with the id the API returned.
    pub acked: Vec<(String, Option<String>)>,
    /// Keys answered 503: the server promises nothing of them was stored.
    pub refused: Vec<String>,
    /// How many outcomes were bugs (of the server, or of this benchmark's requests):
    /// any 5xx but 503, any 4xx, a dropped connection, a timeout, a wrong id.
    pub failed: u64,
    /// The first few of them, described.
    pub failures: Vec<String>,
}

impl Tally {
    fn count(&mut self, label: impl Into<String>) {
        *self.statuses.entry(label.into()).or_default() += 1;
    }

    fn fail(&mut self, label: String, detail: String) {
        self.failed += 1;
        if self.failures.len() < 20 {
            self.failures.push(format!("{label}: {detail}"));
        }
        self.count(label);
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.acked_us.extend(other.acked_us);
        self.get_us.extend(other.get_us);
        self.refused_us.extend(other.refused_us);
        self.acked.extend(other.acked);
        self.refused.extend(other.refused);
        self.failed += other.failed;
        for f in other.failures {
            if self.failures.len() < 20 {
                self.failures.push(f);
            }
        }
    }

    /// An unexpected answer: 4xx means this benchmark sent something wrong, 5xx
    /// (other than 503) or a dropped connection means the server did.
    fn unexpected(&mut self, prefix: &str, out: Outcome) {
        match out {
            Outcome::Answer(a) => self.fail(
                format!("{prefix}{}", a.status),
                a.text().chars().take(200).collect(),
            ),
            Outcome::ConnError(e) => self.fail(format!("{prefix}conn error"), e),
            Outcome::Timeout => self.fail(
                format!("{prefix}timeout"),
                format!("no answer within {REQUEST_TIMEOUT:?}"),
            ),
        }
    }
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

enum Outcome {
    Answer(Answer),
    ConnError(String),
    Timeout,
}

impl Answer {
    fn retry_after(&self) -> Duration {
        let secs = self.headers.get(header::RETRY_AFTER);
        let secs = secs.and_then(|v| v.to_str().ok()?.parse().ok());
        Duration::from_secs(secs.unwrap_or(1))
    }

    /// The body, gunzipped when the server compressed it (we ask for gzip, as phones do).
    fn text(&self) -> String {
        let encoding = self.headers.get(header::CONTENT_ENCODING);
        let gzip = encoding.is_some_and(|v| v == "gzip");
        if !gzip {
            return String::from_utf8_lossy(&self.body).into_owned();
        }
        let mut out = String::new();
        match flate2::read::GzDecoder::new(&self.body[..]).read_to_string(&mut out) {
            Ok(_) => out,
            Err(_) => String::new(),
        }
    }
}

async fn send(http: &Http, req: Request<Full<Bytes>>) -> Outcome {
    let exchange = async {
        let res = http.request(req).await?;
        let (parts, body) = res.into_parts();
        // Reading the whole body lets the connection go back for the next request.
        let body = body.collect().await?.to_bytes();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(Answer {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, exchange).await {
        Err(_) => Outcome::Timeout,
        Ok(Err(e)) => Outcome::ConnError(format!("{e:?}")),
        Ok(Ok(a)) => Outcome::Answer(a),
    }
}

fn micros(since: Instant) -> u32 {
    since.elapsed().as_micros().min(u32::MAX as u128) as u32
}

/// How a closed-loop client reacts to a 503: wait `Retry-After` as a browser or a
/// well-behaved app would, or (`backoff = false`) hammer at once.
#[derive(Clone, Copy)]
pub struct Loop {
    pub target: Target,
    pub run: usize,
    pub duration: Duration,
    pub backoff: bool,
}

impl Loop {
    async fn pause(&self, answer: &Answer, deadline: Instant) {
        if self.backoff {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(answer.retry_after().min(left)).await;
        }
    }
}

/// `clients` closed-loop virtual clients: each opens its connection, waits for all
/// others, then submits back to back until the time is up. Returns the tally and
/// the wall time from the common start until the last client finished.
pub async fn closed_loop(addr: SocketAddr, clients: usize, cfg: Loop) -> (Tally, Duration) {
    let barrier = Arc::new(Barrier::new(clients + 1));
    let mut set = JoinSet::new();
    for c in 0..clients {
        let barrier = barrier.clone();
        set.spawn(async move {
            let http = client(1);
            // Connect before the clock starts: the run measures submissions, not a SYN storm.
            let _ = send(&http, get(addr, "/healthz")).await;
            barrier.wait().await;
            let deadline = Instant::now() + cfg.duration;
            match cfg.target {
                Target::Api => api_client(&http, addr, c, cfg, deadline).await,
                Target::Form => form_client(&http, addr, c, cfg, deadline).await,
            }
        });
    }
    barrier.wait().await;
    let start = Instant::now();
    let mut tally = Tally::default();
    while let Some(t) = set.join_next().await {
        tally.merge(t.expect("client task"));
    }
    (tally, start.elapsed())
}

async fn api_client(
    http: &Http,
    addr: SocketAddr,
    c: usize,
    cfg: Loop,
    deadline: Instant,
) -> Tally {
    let mut t = Tally::default();
    let mut last: Option<(String, String)> = None;
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        let repeat = last.clone().filter(|_| n.is_multiple_of(REPEAT_EVERY));
        let key = match &repeat {
            Some((key, _)) => key.clone(),
            None => format!("load-r{}-c{c}-n{n}", cfg.run),
        };
        let started = Instant::now();
        let out = send(http, api_request(addr, n, &key)).await;
        let latency = micros(started);
        match (out, &repeat) {
            (Outcome::Answer(a), None) if a.status == 201 => match id_of(&a.body) {
                Some(id) => {
                    t.count("201");
                    t.acked_us.push(latency);
                    t.acked.push((stored_key(&key), Some(id.clone())));
                    last = Some((key, id));
                }
                None => t.unexpected("no id in ", Outcome::Answer(a)),
            },
            (Outcome::Answer(a), Some((_, first))) if a.status == 200 => match id_of(&a.body) {
                Some(id) if id == *first => t.count("200 repeat"),
                got => t.fail(
                    "200 repeat, wrong id".into(),
                    format!("key {key}: first id {first}, now {got:?}"),
                ),
            },
            (Outcome::Answer(a), Some(_)) if a.status == 201 => t.fail(
                "201 to a repeated key".into(),
                format!("key {key} was stored twice"),
            ),
            (Outcome::Answer(a), _) if a.status == 503 => {
                t.count("503");
                t.refused_us.push(latency);
                if repeat.is_none() {
                    t.refused.push(stored_key(&key));
                }
                cfg.pause(&a, deadline).await;
            }
            (out, _) => t.unexpected("", out),
        }
    }
    t
}

async fn form_client(
    http: &Http,
    addr: SocketAddr,
    c: usize,
    cfg: Loop,
    deadline: Instant,
) -> Tally {
    let mut t = Tally::default();
    let mut n = c as u64;
    while Instant::now() < deadline {
        n += 1;
        // A fresh page, hence a fresh token, for every submission: one customer each.
        let started = Instant::now();
        let page = match send(
            http,
            get(
                addr,
                &format!("/s/post-purchase?store={}&lang=en", store(n)),
            ),
        )
        .await
        {
            Outcome::Answer(a) if a.status == 200 => {
                t.get_us.push(micros(started));
                a.text()
            }
            Outcome::Answer(a) if a.status == 503 => {
                t.count("GET 503");
                cfg.pause(&a, deadline).await;
                continue;
            }
            out => {
                t.unexpected("GET ", out);
                continue;
            }
        };
        let Some(token) = token_of(&page) else {
            t.fail(
                "GET 200 without _token".into(),
                page.chars().take(200).collect(),
            );
            continue;
        };
        let started = Instant::now();
        match send(http, form_request(addr, n, &token)).await {
            Outcome::Answer(a) if a.status == 303 => {
                let to = a
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                if to.is_some_and(|l| l.starts_with("/s/post-purchase/thanks")) {
                    t.count("303");
                    t.acked_us.push(micros(started));
                    t.acked.push((token, None));
                } else {
                    t.fail("303 elsewhere".into(), format!("{to:?}"));
                }
            }
            Outcome::Answer(a) if a.status == 503 => {
                t.count("503");
                t.refused_us.push(micros(started));
                t.refused.push(token);
                cfg.pause(&a, deadline).await;
            }
            out => t.unexpected("", out),
        }
    }
    t
}

/// Open loop: API submissions arrive at `rate` per second whatever the server does,
/// each on whatever connection the shared pool has free (new ones as needed).
/// Latency counts from the scheduled arrival, so a slow server cannot hide its delay
/// by slowing the generator down (no coordinated omission). Returns the tally, the
/// number of arrivals actually sent, and the most requests in flight at once.
pub async fn open_loop(
    addr: SocketAddr,
    rate: f64,
    duration: Duration,
    run: usize,
) -> (Tally, u64, usize) {
    let http = client(OPEN_MAX_OUTSTANDING);
    let permits = Arc::new(Semaphore::new(OPEN_MAX_OUTSTANDING));
    let total = (rate * duration.as_secs_f64()) as u64;
    let mut tally = Tally::default();
    let mut set = JoinSet::new();
    let (mut sent, mut most) = (0u64, 0usize);
    let start = Instant::now();
    for n in 0..total {
        let at = start + Duration::from_secs_f64(n as f64 / rate);
        tokio::time::sleep_until(at.into()).await;
        while let Some(done) = set.try_join_next() {
            tally.merge(done.expect("request task"));
        }
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tally.count(NOT_SENT);
            continue;
        };
        sent += 1;
        most = most.max(OPEN_MAX_OUTSTANDING - permits.available_permits());
        let http = http.clone();
        set.spawn(async move {
            let _permit = permit;
            let mut t = Tally::default();
            let key = format!("load-r{run}-open-n{n}");
            match send(&http, api_request(addr, n, &key)).await {
                Outcome::Answer(a) if a.status == 201 => match id_of(&a.body) {
                    Some(id) => {
                        t.count("201");
                        t.acked_us.push(micros(at));
                        t.acked.push((stored_key(&key), Some(id)));
                    }
                    None => t.unexpected("no id in ", Outcome::Answer(a)),
                },
                Outcome::Answer(a) if a.status == 503 => {
                    t.count("503");
                    t.refused_us.push(micros(at));
                    t.refused.push(stored_key(&key));
                }
                out => t.unexpected("", out),
            }
            t
        });
    }
    while let Some(done) = set.join_next().await {
        tally.merge(done.expect("request task"));
    }
    (tally, sent, most)
}
