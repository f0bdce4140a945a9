//! `GET /cases/export.csv`: the cases list's matches as a spreadsheet, streamed; the customers' contacts only when asked for (`contact=1`), and every such export is logged.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::AppState;
use super::cases::{ListQuery, actor, list_filter};
use crate::auth::CurrentUser;
use crate::csv_safe::cell;
use crate::db::case_list::{self, Filter};
use crate::db::cases::CaseRow;
use crate::error::{Error, Result};
use crate::i18n::Msg;

/// Cases read per query while streaming.
const CHUNK: i64 = 1_000;

/// The columns, in order; `contact` only in an export that asked for it.
pub fn header(with_contact: bool) -> Vec<&'static str> {
    let mut h = vec![
        "code",
        "kind",
        "channel",
        "store",
        "department",
        "priority",
        "step",
        "opened_at",
        "reply_due",
        "resolve_due",
        "first_reply_at",
        "closed_at",
        "overdue",
        "valid",
        "category",
        "root_cause",
        "resolved",
        "customer_accepted",
        "recovery_satisfied",
        "recovery_return",
        "request",
        "description",
        "imported",
    ];
    if with_contact {
        h.push("contact");
    }
    h
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

/// One case's cells, in [`header`]'s order. An erased contact is empty: erasing keeps
/// the anonymised case, never the person.
pub fn row(c: &CaseRow, with_contact: bool, now: OffsetDateTime) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut r = vec![
        c.code.clone(),
        c.kind.clone(),
        c.channel.clone(),
        c.store.clone(),
        opt(&c.department),
        c.priority.clone(),
        c.step.clone(),
        c.opened_at.clone(),
        c.reply_due.clone(),
        c.resolve_due.clone(),
        opt(&c.first_reply_at),
        opt(&c.closed_at),
        yes_no(Some(c.late(now).is_some())).into(),
        yes_no(c.valid).into(),
        opt(&c.category),
        opt(&c.root_cause),
        yes_no(c.resolved).into(),
        yes_no(c.customer_accepted).into(),
        yes_no(c.recovery_satisfied).into(),
        yes_no(c.recovery_return).into(),
        c.request.clone(),
        c.description.clone(),
        yes_no(Some(c.imported)).into(),
    ];
    if with_contact {
        let kept = c.erased_at.is_none() && c.contact_consent;
        r.push(if kept { opt(&c.contact) } else { String::new() });
    }
    r
}

/// Rows as CSV bytes, each cell spreadsheet-safe.
fn csv_lines<R: AsRef<[String]>>(rows: impl IntoIterator<Item = R>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Writing to memory cannot fail.
        let _ = w.write_record(r.as_ref().iter().map(|c| cell(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

pub(super) async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let actor = actor(&state, &user).await?;
    let (filter, errors) = list_filter(&q, &actor, user.lang, state.settings.utc_offset);
    if let Some((field, why)) = errors.iter().next() {
        return Err(Error::BadRequest(Msg::both(
            format!("{field}：{why}"),
            format!("{field}: {why}"),
        )));
    }
    // Everyone who may export cases handles them, so may read their contacts; asking is
    // still explicit and leaves a trace, because a sheet travels further than a page.
    let with_contact = q.with_contact();
    if with_contact {
        tracing::info!(user = user.id, role = %user.role, "cases exported with contacts");
    }
    let now = OffsetDateTime::now_utc();
    let head: Vec<String> = header(with_contact)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let first = futures_util::stream::once(async move { Ok(csv_lines([head])) });
    let rest = futures_util::stream::try_unfold(
        (state, filter, 0_i64, false),
        move |(state, filter, after, done): (AppState, Filter, i64, bool)| async move {
            if done {
                return Ok::<_, sqlx::Error>(None);
            }
            let rows = case_list::chunk(&state.db.read, &filter, now, after, CHUNK).await?;
            let last = rows.last().map_or(after, |c| c.id);
            let finished = (rows.len() as i64) < CHUNK;
            let bytes = csv_lines(rows.iter().map(|c| row(c, with_contact, now)));
            Ok(Some((bytes, (state, filter, last, finished))))
        },
    );
    let body = Body::from_stream(futures_util::StreamExt::chain(first, rest));
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"cases.csv\""),
    );
    // Contacts are personal data: never kept in a shared or browser cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_column_comes_last_and_only_when_asked() {
        assert!(!header(false).contains(&"contact"));
        assert_eq!(header(true).last(), Some(&"contact"));
        assert_eq!(header(true).len(), header(false).len() + 1);
    }
}
