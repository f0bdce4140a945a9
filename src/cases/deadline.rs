//! Case deadlines: the first reply within hours of opening, the resolution by the end of a local day, both per priority, and what is overdue.
//!
//! The first reply counts hours from the moment the case opened, wherever the store is.
//! The resolution counts whole days in the stores' time zone: "within 7 days" of a case
//! opened at 23:30 on 1 March (local) ends at 23:59:59 local on 8 March, so a case opened
//! late in the evening is not a day shorter than one opened in the morning.

use time::{Duration, OffsetDateTime, Time, UtcOffset};

use super::Priority;

/// Deadlines per priority (flags `--case-reply-hours`, `--case-resolve-days` and their
/// `-high`/`-low` overrides).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Hours to the first reply: high, normal, low.
    pub reply_hours: [u32; 3],
    /// Local days to the resolution: high, normal, low.
    pub resolve_days: [u32; 3],
}

impl Default for Policy {
    /// The training material's 24-hour reply for every case; a week to resolve, three
    /// days when urgent, two weeks when not.
    fn default() -> Self {
        Policy {
            reply_hours: [24, 24, 24],
            resolve_days: [3, 7, 14],
        }
    }
}

fn slot(p: Priority) -> usize {
    match p {
        Priority::High => 0,
        Priority::Normal => 1,
        Priority::Low => 2,
    }
}

/// A case's two deadlines, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub reply: OffsetDateTime,
    pub resolve: OffsetDateTime,
}

impl Policy {
    /// Builds a policy from the base values and the optional per-priority overrides.
    pub fn from_flags(
        reply_hours: u32,
        resolve_days: u32,
        high: (Option<u32>, Option<u32>),
        low: (Option<u32>, Option<u32>),
    ) -> Policy {
        let d = Policy::default();
        Policy {
            reply_hours: [
                high.0.unwrap_or(reply_hours),
                reply_hours,
                low.0.unwrap_or(reply_hours),
            ],
            resolve_days: [
                high.1.unwrap_or(d.resolve_days[0].min(resolve_days)),
                resolve_days,
                low.1.unwrap_or(d.resolve_days[2].max(resolve_days)),
            ],
        }
    }

    /// The deadlines of a case of `priority` opened at `opened`, for stores at `offset`.
    pub fn due(&self, priority: Priority, opened: OffsetDateTime, offset: UtcOffset) -> Due {
        let reply = opened.saturating_add(Duration::hours(self.reply_hours[slot(priority)].into()));
        let local = opened.to_offset(offset);
        let last_day = local
            .date()
            .checked_add(Duration::days(self.resolve_days[slot(priority)].into()))
            .unwrap_or(local.date());
        let end = last_day
            .with_time(Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
            .assume_offset(offset);
        Due {
            reply,
            resolve: end.to_offset(UtcOffset::UTC),
        }
    }
}

/// Which deadline an open case has missed at `now`, the reply's first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Late {
    Reply,
    Resolve,
}

/// What is late about a case at `now`. A closed case is late for nothing; a case
/// replied to in time can still be late to resolve.
pub fn late(
    now: OffsetDateTime,
    due: Due,
    first_reply: Option<OffsetDateTime>,
    closed: Option<OffsetDateTime>,
) -> Option<Late> {
    if closed.is_some() {
        return None;
    }
    if first_reply.is_none() && now > due.reply {
        return Some(Late::Reply);
    }
    (now > due.resolve).then_some(Late::Resolve)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn reply_counts_hours_from_opening() {
        let p = Policy::default();
        let due = p.due(
            Priority::Normal,
            datetime!(2026-03-01 15:30 UTC),
            offset!(+08:00),
        );
        assert_eq!(due.reply, datetime!(2026-03-02 15:30 UTC));
    }

    #[test]
    fn resolution_ends_at_local_midnight_across_the_date_line() {
        let p = Policy::default();
        // 15:30 UTC is 23:30 on 1 March in Shanghai: 7 days → 8 March 23:59:59 +08.
        let opened = datetime!(2026-03-01 15:30 UTC);
        let east = p.due(Priority::Normal, opened, offset!(+08:00));
        assert_eq!(east.resolve, datetime!(2026-03-08 15:59:59 UTC));
        // The same instant is 10:30 on 1 March at -05:00: 8 March 23:59:59 -05.
        let west = p.due(Priority::Normal, opened, offset!(-05:00));
        assert_eq!(west.resolve, datetime!(2026-03-09 04:59:59 UTC));
        // Half an hour later it is 2 March in Shanghai: one more day.
        let later = p.due(
            Priority::Normal,
            datetime!(2026-03-01 16:00 UTC),
            offset!(+08:00),
        );
        assert_eq!(later.resolve, datetime!(2026-03-09 15:59:59 UTC));
    }

    #[test]
    fn priorities_override() {
        let p = Policy::from_flags(24, 7, (Some(4), Some(1)), (None, None));
        let opened = datetime!(2026-06-10 02:00 UTC); // 10:00 local
        let high = p.due(Priority::High, opened, offset!(+08:00));
        assert_eq!(high.reply, datetime!(2026-06-10 06:00 UTC));
        assert_eq!(high.resolve, datetime!(2026-06-11 15:59:59 UTC));
        let low = p.due(Priority::Low, opened, offset!(+08:00));
        assert_eq!(low.reply, datetime!(2026-06-11 02:00 UTC));
        assert_eq!(p.resolve_days, [1, 7, 14]);
    }

    #[test]
    fn lateness() {
        let due = Due {
            reply: datetime!(2026-03-02 15:30 UTC),
            resolve: datetime!(2026-03-08 15:59:59 UTC),
        };
        let before = datetime!(2026-03-02 15:29 UTC);
        let after_reply = datetime!(2026-03-02 15:31 UTC);
        let after_all = datetime!(2026-03-09 00:00 UTC);
        assert_eq!(late(before, due, None, None), None);
        assert_eq!(late(after_reply, due, None, None), Some(Late::Reply));
        assert_eq!(late(after_reply, due, Some(before), None), None);
        assert_eq!(
            late(after_all, due, Some(before), None),
            Some(Late::Resolve)
        );
        assert_eq!(late(after_all, due, None, Some(after_reply)), None);
    }
}
