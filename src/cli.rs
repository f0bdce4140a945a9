//! What each subcommand does: serve, check, export and backup. `main` only parses flags and calls `run`.

use crate::db::Pool;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{
    CasesCommand, Cli, Command, DbArg, SalesCommand, ServeArgs, StoresCommand, UserCommand,
};
use crate::survey::{Catalog, LoadError, load_dir};
use crate::web::{AppState, Settings};
use crate::{db, export, serve};

mod accounts;
mod cases;
mod migrate;
mod receipt;
mod sales;
mod tokens;

pub async fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        None => run_serve(cli.serve).await,
        Some(Command::Serve(args)) => run_serve(*args).await,
        Some(Command::Check { dir }) => return run_check(&dir),
        Some(Command::Export {
            form,
            include_held,
            db,
        }) => run_export(&form, include_held, &db).await,
        Some(Command::Backup { target, db }) => run_backup(&target, &db).await,
        Some(Command::MigrateDb { from, to }) => migrate::run(&from, &to).await,
        Some(Command::User(UserCommand::Add {
            username,
            role,
            stores,
            db,
        })) => accounts::add_user(&username, &role, &stores, &db).await,
        Some(Command::User(UserCommand::Stores {
            username,
            stores,
            db,
        })) => accounts::bind_stores(&username, &stores, &db).await,
        Some(Command::Sales(SalesCommand::Import { file, db })) => sales::import(&file, &db).await,
        Some(Command::Cases(CasesCommand::Import(args))) => cases::import(&args).await,
        Some(Command::Token(command)) => tokens::run(command).await,
        Some(Command::ReceiptCode(args)) => receipt::run(&args).await,
        Some(Command::Demo { db, surveys }) => run_demo(&db, &surveys).await,
        Some(Command::Stores(StoresCommand::Import { file, db })) => {
            accounts::import_stores(&file, &db).await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_errors(errors: &[LoadError]) {
    for e in errors {
        eprintln!("{e}");
    }
    eprintln!("{} error(s) found", errors.len());
}

fn run_check(dir: &std::path::Path) -> ExitCode {
    match load_dir(dir) {
        Ok(catalog) => {
            let ids: Vec<String> = catalog
                .iter()
                .map(|s| format!("{} (v{})", s.id, s.version))
                .collect();
            println!("ok: {} survey(s): {}", catalog.len(), ids.join(", "));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            print_errors(&errors);
            ExitCode::FAILURE
        }
    }
}

fn load_surveys(args: &ServeArgs) -> anyhow::Result<Catalog> {
    load_dir(&args.surveys).map_err(|errors| {
        print_errors(&errors);
        anyhow::anyhow!(
            "refusing to start: fix the survey files in {} (run `manyi check`)",
            args.surveys.display()
        )
    })
}

async fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    // A panic is a bug: one line in the log, not a backtrace per request.
    crate::web::install_panic_hook();
    let catalog = load_surveys(&args)?;
    let db = db::Db::open(&args.db.location, args.open_options()).await?;
    if !args.skip_quick_check {
        let started = std::time::Instant::now();
        db.quick_check().await?;
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "database passed quick_check"
        );
    }
    if args.demo {
        let empty: bool = crate::with_pool!(&db.read, ex => sqlx::query_scalar("select not exists(select 1 from response)")
            .fetch_one(ex)
            .await)?;
        if empty {
            fill_demo(&db.write, &catalog, args.utc_offset).await?;
        }
    }
    let rebuilt = db::rollups::rebuild_if_empty(&db, args.utc_offset).await?;
    if rebuilt > 0 {
        tracing::info!(
            responses = rebuilt,
            "report rollups rebuilt from stored responses"
        );
    }
    // Expired sessions are deleted hourly so the table does not grow forever.
    let sessions = db::sessions::Sessions::new(&db);
    let cleaner = tokio::spawn(
        tower_sessions::ExpiredDeletion::continuously_delete_expired(
            sessions,
            tokio::time::Duration::from_secs(3600),
        ),
    );
    let listener =
        listen(args.addr).with_context(|| format!("Failed to listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(surveys = catalog.len(), db = %args.db.location, "starting");
    println!(
        "manyi is serving {} survey(s). Open http://{addr}/",
        catalog.len()
    );
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let settings = Settings {
        public_url: public_url.clone(),
        secure_cookies: args.secure_cookies,
        trust_proxy: args.trust_proxy,
        min_visit_minutes: args.min_visit_minutes,
        utc_offset: args.utc_offset,
        min_n: args.min_n.max(1),
        max_in_flight: args.max_in_flight.max(1),
        connections: args.connection_limits(),
        uploads: args.upload_limits(),
        api_limits: args.api_limits(),
        intake: args.intake(),
        case_deadlines: args.cases.deadlines(),
        case_categories: args
            .cases
            .taxonomy(&args.surveys)
            .map_err(|e| anyhow::anyhow!(e))?,
        webhooks: crate::webhooks::Policy {
            public_url,
            ..args.webhooks()
        },
    };
    let state = AppState::with_settings(db.clone(), catalog, settings);
    // Case webhooks are sent from the database's queue, outside every request.
    let deliverer = crate::webhooks::spawn_worker(db.clone(), state.settings.webhooks.clone());
    // Open cases past a deadline are escalated once a minute (flag, list, webhook).
    let sweeper = tokio::spawn(crate::web::case_steps::sweep_overdue_forever(state.clone()));
    let served = serve(listener, state, shutdown_signal()).await;
    // In-flight requests have finished: store what is queued, then close every
    // connection so the WAL is checkpointed and the database file alone is complete.
    cleaner.abort();
    sweeper.abort();
    // A delivery cut off mid-request is sent again after the next start (see `deliver_due`).
    deliverer.abort();
    db.close().await;
    tracing::info!("database closed");
    served
}

/// Binds with a deep accept backlog: a burst of thousands of phones connecting at
/// once (a QR code at a busy till) is queued by the kernel instead of dropped.
fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn run_export(form: &str, include_held: bool, db_arg: &DbArg) -> anyhow::Result<()> {
    if !db_arg.location.exists() {
        anyhow::bail!("there is no database at {}", db_arg.location);
    }
    let db = db::connect(&db_arg.location).await?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let rows = export::write_csv_of(&db.read, form, include_held, &mut out).await?;
    out.flush()?;
    eprintln!("{rows} response(s) exported");
    if !include_held {
        let held = db::held::HeldFilter {
            form: Some(form.to_owned()),
            ..Default::default()
        };
        let (n, _) = db::held::count(&db.read, &held).await?;
        if n > 0 {
            eprintln!("{n} held response(s) not exported; add --include-held to export them too");
        }
    }
    db.close().await;
    Ok(())
}

async fn run_backup(target: &std::path::Path, db_arg: &DbArg) -> anyhow::Result<()> {
    if !db_arg.location.exists() {
        anyhow::bail!("there is no database at {}", db_arg.location);
    }
    let db = db::connect(&db_arg.location).await?;
    let bytes = db::backup(&db, target).await?;
    db.close().await;
    println!(
        "backup written to {} ({:.1} MB) and checked",
        target.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}

async fn run_demo(db_arg: &DbArg, surveys: &std::path::Path) -> anyhow::Result<()> {
    let catalog = load_dir(surveys).map_err(|errors| {
        print_errors(&errors);
        anyhow::anyhow!("fix the survey files in {} first", surveys.display())
    })?;
    let db = db::connect(&db_arg.location).await?;
    fill_demo(
        &db.write,
        &catalog,
        crate::web::Settings::default().utc_offset,
    )
    .await?;
    db.close().await;
    Ok(())
}

/// Generates the demo data set into an empty database and prints the logins it created.
async fn fill_demo(
    pool: &Pool,
    catalog: &Catalog,
    utc_offset: time::UtcOffset,
) -> anyhow::Result<()> {
    let existing: i64 = crate::with_pool!(pool, ex => sqlx::query_scalar("select count(*) from response")
        .fetch_one(ex)
        .await)?;
    if existing > 0 {
        anyhow::bail!(
            "the database already holds {existing} responses; the demo only fills an empty one"
        );
    }
    let today = time::OffsetDateTime::now_utc().to_offset(utc_offset).date();
    let spec = crate::demo::Spec::demo(today, utc_offset);
    eprintln!(
        "generating demo data: {} stores, about {} responses over {} days…",
        spec.stores, spec.responses, spec.days
    );
    let report = crate::demo::generate(pool, catalog, &spec, |_| {}).await?;
    println!(
        "demo data: {} stores, {} responses, {} sales rows, {} approved audits, {} cases",
        report.stores, report.responses, report.sales_rows, report.audits, report.cases
    );
    for (name, role, password) in &report.logins {
        println!("  login {name} ({role}) with password {password}");
    }
    Ok(())
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("MANYI_LOG")
        .unwrap_or_else(|_| EnvFilter::new("manyi=info,tower_http=info"));
    // A second init (in tests) is harmless, so its error is ignored.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before exit.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
