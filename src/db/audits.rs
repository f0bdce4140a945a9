//! SQL for audits: assignments, drafts, submissions, reviews, their history and evidence.

use sqlx::FromRow;

use super::{Pool, Tx};

use crate::answers::Answer;
use crate::audits::{Draft, Status};
use crate::db::now_rfc3339;
use crate::scoring::AuditScore;
use crate::survey::Survey;

/// An audit with the names a page shows next to it.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub shopper_id: i64,
    pub shopper: String,
    pub store_code: String,
    pub store_name: String,
    pub checklist_id: String,
    pub window_from: String,
    pub window_to: String,
    pub scenario: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: StatusColumn,
    pub excluded: bool,
    pub exclusion_reason: Option<String>,
    pub draft: String,
    pub visit_date: Option<String>,
    pub time_in: Option<String>,
    pub time_out: Option<String>,
    pub score: Option<f64>,
    pub critical_fail: bool,
    pub flags: String,
    pub submitted_at: Option<String>,
}

/// A status read from the database; the CHECK constraint keeps it to known names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusColumn(pub Status);

impl TryFrom<String> for StatusColumn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Status::parse(&s)
            .map(StatusColumn)
            .ok_or_else(|| format!("unknown audit status '{s}'"))
    }
}

impl AuditRow {
    pub fn status(&self) -> Status {
        self.status.0
    }

    pub fn draft(&self) -> Draft {
        serde_json::from_str(&self.draft).unwrap_or_default()
    }

    pub fn flags(&self) -> Vec<String> {
        serde_json::from_str(&self.flags).unwrap_or_default()
    }
}

const SELECT: &str = r#"select a.id, a.shopper_id, u.username as shopper, a.store_code, s.name as store_name,
    a.checklist_id, a.window_from, a.window_to, a.scenario, a.status, a.excluded, a.exclusion_reason,
    a.draft, a.visit_date, a.time_in, a.time_out, a.score, a.critical_fail, a.flags, a.submitted_at
    from audit a join "user" u on u.id = a.shopper_id join store s on s.code = a.store_code"#;

pub async fn get(pool: &Pool, id: i64) -> sqlx::Result<Option<AuditRow>> {
    crate::with_pool!(pool, ex => sqlx::query_as(&format!("{SELECT} where a.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await)
}

/// What a list of audits is narrowed to. `shopper` is the authorization (a shopper's own
/// audits only), the rest are the page's filters. Dates compare with the visit date, or,
/// before a visit, with the last day of the window (when it is due).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub shopper: Option<i64>,
    pub store: Option<String>,
    pub status: Option<Status>,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

/// The shared `where` clause; binds $1 shopper, $2 store, $3 status, $4 from, $5 to.
const WHERE: &str = r"where ($1 is null or a.shopper_id = $1) and ($2 is null or a.store_code = $2)
    and ($3 is null or a.status = $3)
    and ($4 is null or coalesce(a.visit_date, a.window_to) >= $4)
    and ($5 is null or coalesce(a.visit_date, a.window_to) <= $5)";

fn bind_filter<'q, DB, O>(
    q: sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>,
    f: &'q ListFilter,
) -> sqlx::query::QueryAs<'q, DB, O, DB::Arguments<'q>>
where
    DB: sqlx::Database,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    q.bind(f.shopper)
        .bind(f.store.as_deref())
        .bind(f.status.map(Status::as_str))
        .bind(f.from.map(|d| d.to_string()))
        .bind(f.to.map(|d| d.to_string()))
}

/// How many audits match, for "共 N 条" and the pager.
pub async fn count(pool: &Pool, f: &ListFilter) -> sqlx::Result<u64> {
    let sql = format!("select count(*) from audit a {WHERE}");
    let (n,): (i64,) =
        crate::with_pool!(pool, ex => bind_filter(sqlx::query_as(&sql), f).fetch_one(ex).await)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The stores a list can be filtered by: those with audits the reader may see, as (code, name).
pub async fn stores_of(pool: &Pool, shopper: Option<i64>) -> sqlx::Result<Vec<(String, String)>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        r"select distinct a.store_code, s.name from audit a join store s on s.code = a.store_code
          where ($1 is null or a.shopper_id = $1) order by a.store_code",
    )
    .bind(shopper)
    .fetch_all(ex)
    .await)
}

/// One page of the matching audits. Work to do now comes first: an open audit whose window
/// has begun (or one sent back), the most overdue first; then the rest, newest first.
pub async fn list(
    pool: &Pool,
    f: &ListFilter,
    today: time::Date,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    let sql = format!(
        "{SELECT} {WHERE}
         order by case when a.status = 'revision_requested'
                     or (a.status in ('assigned', 'in_progress') and a.window_from <= $6) then 0 else 1 end,
                  case when a.status = 'revision_requested'
                     or (a.status in ('assigned', 'in_progress') and a.window_from <= $6) then a.window_to end,
                  a.window_to desc, a.id desc
         limit $7 offset $8"
    );
    crate::with_pool!(pool, ex => bind_filter(sqlx::query_as(&sql), f)
        .bind(today.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await)
}

pub struct NewAssignment<'a> {
    pub shopper_id: i64,
    pub store_code: &'a str,
    pub checklist_id: &'a str,
    pub window_from: &'a str,
    pub window_to: &'a str,
    pub scenario: Option<&'a str>,
    pub created_by: i64,
}

pub async fn create(pool: &Pool, a: NewAssignment<'_>) -> sqlx::Result<i64> {
    let mut tx = pool.begin().await?;
    let id = insert_assignment(&mut tx, &a).await?;
    tx.commit().await?;
    Ok(id)
}

/// The assignment row and its "assigned" event.
async fn insert_assignment(tx: &mut Tx<'_>, a: &NewAssignment<'_>) -> sqlx::Result<i64> {
    let id: i64 = crate::with_tx!(&mut *tx, ex => sqlx::query_scalar(
        r"insert into audit (shopper_id, store_code, checklist_id, window_from, window_to, scenario, created_by, created_at)
          values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(a.shopper_id)
    .bind(a.store_code)
    .bind(a.checklist_id)
    .bind(a.window_from)
    .bind(a.window_to)
    .bind(a.scenario)
    .bind(a.created_by)
    .bind(now_rfc3339())
    .fetch_one(&mut *ex)
    .await)?;
    event(
        tx,
        id,
        a.created_by,
        "assigned",
        None,
        Status::Assigned,
        a.scenario,
    )
    .await?;
    Ok(id)
}

async fn event(
    tx: &mut Tx<'_>,
    audit_id: i64,
    actor: i64,
    action: &str,
    from: Option<Status>,
    to: Status,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    crate::with_tx!(&mut *tx, ex => sqlx::query(
        r"insert into audit_event (audit_id, actor_id, action, from_status, to_status, reason, at)
          values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(audit_id)
    .bind(actor)
    .bind(action)
    .bind(from.map(Status::as_str))
    .bind(to.as_str())
    .bind(reason)
    .bind(now_rfc3339())
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Saves the draft; the first save of an assigned (or sent-back) audit starts it, which is recorded.
pub async fn save_draft(
    pool: &Pool,
    id: i64,
    actor: i64,
    from: Status,
    draft: &Draft,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    let json = serde_json::to_string(draft).unwrap_or_else(|_| "{}".into());
    crate::with_tx!(&mut tx, ex => sqlx::query("update audit set draft = $1, status = 'in_progress' where id = $2")
        .bind(json)
        .bind(id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    if from != Status::InProgress {
        event(
            &mut tx,
            id,
            actor,
            "started",
            Some(from),
            Status::InProgress,
            None,
        )
        .await?;
    }
    tx.commit().await
}

/// A checked, scored audit ready to store.
pub struct Submission<'a> {
    pub survey: &'a Survey,
    pub answers: &'a [(String, Answer)],
    pub comments: &'a [(String, String)],
    pub score: &'a AuditScore,
    pub visit: (&'a str, &'a str, &'a str),
    pub flags: &'a [String],
}

/// Stores the submission in one transaction, replacing a previous one after a revision.
pub async fn submit(
    pool: &Pool,
    id: i64,
    actor: i64,
    from: Status,
    s: Submission<'_>,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    write_submission(&mut tx, id, &s).await?;
    event(
        &mut tx,
        id,
        actor,
        "submitted",
        Some(from),
        Status::Submitted,
        None,
    )
    .await?;
    tx.commit().await
}

async fn write_submission(tx: &mut Tx<'_>, id: i64, s: &Submission<'_>) -> sqlx::Result<()> {
    crate::db::responses::ensure_form_version(tx, s.survey).await?;
    for table in ["audit_answer", "audit_comment", "audit_section_score"] {
        crate::with_tx!(&mut *tx, ex => sqlx::query(&format!("delete from {table} where audit_id = $1"))
            .bind(id)
            .execute(&mut *ex)
            .await.map(|r| r.rows_affected()))?;
    }
    for (question, answer) in s.answers {
        for (position, (value, num)) in crate::db::responses::storage_rows(answer)
            .into_iter()
            .enumerate()
        {
            crate::with_tx!(&mut *tx, ex => sqlx::query("insert into audit_answer (audit_id, question, position, value, num) values ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(question)
                .bind(position as i64)
                .bind(value)
                .bind(num)
                .execute(&mut *ex)
                .await.map(|r| r.rows_affected()))?;
        }
    }
    for (question, comment) in s.comments {
        crate::with_tx!(&mut *tx, ex => sqlx::query("insert into audit_comment (audit_id, question, comment) values ($1, $2, $3)")
            .bind(id)
            .bind(question)
            .bind(comment)
            .execute(&mut *ex)
            .await.map(|r| r.rows_affected()))?;
    }
    for sec in &s.score.sections {
        crate::with_tx!(&mut *tx, ex => sqlx::query(
            "insert into audit_section_score (audit_id, section, earned, possible, percent, critical_fail) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&sec.name)
        .bind(sec.earned)
        .bind(sec.possible)
        .bind(sec.percent)
        .bind(sec.critical_fail)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    }
    crate::with_tx!(&mut *tx, ex => sqlx::query(
        r"update audit set status = 'submitted', visit_date = $1, time_in = $2, time_out = $3, definition_hash = $4,
          score = $5, critical_fail = $6, flags = $7, submitted_at = $8 where id = $9",
    )
    .bind(s.visit.0)
    .bind(s.visit.1)
    .bind(s.visit.2)
    .bind(&s.survey.hash)
    .bind(s.score.overall)
    .bind(s.score.critical_fail)
    .bind(serde_json::to_string(s.flags).unwrap_or_else(|_| "[]".into()))
    .bind(now_rfc3339())
    .bind(id)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a generated, already approved audit (demo and benchmark data) with its full history.
pub async fn insert_approved(
    tx: &mut Tx<'_>,
    a: &NewAssignment<'_>,
    s: &Submission<'_>,
) -> sqlx::Result<i64> {
    let id = insert_assignment(tx, a).await?;
    write_submission(tx, id, s).await?;
    event(
        tx,
        id,
        a.shopper_id,
        "submitted",
        Some(Status::InProgress),
        Status::Submitted,
        None,
    )
    .await?;
    crate::with_tx!(&mut *tx, ex => sqlx::query("update audit set status = 'approved' where id = $1")
        .bind(id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    event(
        tx,
        id,
        a.created_by,
        "approved",
        Some(Status::Submitted),
        Status::Approved,
        None,
    )
    .await?;
    Ok(id)
}

/// A review decision as it is stored.
pub struct ReviewChange<'a> {
    pub action: &'a str,
    pub from: Status,
    pub to: Status,
    /// The new exclusion flag.
    pub excluded: bool,
    pub reason: Option<&'a str>,
    /// The case its failed knock-out items open (an approval only).
    pub opens: Option<&'a crate::cases::NewCase>,
}

/// Applies a review decision and records it, with the case it opens, in one transaction.
pub async fn review(
    pool: &Pool,
    id: i64,
    actor: i64,
    change: ReviewChange<'_>,
) -> sqlx::Result<()> {
    let ReviewChange {
        action,
        from,
        to,
        excluded,
        reason,
        opens,
    } = change;
    let mut tx = pool.begin().await?;
    crate::with_tx!(&mut tx, ex => sqlx::query("update audit set status = $1, excluded = $2, exclusion_reason = case when $3 then $4 else null end where id = $5")
        .bind(to.as_str())
        .bind(excluded)
        .bind(excluded)
        .bind(reason)
        .bind(id)
        .execute(&mut *ex)
        .await.map(|r| r.rows_affected()))?;
    event(&mut tx, id, actor, action, Some(from), to, reason).await?;
    if let Some(case) = opens {
        // One case per audit: the unique index on audit_id keeps a second approval (after
        // a revision) from opening another.
        let already: bool = crate::with_tx!(&mut tx, ex => sqlx::query_scalar("select exists(select 1 from complaint_case where audit_id = $1)")
                .bind(id)
                .fetch_one(&mut *ex)
                .await)?;
        if !already {
            let (case_id, _) = super::cases::insert(&mut tx, case, None, Some(actor)).await?;
            crate::with_tx!(&mut tx, ex => sqlx::query("update complaint_case set audit_id = $1 where id = $2")
                .bind(id)
                .bind(case_id)
                .execute(&mut *ex)
                .await.map(|r| r.rows_affected()))?;
            let opened = crate::webhooks::Event::CaseOpened;
            super::case_hooks::queue_event(&mut tx, case_id, opened).await?;
        }
    }
    tx.commit().await
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    pub at: String,
}

pub async fn events(pool: &Pool, id: i64) -> sqlx::Result<Vec<EventRow>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        r#"select u.username as actor, e.action, e.from_status, e.to_status, e.reason, e.at
          from audit_event e join "user" u on u.id = e.actor_id where e.audit_id = $1 order by e.id"#,
    )
    .bind(id)
    .fetch_all(ex)
    .await)
}

/// The stored answers as (question, values) and comments, for the review page.
pub async fn answers(pool: &Pool, id: i64) -> sqlx::Result<Vec<(String, String)>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        "select question, value from audit_answer where audit_id = $1 order by question, position",
    )
    .bind(id)
    .fetch_all(ex)
    .await)
}

pub async fn comments(pool: &Pool, id: i64) -> sqlx::Result<Vec<(String, String)>> {
    crate::with_pool!(pool, ex => sqlx::query_as("select question, comment from audit_comment where audit_id = $1")
        .bind(id)
        .fetch_all(ex)
        .await)
}

/// The section scores stored at submission: (section, percent, earned, possible, critical fail).
pub async fn section_scores(
    pool: &Pool,
    id: i64,
) -> sqlx::Result<Vec<(String, Option<f64>, f64, f64, bool)>> {
    crate::with_pool!(pool, ex => sqlx::query_as("select section, percent, earned, possible, critical_fail from audit_section_score where audit_id = $1")
        .bind(id)
        .fetch_all(ex)
        .await)
}
