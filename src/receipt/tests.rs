use time::macros::date;

use super::*;

/// The key of the worked example in `docs/receipt-codes.md`.
const DOC_KEY: [u8; 32] = [0x01; 32];

/// Store 42, 30 November 2026, transaction 4711, signed with `DOC_KEY`. Computed
/// independently with `openssl dgst -sha256 -mac HMAC` and the Damm table by hand.
const DOC_CODE: &str = "0042261130004711180309554";

fn doc_purchase() -> ReceiptCode {
    ReceiptCode {
        store_number: 42,
        day: date!(2026 - 11 - 30),
        txn: 4711,
    }
}

fn digits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

#[test]
fn the_damm_check_digit_of_572_is_4() {
    assert_eq!(damm_check_digit(digits("572")), 4);
    // A string ending in its check digit comes out 0.
    assert_eq!(damm_check_digit(digits("5724")), 0);
    assert_eq!(damm_check_digit(digits("")), 0);
    assert_eq!(damm_check_digit(digits("0")), 0);
    // Row 0 of the table: the digit after a leading 0 is the table's first row.
    assert_eq!(damm_check_digit(digits("1")), 3);
    assert_eq!(damm_check_digit(digits("9")), 2);
}

#[test]
fn the_worked_example_of_the_docs_is_what_encode_gives() {
    // HMAC-SHA256(0x01 × 32, "0042261130004711") starts dd1976285645e56b:
    // 15931895072418030955 mod 10^8 = 18030955.
    assert_eq!(
        mac_value(&DOC_KEY, b"0042261130004711"),
        18_030_955,
        "the MAC digits"
    );
    assert_eq!(
        damm_check_digit(digits("004226113000471118030955")),
        4,
        "the check digit"
    );
    let code = encode(&DOC_KEY, &doc_purchase()).unwrap();
    assert_eq!(code, DOC_CODE);
    assert_eq!(format_grouped(&code), "00422 61130 00471 11803 09554");
    assert_eq!(decode(&DOC_KEY, &code), Ok(doc_purchase()));
}

#[test]
fn the_docs_show_the_same_example() {
    let doc = include_str!("../../docs/receipt-codes.md");
    assert!(doc.contains("00422 61130 00471 11803 09554"));
    assert!(doc.contains("dd1976285645e56b"));
    assert!(doc.contains("18030955"));
}

#[test]
fn codes_round_trip_at_the_edges_of_every_field() {
    let key = [7u8; 32];
    for (store_number, day, txn) in [
        (1, date!(2000 - 01 - 01), 0),
        (9999, date!(2099 - 12 - 31), 999_999),
        (1234, date!(2028 - 02 - 29), 56),
    ] {
        let purchase = ReceiptCode {
            store_number,
            day,
            txn,
        };
        let code = encode(&key, &purchase).unwrap();
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        assert_eq!(decode(&key, &code), Ok(purchase), "{code}");
        assert_eq!(decode(&key, &format_grouped(&code)), Ok(purchase));
    }
}

#[test]
fn what_does_not_fit_is_refused_by_encode() {
    let ok = doc_purchase();
    let cases = [
        ReceiptCode {
            store_number: 0,
            ..ok
        },
        ReceiptCode {
            store_number: 10_000,
            ..ok
        },
        ReceiptCode {
            txn: 1_000_000,
            ..ok
        },
        ReceiptCode {
            day: date!(1999 - 12 - 31),
            ..ok
        },
        ReceiptCode {
            day: date!(2100 - 01 - 01),
            ..ok
        },
    ];
    for bad in cases {
        assert!(encode(&DOC_KEY, &bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        encode(&DOC_KEY, &cases[1]).unwrap_err().to_string(),
        "the store number 10000 does not fit a receipt code (1–9999)"
    );
}

#[test]
fn every_single_digit_error_is_a_typo() {
    let code = DOC_CODE.as_bytes();
    for at in 0..CODE_LEN {
        for wrong in b'0'..=b'9' {
            if wrong == code[at] {
                continue;
            }
            let mut typed = code.to_vec();
            typed[at] = wrong;
            let typed = String::from_utf8(typed).unwrap();
            assert_eq!(decode(&DOC_KEY, &typed), Err(ReceiptError::Typo), "{typed}");
        }
    }
}

#[test]
fn every_adjacent_transposition_is_a_typo() {
    // The docs' code has neighbours that differ at almost every position; a code of
    // mixed digits from another key covers the rest.
    let other = encode(
        &[0xA5; 32],
        &ReceiptCode {
            store_number: 9876,
            day: date!(2031 - 07 - 19),
            txn: 135_792,
        },
    )
    .unwrap();
    let mut swaps = 0;
    for (key, code) in [(DOC_KEY, DOC_CODE.to_owned()), ([0xA5; 32], other)] {
        let code = code.as_bytes();
        for at in 0..CODE_LEN - 1 {
            if code[at] == code[at + 1] {
                continue;
            }
            let mut typed = code.to_vec();
            typed.swap(at, at + 1);
            let typed = String::from_utf8(typed).unwrap();
            assert_eq!(decode(&key, &typed), Err(ReceiptError::Typo), "{typed}");
            swaps += 1;
        }
    }
    assert!(swaps > 30, "only {swaps} transpositions tried");
}

#[test]
fn every_transposition_of_two_different_digits_is_caught_by_damm() {
    // The property itself, for any left context: the interim digit before the pair
    // is all that matters, so ten interims × 90 ordered pairs cover every case.
    for interim in 0..10u8 {
        for a in 0..10u8 {
            for b in (0..10u8).filter(|&b| b != a) {
                let ab =
                    DAMM[usize::from(DAMM[usize::from(interim)][usize::from(a)])][usize::from(b)];
                let ba =
                    DAMM[usize::from(DAMM[usize::from(interim)][usize::from(b)])][usize::from(a)];
                assert_ne!(ab, ba, "interim {interim}, {a}{b}");
            }
        }
    }
}

#[test]
fn a_wrong_mac_with_a_good_check_digit_is_forged() {
    // Change one MAC digit and recompute the check digit, as a forger would.
    let mut body = DOC_CODE[..24].to_owned();
    body.replace_range(20..21, if &body[20..21] == "0" { "1" } else { "0" });
    let check = damm_check_digit(digits(&body));
    let forged = format!("{body}{check}");
    assert_eq!(decode(&DOC_KEY, &forged), Err(ReceiptError::Forged));
}

#[test]
fn a_code_signed_with_another_key_is_forged() {
    assert_eq!(decode(&[0x02; 32], DOC_CODE), Err(ReceiptError::Forged));
}

#[test]
fn a_changed_transaction_number_with_a_fixed_check_digit_is_forged() {
    let mut body = DOC_CODE[..24].to_owned();
    body.replace_range(15..16, "2");
    let forged = format!("{body}{}", damm_check_digit(digits(&body)));
    assert_eq!(decode(&DOC_KEY, &forged), Err(ReceiptError::Forged));
}

#[test]
fn impossible_dates_and_store_zero_are_forged() {
    // Body digits with a valid check digit but no valid MAC matter less here: the
    // date and store are refused whatever the MAC says.
    for body in [
        "004226023000471118030955", // 30 February
        "004226133000471118030955", // month 13
        "004226110000471118030955", // day 0
        "004226000100471118030955", // month 0
        "000026113000471118030955", // store 0
    ] {
        let code = format!("{body}{}", damm_check_digit(digits(body)));
        assert_eq!(decode(&DOC_KEY, &code), Err(ReceiptError::Forged), "{code}");
    }
}

#[test]
fn what_a_person_types_is_accepted() {
    for typed in [
        "00422 61130 00471 11803 09554",
        "00422-61130-00471-11803-09554",
        " 0042261130004711180309554\n",
        // Full-width digits and spaces, as a Chinese input method types them.
        "００４２２　６１１３０　００４７１　１１８０３　０９５５４",
        "００４２２－６１１３０－00471 11803 09554",
    ] {
        assert_eq!(decode(&DOC_KEY, typed), Ok(doc_purchase()), "{typed:?}");
    }
}

#[test]
fn wrong_lengths_and_letters_are_malformed() {
    for typed in [
        "",
        "   ",
        "0042261130004711180309",
        "00422611300047111803095540",
        &DOC_CODE.repeat(40),
        "0042261130004711180309O54", // a letter O
        "00422.61130.00471.11803.09554",
        "٠٠٤٢٢٦١١٣٠٠٠٤٧١١١٨٠٣٠٩٥٥٤", // Arabic-Indic digits are not accepted
    ] {
        assert_eq!(
            decode(&DOC_KEY, typed),
            Err(ReceiptError::Malformed),
            "{typed:?}"
        );
    }
}

#[test]
fn format_grouped_leaves_anything_but_25_digits_alone() {
    assert_eq!(format_grouped("123"), "123");
    assert_eq!(format_grouped("00422 61130"), "00422 61130");
}

#[test]
fn a_purchase_may_answer_from_its_day_until_the_age_limit() {
    let code = doc_purchase(); // 2026-11-30
    assert_eq!(check_age(&code, date!(2026 - 11 - 30), 30), Ok(()));
    assert_eq!(check_age(&code, date!(2026 - 12 - 30), 30), Ok(()));
    assert_eq!(
        check_age(&code, date!(2026 - 12 - 31), 30),
        Err(ReceiptError::TooOld)
    );
    assert_eq!(check_age(&code, date!(2026 - 11 - 30), 0), Ok(()));
    assert_eq!(
        check_age(&code, date!(2026 - 12 - 01), 0),
        Err(ReceiptError::TooOld)
    );
}

#[test]
fn one_day_of_clock_skew_is_allowed_but_not_two() {
    let code = doc_purchase();
    assert_eq!(check_age(&code, date!(2026 - 11 - 29), 30), Ok(()));
    assert_eq!(
        check_age(&code, date!(2026 - 11 - 28), 30),
        Err(ReceiptError::FromTheFuture)
    );
}

#[test]
fn every_error_has_a_message_in_every_language() {
    let all = [
        ReceiptError::Malformed,
        ReceiptError::Typo,
        ReceiptError::Forged,
        ReceiptError::TooOld,
        ReceiptError::FromTheFuture,
        ReceiptError::Reused,
    ];
    for e in all {
        let zh = e.message(Lang::Zh);
        let en = e.message(Lang::En);
        assert!(!zh.is_empty() && !en.is_empty());
        assert!(!zh.is_ascii(), "{e:?} zh is not Chinese: {zh}");
        assert!(en.is_ascii(), "{e:?} en: {en}");
        assert!(en.chars().count() <= 90, "{e:?} en is long: {en}");
        assert_eq!(e.to_string(), en);
    }
    assert_eq!(
        ReceiptError::Typo.message(Lang::Zh),
        "小票上的号码好像输错了一位，请再核对一遍。"
    );
}

#[test]
fn a_store_number_is_the_number_its_code_ends_with() {
    assert_eq!(store_number_of("S001"), Some(1));
    assert_eq!(store_number_of("SH-0042"), Some(42));
    assert_eq!(store_number_of("9999"), Some(9999));
    assert_eq!(store_number_of("S00007"), Some(7));
    assert_eq!(store_number_of("BJ01A"), None);
    assert_eq!(store_number_of("S000"), None);
    assert_eq!(store_number_of("S10000"), None);
    assert_eq!(store_number_of("S"), None);
    assert_eq!(store_number_of(""), None);
    assert_eq!(store_number_of("S99999999999999999999999"), None);
}
