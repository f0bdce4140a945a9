//! Manager reports: the filter (period, store, region, form, grouping), the data behind it, and each chart.

mod build;
mod data;
mod names;

pub use build::{chart, headline};
pub use data::{Data, Parts};
pub use names::{ChartName, Metric};

use serde::Deserialize;
use time::macros::date;
use time::{Date, Duration};

use crate::audits::parse_date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Day,
    Week,
    Month,
}

impl Grouping {
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
        }
    }
}

/// What a report covers. Parsed from the query string; every chart URL carries the same one.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub period: String,
    pub from: Date,
    pub to: Date,
    pub store: Option<String>,
    pub region: Option<String>,
    pub form: Option<String>,
    pub grouping: Grouping,
    pub min_n: u64,
}

/// The query string as sent: every field optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub store: Option<String>,
    pub region: Option<String>,
    pub form: Option<String>,
    pub group: Option<String>,
    pub lang: Option<String>,
}

/// Longest range a report may cover.
const MAX_DAYS: i64 = 3 * 366;

/// The dates a report may cover: wider than any store's history, and far enough inside
/// the calendar (which ends at ±9999) that the previous range, week starts and month ends
/// computed from them always exist.
pub const EARLIEST: Date = date!(1900 - 01 - 01);
pub const LATEST: Date = date!(2999 - 12 - 31);

impl Filter {
    /// Checks the query; the message names the field and what to send instead.
    pub fn parse(q: &FilterQuery, today: Date, min_n: u64) -> Result<Filter, String> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let period = blank(&q.period).unwrap_or_else(|| "quarter".into());
        let days = |n: i64| (today.saturating_sub(Duration::days(n - 1)), today);
        let (from, to) = match period.as_str() {
            "week" => days(7),
            "month" => days(30),
            "quarter" => days(91),
            "year" => days(365),
            "custom" => {
                let date = |v: &Option<String>, name: &str| {
                    blank(v).as_deref().and_then(parse_date).ok_or_else(|| {
                        format!("`{name}` must be a date (YYYY-MM-DD) for a custom period.")
                    })
                };
                (date(&q.from, "from")?, date(&q.to, "to")?)
            }
            other => {
                return Err(format!(
                    "`period` '{other}' is not one of week, month, quarter, year, custom."
                ));
            }
        };
        for (day, name) in [(from, "from"), (to, "to")] {
            if !(EARLIEST..=LATEST).contains(&day) {
                return Err(format!(
                    "`{name}` must be between {EARLIEST} and {LATEST}; {day} is outside."
                ));
            }
        }
        if to < from {
            return Err("`to` must be on or after `from`.".into());
        }
        if (to - from).whole_days() > MAX_DAYS {
            return Err("A report covers at most three years; choose a shorter range.".into());
        }
        let grouping = match blank(&q.group).as_deref() {
            None if (to - from).whole_days() > 120 => Grouping::Month,
            None if (to - from).whole_days() > 20 => Grouping::Week,
            None | Some("day") => Grouping::Day,
            Some("week") => Grouping::Week,
            Some("month") => Grouping::Month,
            Some(other) => {
                return Err(format!("`group` '{other}' is not one of day, week, month."));
            }
        };
        let code = |v: &Option<String>, name: &str| match blank(v) {
            Some(c) if c.len() > 64 || c.chars().any(char::is_control) => {
                Err(format!("`{name}` is not valid."))
            }
            other => Ok(other),
        };
        Ok(Filter {
            period,
            from,
            to,
            store: code(&q.store, "store")?,
            region: code(&q.region, "region")?,
            form: code(&q.form, "form")?,
            grouping,
            min_n,
        })
    }

    /// The range of the same length just before this one, for comparison. Saturating:
    /// `parse` keeps dates far from the calendar's start, and a hand-built filter near it
    /// gets a clipped range rather than a panic.
    pub fn previous(&self) -> Filter {
        let len = self.to - self.from + Duration::days(1);
        Filter {
            from: self.from.saturating_sub(len),
            to: self.to.saturating_sub(len),
            ..self.clone()
        }
    }

    /// The period labels the range spans, as the SQL groups them, so empty periods still show.
    pub fn periods(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            let key = match self.grouping {
                Grouping::Day => day.to_string(),
                Grouping::Week => day
                    .saturating_sub(Duration::days(i64::from(
                        day.weekday().number_days_from_monday(),
                    )))
                    .to_string(),
                Grouping::Month => day.to_string()[..7].to_owned(),
            };
            if out.last() != Some(&key) {
                out.push(key);
            }
            day = match day.next_day() {
                Some(d) => d,
                None => break,
            };
        }
        out
    }

    /// For each period of `periods()`: whether the range covers it only in part.
    pub fn partial(&self) -> Vec<bool> {
        self.periods()
            .iter()
            .map(|key| {
                let (start, end) = match self.grouping {
                    Grouping::Day => return false,
                    Grouping::Week => match parse_date(key) {
                        Some(d) => (d, d.saturating_add(Duration::days(6))),
                        None => return false,
                    },
                    Grouping::Month => match parse_date(&format!("{key}-01")) {
                        Some(d) => {
                            let next = d
                                .saturating_add(Duration::days(32))
                                .replace_day(1)
                                .unwrap_or(d);
                            (d, next.saturating_sub(Duration::days(1)))
                        }
                        None => return false,
                    },
                };
                start < self.from || end > self.to
            })
            .collect()
    }

    /// The query string that reproduces this filter (for chart and CSV links).
    pub fn query(&self, lang: crate::i18n::Lang) -> String {
        let mut q = format!(
            "period={}&from={}&to={}&group={}&lang={lang}",
            self.period,
            self.from,
            self.to,
            self.grouping.as_str()
        );
        for (k, v) in [
            ("store", &self.store),
            ("region", &self.region),
            ("form", &self.form),
        ] {
            if let Some(v) = v {
                q.push_str(&format!(
                    "&{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                ));
            }
        }
        q
    }
}

#[cfg(test)]
mod tests;
