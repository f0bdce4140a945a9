//! The `token add` and `token list` commands: integration tokens for the JSON API, made without the web UI.

use anyhow::bail;

use crate::config::{DbArg, TokenCommand};
use crate::db::tokens::{self, Scope};
use crate::db::{self, stores};

pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add {
            name,
            scope,
            store,
            trusted,
            db,
        } => add(&name, &scope, store.as_deref(), trusted, &db).await,
        TokenCommand::List { db } => list(&db).await,
    }
}

/// Creates a token and prints it alone on the last line of stdout, so a script can take
/// it with `tail -n 1`; the lines before it say what it is.
pub async fn add(
    name: &str,
    scope: &str,
    store: Option<&str>,
    trusted: bool,
    db_arg: &DbArg,
) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("name the token with --name (at most 100 characters), e.g. --name \"POS export\"");
    }
    let Some(scope) = Scope::parse(scope.trim()) else {
        bail!("unknown scope '{scope}'; use --scope submit (customer responses) or --scope sales");
    };
    if trusted && scope != Scope::Submit {
        bail!("only a submit token can be trusted: --trusted concerns the checks on responses");
    }
    let store = store.map(str::trim).filter(|s| !s.is_empty());
    let db = db::connect(&db_arg.location).await?;
    if let Some(code) = store
        && !stores::exists(&db.read, code).await?
    {
        db.close().await;
        bail!(
            "there is no store '{code}' in {}; import it first with `manyi stores import`",
            db_arg.location
        );
    }
    let created = tokens::create(&db.write, name, scope, store, trusted, None).await;
    db.close().await;
    let created = created?;
    println!(
        "created {scope} token {} '{name}' for {}{}; only its SHA-256 is kept, so copy it now:",
        created.id,
        store.map_or("any store".to_owned(), |s| format!("store {s}")),
        if trusted { ", trusted" } else { "" },
    );
    println!("{}", created.token);
    Ok(())
}

async fn list(db_arg: &DbArg) -> anyhow::Result<()> {
    if !db_arg.location.exists() {
        bail!("there is no database at {}", db_arg.location);
    }
    let db = db::connect(&db_arg.location).await?;
    let all = tokens::list(&db.read).await;
    db.close().await;
    println!("id\tscope\tstore\ttrusted\tstatus\tcreated (UTC)\tname");
    for t in all? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            t.id,
            t.scope,
            t.store.as_deref().unwrap_or("any"),
            if t.trusted { "yes" } else { "no" },
            if t.revoked { "revoked" } else { "active" },
            t.created_at,
            t.name
        );
    }
    Ok(())
}
