//! Load benchmark: the release server as a child process, driven over loopback by closed- and open-loop clients, with a durability check of every acknowledgement.
//!
//! Run with `cargo bench --bench load`. Environment:
//! - `MANYI_LOAD_SECONDS` — length of each run (default 10);
//! - `MANYI_LOAD_CLIENTS` — closed-loop client counts (default `1,16,64,2000`);
//! - `MANYI_LOAD_OPEN_RATE` — open-loop arrivals per second (default: twice the best
//!   closed-loop API throughput just measured, so the server is surely overloaded);
//! - `MANYI_LOAD_OPEN_SECONDS` — length of the open-loop run (default 30: memory
//!   needs a while to show whether it levels off);
//! - `MANYI_LOAD_NO_BACKOFF=1` — closed-loop clients retry a 503 at once instead of
//!   waiting its `Retry-After`.
//!
//! Exits non-zero when an acknowledged response is missing from the database, a
//! refused one was stored anyway, or any answer was unexpected (5xx other than 503,
//! 4xx, dropped connection, timeout).

// A crate root's modules are looked up beside it (benches/), so name the folder.
#[path = "load/drive.rs"]
mod drive;
#[path = "load/report.rs"]
mod report;
#[path = "load/requests.rs"]
mod requests;
#[path = "load/server.rs"]
mod server;

use std::process::ExitCode;
use std::time::Duration;

use drive::{Loop, Tally, Target};
use report::{halves, per_second, progress, thousands};
use server::{Sample, Server};

struct Config {
    seconds: u64,
    clients: Vec<usize>,
    open_rate: Option<f64>,
    open_seconds: u64,
    backoff: bool,
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} does not parse")),
    )
}

impl Config {
    fn from_env() -> Config {
        let seconds = env_parse("MANYI_LOAD_SECONDS").unwrap_or(10u64).max(1);
        let clients = std::env::var("MANYI_LOAD_CLIENTS")
            .unwrap_or_else(|_| "1,16,64,2000".into())
            .split(',')
            .map(|c| {
                c.trim()
                    .parse()
                    .expect("MANYI_LOAD_CLIENTS: numbers separated by commas")
            })
            .collect();
        Config {
            seconds,
            clients,
            open_rate: env_parse("MANYI_LOAD_OPEN_RATE"),
            open_seconds: env_parse("MANYI_LOAD_OPEN_SECONDS").unwrap_or(30u64).max(1),
            backoff: std::env::var_os("MANYI_LOAD_NO_BACKOFF").is_none(),
        }
    }
}

/// One measured run, as it goes into the table.
struct Run {
    name: String,
    clients: String,
    tally: Tally,
    elapsed: Duration,
    /// VmHWM over the run, in kB.
    peak_kb: u64,
    /// VmRSS and open fds every 100 ms.
    samples: Vec<Sample>,
}

impl Run {
    fn acked_per_s(&self) -> f64 {
        self.tally.acked_us.len() as f64 / self.elapsed.as_secs_f64()
    }
}

async fn measure(server: &Server, name: &str, clients: usize, cfg: Loop) -> Run {
    server.reset_peak();
    let sampler = server.sample();
    let (tally, elapsed) = drive::closed_loop(server.addr, clients, cfg).await;
    let samples = sampler.finish();
    Run {
        name: name.into(),
        clients: clients.to_string(),
        tally,
        elapsed,
        peak_kb: server.peak_kb(),
        samples,
    }
}

fn main() -> ExitCode {
    let cfg = Config::from_env();
    let most = cfg.clients.iter().copied().max().unwrap_or(1);
    server::ensure_fd_limit((most.max(drive::OPEN_MAX_OUTSTANDING) + 1024) as u64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(bench(cfg))
}

async fn bench(cfg: Config) -> ExitCode {
    let dir = tempfile::tempdir().expect("temp dir");
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let server = Server::start(dir.path());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "manyi {} pid {} at {} (database {}), {cores} cores, load average {}",
        report::revision(),
        server.pid,
        server.addr,
        server.db.display(),
        load_before
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let most = cfg.clients.iter().copied().max().unwrap_or(1);
    let mut runs: Vec<Run> = Vec::new();
    for (target, name) in [(Target::Api, "JSON API"), (Target::Form, "Form POST")] {
        let mut recovery = Vec::new();
        for &clients in &cfg.clients {
            let looped = Loop {
                target,
                run: runs.len(),
                duration: Duration::from_secs(cfg.seconds),
                backoff: cfg.backoff,
            };
            runs.push(measure(&server, name, clients, looped).await);
            progress(runs.last().expect("a run"));
            // Does one customer get normal service again right after the crowd left?
            if clients == most && most > 1 {
                let looped = Loop {
                    run: runs.len(),
                    duration: Duration::from_secs(cfg.seconds.min(3)),
                    ..looped
                };
                let mut after = measure(&server, name, 1, looped).await;
                after.clients = format!("1, right after {most}");
                progress(&after);
                recovery.push(after);
            }
        }
        runs.extend(recovery);
    }

    let best = runs
        .iter()
        .filter(|r| r.name == "JSON API")
        .map(Run::acked_per_s)
        .fold(0.0, f64::max);
    let rate = cfg.open_rate.unwrap_or((2.0 * best).max(10.0));
    server.reset_peak();
    let sampler = server.sample();
    let started = std::time::Instant::now();
    let open_secs = Duration::from_secs(cfg.open_seconds);
    let (tally, sent, most_in_flight) =
        drive::open_loop(server.addr, rate, open_secs, runs.len()).await;
    let open = Run {
        name: "JSON API, open loop".into(),
        clients: format!(
            "{}/s offered, {} sent",
            thousands(rate as u64),
            thousands((sent as f64 / open_secs.as_secs_f64()) as u64)
        ),
        tally,
        elapsed: started.elapsed(),
        peak_kb: server.peak_kb(),
        samples: sampler.finish(),
    };
    progress(&open);
    println!(
        "  open loop: {} of {} arrivals sent, at most {most_in_flight} in flight (cap {})",
        thousands(sent),
        thousands((rate * open_secs.as_secs_f64()) as u64),
        drive::OPEN_MAX_OUTSTANDING
    );
    println!(
        "  server VmRSS MB / open fds, each second: {}",
        per_second(&open.samples)
    );
    println!("  {}", halves(&open.samples));
    runs.push(open);

    let (db, log) = (server.db.clone(), server.log.clone());
    let stopped = server.stop();
    let failed = report::verdict(&runs, &db, &log, stopped, &cfg, &load_before).await;
    if failed {
        let kept = dir.keep();
        eprintln!(
            "kept {} for inspection (database and server.log)",
            kept.display()
        );
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
