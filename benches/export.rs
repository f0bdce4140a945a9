//! Benchmark: `manyi export` rows per second and peak memory, on the demo data set and on a million responses.
//!
//! Run with `cargo bench --bench export`. `MANYI_BENCH_RESPONSES` sets the size of the large
//! data set (default 1,000,000). Each data set is generated once, seeded (the same answers
//! every time, though which ids go to which form can differ), into `target/export-bench/`
//! and reused by later runs; its file name carries a hash of the
//! migrations, the surveys and the generator's settings, so a change to any of them builds
//! it anew (delete the folder after changing the generator itself). The export runs as the
//! release binary in a child process, as a person would run it, writing to a file; its peak
//! RSS is the child's `VmHWM`, read from /proc while it runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs per data set: the machine is shared, so the best of a few is the steadiest figure.
const RUNS: usize = 3;
const FORM: &str = "post-purchase";

fn cache_dir() -> PathBuf {
    // CARGO_TARGET_DIR moves target/; without it, target/ sits beside Cargo.toml.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("export-bench")
}

/// What the generated database depends on: the schema, the surveys and the spec.
fn fingerprint(spec: &manyi::demo::Spec) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(format!("{spec:?}"));
    for dir in ["migrations/sqlite", "surveys"] {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
        files.sort();
        for file in files {
            hash.update(file.file_name().unwrap_or_default().as_encoded_bytes());
            hash.update(std::fs::read(&file)?);
        }
    }
    Ok(hex::encode(&hash.finalize()[..6]))
}

/// The database for `spec`, generating it first when it is not cached yet.
async fn data_set(name: &str, spec: &manyi::demo::Spec) -> anyhow::Result<PathBuf> {
    let dir = cache_dir();
    let path = dir.join(format!("{name}-{}.db", fingerprint(spec)?));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir)?;
    // An older copy of this data set is stale now; at a gigabyte a million, it goes.
    for entry in std::fs::read_dir(&dir)? {
        let old = entry?.path();
        let file = old.file_name().unwrap_or_default().to_string_lossy();
        if file.starts_with(&format!("{name}-")) && file.contains(".db") {
            std::fs::remove_file(&old)?;
        }
    }
    // Generated under another name and renamed when complete, so an interrupted run
    // never leaves a half-filled database that later runs would measure.
    let partial = dir.join(format!("{name}.partial.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let catalog =
        manyi::survey::load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/surveys")))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eprintln!(
        "generating {name}: about {} responses (once)…",
        spec.responses
    );
    let t = Instant::now();
    let db = manyi::db::connect(&partial).await?;
    manyi::demo::generate(&db.write, &catalog, spec, |n| {
        if n % 100_000 < 5_000 {
            eprint!("\r{n} responses");
        }
    })
    .await?;
    // Closing checkpoints the WAL, so the one file holds everything before it is renamed.
    db.close().await;
    eprintln!("\rgenerated in {:.0} s", t.elapsed().as_secs_f64());
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// The peak resident set of a running process, in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Run {
    rows: u64,
    elapsed: Duration,
    peak_kib: u64,
    bytes: u64,
}

/// Runs `manyi export` once into a file and watches its memory until it exits.
fn export(db: &Path, out: &Path) -> anyhow::Result<Run> {
    let file = std::fs::File::create(out)?;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_manyi"))
        .args(["export", "--form", FORM, "--db"])
        .arg(db)
        .stdout(file)
        .stderr(Stdio::piped())
        .spawn()?;
    let mut peak_kib = 0;
    let status = loop {
        // VmHWM only grows, so the last reading before the exit is the peak
        // (give or take what the last few milliseconds add, which is nothing for a flat export).
        if let Some(kib) = vm_hwm(child.id()) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let stderr = std::io::read_to_string(child.stderr.take().expect("piped"))?;
    anyhow::ensure!(status.success(), "export failed: {stderr}");
    let rows = stderr
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no row count in {stderr:?}"))?;
    Ok(Run {
        rows,
        elapsed,
        peak_kib,
        bytes: std::fs::metadata(out)?.len(),
    })
}

/// The machine's load average over the last minute: on a shared machine, the context a figure needs.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn measure(name: &str, db: &Path) -> anyhow::Result<()> {
    let out = cache_dir().join(format!("{name}.csv"));
    let mut runs = Vec::with_capacity(RUNS);
    let load_before = load();
    for _ in 0..RUNS {
        runs.push(export(db, &out)?);
    }
    let best = runs
        .iter()
        .min_by_key(|r| r.elapsed)
        .expect("at least one run");
    let rate = |r: &Run| r.rows as f64 / r.elapsed.as_secs_f64();
    let all: Vec<String> = runs.iter().map(|r| format!("{:.0}", rate(r))).collect();
    println!(
        "| {name} | {} | {:.2} s | {:.0} (runs: {}) | {:.1} MB | {:.1} MB | {load_before} → {} |",
        best.rows,
        best.elapsed.as_secs_f64(),
        rate(best),
        all.join(", "),
        runs.iter().map(|r| r.peak_kib).max().unwrap_or(0) as f64 / 1024.0,
        best.bytes as f64 / 1e6,
        load()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let responses: u64 = match std::env::var("MANYI_BENCH_RESPONSES") {
        Ok(n) => n.replace(['_', ','], "").parse()?,
        Err(_) => 1_000_000,
    };
    let offset = manyi::web::Settings::default().utc_offset;
    // A fixed end date keeps the dates and the fingerprint the same from run to run.
    let end = time::macros::date!(2026 - 11 - 22);
    let demo = data_set("demo", &manyi::demo::Spec::demo(end, offset)).await?;
    let mut spec = manyi::demo::Spec::benchmark(end, offset);
    spec.responses = responses;
    let large_name = format!("responses-{responses}");
    let large = data_set(&large_name, &spec).await?;

    println!(
        "\nmanyi export benchmark ({} build), form {FORM}, {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        env!("CARGO_BIN_EXE_manyi")
    );
    println!("| data set | rows | best time | rows/s | peak RSS | CSV | load average |");
    println!("|---|---|---|---|---|---|---|");
    measure("demo", &demo)?;
    measure(&large_name, &large)?;
    Ok(())
}
