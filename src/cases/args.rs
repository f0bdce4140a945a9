//! The case flags shared by `manyi serve` and `manyi cases import`: deadlines per priority and the cause categories file.

use std::path::{Path, PathBuf};

use clap::Args;

use super::deadline::Policy;
use super::taxonomy::Taxonomy;

#[derive(Debug, Clone, Args)]
pub struct CaseArgs {
    /// Hours within which a case's first reply to the customer is due.
    #[arg(long, env = "MANYI_CASE_REPLY_HOURS", default_value_t = 24)]
    pub case_reply_hours: u32,
    /// Days (the stores' local days, ending at midnight) within which a case is due to be resolved.
    #[arg(long, env = "MANYI_CASE_RESOLVE_DAYS", default_value_t = 7)]
    pub case_resolve_days: u32,
    /// First-reply hours for high-priority cases (default: --case-reply-hours).
    #[arg(long, env = "MANYI_CASE_REPLY_HOURS_HIGH")]
    pub case_reply_hours_high: Option<u32>,
    /// Resolution days for high-priority cases (default: 3, or fewer if --case-resolve-days is).
    #[arg(long, env = "MANYI_CASE_RESOLVE_DAYS_HIGH")]
    pub case_resolve_days_high: Option<u32>,
    /// First-reply hours for low-priority cases (default: --case-reply-hours).
    #[arg(long, env = "MANYI_CASE_REPLY_HOURS_LOW")]
    pub case_reply_hours_low: Option<u32>,
    /// Resolution days for low-priority cases (default: 14, or more if --case-resolve-days is).
    #[arg(long, env = "MANYI_CASE_RESOLVE_DAYS_LOW")]
    pub case_resolve_days_low: Option<u32>,
    /// The cause categories file (default: cases/categories.toml in the surveys folder,
    /// else the shipped list).
    #[arg(long, env = "MANYI_CASE_CATEGORIES")]
    pub case_categories: Option<PathBuf>,
}

impl CaseArgs {
    pub fn deadlines(&self) -> Policy {
        Policy::from_flags(
            self.case_reply_hours.max(1),
            self.case_resolve_days.max(1),
            (self.case_reply_hours_high, self.case_resolve_days_high),
            (self.case_reply_hours_low, self.case_resolve_days_low),
        )
    }

    /// The categories: the named file (which must load), else the surveys folder's, else the shipped list.
    pub fn taxonomy(&self, surveys: &Path) -> Result<Taxonomy, String> {
        if let Some(path) = &self.case_categories {
            return Taxonomy::load(path);
        }
        let beside = surveys.join("cases").join("categories.toml");
        if beside.is_file() {
            Taxonomy::load(&beside)
        } else {
            Ok(Taxonomy::shipped())
        }
    }
}
