//! Receipt codes: 25 digits on a till slip naming one purchase (store, day, transaction), signed with the chain's key, so one purchase gives one response.
//!
//! Layout (see `docs/receipt-codes.md`, written for POS developers):
//!
//! ```text
//! SSSS YYMMDD TTTTTT MMMMMMMM C
//! store day   txn    MAC      Damm check digit
//! ```
//!
//! Digits only: a phone shows its numeric keypad for them, and every till prints them.
//! The check digit comes before the MAC when decoding, so a mistyped digit is told
//! apart from an invented code: Damm catches every single-digit error and every
//! adjacent transposition, and only a code that passes it is worth calling forged.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::{Date, Month};

use crate::i18n::Lang;

/// The name of the chain's receipt key in the `secret` table.
pub const KEY_NAME: &str = "receipt";

/// Digits in a code, without the spaces of its printed form.
pub const CODE_LEN: usize = 25;

/// The highest store number a code can carry (four digits; 0 is never a store).
pub const MAX_STORE_NUMBER: u16 = 9999;

/// The highest transaction number a code can carry (six digits).
pub const MAX_TXN: u32 = 999_999;

/// Digits signed by the MAC: store, day and transaction.
const BODY_LEN: usize = 16;
/// Digits of the MAC itself.
const MAC_LEN: usize = 8;
const MAC_MODULUS: u64 = 100_000_000;

/// A purchase: what a receipt code says once its signature has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceiptCode {
    /// The store's number, 1–9999.
    pub store_number: u16,
    /// The purchase day, 2000-01-01 to 2099-12-31.
    pub day: Date,
    /// The till's transaction number, 0–999999.
    pub txn: u32,
}

/// Why a code typed by a customer is refused. Each has a message for the customer
/// in every form language ([`ReceiptError::message`]); `Display` gives the English one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptError {
    /// Not 25 digits (letters, too short, too long).
    Malformed,
    /// The check digit fails: most likely one digit mistyped or two swapped.
    Typo,
    /// The check digit passes but the signature (or the date or store inside) does
    /// not: an invented code, or several typing mistakes at once.
    Forged,
    /// The purchase is older than the survey accepts.
    TooOld,
    /// The purchase day is after tomorrow: a wrong clock or a doctored code.
    FromTheFuture,
    /// The code already stored a response (returned by the storage layer).
    Reused,
}

impl ReceiptError {
    /// What the customer is told, in words they understand.
    pub fn message(&self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReceiptError::Malformed, Lang::Zh) => "小票号码是 25 位数字，请照小票上的号码输入。",
            (ReceiptError::Malformed, Lang::En) => {
                "A receipt code has 25 digits; please type it as printed on your receipt."
            }
            (ReceiptError::Typo, Lang::Zh) => "小票上的号码好像输错了一位，请再核对一遍。",
            (ReceiptError::Typo, Lang::En) => {
                "One digit of the receipt code looks mistyped; please check it against your receipt."
            }
            (ReceiptError::Forged, Lang::Zh) => "无法识别这个小票号码，请对照小票再核对一遍。",
            (ReceiptError::Forged, Lang::En) => {
                "We do not recognise this receipt code; please check it against your receipt."
            }
            (ReceiptError::TooOld, Lang::Zh) => "这张小票已超过参与调查的期限，感谢您的支持。",
            (ReceiptError::TooOld, Lang::En) => {
                "This receipt is too old for the survey. Thank you all the same."
            }
            (ReceiptError::FromTheFuture, Lang::Zh) => {
                "这个小票号码的日期晚于今天，请对照小票再核对一遍。"
            }
            (ReceiptError::FromTheFuture, Lang::En) => {
                "This receipt code is dated after today; please check it against your receipt."
            }
            (ReceiptError::Reused, Lang::Zh) => "这张小票已经参加过调查，每张小票只能填写一次。",
            (ReceiptError::Reused, Lang::En) => {
                "This receipt has already been used for the survey; each receipt counts once."
            }
        }
    }
}

impl fmt::Display for ReceiptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message(Lang::En))
    }
}

impl std::error::Error for ReceiptError {}

/// Why a purchase cannot be put in a code. Only staff and the `receipt-code` command
/// see these, never a customer, so they are not [`ReceiptError`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("the store number {0} does not fit a receipt code (1–{MAX_STORE_NUMBER})")]
    StoreNumber(u16),
    #[error("the transaction number {0} does not fit a receipt code (0–{MAX_TXN})")]
    Txn(u32),
    #[error("the day {0} does not fit a receipt code (2000-01-01 to 2099-12-31)")]
    Day(Date),
}

/// The 25 digits of `code`, without spaces (see [`format_grouped`] for printing).
pub fn encode(key: &[u8; 32], code: &ReceiptCode) -> Result<String, EncodeError> {
    if !(1..=MAX_STORE_NUMBER).contains(&code.store_number) {
        return Err(EncodeError::StoreNumber(code.store_number));
    }
    if code.txn > MAX_TXN {
        return Err(EncodeError::Txn(code.txn));
    }
    let year = code.day.year();
    if !(2000..=2099).contains(&year) {
        return Err(EncodeError::Day(code.day));
    }
    let mut out = format!(
        "{:04}{:02}{:02}{:02}{:06}",
        code.store_number,
        year - 2000,
        u8::from(code.day.month()),
        code.day.day(),
        code.txn
    );
    let tag = mac_value(key, out.as_bytes());
    out.push_str(&format!("{tag:08}"));
    let check = damm_check_digit(out.bytes().map(|b| b - b'0'));
    out.push(char::from(b'0' + check));
    Ok(out)
}

/// The store number a store's code carries: the digits it ends with (`S001` → 1,
/// `SH-0042` → 42), if they make 1–9999. The registry has no number column, so this
/// is the one rule that maps codes to numbers and back (see `docs/receipt-codes.md`).
pub fn store_number_of(store_code: &str) -> Option<u16> {
    let digits = store_code.len()
        - store_code
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
    let tail = &store_code[store_code.len() - digits..];
    // Any number of leading zeros, but no more than four significant digits.
    let significant = tail.trim_start_matches('0');
    if significant.is_empty() || significant.len() > 4 {
        return None;
    }
    significant.parse().ok()
}

/// Five groups of five digits separated by spaces, as printed on a slip. Anything
/// that is not 25 digits is returned as it is.
pub fn format_grouped(code: &str) -> String {
    if code.len() != CODE_LEN || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code.to_owned();
    }
    let groups: Vec<&str> = (0..CODE_LEN)
        .step_by(5)
        .map(|at| &code[at..at + 5])
        .collect();
    groups.join(" ")
}

/// Reads a code as a person types it: spaces (also full-width), hyphens and
/// full-width digits are accepted. Checks, in order: 25 digits (`Malformed`), the
/// check digit (`Typo`), the store and date inside and the signature (`Forged`).
/// Age is a separate question: [`check_age`].
pub fn decode(key: &[u8; 32], input: &str) -> Result<ReceiptCode, ReceiptError> {
    let digits = normalize(input)?;
    if damm_check_digit(digits.iter().copied()) != 0 {
        return Err(ReceiptError::Typo);
    }
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d))
    };
    let store_number = number(0..4) as u16;
    let (yy, mm, dd) = (number(4..6), number(6..8), number(8..10));
    let txn = number(10..16);
    // Only the key's holder makes codes, and encode never makes these: a code that
    // passes the check digit with an impossible date or store 0 was made up.
    let day = Month::try_from(mm as u8)
        .ok()
        .and_then(|month| Date::from_calendar_date(2000 + yy as i32, month, dd as u8).ok())
        .ok_or(ReceiptError::Forged)?;
    if store_number == 0 {
        return Err(ReceiptError::Forged);
    }
    let body: [u8; BODY_LEN] = std::array::from_fn(|i| b'0' + digits[i]);
    let expected = mac_digits(mac_value(key, &body));
    let given: [u8; MAC_LEN] = std::array::from_fn(|i| b'0' + digits[BODY_LEN + i]);
    if !constant_time_eq(&expected, &given) {
        return Err(ReceiptError::Forged);
    }
    Ok(ReceiptCode {
        store_number,
        day,
        txn,
    })
}

/// Whether a purchase on `code.day` may still answer on `today`: at most
/// `max_age_days` old, and at most one day ahead (a till's clock, or time zones).
pub fn check_age(code: &ReceiptCode, today: Date, max_age_days: u32) -> Result<(), ReceiptError> {
    let age = (today - code.day).whole_days();
    if age < -1 {
        Err(ReceiptError::FromTheFuture)
    } else if age > i64::from(max_age_days) {
        Err(ReceiptError::TooOld)
    } else {
        Ok(())
    }
}

/// The digit values of what was typed, or `Malformed`.
fn normalize(input: &str) -> Result<[u8; CODE_LEN], ReceiptError> {
    let mut digits = [0u8; CODE_LEN];
    let mut n = 0;
    for c in input.chars() {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            // Full-width digits, as Chinese input methods type them.
            '０'..='９' => c as u32 - '０' as u32,
            // Spaces (also U+3000, the full-width space) and dashes people type
            // between groups.
            c if c.is_whitespace() => continue,
            '-' | '‐' | '‑' | '–' | '—' | '－' => continue,
            _ => return Err(ReceiptError::Malformed),
        };
        let slot = digits.get_mut(n).ok_or(ReceiptError::Malformed)?;
        *slot = value as u8;
        n += 1;
    }
    if n == CODE_LEN {
        Ok(digits)
    } else {
        Err(ReceiptError::Malformed)
    }
}

/// The Damm quasigroup of order 10 (Damm 2004), the table printed in the docs.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm interim digit after `digits` (values 0–9): the check digit to append,
/// and 0 for a string that already ends in its correct check digit.
fn damm_check_digit(digits: impl IntoIterator<Item = u8>) -> u8 {
    digits
        .into_iter()
        .fold(0, |interim, d| DAMM[usize::from(interim)][usize::from(d)])
}

/// HMAC-SHA256 of the 16 body digits, first 8 bytes big-endian, mod 10^8.
fn mac_value(key: &[u8; 32], body: &[u8]) -> u64 {
    // HMAC takes a key of any length, so this never fails; the fallback only keeps
    // the function total.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return 0;
    };
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag[..8]);
    u64::from_be_bytes(first) % MAC_MODULUS
}

fn mac_digits(value: u64) -> [u8; MAC_LEN] {
    let mut out = [b'0'; MAC_LEN];
    let mut rest = value;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out
}

/// Compares every byte whatever the first difference, so the time taken tells a
/// guesser nothing about how many leading MAC digits were right.
fn constant_time_eq(a: &[u8; MAC_LEN], b: &[u8; MAC_LEN]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
