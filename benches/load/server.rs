//! The server under test: the release binary as a child process, its memory, its stop, and what it stored.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

const EXE: &str = env!("CARGO_BIN_EXE_manyi");

pub struct Server {
    child: Child,
    /// Copies the server's stdout into the log until the server exits.
    copier: JoinHandle<()>,
    pub pid: u32,
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub log: PathBuf,
}

impl Server {
    /// Registers stores S001–S024 and a trusted submit token in a fresh database, then
    /// starts `manyi serve` on a free port and reads the address from the line it prints.
    pub fn start(dir: &Path) -> Server {
        let db = dir.join("load.db");
        let stores = dir.join("stores.csv");
        let mut csv = String::from("code,name,region\n");
        for i in 1..=24 {
            csv += &format!("S{i:03},Store {i},Region {}\n", i % 4 + 1);
        }
        std::fs::write(&stores, csv).expect("write stores.csv");
        let import = Command::new(EXE)
            .args(["stores", "import"])
            .arg(&stores)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run manyi stores import");
        assert!(
            import.status.success(),
            "manyi stores import failed: {}",
            String::from_utf8_lossy(&import.stderr)
        );
        let token = Command::new(EXE)
            .args([
                "token",
                "add",
                "--name",
                "load bench",
                "--scope",
                "submit",
                "--trusted",
            ])
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run manyi token add");
        assert!(
            token.status.success(),
            "manyi token add failed: {}",
            String::from_utf8_lossy(&token.stderr)
        );
        let token = String::from_utf8_lossy(&token.stdout)
            .lines()
            .last()
            .expect("the token on the last line")
            .to_owned();
        let _ = crate::requests::API_TOKEN.set(token);
        let log = dir.join("server.log");
        let mut child = Command::new(EXE)
            // The bench measures the write path at thousands of responses a second, far
            // beyond the trusted per-token limit (6,000 a minute) and the public form's
            // per-address limits (every client is 127.0.0.1): turn those limits off.
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--api-trusted-per-minute",
                "0",
                "--form-per-hour",
                "0",
                "--form-per-day",
                "0",
                "--db",
            ])
            .arg(&db)
            .arg("--surveys")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // To a file, not a pipe: a pipe nobody drains would block the server.
            .stderr(append(&log))
            .spawn()
            .expect("start manyi serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut file = append(&log);
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                panic!(
                    "the server exited before printing its address; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            };
            let _ = writeln!(file, "{line}");
            if let Some(rest) = line.split("Open http://").nth(1) {
                break rest.trim_end_matches('/').parse().expect("an address");
            }
        };
        // The log goes to stdout too: keep copying it to the file, or the pipe fills
        // up and the server blocks on its next log line.
        let copier = std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = file.write_all(format!("{line}\n").as_bytes());
            }
        });
        Server {
            pid: child.id(),
            child,
            copier,
            addr,
            db,
            log,
        }
    }

    fn status_kb(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Peak resident memory since the last [`Server::reset_peak`] (or the start), in kB.
    pub fn peak_kb(&self) -> u64 {
        self.status_kb("VmHWM:").unwrap_or(0)
    }

    /// Resets VmHWM (Linux ≥ 4.0), so each run reports its own peak rather than the
    /// process's lifetime peak. Returns false where the kernel does not allow it.
    pub fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5").is_ok()
    }

    /// Samples VmRSS and open file descriptors (≈ connections) every 100 ms on a plain
    /// thread, so the samples keep coming while the generator's runtime is saturated.
    pub fn sample(&self) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let pid = self.pid;
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
                let rss_kb = status.ok().and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
                    line.split_whitespace().nth(1)?.parse().ok()
                });
                let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
                samples.push(Sample {
                    at: start.elapsed(),
                    rss_kb: rss_kb.unwrap_or(0),
                    fds,
                });
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        });
        Sampler { stop, thread }
    }

    /// Stops the server as an operator would (SIGTERM) and waits for it. `Err` when it
    /// had to be killed (a hang on shutdown) or exited with a failure.
    pub fn stop(mut self) -> Result<Duration, String> {
        let started = Instant::now();
        let kill = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if !kill.is_ok_and(|s| s.success()) {
            return Err("could not send SIGTERM".into());
        }
        while started.elapsed() < Duration::from_secs(60) {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    let took = started.elapsed();
                    // The log is complete once its copier saw the end of stdout.
                    let _ = self.copier.join();
                    return if status.success() {
                        Ok(took)
                    } else {
                        Err(format!("the server exited with {status}"))
                    };
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err("the server did not exit within 60 s of SIGTERM; killed it".into())
    }
}

/// One look at the server's memory and descriptors.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Since the sampler started.
    pub at: Duration,
    pub rss_kb: u64,
    pub fds: usize,
}

pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Sample>>,
}

impl Sampler {
    /// Every sample taken, 100 ms apart.
    pub fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("sampler thread")
    }
}

/// Every stored response of the shipped form by submission key, read from the file
/// itself (read-only) after the server has stopped.
/// Stored keys and the public id each was stored under, and how many responses there are.
pub async fn stored(db: &Path) -> (HashMap<String, String>, i64) {
    let options = SqliteConnectOptions::new().filename(db).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .expect("open the database read-only");
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "select public_id, submission_key from response where form_id = 'post-purchase'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("read responses");
    let total = rows.len() as i64;
    let keyed = rows
        .into_iter()
        .filter_map(|(id, key)| Some((key?, id)))
        .collect();
    let _ = conn.close().await;
    (keyed, total)
}

fn append(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open server.log")
}

/// Lines of the server's log at WARN or ERROR (the default filter logs INFO too),
/// without the colour codes tracing adds.
pub fn log_problems(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.lines()
        .map(strip_ansi)
        .filter(|l| l.contains(" ERROR ") || l.contains(" WARN ") || l.contains("panicked"))
        .collect()
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequences end with a letter: ESC [ 1 ; 3 2 m
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `std` cannot raise RLIMIT_NOFILE, the shell's `ulimit` can: when the soft limit is
/// too low for the connections we open, run ourselves again under a raised one (the
/// server, our child, inherits it).
pub fn ensure_fd_limit(needed: u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let Some(line) = limits.lines().find(|l| l.starts_with("Max open files")) else {
        return;
    };
    let mut fields = line.split_whitespace().skip(3);
    let soft: u64 = fields
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    let hard: u64 = fields
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    if soft >= needed {
        return;
    }
    if hard < needed || std::env::var_os("MANYI_LOAD_RAISED_FDS").is_some() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: open-file limit {soft} (hard {hard}) is below the {needed} this run needs; \
             expect connection errors at high client counts"
        );
        return;
    }
    let me = std::env::current_exe().expect("own path");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -Sn {needed} && exec \"$0\" \"$@\""))
        .arg(me)
        .args(std::env::args_os().skip(1))
        .env("MANYI_LOAD_RAISED_FDS", "1")
        .status()
        .expect("run sh");
    std::process::exit(status.code().unwrap_or(1));
}
