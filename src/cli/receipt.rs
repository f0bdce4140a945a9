//! The `receipt-code` command: one purchase's code, as a till would print it, or the chain's key for a POS that prints its own.

use anyhow::{Context, bail};

use crate::config::{DbArg, ReceiptCodeArgs};
use crate::db::{self, secrets, stores};
use crate::receipt::{self, ReceiptCode};

pub async fn run(args: &ReceiptCodeArgs) -> anyhow::Result<()> {
    let db = open(&args.db).await?;
    let outcome = print(&db, args).await;
    db.close().await;
    outcome
}

/// Opens an existing database only: a mistyped `--db` would otherwise create a new
/// one with a new random key, and its codes would be refused by the real server.
async fn open(db_arg: &DbArg) -> anyhow::Result<db::Db> {
    if !db_arg.location.exists() {
        bail!("there is no database at {}", db_arg.location);
    }
    db::connect(&db_arg.location).await
}

async fn print(db: &db::Db, args: &ReceiptCodeArgs) -> anyhow::Result<()> {
    let key = secrets::get_or_create(&db.write, receipt::KEY_NAME)
        .await
        .context("Failed to read the receipt key")?;
    if args.show_key {
        eprintln!(
            "warning: this key is secret: whoever has it can make receipt codes that count as purchases. \
             Give it only to the POS system, never by email or chat."
        );
        println!("{}", hex::encode(key));
        return Ok(());
    }
    // clap requires all three without --show-key; this only keeps the code total.
    let (Some(store), Some(day), Some(txn)) = (args.store.as_deref(), args.date, args.txn) else {
        bail!("give --store, --date and --txn, or --show-key");
    };
    let store_number = store_number(db, store).await?;
    let code = receipt::encode(
        &key,
        &ReceiptCode {
            store_number,
            day,
            txn,
        },
    )?;
    eprintln!("store {store} (number {store_number}), {day}, transaction {txn}:");
    println!("{}", receipt::format_grouped(&code));
    Ok(())
}

/// The number a registered store's codes carry, refused when another store's code
/// ends in the same number: its codes could not tell the two stores apart.
async fn store_number(db: &db::Db, store: &str) -> anyhow::Result<u16> {
    if stores::get(&db.read, store).await?.is_none() {
        bail!("there is no store '{store}' in the registry; import it with `manyi stores import`");
    }
    let Some(number) = receipt::store_number_of(store) else {
        bail!(
            "the store code '{store}' does not end in a number from 1 to {}, which a receipt code needs (e.g. S001)",
            receipt::MAX_STORE_NUMBER
        );
    };
    let twins: Vec<String> = stores::list(&db.read)
        .await?
        .into_iter()
        .filter(|s| s.code != store && receipt::store_number_of(&s.code) == Some(number))
        .map(|s| s.code)
        .collect();
    if !twins.is_empty() {
        bail!(
            "the store codes '{store}' and '{}' both end in the number {number}; receipt codes could not tell them apart",
            twins.join("', '")
        );
    }
    Ok(number)
}
