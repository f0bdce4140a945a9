//! Spreadsheet-safe CSV cells: text a spreadsheet would run as a formula gets a leading `'`, numbers stay numbers.
//!
//! Every CSV manyi writes holds text strangers typed (customers' comments, store names).
//! Excel, LibreOffice and Sheets treat a cell starting with `=`, `+`, `-`, `@`, tab or CR
//! as a formula, so `=HYPERLINK(…)` in a comment would become a live link in a manager's
//! sheet. Following OWASP's guidance such a cell gets a leading `'`, which shows the text
//! as typed. A plain number (a negative NPS, `-23.1`) is left alone, so it stays a number.

use std::borrow::Cow;

/// The cell as it may be written to a CSV.
pub fn cell(value: &str) -> Cow<'_, str> {
    match value.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !is_plain_number(value) => {
            Cow::Owned(format!("'{value}"))
        }
        _ => Cow::Borrowed(value),
    }
}

/// `-5`, `+3`, `-0.25`, `-1e3`: a finite decimal number and nothing else.
fn is_plain_number(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && value.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_quoted_and_numbers_are_not() {
        for (input, output) in [
            (
                "=HYPERLINK(\"http://x\",\"click\")",
                "'=HYPERLINK(\"http://x\",\"click\")",
            ),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-inf", "'-inf"),
            ("-nan", "'-nan"),
            ("-23.1", "-23.1"),
            ("-100", "-100"),
            ("+5", "+5"),
            ("-1e3", "-1e3"),
            ("排队太久", "排队太久"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(cell(input), output, "{input:?}");
        }
    }
}
