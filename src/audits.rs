//! The audit workflow's pure rules: statuses and transitions, visit checks and flags, and evidence types.

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Time};

/// Where an audit is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Assigned,
    InProgress,
    Submitted,
    Approved,
    Rejected,
    RevisionRequested,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Assigned,
        Status::InProgress,
        Status::Submitted,
        Status::Approved,
        Status::Rejected,
        Status::RevisionRequested,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::RevisionRequested => "revision_requested",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The shopper may still edit: before submission, or when sent back.
    pub fn editable(self) -> bool {
        matches!(
            self,
            Status::Assigned | Status::InProgress | Status::RevisionRequested
        )
    }
}

/// What a reviewer can do to an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    Approve,
    Reject,
    RequestRevision,
    Exclude,
    Include,
}

impl ReviewAction {
    pub fn parse(s: &str) -> Option<ReviewAction> {
        Some(match s {
            "approve" => ReviewAction::Approve,
            "reject" => ReviewAction::Reject,
            "revise" => ReviewAction::RequestRevision,
            "exclude" => ReviewAction::Exclude,
            "include" => ReviewAction::Include,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ReviewAction::Approve => "approved",
            ReviewAction::Reject => "rejected",
            ReviewAction::RequestRevision => "revision requested",
            ReviewAction::Exclude => "excluded from reports",
            ReviewAction::Include => "included in reports again",
        }
    }

    pub fn needs_reason(self) -> bool {
        !matches!(self, ReviewAction::Approve)
    }

    /// The status after the action, or why it is not allowed from `from` (`excluded` is the exclusion flag).
    pub fn apply(self, from: Status, excluded: bool) -> Result<Status, &'static str> {
        match (self, from) {
            (ReviewAction::Approve, Status::Submitted) => Ok(Status::Approved),
            (ReviewAction::Reject, Status::Submitted) => Ok(Status::Rejected),
            (ReviewAction::RequestRevision, Status::Submitted) => Ok(Status::RevisionRequested),
            (ReviewAction::Exclude, Status::Approved) if !excluded => Ok(Status::Approved),
            (ReviewAction::Include, Status::Approved) if excluded => Ok(Status::Approved),
            (ReviewAction::Exclude | ReviewAction::Include, _) => {
                Err("Only an approved audit can be excluded from reports or included again.")
            }
            _ => Err("Only a submitted audit can be approved, rejected or sent back for revision."),
        }
    }
}

/// The visit details a shopper records, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitInput {
    pub visit_date: String,
    pub time_in: String,
    pub time_out: String,
}

/// Checked visit details.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Visit {
    pub date: Date,
    pub time_in: Time,
    pub time_out: Time,
}

impl Visit {
    pub fn minutes(&self) -> i64 {
        (self.time_out - self.time_in).whole_minutes()
    }
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

pub fn parse_time(s: &str) -> Option<Time> {
    let s = s.trim();
    // Browsers send HH:MM, some with seconds.
    Time::parse(s, format_description!("[hour]:[minute]"))
        .or_else(|_| Time::parse(s, format_description!("[hour]:[minute]:[second]")))
        .ok()
}

/// Checks the visit details against the assignment window; field → message on failure.
pub fn check_visit(
    input: &VisitInput,
    from: Date,
    to: Date,
) -> Result<Visit, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let date = parse_date(&input.visit_date);
    let time_in = parse_time(&input.time_in);
    let time_out = parse_time(&input.time_out);
    match date {
        None => errors.push(("visit_date", "Enter the date of the visit.".to_owned())),
        Some(d) if d < from || d > to => errors.push((
            "visit_date",
            format!("The visit must fall inside the window, {from} to {to}."),
        )),
        Some(_) => {}
    }
    if time_in.is_none() {
        errors.push(("time_in", "Enter the time you went in (HH:MM).".to_owned()));
    }
    match (time_in, time_out) {
        (_, None) => errors.push((
            "time_out",
            "Enter the time you came out (HH:MM).".to_owned(),
        )),
        (Some(i), Some(o)) if o <= i => errors.push((
            "time_out",
            "The time out must be after the time in.".to_owned(),
        )),
        _ => {}
    }
    match (date, time_in, time_out, errors.is_empty()) {
        (Some(date), Some(time_in), Some(time_out), true) => Ok(Visit {
            date,
            time_in,
            time_out,
        }),
        _ => Err(errors),
    }
}

/// Odd cases for the reviewer; they never block a submission.
pub fn flags(visit: &Visit, min_minutes: i64, submitted: time::PrimitiveDateTime) -> Vec<String> {
    let mut flags = Vec::new();
    let minutes = visit.minutes();
    if minutes < min_minutes {
        flags.push(format!(
            "The visit lasted {minutes} minute(s), under the {min_minutes} expected."
        ));
    }
    let left = visit.date.with_time(visit.time_out);
    let hours = (submitted - left).whole_hours();
    if hours > 24 {
        flags.push(format!(
            "Submitted {hours} hours after the visit; reports are due within 24 hours."
        ));
    }
    flags
}

/// How much evidence the server accepts: per post, per section (the visit page counts as
/// one; photos belong to a page, not to a question) and per audit, in photos and bytes.
/// A phone takes photos of 2–4 MB, so the defaults leave room for an honest shopper and
/// keep one audit from filling the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    pub photos_per_post: usize,
    pub photos_per_section: usize,
    pub photos_per_audit: usize,
    /// Largest accepted photo.
    pub photo_bytes: usize,
    /// Most photo bytes one audit may hold in all.
    pub audit_bytes: usize,
}

const MB: usize = 1024 * 1024;

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            photos_per_post: 2,
            photos_per_section: 5,
            photos_per_audit: 30,
            photo_bytes: 5 * MB,
            audit_bytes: 60 * MB,
        }
    }
}

/// Room for a page's text fields in a post, besides its photos: comments of 2,000
/// characters on every item of a long section fit.
pub const FIELD_BYTES: usize = 256 * 1024;

/// Most parts one post may have: a page has a few dozen fields; 500 parts are an attack.
pub const MAX_PARTS: usize = 400;

/// What an audit holds already, for checking one more photo against the caps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvidenceUse {
    /// Photos of the section the new one would join.
    pub section_photos: usize,
    pub audit_photos: usize,
    pub audit_bytes: usize,
}

/// The cap one more photo would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    Section,
    AuditPhotos,
    AuditBytes,
}

impl UploadLimits {
    /// The most bytes of parts one post may send before it is refused unread.
    pub fn post_bytes(&self) -> usize {
        self.photos_per_post
            .saturating_mul(self.photo_bytes)
            .saturating_add(FIELD_BYTES)
    }

    /// Whether one more photo of `size` bytes fits next to what is stored.
    pub fn admits(&self, used: EvidenceUse, size: usize) -> Result<(), Cap> {
        if used.section_photos >= self.photos_per_section {
            Err(Cap::Section)
        } else if used.audit_photos >= self.photos_per_audit {
            Err(Cap::AuditPhotos)
        } else if used.audit_bytes.saturating_add(size) > self.audit_bytes {
            Err(Cap::AuditBytes)
        } else {
            Ok(())
        }
    }
}

/// The image type of an upload, from its first bytes (never from the name or the browser's claim).
/// SVG is not accepted: it can carry scripts.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// What the shopper has entered so far, saved on every page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(default)]
    pub answers: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub comments: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub visit: VisitInput,
    /// The page to resume at: 0 is the visit page, then one per section.
    #[serde(default)]
    pub page: usize,
}

#[cfg(test)]
mod tests;
