//! SQL for complaint cases and their event log: opening (inside the caller's transaction), reading, taking a step, the overdue sweep, recovery answers and erasure.

use sqlx::FromRow;

use super::{Pool, Tx};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cases::flow::{Action, Transition};
use crate::cases::{Kind, NewCase, Step, code};

/// Times are stored as RFC 3339 in UTC with whole seconds, so text order is time order.
pub fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Reads a stored time back.
pub fn parse_stamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// One case as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub channel: String,
    pub store: String,
    pub store_name: Option<String>,
    pub department: Option<String>,
    pub description: String,
    pub request: String,
    pub contact: Option<String>,
    pub contact_consent: bool,
    pub erased_at: Option<String>,
    pub priority: String,
    pub step: String,
    pub opened_at: String,
    pub reply_due: String,
    pub resolve_due: String,
    pub first_reply_at: Option<String>,
    pub closed_at: Option<String>,
    pub valid: Option<bool>,
    pub invalid_reason: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub category: Option<String>,
    pub root_cause: Option<String>,
    pub solution: Option<String>,
    pub remedy: Option<String>,
    pub compensation: Option<String>,
    pub implementation: Option<String>,
    pub summary: Option<String>,
    pub customer_accepted: Option<bool>,
    pub resolved: Option<bool>,
    pub response_id: Option<i64>,
    pub recovery_at: Option<String>,
    pub recovery_satisfied: Option<bool>,
    pub recovery_return: Option<bool>,
    pub overdue_at: Option<String>,
    pub imported: bool,
}

impl CaseRow {
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Complaint)
    }

    pub fn step(&self) -> Step {
        Step::parse(&self.step).unwrap_or(Step::Closed)
    }

    pub fn due(&self) -> Option<crate::cases::deadline::Due> {
        Some(crate::cases::deadline::Due {
            reply: parse_stamp(&self.reply_due)?,
            resolve: parse_stamp(&self.resolve_due)?,
        })
    }

    /// What is late about this case at `now`.
    pub fn late(&self, now: OffsetDateTime) -> Option<crate::cases::deadline::Late> {
        crate::cases::deadline::late(
            now,
            self.due()?,
            self.first_reply_at.as_deref().and_then(parse_stamp),
            self.closed_at.as_deref().and_then(parse_stamp),
        )
    }

    /// What a webhook carries (never the contact) about the case. `path` is the staff page; the sender adds
    /// the absolute `url` from the public address it runs with.
    pub fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code,
            "kind": self.kind,
            "channel": self.channel,
            "store": self.store,
            "priority": self.priority,
            "step": self.step,
            "opened_at": self.opened_at,
            "reply_due": self.reply_due,
            "resolve_due": self.resolve_due,
            "first_reply_at": self.first_reply_at,
            "closed_at": self.closed_at,
            "category": self.category,
            "resolved": self.resolved,
            "description": self.description,
            "path": format!("/cases/{}", self.code),
        })
    }
}

pub(crate) const SELECT: &str = "select c.id, c.code, c.kind, c.channel, c.store, s.name as store_name, \
     c.department, c.description, c.request, c.contact, c.contact_consent, c.erased_at, c.priority, \
     c.step, c.opened_at, c.reply_due, c.resolve_due, c.first_reply_at, c.closed_at, c.valid, \
     c.invalid_reason, c.owner_id, u.username as owner_name, c.category, c.root_cause, c.solution, \
     c.remedy, c.compensation, c.implementation, c.summary, c.customer_accepted, c.resolved, \
     c.response_id, c.recovery_at, c.recovery_satisfied, c.recovery_return, c.overdue_at, c.imported \
     from complaint_case c left join store s on s.code = c.store left join \"user\" u on u.id = c.owner_id";

/// Stores a new case and its "opened" event inside the caller's transaction (the
/// writer's, for a survey response), and returns its id and code. Numbering takes the
/// next number of the year and kind; the caller's transaction holds the write lock.
pub async fn insert(
    conn: &mut Tx<'_>,
    c: &NewCase,
    response_id: Option<i64>,
    created_by: Option<i64>,
) -> sqlx::Result<(i64, String)> {
    let seq: i64 = crate::with_tx!(&mut *conn, ex => sqlx::query_scalar(
        "select coalesce(max(seq), 0) + 1 from complaint_case where year = $1 and kind = $2",
    )
    .bind(c.year)
    .bind(c.kind.as_str())
    .fetch_one(&mut *ex)
    .await)?;
    let code = code(c.kind, c.year, seq);
    let opened = stamp(c.opened_at);
    let id: i64 = crate::with_tx!(&mut *conn, ex => sqlx::query_scalar(
        "insert into complaint_case (code, year, seq, kind, channel, store, department, description, \
         request, contact, contact_consent, priority, step, opened_at, reply_due, resolve_due, \
         response_id, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         returning id",
    )
    .bind(&code)
    .bind(c.year)
    .bind(seq)
    .bind(c.kind.as_str())
    .bind(c.channel.as_str())
    .bind(&c.store)
    .bind(c.department.as_deref())
    .bind(&c.description)
    .bind(c.request.as_str())
    .bind(c.contact.as_deref())
    .bind(c.contact.is_some())
    .bind(c.priority.as_str())
    .bind(c.kind.first_step().as_str())
    .bind(&opened)
    .bind(stamp(c.due.reply))
    .bind(stamp(c.due.resolve))
    .bind(response_id)
    .bind(created_by)
    .fetch_one(&mut *ex)
    .await)?;
    log(
        conn,
        id,
        &opened,
        created_by,
        c.kind.first_step(),
        "opened",
        None,
        true,
    )
    .await?;
    Ok((id, code))
}

/// Appends one event to a case's log.
#[allow(clippy::too_many_arguments)]
pub async fn log(
    conn: &mut Tx<'_>,
    case_id: i64,
    at: &str,
    actor: Option<i64>,
    step: Step,
    action: &str,
    note: Option<&str>,
    public: bool,
) -> sqlx::Result<()> {
    crate::with_tx!(&mut *conn, ex => sqlx::query(
        "insert into case_event (case_id, at, actor_id, step, action, note, public) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(case_id)
    .bind(at)
    .bind(actor)
    .bind(step.as_str())
    .bind(action)
    .bind(note)
    .bind(public)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))
    .map(|_| ())
}

pub async fn by_code(pool: &Pool, code: &str) -> sqlx::Result<Option<CaseRow>> {
    crate::with_pool!(pool, ex => sqlx::query_as(&format!("{SELECT} where c.code = $1"))
        .bind(code)
        .fetch_optional(ex)
        .await)
}

/// The case a survey response opened, if any.
pub async fn code_for_response(pool: &Pool, response_id: i64) -> sqlx::Result<Option<String>> {
    crate::with_pool!(pool, ex => sqlx::query_scalar("select code from complaint_case where response_id = $1")
        .bind(response_id)
        .fetch_optional(ex)
        .await)
}

/// One logged event, with the actor's name.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: String,
    pub actor: Option<String>,
    pub step: String,
    pub action: String,
    pub note: Option<String>,
    pub public: bool,
}

/// The log, oldest first. `public_only` is what the customer's status page reads.
pub async fn events(pool: &Pool, case_id: i64, public_only: bool) -> sqlx::Result<Vec<EventRow>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        "select e.at, u.username as actor, e.step, e.action, e.note, e.public from case_event e \
         left join \"user\" u on u.id = e.actor_id where e.case_id = $1 and (e.public or not $2) order by e.id",
    )
    .bind(case_id)
    .bind(public_only)
    .fetch_all(ex)
    .await)
}

/// Whether a step was taken, inside the caller's transaction: `false` when the case had
/// moved on meanwhile (another person's post landed first), so nothing was changed.
pub async fn take_step(
    tx: &mut Tx<'_>,
    case: &CaseRow,
    actor: i64,
    action: &Action,
    t: Transition,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let at = stamp(now);
    let from = case.step();
    // The step the case was read at is part of the update: two posts of one step
    // cannot both land.
    let changed = crate::with_tx!(&mut *tx, ex => {
        let mut q = sqlx::QueryBuilder::new("update complaint_case set step = ");
        q.push_bind(t.to.as_str());
        match action {
            Action::Judge { valid, reason } => {
                q.push(", valid = ").push_bind(*valid);
                if !valid {
                    q.push(", invalid_reason = ").push_bind(reason.trim());
                }
            }
            Action::Assign { owner, department } => {
                q.push(", owner_id = ").push_bind(*owner);
                q.push(", department = ")
                    .push_bind(department.as_deref().map(str::trim));
            }
            Action::Cause {
                category,
                root_cause,
            } => {
                q.push(", category = ").push_bind(category);
                q.push(", root_cause = ").push_bind(root_cause.trim());
            }
            Action::Propose {
                solution,
                remedy,
                compensation,
            } => {
                q.push(", solution = ").push_bind(solution.trim());
                q.push(", remedy = ").push_bind(remedy.trim());
                q.push(", compensation = ")
                    .push_bind(compensation.as_deref().map(str::trim));
            }
            Action::Approve { .. } => {
                q.push(", approved_by = ").push_bind(actor);
            }
            Action::Implement { note } => {
                q.push(", implementation = ").push_bind(note.trim());
            }
            Action::Close {
                summary,
                customer_accepted,
                resolved,
            } => {
                q.push(", summary = ").push_bind(summary.trim());
                q.push(", customer_accepted = ")
                    .push_bind(*customer_accepted);
                q.push(", resolved = ").push_bind(*resolved);
            }
            Action::SendBack { .. } | Action::Reply { .. } | Action::Note { .. } => {}
        }
        if t.to == Step::Closed {
            q.push(", closed_at = ").push_bind(at.clone());
        }
        // A reply, an invalid verdict and the closing summary all answer the customer.
        if t.public {
            q.push(", first_reply_at = coalesce(first_reply_at, ")
                .push_bind(at.clone())
                .push(")");
        }
        q.push(" where id = ").push_bind(case.id);
        q.push(" and step = ").push_bind(from.as_str());
        q.build().execute(&mut *ex).await?.rows_affected()
    });
    if changed == 0 {
        return Ok(false);
    }
    let note = match action {
        Action::Judge { reason, .. } | Action::SendBack { reason } => Some(reason.trim()),
        Action::Cause { root_cause, .. } => Some(root_cause.trim()),
        Action::Propose { solution, .. } => Some(solution.trim()),
        Action::Approve { note } => note.as_deref().map(str::trim),
        Action::Implement { note } => Some(note.trim()),
        Action::Close { summary, .. } => Some(summary.trim()),
        Action::Reply { message } => Some(message.trim()),
        Action::Note { text } => Some(text.trim()),
        Action::Assign { .. } => None,
    };
    log(
        tx,
        case.id,
        &at,
        Some(actor),
        from,
        action.word(),
        note.filter(|n| !n.is_empty()),
        t.public,
    )
    .await?;
    Ok(true)
}

/// Records the two recovery answers once, from the customer's link or a staff return
/// visit. `false` when they were already recorded or the case is not closed.
pub async fn record_recovery(
    write: &Pool,
    case_id: i64,
    satisfied: bool,
    will_return: bool,
    actor: Option<i64>,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let at = stamp(now);
    let mut tx = write.begin().await?;
    let done = crate::with_tx!(&mut tx, ex => sqlx::query(
        "update complaint_case set recovery_at = $1, recovery_satisfied = $2, recovery_return = $3 \
         where id = $4 and step = 'closed' and recovery_at is null",
    )
    .bind(&at)
    .bind(satisfied)
    .bind(will_return)
    .bind(case_id)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?
        == 1;
    if done {
        let note = format!(
            "satisfied={}, return={}",
            yes_no(satisfied),
            yes_no(will_return)
        );
        log(
            &mut tx,
            case_id,
            &at,
            actor,
            Step::Closed,
            "recovery",
            Some(&note),
            false,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Erases a case's contact on the customer's request; the case stays, anonymised, for
/// the statistics. `false` when there was nothing to erase.
pub async fn erase_contact(
    write: &Pool,
    case_id: i64,
    actor: i64,
    now: OffsetDateTime,
) -> sqlx::Result<bool> {
    let at = stamp(now);
    let mut tx = write.begin().await?;
    let done = crate::with_tx!(&mut tx, ex => sqlx::query(
        "update complaint_case set contact = null, erased_at = $1 where id = $2 and contact is not null",
    )
    .bind(&at)
    .bind(case_id)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?
        == 1;
    if done {
        let step: String = crate::with_tx!(&mut tx, ex => sqlx::query_scalar("select step from complaint_case where id = $1")
            .bind(case_id)
            .fetch_one(&mut *ex)
            .await)?;
        let step = Step::parse(&step).unwrap_or(Step::Closed);
        log(
            &mut tx,
            case_id,
            &at,
            Some(actor),
            step,
            "erased",
            None,
            false,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}
