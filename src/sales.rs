//! Sales data from people and machines: checking rows (CSV or JSON) before anything is stored.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::audits::parse_date;

/// One store's sales on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleRow {
    pub store: String,
    pub day: time::Date,
    pub transactions: i64,
    pub revenue: f64,
}

/// A row as sent, before checking. CSV headers and JSON keys use these names.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSale {
    #[serde(default, alias = "store_code", alias = "code")]
    pub store: String,
    #[serde(default, alias = "day")]
    pub date: String,
    #[serde(default)]
    pub transactions: serde_json::Value,
    #[serde(default)]
    pub revenue: serde_json::Value,
}

fn number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// Checks one row against the known stores; the message says what is wrong.
pub fn check_row(raw: &RawSale, stores: &HashSet<String>) -> Result<SaleRow, String> {
    let mut problems = Vec::new();
    let store = raw.store.trim().to_owned();
    if !stores.contains(&store) {
        problems.push(format!("store '{store}' is not in the store registry"));
    }
    let day = parse_date(&raw.date);
    if day.is_none() {
        problems.push(format!("date '{}' is not YYYY-MM-DD", raw.date.trim()));
    }
    let transactions =
        number(&raw.transactions).filter(|t| *t >= 0.0 && t.fract() == 0.0 && *t <= 1e12);
    if transactions.is_none() {
        problems.push("transactions must be a whole number, 0 or more".into());
    }
    let revenue = number(&raw.revenue).filter(|r| *r >= 0.0 && *r <= 1e15);
    if revenue.is_none() {
        problems.push("revenue must be a number, 0 or more".into());
    }
    match (day, transactions, revenue, problems.is_empty()) {
        (Some(day), Some(t), Some(revenue), true) => Ok(SaleRow {
            store,
            day,
            transactions: t as i64,
            revenue,
        }),
        _ => Err(problems.join("; ")),
    }
}

/// Checks every row, numbered from `first_line`; all rows or the list of every problem.
pub fn check_rows(
    rows: &[(u64, RawSale)],
    stores: &HashSet<String>,
) -> Result<Vec<SaleRow>, Vec<String>> {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<(String, time::Date), u64> = HashMap::new();
    for (line, raw) in rows {
        match check_row(raw, stores) {
            Ok(row) => {
                if let Some(first) = seen.insert((row.store.clone(), row.day), *line) {
                    problems.push(format!(
                        "line {line}: {} on {} already appears on line {first}",
                        row.store, row.day
                    ));
                }
                ok.push(row);
            }
            Err(why) => problems.push(format!("line {line}: {why}")),
        }
    }
    if problems.is_empty() {
        Ok(ok)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stores() -> HashSet<String> {
        ["S001".to_owned(), "S002".to_owned()].into()
    }

    fn raw(store: &str, date: &str, t: serde_json::Value, r: serde_json::Value) -> RawSale {
        RawSale {
            store: store.into(),
            date: date.into(),
            transactions: t,
            revenue: r,
        }
    }

    #[test]
    fn a_good_row_is_typed() {
        let row = check_row(
            &raw("S001", "2026-11-20", "120".into(), 35800.5.into()),
            &stores(),
        )
        .unwrap();
        assert_eq!((row.transactions, row.revenue), (120, 35800.5));
    }

    #[test]
    fn every_problem_of_a_row_is_named() {
        let why = check_row(
            &raw("S9", "20/11/2026", "-3".into(), "lots".into()),
            &stores(),
        )
        .unwrap_err();
        for part in ["store 'S9'", "date '20/11/2026'", "transactions", "revenue"] {
            assert!(why.contains(part), "{why}");
        }
        assert!(
            check_row(&raw("S001", "2026-11-20", 1.5.into(), 1.into()), &stores()).is_err(),
            "fractional transactions"
        );
    }

    #[test]
    fn a_store_and_day_twice_in_one_file_is_refused() {
        let rows = vec![
            (2, raw("S001", "2026-11-20", 1.into(), 1.into())),
            (3, raw("S001", "2026-11-20", 2.into(), 2.into())),
        ];
        let problems = check_rows(&rows, &stores()).unwrap_err();
        assert_eq!(
            problems,
            ["line 3: S001 on 2026-11-20 already appears on line 2"]
        );
    }
}
