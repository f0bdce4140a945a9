//! CSV export of a form's responses: one row per response, one column per question across every stored version.

use std::io::Write;

use anyhow::{Context, bail};
use sqlx::SqlitePool;

use crate::db::responses;

/// The fixed columns before the questions.
pub const BASE_COLUMNS: [&str; 5] = ["id", "submitted_at", "store", "lang", "version"];

/// Writes every stored response of `form_id` as CSV. Columns come from the
/// stored definitions, not the current file, so editing a survey never breaks
/// the export of answers given to an earlier version. Returns the row count.
pub async fn write_csv(pool: &SqlitePool, form_id: &str, out: impl Write) -> anyhow::Result<usize> {
    let questions = responses::question_columns(pool, form_id).await?;
    if questions.is_empty() {
        bail!("no responses are stored for form '{form_id}'");
    }
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(
        BASE_COLUMNS
            .iter()
            .copied()
            .chain(questions.iter().map(String::as_str)),
    )?;
    let mut rows = 0;
    responses::for_each_in_form(pool, form_id, |r| {
        let mut record = vec![
            r.id.to_string(),
            r.submitted_at,
            r.store.unwrap_or_default(),
            r.lang,
            r.version,
        ];
        record.extend(questions.iter().map(|q| {
            r.answers
                .iter()
                .find(|(name, _)| name == q)
                .map(|(_, values)| values.join(";"))
                .unwrap_or_default()
        }));
        csv.write_record(&record)?;
        rows += 1;
        Ok(())
    })
    .await?;
    csv.flush().context("Failed to write the CSV")?;
    Ok(rows)
}
