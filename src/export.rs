//! CSV export of a form's responses: one row per response, one column per question across every stored version.

use crate::db::Pool;

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, bail};

use crate::db::export::{self, ExportRow};

/// The fixed columns before the questions.
pub const BASE_COLUMNS: [&str; 5] = ["id", "submitted_at", "store", "lang", "version"];

/// The last column, after the questions: the response's state (`counted`, `held` or
/// `excluded`). Last, so every column before it keeps the place it always had.
pub const STATE_COLUMN: &str = "state";

/// Writes the counted responses of `form_id` as CSV (see [`write_csv_of`]).
pub async fn write_csv(pool: &Pool, form_id: &str, out: impl Write) -> anyhow::Result<usize> {
    write_csv_of(pool, form_id, false, out).await
}

/// Writes the stored responses of `form_id` as CSV: the counted ones, or with
/// `include_held` every one, held and excluded too, each row marked with its state.
/// Columns come from the stored definitions, not the current file, so editing a survey
/// never breaks the export of answers given to an earlier version. Returns the row count.
pub async fn write_csv_of(
    pool: &Pool,
    form_id: &str,
    include_held: bool,
    out: impl Write,
) -> anyhow::Result<usize> {
    // One read transaction for the header and every row: the export is one snapshot,
    // even when responses to a new version of the form arrive while it runs.
    let mut tx = pool.begin_read().await?;
    let questions = export::question_columns(&mut tx, form_id).await?;
    if questions.is_empty() {
        bail!("no responses are stored for form '{form_id}'");
    }
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(
        BASE_COLUMNS
            .iter()
            .copied()
            .chain(questions.iter().map(String::as_str))
            .chain([STATE_COLUMN]),
    )?;
    let mut record = Record::new(&questions);
    let rows = export::for_each_response(&mut tx, form_id, include_held, |r| {
        record.fill(r);
        csv.write_record(
            [
                r.id.to_string().as_bytes(),
                r.submitted_at.as_bytes(),
                crate::csv_safe::cell(r.store.as_deref().unwrap_or_default()).as_bytes(),
                r.lang.as_bytes(),
                r.version.as_bytes(),
            ]
            .into_iter()
            .chain(
                record
                    .cells
                    .iter()
                    .map(|c| crate::csv_safe::cell(c))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|c| c.as_bytes()),
            )
            .chain([r.state.as_bytes()]),
        )?;
        Ok(())
    })
    .await?;
    tx.commit().await?;
    csv.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

/// The question cells of one row, reused from row to row so that filling them allocates
/// nothing once the first rows have sized them.
struct Record<'q> {
    column: HashMap<&'q str, usize>,
    cells: Vec<String>,
    /// Whether a cell has a value yet: a first value may itself be empty.
    filled: Vec<bool>,
}

impl<'q> Record<'q> {
    fn new(questions: &'q [String]) -> Record<'q> {
        Record {
            column: questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.as_str(), i))
                .collect(),
            cells: vec![String::new(); questions.len()],
            filled: vec![false; questions.len()],
        }
    }

    /// Each question's values in stored order, a multiple choice's joined with `;`.
    /// Answers to a question no stored definition lists have no column and are left out.
    fn fill(&mut self, r: &ExportRow<'_>) {
        self.cells.iter_mut().for_each(String::clear);
        self.filled.iter_mut().for_each(|f| *f = false);
        for a in &r.answers.0 {
            if let Some(&i) = self.column.get(a.question.as_ref()) {
                if self.filled[i] {
                    self.cells[i].push(';');
                }
                self.cells[i].push_str(&a.value);
                self.filled[i] = true;
            }
        }
    }
}
