//! `manyi migrate-db`: moving a chain's SQLite file onto PostgreSQL, with a progress bar and a check of what arrived.

use std::path::Path;

use anyhow::bail;

use crate::db::{self, Location, Pool};

pub async fn run(from: &Path, to: &str) -> anyhow::Result<()> {
    if !from.exists() {
        bail!("there is no database at {}", from.display());
    }
    let target = Location::parse(to);
    if !matches!(target, Location::Postgres(_)) {
        bail!("--to must be a postgres:// URL (use `manyi backup` to copy into a file)");
    }
    let source = db::connect(from).await?;
    let target_db = db::Db::open(&target, db::OpenOptions::default()).await?;
    let (Some(sqlite), Pool::Postgres(pg)) = (source.read.as_sqlite(), &target_db.write) else {
        bail!("--from must be a SQLite file and --to a PostgreSQL database");
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let copied = db::copy::sqlite_to_postgres(sqlite, pg, |table, done, total| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(table.to_owned());
    })
    .await;
    bar.finish_and_clear();
    let copied = copied?;
    for (table, rows) in &copied.tables {
        println!("{table:<24} {rows:>10}");
    }
    println!(
        "copied {} rows into {target}; the rollups count {} responses on both sides (daily and monthly agree: {})",
        copied.tables.iter().map(|(_, n)| n).sum::<u64>(),
        copied.rolled_daily,
        copied.rolled_daily == copied.rolled_monthly
    );
    source.close().await;
    target_db.close().await;
    Ok(())
}
