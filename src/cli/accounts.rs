//! The `user add` and `stores import` commands.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Context, bail};

use crate::auth::{Role, hash_password};
use crate::config::DbArg;
use crate::db::{self, stores, users};

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

pub async fn add_user(username: &str, role: &str, db_arg: &DbArg) -> anyhow::Result<()> {
    let role = Role::parse(role)
        .with_context(|| format!("unknown role '{role}'; use admin, manager or shopper"))?;
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
    let db = db::connect(&db_arg.path).await?;
    let pool = db.write.clone();
    let hash = hash_password(password).await?;
    match users::create(&pool, username, &hash, role).await? {
        Some(id) => println!("created {role} '{username}' (id {id})"),
        None => bail!("the username '{username}' is taken"),
    }
    db.close().await;
    Ok(())
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
    let db = db::connect(&db_arg.path).await?;
    let pool = db.write.clone();
    stores::upsert_all(&pool, &stores).await?;
    println!("imported {} store(s)", stores.len());
    db.close().await;
    Ok(())
}
