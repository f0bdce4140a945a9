//! Store records from people: checking a form or CSV row, and reading a registry CSV, all or nothing.

use serde::Deserialize;
use validator::{Validate, ValidationError};

use crate::answers::FieldErrors;
use crate::db::stores::Store;
use crate::i18n::admin::Admin;
use crate::i18n::{Lang, Msg};

/// A store code as printed on posters and typed in URLs: short and URL-safe.
pub fn is_store_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Most stores one account is bound to: a regional manager's whole region, not the chain.
pub const MAX_STORES_PER_USER: usize = 500;

/// A typed list of store codes ("S001 S002", "S001,S002", "S001，S002、S003"), each once,
/// in the order typed; the first piece that is no store code is the error.
pub fn parse_code_list(text: &str) -> Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for piece in
        text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
    {
        if piece.is_empty() {
            continue;
        }
        if !is_store_code(piece) {
            return Err(piece.to_owned());
        }
        if !codes.iter().any(|c| c == piece) {
            codes.push(piece.to_owned());
        }
    }
    Ok(codes)
}

/// The store a customer came from: optional, but when given it must be a
/// registered store, so answers are never filed under a mistyped code. The refusal is
/// in both languages: the customer's page shows theirs, the API reads the English.
pub async fn resolve(
    db: &crate::db::Db,
    code: Option<String>,
) -> crate::error::Result<Option<String>> {
    use crate::error::Error;
    let Some(code) = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let both =
        |key: Admin, code: &str| Msg::both(key.fill(Lang::Zh, code), key.fill(Lang::En, code));
    if !is_store_code(&code) {
        return Err(Error::BadRequest(both(Admin::ErrBadStoreCode, &code)));
    }
    if !db.known_stores.exists(&db.read, &code).await? {
        return Err(Error::BadRequest(both(Admin::ErrNoStore, &code)));
    }
    Ok(Some(code))
}

/// One store as typed in the admin form or a CSV row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoreInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region: String,
    pub address: Option<String>,
    pub opening_hours: Option<String>,
}

/// The trimmed fields, checked by `validator`. Its messages are not shown: each failed
/// field gets ours, in the reader's language (`StoreInput::parse`).
#[derive(Validate)]
struct Checked<'a> {
    #[validate(custom(function = "check_code"))]
    code: &'a str,
    #[validate(length(min = 1, max = 100))]
    name: &'a str,
    #[validate(length(min = 1, max = 50))]
    region: &'a str,
    #[validate(length(max = 200))]
    address: Option<&'a str>,
    #[validate(length(max = 100))]
    opening_hours: Option<&'a str>,
}

fn check_code(code: &str) -> Result<(), ValidationError> {
    if is_store_code(code) {
        Ok(())
    } else {
        Err(ValidationError::new("store_code"))
    }
}

impl StoreInput {
    /// Trims every field and turns empty optional ones into `None` before checking; the
    /// messages are in `lang`.
    pub fn parse(self, lang: Lang) -> Result<Store, FieldErrors> {
        let opt = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let store = Store {
            code: self.code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            region: self.region.trim().to_owned(),
            address: opt(self.address),
            opening_hours: opt(self.opening_hours),
        };
        let checked = Checked {
            code: &store.code,
            name: &store.name,
            region: &store.region,
            address: store.address.as_deref(),
            opening_hours: store.opening_hours.as_deref(),
        };
        let Err(failed) = checked.validate() else {
            return Ok(store);
        };
        let errors = failed
            .field_errors()
            .into_keys()
            .map(|field| {
                let message = match field.as_ref() {
                    "code" => Admin::ErrCode.text(lang).to_owned(),
                    "name" => Admin::ErrStoreName.text(lang).to_owned(),
                    "region" => Admin::ErrRegion.text(lang).to_owned(),
                    "address" => Admin::ErrAtMost.fill(lang, 200),
                    _ => Admin::ErrAtMost.fill(lang, 100),
                };
                (field.to_string(), message)
            })
            .collect();
        Err(errors)
    }
}

/// Reads a registry CSV with the header `code,name,region[,address][,opening_hours]`.
/// Any bad row makes the whole file fail, with every problem listed by line.
pub fn parse_csv(data: impl std::io::Read) -> Result<Vec<Store>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let mut stores = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let headers = match reader.headers() {
        Ok(h)
            if ["code", "name", "region"]
                .iter()
                .all(|c| h.iter().any(|x| x == *c)) =>
        {
            h.clone()
        }
        Ok(h) => {
            return Err(vec![format!(
                "line 1: the header must name code, name and region (found: {})",
                h.iter().collect::<Vec<_>>().join(", ")
            )]);
        }
        Err(e) => return Err(vec![format!("line 1: {e}")]),
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        match record.deserialize::<StoreInput>(Some(&headers)) {
            Err(e) => problems.push(format!("line {line}: {e}")),
            // The command line speaks English.
            Ok(input) => match input.parse(Lang::En) {
                Err(errors) => {
                    let reasons: Vec<String> =
                        errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
                    problems.push(format!("line {line}: {}", reasons.join("; ")));
                }
                Ok(store) => {
                    if let Some(first) = seen.insert(store.code.clone(), line) {
                        problems.push(format!(
                            "line {line}: store {} already appears on line {first}",
                            store.code
                        ));
                    }
                    stores.push(store);
                }
            },
        }
    }
    if problems.is_empty() {
        Ok(stores)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_store_list_splits_on_spaces_and_both_kinds_of_comma_and_keeps_each_once() {
        assert_eq!(
            parse_code_list(" S001,S002，S003、S001\n S004 ").unwrap(),
            ["S001", "S002", "S003", "S004"]
        );
        assert_eq!(parse_code_list("  ").unwrap(), Vec::<String>::new());
        assert_eq!(parse_code_list("S001 S 0/2").unwrap_err(), "0/2");
    }

    #[test]
    fn a_registry_csv_becomes_stores_with_optional_columns() {
        let csv = "code,name,region,address,opening_hours\nS001, 南京路店 ,East,南京东路 1 号,9:00-21:00\nS002,West Lake,East,,\n";
        let stores = parse_csv(csv.as_bytes()).unwrap();
        assert_eq!(stores.len(), 2);
        assert_eq!(stores[0].name, "南京路店");
        assert_eq!(stores[1].address, None);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_is_returned() {
        let csv = "code,name,region\nS 1,A,East\nS2,,East\nS3,C,East\nS3,D,East\n";
        let problems = parse_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("line 2: code:"));
        assert!(problems[1].starts_with("line 3: name:"));
        assert!(problems[2].contains("already appears on line 4"));
    }

    #[test]
    fn field_messages_come_in_the_readers_language() {
        let input = StoreInput {
            code: "S 1".into(),
            name: " ".into(),
            region: "East".into(),
            address: Some("x".repeat(201)),
            opening_hours: Some(" ".into()),
        };
        let zh = input.clone().parse(Lang::Zh).unwrap_err();
        assert!(zh["code"].starts_with("代码请用"), "{zh:?}");
        assert!(zh["name"].contains("门店名称"));
        assert_eq!(zh["address"], "最多 200 个字符。");
        assert!(!zh.contains_key("region") && !zh.contains_key("opening_hours"));
        let en = input.parse(Lang::En).unwrap_err();
        assert!(en["code"].starts_with("Use 1–32 letters"), "{en:?}");
    }

    #[test]
    fn a_file_without_the_needed_header_is_refused() {
        let problems = parse_csv("id,title\n1,x\n".as_bytes()).unwrap_err();
        assert!(problems[0].contains("must name code, name and region"));
    }
}
