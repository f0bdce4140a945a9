//! Manager reports: the filter (period, store, region, form, grouping), the data behind it, and each chart.

mod build;
pub mod cases;
mod data;
mod names;

pub use build::{LEAGUE_KEEP, chart, headline, value_format};
pub use data::{Data, Parts};
pub use names::{ChartName, Metric};

use serde::Deserialize;
use time::macros::date;
use time::{Date, Duration};

use crate::audits::parse_date;
use crate::i18n::reports::Report;
use crate::i18n::{Lang, Msg};

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
    /// The only stores the reader may see (a store manager's): every query adds
    /// `store in (…)`, so no figure, row or label of another store is ever read. `None`
    /// for managers and admins; an empty list reads nothing.
    pub only_stores: Option<Vec<String>>,
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
    /// Checks the query; the message names the field and what to send instead. Dates win:
    /// when `from` or `to` is given the period is custom, whatever `period` says, so a
    /// manager who picks dates and forgets the period select gets the dates they picked.
    pub fn parse(q: &FilterQuery, today: Date, min_n: u64) -> Result<Filter, Msg> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let dates_given = blank(&q.from).is_some() || blank(&q.to).is_some();
        let period = if dates_given {
            "custom".to_owned()
        } else {
            blank(&q.period).unwrap_or_else(|| "quarter".into())
        };
        let days = |n: i64| (today.saturating_sub(Duration::days(n - 1)), today);
        let (from, to) = match period.as_str() {
            "week" => days(7),
            "month" => days(30),
            "quarter" => days(91),
            "year" => days(365),
            "custom" => {
                let date = |v: &Option<String>, zh: Report, en: &str| {
                    blank(v).as_deref().and_then(parse_date).ok_or_else(|| {
                        Msg::both(
                            Report::ErrDate.fill(Lang::Zh, zh.text(Lang::Zh)),
                            Report::ErrDate.fill(Lang::En, en),
                        )
                    })
                };
                (
                    date(&q.from, Report::FromField, "from")?,
                    date(&q.to, Report::ToField, "to")?,
                )
            }
            _ => return Err(Report::ErrPeriod.msg()),
        };
        for (day, zh, en) in [
            (from, Report::FromField, "from"),
            (to, Report::ToField, "to"),
        ] {
            if !(EARLIEST..=LATEST).contains(&day) {
                let fill = |lang: Lang, field: &str| {
                    Report::ErrOutside
                        .text(lang)
                        .replace("{field}", field)
                        .replace("{earliest}", &EARLIEST.to_string())
                        .replace("{latest}", &LATEST.to_string())
                        .replace("{day}", &day.to_string())
                };
                return Err(Msg::both(
                    fill(Lang::Zh, zh.text(Lang::Zh)),
                    fill(Lang::En, en),
                ));
            }
        }
        if to < from {
            return Err(Report::ErrOrder.msg());
        }
        if (to - from).whole_days() > MAX_DAYS {
            return Err(Report::ErrTooLong.msg());
        }
        let grouping = match blank(&q.group).as_deref() {
            None if (to - from).whole_days() > 120 => Grouping::Month,
            None if (to - from).whole_days() > 20 => Grouping::Week,
            None | Some("day") => Grouping::Day,
            Some("week") => Grouping::Week,
            Some("month") => Grouping::Month,
            Some(_) => return Err(Report::ErrGroup.msg()),
        };
        let code = |v: &Option<String>, name: &str| match blank(v) {
            Some(c) if c.len() > 64 || c.chars().any(char::is_control) => Err(Msg::both(
                Report::ErrField.fill(Lang::Zh, name),
                Report::ErrField.fill(Lang::En, name),
            )),
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
            only_stores: None,
        })
    }

    /// Narrows the filter to `stores`, the reader's own. Naming another store is refused
    /// rather than answered with nothing, so the reader knows why; a region only narrows
    /// further (the SQL requires both).
    pub fn restrict(self, stores: Vec<String>) -> Result<Filter, Msg> {
        if let Some(code) = &self.store
            && !stores.contains(code)
        {
            return Err(Msg::both(
                Report::ErrNotYourStore.fill(Lang::Zh, code),
                Report::ErrNotYourStore.fill(Lang::En, code),
            ));
        }
        Ok(Filter {
            only_stores: Some(stores),
            ..self
        })
    }

    /// Whether the reader may see store `code` (for the store select and names).
    pub fn sees(&self, code: &str) -> bool {
        self.only_stores
            .as_ref()
            .is_none_or(|s| s.iter().any(|c| c == code))
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

    /// The query string that reproduces this filter (for chart and CSV links). Dates go
    /// only with a custom period: any date makes a period custom (`parse`).
    pub fn query(&self, lang: Lang) -> String {
        let mut q = if self.period == "custom" {
            format!("period=custom&from={}&to={}", self.from, self.to)
        } else {
            format!("period={}", self.period)
        };
        q.push_str(&format!("&group={}&lang={lang}", self.grouping.as_str()));
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
