//! Command-line flags and `MANYI_*` environment variables, with defaults that work out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::web::serve;

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
    Serve(Box<ServeArgs>),
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
    /// Manage sales data.
    #[command(subcommand)]
    Sales(SalesCommand),
    /// Manage complaint cases.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Manage integration tokens for the JSON API.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Fill an empty database with a generated year of realistic demo data.
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// The folder of survey files (the demo answers the shipped surveys).
        #[arg(long, env = "MANYI_SURVEYS", default_value = "surveys")]
        surveys: PathBuf,
    },
    /// Copy the whole database into a new file, safe while the server runs.
    Backup {
        /// The new file; an existing file is never overwritten.
        #[arg(id = "target", value_name = "PATH")]
        target: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
    /// Copy a SQLite database into an empty PostgreSQL one, then check both hold the same.
    MigrateDb {
        /// The SQLite file to copy (it is only read).
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// The PostgreSQL database, empty: postgres://user:password@host/database.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Print the receipt code of one purchase, or (--show-key) the key a POS needs to print its own.
    ReceiptCode(ReceiptCodeArgs),
    /// Write the counted responses of one form to stdout as CSV, each row marked with
    /// its state in the last column.
    Export {
        /// The form id, as in `settings.id`.
        #[arg(long)]
        form: String,
        /// Also export the responses the quality checks held back and those a manager
        /// excluded, each marked `held` or `excluded` in the `state` column.
        #[arg(long)]
        include_held: bool,
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
        /// admin, manager, store_manager or shopper.
        #[arg(long)]
        role: String,
        /// For a store manager: the store codes whose cases they handle, e.g. S001,S002.
        #[arg(long, value_delimiter = ',')]
        stores: Vec<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Replace the stores a store manager handles; an empty list unbinds them all.
    Stores {
        #[arg(long)]
        username: String,
        /// Store codes, e.g. S001,S002 (registered stores only).
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        stores: Vec<String>,
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

#[derive(Debug, Subcommand)]
pub enum SalesCommand {
    /// Import a CSV with the header store,date,transactions,revenue. A store and day
    /// already stored is replaced; a file with any bad row changes nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Import an existing complaint log with its real times, header
    /// opened_at,store,channel,category,description,first_reply_at,closed_at,resolved,recovery_satisfied,recovery_return.
    /// A file with any bad line changes nothing and lists every bad line; a case already
    /// imported (same store, opened_at and description) is refused.
    Import(CasesImportArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CasesImportArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
    /// The stores' UTC offset, e.g. +08:00: the year in a case's code and its deadline day.
    #[arg(long, env = "MANYI_UTC_OFFSET", default_value = "+08:00", value_parser = parse_offset)]
    pub utc_offset: time::UtcOffset,
    /// The folder of survey files, where cases/categories.toml is looked for.
    #[arg(long, env = "MANYI_SURVEYS", default_value = "surveys")]
    pub surveys: PathBuf,
    #[command(flatten)]
    pub cases: crate::cases::args::CaseArgs,
}

/// `manyi receipt-code`: see `docs/receipt-codes.md`.
#[derive(Debug, Clone, Args)]
pub struct ReceiptCodeArgs {
    /// The store's code in the registry; its code must end in its number (S001 is store 1).
    #[arg(long, required_unless_present = "show_key")]
    pub store: Option<String>,
    /// The purchase day, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date, required_unless_present = "show_key")]
    pub date: Option<time::Date>,
    /// The transaction number on the slip, 0–999999.
    #[arg(long, required_unless_present = "show_key")]
    pub txn: Option<u32>,
    /// Print the chain's receipt key (64 hex digits) instead. It is secret.
    #[arg(long, conflicts_with_all = ["store", "date", "txn"])]
    pub show_key: bool,
    #[command(flatten)]
    pub db: DbArg,
}

fn parse_date(s: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), format).map_err(|_| format!("'{s}' is not a date like 2026-11-30"))
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an integration token. It is printed once, alone on the last line of stdout;
    /// only its SHA-256 is stored.
    Add {
        /// What it is for, e.g. "POS nightly export" or "Kiosk at S001".
        #[arg(long)]
        name: String,
        /// What it may send: submit (customer responses) or sales (daily sales figures).
        #[arg(long)]
        scope: String,
        /// Bind it to one store (a kiosk or tablet in the store): it may only send for it.
        #[arg(long)]
        store: Option<String>,
        /// Its own system vouches for its respondents (a POS or CRM forwarding answers it
        /// collected): its responses skip the per-address, duplicate and burst checks and
        /// only the token's own, higher rate limit applies.
        #[arg(long)]
        trusted: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// List every token with its scope, store, trust and status (never the token itself).
    List {
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
    /// Behind a reverse proxy: take the client's address for the login rate limit from the
    /// last X-Forwarded-For entry (the one the proxy added) instead of the socket.
    #[arg(long, env = "MANYI_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Audits of a visit shorter than this many minutes are flagged for review.
    #[arg(long, env = "MANYI_MIN_VISIT_MINUTES", default_value_t = 5)]
    pub min_visit_minutes: i64,
    /// The stores' UTC offset, e.g. +08:00: reports count responses by local day.
    #[arg(long, env = "MANYI_UTC_OFFSET", default_value = "+08:00", value_parser = parse_offset)]
    pub utc_offset: time::UtcOffset,
    /// Reports show "not enough data" below this many answers.
    #[arg(long, env = "MANYI_MIN_N", default_value_t = crate::indicators::DEFAULT_MIN_N)]
    pub min_n: u64,
    /// Fill an empty database with a generated year of demo data before serving.
    #[arg(long, env = "MANYI_DEMO")]
    pub demo: bool,
    /// Requests handled at once; beyond this a request gets 503 with Retry-After at once.
    #[arg(long, env = "MANYI_MAX_IN_FLIGHT", default_value_t = crate::web::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// Most responses the writer stores in one transaction (one fsync).
    #[arg(long, env = "MANYI_WRITE_BATCH", default_value_t = 256)]
    pub write_batch: usize,
    /// Most responses waiting to be written; one more gets 503.
    #[arg(long, env = "MANYI_WRITE_QUEUE", default_value_t = 2048)]
    pub write_queue: usize,
    /// When the oldest waiting response has waited this many milliseconds, new ones get 503.
    #[arg(long, env = "MANYI_WRITE_QUEUE_WAIT_MS", default_value_t = 500)]
    pub write_queue_wait_ms: u64,
    /// PostgreSQL only: connections this server keeps to the database. Each server of
    /// several keeps its own pool, so the total is this times the servers.
    #[arg(long, env = "MANYI_DB_CONNECTIONS", default_value_t = crate::db::DEFAULT_PG_CONNECTIONS)]
    pub db_connections: u32,
    /// Skip `PRAGMA quick_check` at start (it reads the whole file).
    #[arg(long, env = "MANYI_SKIP_QUICK_CHECK")]
    pub skip_quick_check: bool,
    /// Seconds a client has to send a request's headers, from its first byte (from
    /// connecting, for the first request); then the connection is closed.
    #[arg(long, env = "MANYI_HEADER_TIMEOUT_SECS", default_value_t = serve::HEADER_TIMEOUT_SECS)]
    pub header_timeout_secs: u64,
    /// Seconds a request body may take to arrive whole; then 408 and the connection closes.
    #[arg(long, env = "MANYI_BODY_TIMEOUT_SECS", default_value_t = serve::BODY_TIMEOUT_SECS)]
    pub body_timeout_secs: u64,
    /// The same for a shopper's audit page with photos (multipart posts under /audits/).
    #[arg(long, env = "MANYI_UPLOAD_TIMEOUT_SECS", default_value_t = serve::UPLOAD_TIMEOUT_SECS)]
    pub upload_timeout_secs: u64,
    /// Seconds a connection may sit with no byte moving (idle keep-alive, or a client
    /// not reading its answer) before it is closed.
    #[arg(long, env = "MANYI_IDLE_TIMEOUT_SECS", default_value_t = serve::IDLE_TIMEOUT_SECS)]
    pub idle_timeout_secs: u64,
    /// Connections open at once; more wait in the accept backlog until one closes.
    #[arg(long, env = "MANYI_MAX_CONNECTIONS", default_value_t = serve::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Evidence photos kept from one post of an audit page.
    #[arg(long, env = "MANYI_PHOTOS_PER_POST", default_value_t = 2)]
    pub photos_per_post: usize,
    /// Evidence photos one section (page) of an audit may hold.
    #[arg(long, env = "MANYI_PHOTOS_PER_SECTION", default_value_t = 5)]
    pub photos_per_section: usize,
    /// Evidence photos one audit may hold.
    #[arg(long, env = "MANYI_PHOTOS_PER_AUDIT", default_value_t = 30)]
    pub photos_per_audit: usize,
    /// Largest accepted photo, in MB.
    #[arg(long, env = "MANYI_PHOTO_MAX_MB", default_value_t = 5)]
    pub photo_max_mb: usize,
    /// Most photo MB one audit may hold in all.
    #[arg(long, env = "MANYI_AUDIT_PHOTOS_MAX_MB", default_value_t = 60)]
    pub audit_photos_max_mb: usize,
    /// Responses one untrusted integration token may store per minute; beyond it 429
    /// with Retry-After. 0: no limit.
    #[arg(long, env = "MANYI_API_TOKEN_PER_MINUTE", default_value_t = crate::api_limits::DEFAULT_PER_MINUTE)]
    pub api_token_per_minute: u32,
    /// The same for a trusted token (a POS or CRM forwarding what it collected). 0: no limit.
    #[arg(long, env = "MANYI_API_TRUSTED_PER_MINUTE", default_value_t = crate::api_limits::DEFAULT_TRUSTED_PER_MINUTE)]
    pub api_trusted_per_minute: u32,
    /// Least seconds between two responses of a kiosk (an untrusted token bound to one
    /// store). 0: no gap.
    #[arg(long, env = "MANYI_KIOSK_MIN_GAP_SECS", default_value_t = crate::api_limits::DEFAULT_KIOSK_MIN_GAP_SECS)]
    pub kiosk_min_gap_secs: u64,
    /// Hours a form page's token stays good; a post with an older one stores nothing
    /// and shows the page again with a fresh token.
    #[arg(long, env = "MANYI_FORM_TOKEN_HOURS", default_value_t = 24)]
    pub form_token_hours: u64,
    /// Responses one client address may store per form per hour on the public form;
    /// beyond it 429. 0: no limit.
    #[arg(long, env = "MANYI_FORM_PER_HOUR", default_value_t = crate::intake::address_limit::DEFAULT_PER_HOUR)]
    pub form_per_hour: u32,
    /// Responses one client address may store per day, all forms together. 0: no limit.
    #[arg(long, env = "MANYI_FORM_PER_DAY", default_value_t = crate::intake::address_limit::DEFAULT_PER_DAY)]
    pub form_per_day: u32,
    /// Days after the purchase a receipt code is still taken.
    #[arg(long, env = "MANYI_RECEIPT_MAX_AGE_DAYS", default_value_t = crate::intake::DEFAULT_RECEIPT_MAX_AGE_DAYS)]
    pub receipt_max_age_days: u32,
    /// Attempts at one webhook delivery before it is marked failed (an admin may still
    /// retry it); the waits between them double from 30 s, at most 6 h.
    #[arg(long, env = "MANYI_WEBHOOK_ATTEMPTS", default_value_t = crate::webhooks::DEFAULT_ATTEMPTS)]
    pub webhook_attempts: u32,
    /// Seconds a webhook endpoint has to answer, connecting included; then the attempt failed.
    #[arg(long, env = "MANYI_WEBHOOK_TIMEOUT_SECS", default_value_t = crate::webhooks::DEFAULT_TIMEOUT_SECS)]
    pub webhook_timeout_secs: u64,
    #[command(flatten)]
    pub cases: crate::cases::args::CaseArgs,
}

impl ServeArgs {
    /// The evidence caps, each at least 1.
    pub fn upload_limits(&self) -> crate::audits::UploadLimits {
        const MB: usize = 1024 * 1024;
        crate::audits::UploadLimits {
            photos_per_post: self.photos_per_post.max(1),
            photos_per_section: self.photos_per_section.max(1),
            photos_per_audit: self.photos_per_audit.max(1),
            photo_bytes: self.photo_max_mb.max(1).saturating_mul(MB),
            audit_bytes: self.audit_photos_max_mb.max(1).saturating_mul(MB),
        }
    }

    /// The timeouts and connection cap, each at least 1.
    pub fn connection_limits(&self) -> crate::web::ConnectionLimits {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        crate::web::ConnectionLimits {
            header_timeout: secs(self.header_timeout_secs),
            body_timeout: secs(self.body_timeout_secs),
            upload_timeout: secs(self.upload_timeout_secs),
            idle_timeout: secs(self.idle_timeout_secs),
            max_connections: self.max_connections.max(1),
        }
    }

    /// The per-token limits of the JSON API; a zero turns one off.
    pub fn api_limits(&self) -> crate::api_limits::Policy {
        crate::api_limits::Policy {
            per_minute: self.api_token_per_minute,
            trusted_per_minute: self.api_trusted_per_minute,
            kiosk_min_gap: std::time::Duration::from_secs(self.kiosk_min_gap_secs),
        }
    }

    /// Form tokens, per-address limits and receipt age.
    pub fn intake(&self) -> crate::intake::Policy {
        crate::intake::Policy {
            token_lifetime: std::time::Duration::from_secs(
                self.form_token_hours.max(1).saturating_mul(3600),
            ),
            per_address: crate::intake::address_limit::Policy {
                per_hour: self.form_per_hour,
                per_day: self.form_per_day,
            },
            receipt_max_age_days: self.receipt_max_age_days.max(1),
        }
    }

    /// How webhook deliveries are tried, each value at least 1.
    pub fn webhooks(&self) -> crate::webhooks::Policy {
        crate::webhooks::Policy {
            max_attempts: self.webhook_attempts.max(1),
            timeout: std::time::Duration::from_secs(self.webhook_timeout_secs.max(1)),
            ..crate::webhooks::Policy::default()
        }
    }

    pub fn open_options(&self) -> crate::db::OpenOptions {
        crate::db::OpenOptions {
            writer: crate::db::WriterConfig {
                max_batch: self.write_batch.max(1),
                max_queue: self.write_queue.max(1),
                max_wait: std::time::Duration::from_millis(self.write_queue_wait_ms.max(1)),
            },
            pg_connections: self.db_connections.max(2),
        }
    }
}

fn parse_offset(s: &str) -> Result<time::UtcOffset, String> {
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    time::UtcOffset::parse(s.trim(), format)
        .map_err(|_| format!("'{s}' is not a UTC offset like +08:00"))
}

#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// The database: a SQLite file, created with its folder on first start, or a
    /// PostgreSQL URL (`postgres://user:password@host/database`) that several servers share.
    #[arg(long = "db", env = "MANYI_DB", default_value = "data/manyi.db", value_parser = parse_location)]
    pub location: crate::db::Location,
}

fn parse_location(s: &str) -> Result<crate::db::Location, String> {
    if s.trim().is_empty() {
        return Err("give a database file or a postgres:// URL".into());
    }
    Ok(crate::db::Location::parse(s))
}
