//! Numbers, money, intervals and times as a manager reads them: separators, units, a real minus, never "-0.0".

use time::{OffsetDateTime, UtcOffset};

use super::Lang;

/// The minus sign (U+2212): a hyphen next to a dash ("-23.1–-19.7") reads as punctuation.
const MINUS: char = '\u{2212}';

/// Digits grouped by thousands: 108770064 → "108,770,064". Chinese readers of prices use the
/// same grouping, so it does not depend on the language.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push(MINUS);
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number to `decimals` places with thousands separators. A value that rounds to zero is
/// "0.0", never "-0.0"; not-a-number is "–".
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    // Whole parts beyond i64 do not occur in our figures; fall back to the plain digits.
    let mut out = match whole.parse::<i64>() {
        Ok(w) => thousands(w),
        Err(_) => whole.to_owned(),
    };
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if negative {
        out.insert(0, MINUS);
    }
    out
}

/// Yuan, whole: "¥108,770,064".
pub fn money(x: f64) -> String {
    let n = number(x, 0);
    match n.strip_prefix(MINUS) {
        Some(rest) => format!("{MINUS}¥{rest}"),
        None => format!("¥{n}"),
    }
}

/// A share given as a percentage already (12.34 → "12.3%").
pub fn percent(x: f64, decimals: usize) -> String {
    format!("{}%", number(x, decimals))
}

/// An interval as "[−23.1, −19.7]".
pub fn interval(lo: f64, hi: f64, decimals: usize) -> String {
    format!("[{}, {}]", number(lo, decimals), number(hi, decimals))
}

/// A moment in the stores' time zone, as each language writes it:
/// "2026年12月2日 14:05" or "2 Dec 2026, 14:05".
pub fn datetime(at: OffsetDateTime, offset: UtcOffset, lang: Lang) -> String {
    let t = at.to_offset(offset);
    match lang {
        Lang::Zh => format!(
            "{}年{}月{}日 {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Lang::En => format!(
            "{} {} {}, {:02}:{:02}",
            t.day(),
            short_month(t.month()),
            t.year(),
            t.hour(),
            t.minute()
        ),
    }
}

/// A day as each language writes it: "2026年12月2日" or "2 Dec 2026".
pub fn date(d: time::Date, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
        Lang::En => format!("{} {} {}", d.day(), short_month(d.month()), d.year()),
    }
}

/// A stored RFC 3339 timestamp in the stores' time zone; text that does not parse is shown as is.
pub fn stored_time(text: &str, offset: UtcOffset, lang: Lang) -> String {
    match OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        Ok(at) => datetime(at, offset, lang),
        Err(_) => text.to_owned(),
    }
}

fn short_month(m: time::Month) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[usize::from(u8::from(m)) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn thousands_are_grouped_and_negatives_use_a_real_minus() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(108_770_064), "108,770,064");
        assert_eq!(thousands(-1_234_567), "−1,234,567");
        assert_eq!(thousands(i64::MIN), "−9,223,372,036,854,775,808");
    }

    #[test]
    fn numbers_never_show_minus_zero() {
        assert_eq!(number(-0.0, 1), "0.0");
        assert_eq!(number(-0.04, 1), "0.0");
        assert_eq!(number(-0.05, 1), "−0.1");
        assert_eq!(number(108_770_064.0, 1), "108,770,064.0");
        assert_eq!(number(12.345, 2), "12.35");
        assert_eq!(number(f64::NAN, 1), "–");
    }

    #[test]
    fn money_percent_and_intervals() {
        assert_eq!(money(108_770_064.0), "¥108,770,064");
        assert_eq!(money(-0.0), "¥0");
        assert_eq!(money(-1500.0), "−¥1,500");
        assert_eq!(percent(12.34, 1), "12.3%");
        assert_eq!(interval(-23.1, -19.7, 1), "[−23.1, −19.7]");
        assert_eq!(interval(-3.0, 12.26, 1), "[−3.0, 12.3]");
    }

    #[test]
    fn times_show_in_the_stores_zone_in_each_language() {
        let at = datetime!(2026-12-01 22:30 UTC);
        assert_eq!(datetime(at, offset!(+8), Lang::Zh), "2026年12月2日 06:30");
        assert_eq!(datetime(at, offset!(+8), Lang::En), "2 Dec 2026, 06:30");
        assert_eq!(
            stored_time("2026-12-01T22:30:00Z", offset!(+8), Lang::Zh),
            "2026年12月2日 06:30"
        );
        assert_eq!(stored_time("yesterday", offset!(+8), Lang::En), "yesterday");
    }
}
