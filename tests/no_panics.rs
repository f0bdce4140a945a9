//! Input that once panicked, and properties that no input can: the photo cleaner on any bytes, and report filters on any dates.

mod common;

use common::{Browser, TestApp};
use manyi::auth::Role;
use manyi::db::reports::spans;
use manyi::i18n::Lang;
use manyi::photos::strip_location;
use manyi::reports::{EARLIEST, Filter, FilterQuery, Grouping, LATEST};
use proptest::prelude::*;
use time::{Date, Duration};

/// A photo with every part the cleaner reads: JFIF, EXIF with a GPS directory, XMP, a frame, a scan.
fn photo() -> Vec<u8> {
    let seg = |marker: u8, data: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend(((data.len() + 2) as u16).to_be_bytes());
        s.extend(data);
        s
    };
    let mut tiff = b"II\x2a\0\x08\0\0\0\x01\0".to_vec();
    tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend([1, 0, 2, 0, 5, 0, 3, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend([
        31, 0, 0, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0,
    ]);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff);
    let mut j = vec![0xFF, 0xD8];
    j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(seg(0xE1, &exif));
    j.extend(seg(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"));
    j.extend(seg(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    j.extend([
        0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9,
    ]);
    j
}

/// JPEG-shaped bytes: segments with any marker, lengths that are often impossible
/// (0, 1, past the end), and EXIF blocks whose offsets point near or past their end.
fn jpeg_like() -> impl Strategy<Value = Vec<u8>> {
    let tiff = (
        any::<bool>(),
        proptest::collection::vec(prop_oneof![0u8..64, any::<u8>()], 0..80),
    )
        .prop_map(|(little, body)| {
            let mut t = b"Exif\0\0".to_vec();
            t.extend(if little { b"II\x2a\0" } else { b"MM\0\x2a" });
            t.extend(body);
            t
        });
    let data = prop_oneof![proptest::collection::vec(any::<u8>(), 0..40), tiff];
    let segment = (
        prop_oneof![
            Just(0xE1u8),
            Just(0xC0),
            Just(0xDA),
            Just(0xD9),
            any::<u8>()
        ],
        prop_oneof![0u16..4, any::<u16>(), Just(u16::MAX)],
        any::<bool>(),
        data,
    )
        .prop_map(|(marker, len, honest, data)| {
            let len = if honest { (data.len() + 2) as u16 } else { len };
            let mut s = vec![0xFF, marker];
            s.extend(len.to_be_bytes());
            s.extend(data);
            s
        });
    proptest::collection::vec(segment, 0..6).prop_map(|segments| {
        let mut j = vec![0xFF, 0xD8];
        j.extend(segments.concat());
        j
    })
}

/// Strings shaped like dates, signs and five-digit years included, or anything at all.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}",
        "(19|20|29|99)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
        any::<String>(),
    ]
}

/// Any date, a third of them within 400 days of the calendar's first or last day.
fn any_date() -> impl Strategy<Value = Date> {
    let (first, last) = (Date::MIN.to_julian_day(), Date::MAX.to_julian_day());
    prop_oneof![first..=last, first..first + 400, last - 400..=last,]
        .prop_map(|d| Date::from_julian_day(d).unwrap_or(Date::MIN))
}

fn grouping() -> impl Strategy<Value = Grouping> {
    prop_oneof![
        Just(Grouping::Day),
        Just(Grouping::Week),
        Just(Grouping::Month)
    ]
}

/// Everything a report does with a filter before it reaches the database.
fn use_filter(f: &Filter) {
    let p = f.previous();
    let _ = (f.periods(), f.partial(), p.periods(), p.partial());
    let _ = (spans(f, true), spans(f, false), spans(&p, true));
    let _ = f.query(Lang::En);
}

#[test]
fn the_damaged_photo_fixture_starts_out_readable() {
    let cleaned = strip_location(&photo()).expect("the fixture parses");
    assert!(!cleaned.windows(7).any(|w| w == b"xmpmeta"));
}

proptest! {
    #[test]
    fn the_photo_cleaner_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = strip_location(&bytes);
    }

    #[test]
    fn the_photo_cleaner_never_panics_on_anything_after_a_jpeg_start(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend(tail);
        let _ = strip_location(&bytes);
    }

    #[test]
    fn the_photo_cleaner_never_panics_on_jpeg_shaped_bytes(bytes in jpeg_like()) {
        let _ = strip_location(&bytes);
    }

    #[test]
    fn the_photo_cleaner_never_panics_on_a_damaged_photo(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = photo();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = strip_location(&bytes);
    }

    #[test]
    fn the_report_filter_never_panics_and_keeps_dates_in_range(
        period in prop_oneof![Just("custom".to_owned()), Just("week".to_owned()), Just("year".to_owned()), any::<String>()],
        from in date_text(),
        to in date_text(),
        group in prop_oneof![Just("day".to_owned()), Just("week".to_owned()), Just("month".to_owned()), any::<String>()],
        today in any_date(),
    ) {
        let q = FilterQuery {
            period: Some(period),
            from: Some(from),
            to: Some(to),
            group: Some(group),
            ..FilterQuery::default()
        };
        if let Ok(f) = Filter::parse(&q, today, 5) {
            prop_assert!(EARLIEST <= f.from && f.to <= LATEST);
            use_filter(&f);
        }
    }

    #[test]
    fn a_filter_built_anywhere_in_the_calendar_never_panics(
        from in any_date(),
        days in 0i64..40,
        grouping in grouping(),
    ) {
        let to = from.checked_add(Duration::days(days)).unwrap_or(Date::MAX);
        let f = Filter {
            period: "custom".into(),
            from,
            to,
            store: None,
            region: None,
            form: None,
            grouping,
            min_n: 5,
            only_stores: None,
        };
        use_filter(&f);
    }
}

async fn manager() -> (TestApp, Browser) {
    let app = TestApp::new().await;
    app.add_user("mia", Role::Manager).await;
    let base = app.spawn().await;
    let b = Browser::logged_in(&base, "mia").await;
    (app, b)
}

#[tokio::test]
async fn report_dates_outside_the_supported_range_get_400_with_the_reason() {
    let (_app, b) = manager().await;
    let outside = "must be between 1900-01-01 and 2999-12-31";
    for (query, says) in [
        ("from=9999-12-01&to=9999-12-31", outside),
        ("from=-0003-01-01&to=-0001-01-01", outside),
        ("from=2026-01-01&to=-0001-01-01", outside),
        ("from=9999-12-25&to=9999-12-31&group=week", outside),
        ("from=-9999-01-01&to=-9999-01-07&group=week", outside),
        ("from=9999-10-01&to=9999-12-31&group=month", outside),
        ("from=1899-12-31&to=1900-01-31", outside),
        (
            "from=10000-01-01&to=10000-01-31",
            "`from` must be a date (YYYY-MM-DD)",
        ),
    ] {
        for page in [
            "/reports",
            "/reports/trend-csat/chart.svg",
            "/reports/nps-mix/data.csv",
        ] {
            let (status, body) = b.get_text(&format!("{page}?period=custom&{query}")).await;
            assert_eq!(status, 400, "{page}?{query}: {body}");
            assert!(body.contains(says), "{page}?{query}: {body}");
        }
    }
}

#[tokio::test]
async fn reports_at_the_ends_of_the_supported_range_answer() {
    let (_app, b) = manager().await;
    for query in [
        "from=2999-10-01&to=2999-12-31&group=week",
        "from=2999-10-01&to=2999-12-31&group=month",
        "from=2999-12-31&to=2999-12-31&group=day",
        "from=1900-01-01&to=1900-03-31&group=week",
        "from=1900-01-01&to=1902-12-31&group=month",
    ] {
        for page in [
            "/reports",
            "/reports/trend-csat/chart.svg",
            "/reports/trend-mystery/data.csv",
            "/reports/league-complaints/data.csv",
            "/reports/nps-mix/chart.svg",
            "/reports/heatmap/chart.svg",
        ] {
            let (status, body) = b.get_text(&format!("{page}?period=custom&{query}")).await;
            assert_eq!(status, 200, "{page}?{query}: {body}");
        }
    }
}
