//! Store records from people: checking a form or CSV row, and reading a registry CSV, all or nothing.

use serde::Deserialize;
use validator::{Validate, ValidationError};

use crate::answers::FieldErrors;
use crate::db::stores::Store;

/// A store code as printed on posters and typed in URLs: short and URL-safe.
pub fn is_store_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_code(code: &str) -> Result<(), ValidationError> {
    if is_store_code(code) {
        Ok(())
    } else {
        Err(ValidationError::new("code")
            .with_message("Use 1–32 letters, digits, '-' or '_' for the code.".into()))
    }
}

/// The store a customer came from: optional, but when given it must be a
/// registered store, so answers are never filed under a mistyped code.
pub async fn resolve(
    db: &crate::db::Db,
    code: Option<String>,
) -> crate::error::Result<Option<String>> {
    use crate::error::Error;
    let Some(code) = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if !is_store_code(&code) {
        return Err(Error::BadRequest(
            format!("The store code '{code}' is not valid: use 1–32 letters, digits, '-' or '_'.")
                .into(),
        ));
    }
    if !db.known_stores.exists(&db.read, &code).await? {
        return Err(Error::BadRequest(format!(
            "There is no store '{code}'. Please check the link or scan the QR code at the store again."
        ).into()));
    }
    Ok(Some(code))
}

/// One store as typed in the admin form or a CSV row.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
pub struct StoreInput {
    #[validate(custom(function = "check_code"))]
    #[serde(default)]
    pub code: String,
    #[validate(length(
        min = 1,
        max = 100,
        message = "Give the store a name of at most 100 characters."
    ))]
    #[serde(default)]
    pub name: String,
    #[validate(length(min = 1, max = 50, message = "Give the region, at most 50 characters."))]
    #[serde(default)]
    pub region: String,
    #[validate(length(max = 200, message = "At most 200 characters."))]
    pub address: Option<String>,
    #[validate(length(max = 100, message = "At most 100 characters."))]
    pub opening_hours: Option<String>,
}

impl StoreInput {
    /// Trims every field and turns empty optional ones into `None` before checking.
    pub fn parse(self) -> Result<Store, FieldErrors> {
        let opt = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let input = StoreInput {
            code: self.code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            region: self.region.trim().to_owned(),
            address: opt(self.address),
            opening_hours: opt(self.opening_hours),
        };
        input.validate().map_err(|e| crate::web::field_errors(&e))?;
        Ok(Store {
            code: input.code,
            name: input.name,
            region: input.region,
            address: input.address,
            opening_hours: input.opening_hours,
        })
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
            Ok(input) => match input.parse() {
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
    fn a_file_without_the_needed_header_is_refused() {
        let problems = parse_csv("id,title\n1,x\n".as_bytes()).unwrap_err();
        assert!(problems[0].contains("must name code, name and region"));
    }
}
