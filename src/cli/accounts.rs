//! The `user add` and `stores import` commands.

use crate::db::Pool;

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Context, bail};

use crate::auth::{Role, hash_password};
use crate::config::DbArg;
use crate::db::{self, stores, user_stores, users};

/// Reads the password from the terminal (twice, hidden) or, when piped, the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

pub async fn add_user(
    username: &str,
    role: &str,
    stores: &[String],
    db_arg: &DbArg,
) -> anyhow::Result<()> {
    let role = Role::parse(role).with_context(|| {
        format!("unknown role '{role}'; use admin, manager, store_manager or shopper")
    })?;
    if !stores.is_empty() && role != Role::StoreManager {
        bail!("--stores is for store managers only (--role store_manager)");
    }
    let stores = checked_codes(stores)?;
    let username = username.trim();
    if !(3..=32).contains(&username.len())
        || !username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        bail!("the username must be 3–32 letters, digits, '.', '_' or '-'");
    }
    let password = read_password()?;
    if password.chars().count() < 10 {
        bail!("the password must have at least 10 characters");
    }
    let db = db::connect(&db_arg.location).await?;
    let pool = db.write.clone();
    registered(&pool, &stores).await?;
    let hash = hash_password(password).await?;
    let Some(id) = users::create(&pool, username, &hash, role).await? else {
        bail!("the username '{username}' is taken");
    };
    user_stores::set_user_stores(&pool, id, &stores).await?;
    println!(
        "created {role} '{username}' (id {id}){}",
        for_stores(&stores)
    );
    db.close().await;
    Ok(())
}

/// `user stores`: replaces the stores a store manager handles.
pub async fn bind_stores(username: &str, stores: &[String], db_arg: &DbArg) -> anyhow::Result<()> {
    let stores = checked_codes(stores)?;
    let db = db::connect(&db_arg.location).await?;
    let pool = db.write.clone();
    let Some(user) = users::by_username(&pool, username.trim()).await? else {
        bail!("there is no account '{username}'");
    };
    if user.role != Role::StoreManager {
        bail!(
            "'{username}' is a {}, not a store manager: only store managers are bound to stores",
            user.role
        );
    }
    registered(&pool, &stores).await?;
    user_stores::set_user_stores(&pool, user.id, &stores).await?;
    if stores.is_empty() {
        println!("'{username}' now handles no store (sees no cases)");
    } else {
        println!("'{username}' now handles{}", for_stores(&stores));
    }
    db.close().await;
    Ok(())
}

/// The codes as given (each may itself hold several, e.g. "S001 S002"), checked for form.
fn checked_codes(given: &[String]) -> anyhow::Result<Vec<String>> {
    let codes = crate::stores::parse_code_list(&given.join(" "))
        .map_err(|bad| anyhow::anyhow!("'{bad}' is not a store code"))?;
    if codes.len() > crate::stores::MAX_STORES_PER_USER {
        bail!(
            "at most {} stores per account",
            crate::stores::MAX_STORES_PER_USER
        );
    }
    Ok(codes)
}

/// Refuses, naming them, codes that are not registered stores: nothing is changed.
async fn registered(pool: &Pool, codes: &[String]) -> anyhow::Result<()> {
    let mut unknown = Vec::new();
    for code in codes {
        if !stores::exists(pool, code).await? {
            unknown.push(code.as_str());
        }
    }
    if !unknown.is_empty() {
        bail!(
            "no store with the code {} (register stores first: manyi stores import FILE.csv)",
            unknown.join(", ")
        );
    }
    Ok(())
}

fn for_stores(stores: &[String]) -> String {
    if stores.is_empty() {
        String::new()
    } else {
        format!(" for store(s) {}", stores.join(", "))
    }
}

pub async fn import_stores(file: &Path, db_arg: &DbArg) -> anyhow::Result<()> {
    let data =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let parsed = crate::stores::parse_csv(data);
    let stores = match parsed {
        Ok(s) => s,
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", file.display());
            }
            bail!(
                "nothing imported: {} problem(s) in {}",
                problems.len(),
                file.display()
            );
        }
    };
    let db = db::connect(&db_arg.location).await?;
    let pool = db.write.clone();
    stores::upsert_all(&pool, &stores).await?;
    println!("imported {} store(s)", stores.len());
    db.close().await;
    Ok(())
}
