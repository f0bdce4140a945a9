use time::macros::date;

use super::*;

fn q(pairs: &[(&str, &str)]) -> FilterQuery {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(x, _)| *x == k)
            .map(|(_, v)| (*v).to_owned())
    };
    FilterQuery {
        period: get("period"),
        from: get("from"),
        to: get("to"),
        store: get("store"),
        region: get("region"),
        form: get("form"),
        group: get("group"),
        lang: None,
    }
}

const TODAY: Date = date!(2026 - 11 - 22);

#[test]
fn the_default_is_the_last_quarter_by_week() {
    let f = Filter::parse(&q(&[]), TODAY, 5).unwrap();
    assert_eq!(
        (f.from, f.to, f.grouping),
        (date!(2026 - 08 - 24), TODAY, Grouping::Week)
    );
    assert_eq!(f.previous().to, date!(2026 - 08 - 23));
    assert_eq!(f.previous().from, date!(2026 - 05 - 25));
}

#[test]
fn a_custom_range_needs_both_dates_in_order() {
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-01-01"),
            ("to", "2026-03-31"),
            ("group", "month"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(f.periods(), ["2026-01", "2026-02", "2026-03"]);
    assert!(
        Filter::parse(
            &q(&[("period", "custom"), ("from", "2026-01-01")]),
            TODAY,
            5
        )
        .unwrap_err()
        .to_string()
        .contains("`to`")
    );
    assert!(
        Filter::parse(
            &q(&[
                ("period", "custom"),
                ("from", "2026-02-01"),
                ("to", "2026-01-01")
            ]),
            TODAY,
            5
        )
        .is_err()
    );
    assert!(
        Filter::parse(&q(&[("period", "decade")]), TODAY, 5)
            .unwrap_err()
            .to_string()
            .contains("week, month")
    );
    assert!(Filter::parse(&q(&[("group", "hour")]), TODAY, 5).is_err());
    assert!(
        Filter::parse(
            &q(&[
                ("period", "custom"),
                ("from", "2020-01-01"),
                ("to", "2026-01-01")
            ]),
            TODAY,
            5
        )
        .is_err()
    );
}

#[test]
fn weeks_start_on_monday_and_every_period_is_listed() {
    // 2026-11-22 is a Sunday: its week starts on Monday the 16th.
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-11-10"),
            ("to", "2026-11-22"),
            ("group", "week"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(f.periods(), ["2026-11-09", "2026-11-16"]);
    let f = Filter::parse(&q(&[("period", "week"), ("group", "day")]), TODAY, 5).unwrap();
    assert_eq!(f.periods().len(), 7);
}

#[test]
fn the_query_string_round_trips() {
    let f = Filter::parse(
        &q(&[
            ("period", "month"),
            ("store", "S001"),
            ("region", "East & North"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    let s = f.query(crate::i18n::Lang::En);
    assert!(
        s.contains("store=S001")
            && s.contains("region=East%20%26%20North")
            && s.contains("lang=en"),
        "{s}"
    );
}

#[test]
fn a_range_splits_into_edge_days_and_whole_months() {
    use crate::db::reports::spans;
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-01-15"),
            ("to", "2026-04-10"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    let s: Vec<(&str, String, String)> = spans(&f, false)
        .into_iter()
        .map(|s| (s.table, s.from, s.to))
        .collect();
    assert_eq!(
        s,
        [
            ("daily", "2026-01-15".into(), "2026-01-31".into()),
            ("monthly", "2026-02".into(), "2026-03".into()),
            ("daily", "2026-04-01".into(), "2026-04-10".into()),
        ]
    );
    // Whole months only; and a range inside one month stays daily.
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-02-01"),
            ("to", "2026-02-28"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(spans(&f, false).len(), 1);
    assert_eq!(spans(&f, false)[0].table, "monthly");
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-02-03"),
            ("to", "2026-02-20"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(spans(&f, false)[0].table, "daily");
    // Grouping by week needs days even over whole months.
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-02-01"),
            ("to", "2026-03-31"),
            ("group", "week"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(spans(&f, true)[0].table, "daily");
}

#[test]
fn periods_the_range_only_partly_covers_are_marked() {
    // 2026-11-10 is a Tuesday, 2026-11-22 a Sunday: the first week is partial, the second whole.
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-11-10"),
            ("to", "2026-11-22"),
            ("group", "week"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(f.partial(), [true, false]);
    let f = Filter::parse(
        &q(&[
            ("period", "custom"),
            ("from", "2026-01-01"),
            ("to", "2026-02-14"),
            ("group", "month"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(f.partial(), [false, true]);
    let f = Filter::parse(&q(&[("period", "week"), ("group", "day")]), TODAY, 5).unwrap();
    assert!(f.partial().iter().all(|p| !p));
}

#[test]
fn dates_near_the_calendars_ends_are_refused_and_the_supported_ends_work() {
    let custom = |from: &str, to: &str, group: &str| {
        Filter::parse(
            &q(&[
                ("period", "custom"),
                ("from", from),
                ("to", to),
                ("group", group),
            ]),
            TODAY,
            5,
        )
    };
    let refused = custom("9999-12-01", "9999-12-31", "week")
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        "`from` must be between 1900-01-01 and 2999-12-31; 9999-12-01 is outside."
    );
    assert!(
        custom("2026-01-01", "-0001-01-01", "day")
            .unwrap_err()
            .to_string()
            .contains("`to` must be between")
    );
    assert!(
        custom("10000-01-01", "10000-01-02", "day")
            .unwrap_err()
            .to_string()
            .contains("must be a date")
    );
    // A clock far in the future cannot make the named periods leave the range either.
    let far = Filter::parse(&q(&[("period", "year")]), date!(9999 - 12 - 31), 5);
    assert!(far.unwrap_err().to_string().contains("must be between"));
    let end = custom("2999-12-25", "2999-12-31", "week").unwrap();
    assert_eq!(end.periods(), ["2999-12-23", "2999-12-30"]);
    assert_eq!(end.partial(), [true, true]);
    let start = custom("1900-01-01", "1900-01-31", "month").unwrap();
    assert_eq!(start.previous().from, date!(1899 - 12 - 01));
}

#[test]
fn dates_make_the_period_custom_whatever_the_period_select_says() {
    let f = Filter::parse(
        &q(&[
            ("period", "week"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
        ]),
        TODAY,
        5,
    )
    .unwrap();
    assert_eq!(
        (f.period.as_str(), f.from, f.to),
        ("custom", date!(2026 - 01 - 01), date!(2026 - 01 - 31))
    );
    assert!(
        f.query(crate::i18n::Lang::Zh)
            .starts_with("period=custom&from=2026-01-01&to=2026-01-31")
    );
    // A named period's links carry no dates, so they follow the calendar.
    let week = Filter::parse(&q(&[("period", "week")]), TODAY, 5).unwrap();
    assert!(!week.query(crate::i18n::Lang::Zh).contains("from="));
    // One date alone is refused, in both languages.
    let e = Filter::parse(&q(&[("from", "2026-01-01")]), TODAY, 5).unwrap_err();
    assert!(e.to_string().contains("`to` must be a date"));
    assert!(e.get(crate::i18n::Lang::Zh).contains("截止日期"));
}

#[test]
fn a_restricted_filter_keeps_its_own_store_and_refuses_another() {
    let own = || vec!["S001".to_owned()];
    let f = Filter::parse(&q(&[("region", "South")]), TODAY, 5)
        .unwrap()
        .restrict(own())
        .unwrap();
    // A region narrows, never widens: both stay, and the SQL requires both.
    assert_eq!(f.region.as_deref(), Some("South"));
    assert_eq!(f.only_stores, Some(own()));
    assert!(f.sees("S001") && !f.sees("S002"));
    assert!(
        !f.query(Lang::En).contains("S001"),
        "the restriction is never in a URL"
    );
    let mine = Filter::parse(&q(&[("store", "S001")]), TODAY, 5).unwrap();
    assert_eq!(mine.restrict(own()).unwrap().store.as_deref(), Some("S001"));
    let other = Filter::parse(&q(&[("store", "S002")]), TODAY, 5).unwrap();
    let refused = other.restrict(own()).unwrap_err();
    assert!(
        refused
            .get(Lang::En)
            .contains("store S002 is not one of them")
    );
    assert!(refused.get(Lang::Zh).contains("门店 S002 不在其中"));
    // No stores at all: every store is another's.
    let none = Filter::parse(&q(&[]), TODAY, 5)
        .unwrap()
        .restrict(Vec::new())
        .unwrap();
    assert!(!none.sees("S001"));
    let unrestricted = Filter::parse(&q(&[]), TODAY, 5).unwrap();
    assert!(unrestricted.sees("S002"));
}
