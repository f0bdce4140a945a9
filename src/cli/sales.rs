//! The `sales import` command: a CSV of store, date, transactions and revenue, all or nothing.

use std::path::Path;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::DbArg;
use crate::db::{self, sales};
use crate::sales::{RawSale, check_rows};

pub async fn import(file: &Path, db_arg: &DbArg) -> anyhow::Result<()> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot open {}", file.display()))?
        .len();
    let data =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let db = db::connect(&db_arg.location).await?;
    let pool = db.write.clone();
    let stores = sales::store_codes(&pool).await?;
    // Shown only on a terminal; hidden when output is piped or in CI.
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers = reader
        .headers()
        .with_context(|| "line 1: cannot read the header")?
        .clone();
    let needed = [
        ["store", "store_code"],
        ["date", "day"],
        ["transactions", "transactions"],
        ["revenue", "revenue"],
    ];
    if let Some(missing) = needed
        .iter()
        .find(|names| !names.iter().any(|n| headers.iter().any(|h| h == *n)))
    {
        bail!(
            "line 1: the header needs a '{}' column (found: {})",
            missing[0],
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if line % 5000 == 0 {
                    bar.set_position(r.position().map_or(0, |p| p.byte()));
                }
                match r.deserialize::<RawSale>(Some(&headers)) {
                    Ok(raw) => rows.push((line, raw)),
                    Err(e) => problems.push(format!("line {line}: {e}")),
                }
            }
            Err(e) => problems.push(format!(
                "line {}: {e}",
                e.position().map_or(0, |p| p.line())
            )),
        }
    }
    bar.finish_and_clear();
    let checked = check_rows(&rows, &stores).map_err(|mut more| {
        problems.append(&mut more);
        problems.clone()
    });
    let rows = match checked {
        Ok(rows) if problems.is_empty() => rows,
        _ => {
            problems.sort_by_key(|p| {
                p.split(':')
                    .next()
                    .and_then(|l| l.trim_start_matches("line ").parse::<u64>().ok())
            });
            for p in problems.iter().take(100) {
                eprintln!("{}: {p}", file.display());
            }
            if problems.len() > 100 {
                eprintln!("… and {} more", problems.len() - 100);
            }
            bail!(
                "nothing imported: {} problem(s) in {}",
                problems.len(),
                file.display()
            );
        }
    };
    sales::upsert_all(&pool, &rows).await?;
    println!("imported {} sales row(s)", rows.len());
    db.close().await;
    Ok(())
}
