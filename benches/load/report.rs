//! What a run saw, in words: progress lines, the Markdown table, and the durability verdict.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use crate::drive::Tally;
use crate::server::{self, Sample};
use crate::{Config, Run};

pub fn progress(run: &Run) {
    let t = &run.tally;
    let max = run.samples.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    let end = run.samples.last().map_or(0, |s| s.rss_kb);
    let fds = run.samples.iter().map(|s| s.fds).max().unwrap_or(0);
    println!(
        "{:<20} c={:<24} {:>6.0} acked/s  p50 {:>8}  p99 {:>8}  p99.9 {:>8}  [{}]  \
         503 p50 {} p99 {}  RSS peak {} (sampled max {}, end {}), fds max {fds}",
        run.name,
        run.clients,
        run.acked_per_s(),
        ms(pct(&t.acked_us, 0.5)),
        ms(pct(&t.acked_us, 0.99)),
        ms(pct(&t.acked_us, 0.999)),
        answers(t),
        ms(pct(&t.refused_us, 0.5)),
        ms(pct(&t.refused_us, 0.99)),
        mb(run.peak_kb),
        mb(max),
        mb(end)
    );
    if t.failed > 0 {
        eprintln!(
            "!!! FAILURE: {} unexpected answer(s) in this run:",
            t.failed
        );
        for f in &t.failures {
            eprintln!("!!!   {f}");
        }
    }
}

/// Checks every acknowledgement against the stopped server's database, prints the
/// table and the verdict; true when anything failed.
pub async fn verdict(
    runs: &[Run],
    db: &Path,
    log: &Path,
    stopped: Result<Duration, String>,
    cfg: &Config,
    load_before: &str,
) -> bool {
    let (stored, total) = server::stored(db).await;
    let acked: Vec<&(String, Option<String>)> = runs.iter().flat_map(|r| &r.tally.acked).collect();
    let unique: HashSet<&str> = acked.iter().map(|(k, _)| k.as_str()).collect();
    let missing: Vec<&str> = unique
        .iter()
        .copied()
        .filter(|k| !stored.contains_key(*k))
        .collect();
    let wrong_id: Vec<String> = acked
        .iter()
        .filter_map(|(k, id)| {
            let (id, at) = (id.as_ref()?, stored.get(k)?);
            (id != at).then(|| format!("{k}: acked id {id}, stored as {at}"))
        })
        .collect();
    let refused: Vec<&String> = runs.iter().flat_map(|r| &r.tally.refused).collect();
    let ghosts: Vec<&&String> = refused
        .iter()
        .filter(|k| stored.contains_key(k.as_str()))
        .collect();
    let unexpected: u64 = runs.iter().map(|r| r.tally.failed).sum();

    println!();
    println!(
        "| Run | Clients | Acked/s | p50 | p99 | p99.9 | Page GET p50 / p99 | Answers | Server peak RSS |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---|---:|");
    for r in runs {
        let t = &r.tally;
        let get = if t.get_us.is_empty() {
            "–".to_owned()
        } else {
            format!("{} / {}", ms(pct(&t.get_us, 0.5)), ms(pct(&t.get_us, 0.99)))
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.clients,
            thousands(r.acked_per_s().round() as u64),
            ms(pct(&t.acked_us, 0.5)),
            ms(pct(&t.acked_us, 0.99)),
            ms(pct(&t.acked_us, 0.999)),
            get,
            answers(t),
            mb(r.peak_kb)
        );
    }
    println!();
    println!(
        "Release build of {}; loopback, {} s per run ({} s open loop), closed-loop clients {} on \
         503; server defaults (--max-in-flight 512, --write-batch 256, --write-queue 2048, \
         --write-queue-wait-ms 500); {} cores, load average before {}. Latency of acknowledged \
         submissions only; open-loop latency counts from the scheduled arrival.",
        revision(),
        cfg.seconds,
        cfg.open_seconds,
        if cfg.backoff {
            "wait Retry-After"
        } else {
            "retry at once"
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    );
    println!(
        "Durability: {} acknowledged, {} stored ({} rows in all), {} missing, {} with a wrong id; \
         {} of {} refused (503) submissions stored anyway; {}.",
        thousands(unique.len() as u64),
        thousands(unique.iter().filter(|k| stored.contains_key(**k)).count() as u64),
        thousands(total as u64),
        missing.len(),
        wrong_id.len(),
        ghosts.len(),
        thousands(refused.len() as u64),
        match &stopped {
            Ok(d) => format!("server stopped {:.1} s after SIGTERM", d.as_secs_f64()),
            Err(e) => format!("SERVER DID NOT STOP CLEANLY: {e}"),
        }
    );
    let problems = server::log_problems(log);
    if !problems.is_empty() {
        println!("Server log: {} WARN/ERROR line(s), first:", problems.len());
        for p in problems.iter().take(5) {
            println!("    {p}");
        }
    }

    let mut failed = false;
    let mut loud = |what: String| {
        eprintln!("!!! FAILURE: {what}");
        failed = true;
    };
    if !missing.is_empty() {
        loud(format!(
            "{} acknowledged response(s) are not stored, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    if !wrong_id.is_empty() {
        loud(format!(
            "{} acknowledged id(s) differ from the stored ones, e.g. {:?}",
            wrong_id.len(),
            &wrong_id[..wrong_id.len().min(5)]
        ));
    }
    if !ghosts.is_empty() {
        loud(format!(
            "{} submission(s) answered 503 were stored anyway, e.g. {:?}",
            ghosts.len(),
            &ghosts[..ghosts.len().min(5)]
        ));
    }
    if total as usize != unique.len() {
        loud(format!(
            "{total} responses stored, but {} acknowledged",
            unique.len()
        ));
    }
    if unexpected > 0 {
        loud(format!(
            "{unexpected} unexpected answer(s); see the runs above"
        ));
    }
    if let Err(e) = stopped {
        loud(e);
    }
    failed
}

fn answers(t: &Tally) -> String {
    let parts: Vec<String> = t
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}: {}", thousands(*v)))
        .collect();
    parts.join(", ")
}

/// The sample at quantile `p` (nearest rank).
fn pct(samples: &[u32], p: f64) -> Option<u32> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied()
}

fn ms(us: Option<u32>) -> String {
    match us {
        None => "–".into(),
        Some(us) if us < 10_000 => format!("{:.2} ms", us as f64 / 1000.0),
        Some(us) if us < 1_000_000 => format!("{:.1} ms", us as f64 / 1000.0),
        Some(us) => format!("{:.2} s", us as f64 / 1e6),
    }
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The last sample of each second: VmRSS in MB and open fds.
pub fn per_second(samples: &[Sample]) -> String {
    let last = samples.last().map_or(0, |s| s.at.as_secs());
    let seconds = (0..=last).filter_map(|sec| samples.iter().rev().find(|s| s.at.as_secs() == sec));
    let shown: Vec<String> = seconds
        .map(|s| format!("{:.0}/{}", s.rss_kb as f64 / 1024.0, s.fds))
        .collect();
    shown.join(" ")
}

/// Flat or growing? The peak of the first half of the run against the peak of the second.
pub fn halves(samples: &[Sample]) -> String {
    let (first, second) = samples.split_at(samples.len() / 2);
    let peak = |s: &[Sample]| s.iter().map(|s| s.rss_kb).max().unwrap_or(0);
    format!(
        "VmRSS peak in the first half {}, in the second half {} ({:+.1} MB)",
        mb(peak(first)),
        mb(peak(second)),
        (peak(second) as f64 - peak(first) as f64) / 1024.0
    )
}

/// The commit measured, `-dirty` when the work tree has changes (say so in the README).
pub fn revision() -> String {
    let out = std::process::Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => "an unknown revision".into(),
    }
}
