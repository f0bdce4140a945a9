//! The `cases import` command: an existing complaint log, checked whole by `cases::import`, stored in one transaction with its real times.

use crate::db::Tx;

use std::collections::{HashMap, HashSet};

use anyhow::{Context as _, bail};

use crate::cases::Step;
use crate::cases::import::{self, Context, ImportedCase, Key};
use crate::config::CasesImportArgs;
use crate::db::{self, cases::stamp};

pub async fn import(args: &CasesImportArgs) -> anyhow::Result<()> {
    let file = &args.file;
    let bytes = std::fs::read(file).with_context(|| format!("cannot open {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{} is not UTF-8 text; save it as CSV UTF-8", file.display())
    })?;
    let taxonomy = args
        .cases
        .taxonomy(&args.surveys)
        .map_err(|e| anyhow::anyhow!(e))?;
    let policy = args.cases.deadlines();
    if !args.db.location.exists() {
        bail!(
            "there is no database at {} (import the stores first)",
            args.db.location
        );
    }
    let db = db::connect(&args.db.location).await?;
    // The check reads the registry and earlier imports inside the write transaction, so
    // a second import running at the same time cannot slip the same cases in between.
    let mut tx = db.write.begin().await?;
    let stores: HashSet<String> =
        crate::with_tx!(&mut tx, ex => sqlx::query_scalar("select code from store")
        .fetch_all(&mut *ex)
        .await)?
        .into_iter()
        .collect();
    let already: HashMap<Key, String> = crate::with_tx!(&mut tx, ex => {
        sqlx::query_as::<_, (String, String, String, String)>(
            "select store, opened_at, description, code from complaint_case where imported",
        )
        .fetch_all(&mut *ex)
        .await?
    })
    .into_iter()
    .filter_map(|(store, opened, description, code)| {
        let at = db::cases::parse_stamp(&opened)?;
        Some((import::key(&store, at, &description), code))
    })
    .collect();
    let cx = Context {
        stores: &stores,
        taxonomy: &taxonomy,
        policy: &policy,
        offset: args.utc_offset,
        now: time::OffsetDateTime::now_utc(),
        already: &already,
    };
    let cases = match import::parse(&text, &cx) {
        Ok(cases) => cases,
        Err(problems) => {
            drop(tx);
            db.close().await;
            for (line, reason) in &problems {
                eprintln!("{}: line {line}: {reason}", file.display());
            }
            let dup = problems
                .iter()
                .filter(|(_, r)| r.starts_with("already imported"))
                .count();
            if dup > 0 && dup == problems.len() {
                eprintln!("every refused line was imported before: is this the same file again?");
            }
            bail!(
                "nothing imported: {} bad line(s) in {}",
                problems.len(),
                file.display()
            );
        }
    };
    let mut codes = Vec::with_capacity(cases.len());
    for c in &cases {
        codes.push(store_one(&mut tx, c).await?);
    }
    tx.commit().await?;
    db.close().await;
    let open = cases.iter().filter(|c| c.step.is_open()).count();
    println!(
        "imported {} cases ({} to {}), {open} of them open",
        cases.len(),
        codes.first().map_or("", String::as_str),
        codes.last().map_or("", String::as_str),
    );
    Ok(())
}

/// One case with its code, its step's fields and the events its times tell of. The
/// "opened" event comes from `insert`; no actor: nobody in manyi took these steps.
async fn store_one(tx: &mut Tx<'_>, c: &ImportedCase) -> anyhow::Result<String> {
    let (id, code) = db::cases::insert(tx, &c.case, None, None).await?;
    let closed = c.closed_at.map(stamp);
    let recovered = c.recovery_satisfied.is_some() || c.recovery_return.is_some();
    // The recovery answers' own time is not in old logs: the closing is the earliest it can be.
    let recovery_at = closed.clone().filter(|_| recovered);
    crate::with_tx!(&mut *tx, ex => sqlx::query(
        "update complaint_case set step = $1, valid = $2, category = $3, first_reply_at = $4, \
         closed_at = $5, resolved = $6, recovery_at = $7, recovery_satisfied = $8, recovery_return = $9, \
         imported = true where id = $10",
    )
    .bind(c.step.as_str())
    .bind(c.valid())
    .bind(c.category.as_deref())
    .bind(c.first_reply_at.map(stamp))
    .bind(closed.as_deref())
    .bind(c.resolved)
    .bind(recovery_at.as_deref())
    .bind(c.recovery_satisfied)
    .bind(c.recovery_return)
    .bind(id)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    if c.reply_given
        && let Some(at) = c.first_reply_at
    {
        // The first reply usually comes before anything else is done: logged at step 2.
        let step = c.case.kind.first_step();
        db::cases::log(tx, id, &stamp(at), None, step, "reply", None, true).await?;
    }
    if let Some(at) = &closed {
        db::cases::log(tx, id, at, None, Step::Summary, "closed", None, true).await?;
        if recovered {
            let note = format!(
                "satisfied={}, return={}",
                word(c.recovery_satisfied),
                word(c.recovery_return)
            );
            db::cases::log(
                tx,
                id,
                at,
                None,
                Step::Closed,
                "recovery",
                Some(&note),
                false,
            )
            .await?;
        }
    }
    Ok(code)
}

fn word(answer: Option<bool>) -> &'static str {
    match answer {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unanswered",
    }
}
