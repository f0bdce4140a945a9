//! Command-line flags and `MANYI_*` environment variables, with defaults that work out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "manyi",
    version,
    about = "Customer-satisfaction surveys for retail chains"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags for the bare `manyi`, which serves like `manyi serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the surveys over HTTP (the default).
    Serve(ServeArgs),
    /// Check survey definitions without serving; exits non-zero on any error.
    Check {
        /// The folder of survey files.
        #[arg(env = "MANYI_SURVEYS", default_value = "surveys")]
        dir: PathBuf,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the store registry.
    #[command(subcommand)]
    Stores(StoresCommand),
    /// Write every response of one form to stdout as CSV.
    Export {
        /// The form id, as in `settings.id`.
        #[arg(long)]
        form: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from the terminal, or from stdin when piped.
    Add {
        #[arg(long)]
        username: String,
        /// admin, manager or shopper.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoresCommand {
    /// Import stores from a CSV with the header code,name,region[,address][,opening_hours].
    /// Importing the same file again updates the stores instead of duplicating them.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MANYI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub db: DbArg,
    /// The folder of survey files; every *.toml in it is loaded at start.
    #[arg(long, env = "MANYI_SURVEYS", default_value = "surveys")]
    pub surveys: PathBuf,
    /// The address customers use to reach the server, printed in QR codes.
    /// Defaults to http://ADDR.
    #[arg(long, env = "MANYI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Mark the session cookie Secure; set this when serving over HTTPS.
    #[arg(long, env = "MANYI_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Audits of a visit shorter than this many minutes are flagged for review.
    #[arg(long, env = "MANYI_MIN_VISIT_MINUTES", default_value_t = 5)]
    pub min_visit_minutes: i64,
}

#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// The SQLite database file; created, with its folder, on first start.
    #[arg(long = "db", env = "MANYI_DB", default_value = "data/manyi.db")]
    pub path: PathBuf,
}
