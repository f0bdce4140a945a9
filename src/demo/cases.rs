//! A year of demo complaint and suggestion cases: causes with a long tail, mostly handled in time, a few stuck and overdue, recovery answers, fake contacts with some repeat complainants.
//!
//! Each case is planned as the steps a person would have taken, with their times; what
//! would have happened after the demo's last day is cut off, so recent cases are still
//! open. Cases draw from their own generator, seeded from the demo's seed, so the other
//! demo data can change without changing them.

use crate::db::{Pool, Tx};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime, Time, UtcOffset};

use super::{Profile, Spec, normal, season};
use crate::cases::deadline::late;
use crate::cases::{Channel, Step};
use crate::db::cases::{insert, log, stamp};

mod plan;
use plan::{Act, Cause, Plan, plan};

/// Generates the cases for `stores` over the demo's days and stores them with their
/// logs in one transaction; returns how many.
pub(super) async fn generate(
    pool: &Pool,
    spec: &Spec,
    stores: &[Profile],
    owner: i64,
) -> anyhow::Result<usize> {
    if spec.days < 2 {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(spec.seed ^ 0xCA5E);
    let start = spec.end - Duration::days(spec.days - 1);
    // Nothing happens on or after the last day: the demo may be started early in it.
    let horizon = spec
        .end
        .midnight()
        .assume_offset(spec.utc_offset)
        .to_offset(UtcOffset::UTC);
    let mut plans = Vec::new();
    for p in stores {
        // Weak stores draw more complaints.
        let factor = (1.0 - 0.5 * p.quality).clamp(0.5, 2.5);
        let expected = 12.0 * p.size * factor * spec.days as f64 / 365.0;
        let n = (expected + expected.sqrt() * normal(&mut rng))
            .max(0.0)
            .round() as usize;
        for _ in 0..n {
            let day = loop {
                let d = start + Duration::days(rng.gen_range(0..spec.days - 1));
                if rng.r#gen::<f64>() * 2.8 < season(d) {
                    break d;
                }
            };
            let local = day
                .with_time(Time::from_hms(
                    9 + rng.gen_range(0..12),
                    rng.gen_range(0..60),
                    rng.gen_range(0..60),
                )?)
                .assume_offset(spec.utc_offset);
            let opened = local.to_offset(UtcOffset::UTC);
            let old = opened + Duration::days(21) < horizon;
            plans.push(plan(&mut rng, p, opened, old, spec));
        }
    }
    // Codes number in time order, as they would have been given.
    plans.sort_by_key(|p| p.case.opened_at);
    contacts(&mut rng, &mut plans);
    let mut tx = pool.begin().await?;
    for p in &plans {
        write(&mut tx, p, horizon, owner).await?;
    }
    tx.commit().await?;
    Ok(plans.len())
}

/// Obviously fake numbers (`138****0000`), given with consent by under half the
/// customers; some complain again at the same store.
fn contacts(rng: &mut StdRng, plans: &mut [Plan]) {
    let mut given: Vec<(String, String)> = Vec::new();
    for p in plans.iter_mut() {
        if rng.r#gen::<f64>() >= 0.45 {
            continue;
        }
        let earlier: Vec<&String> = given
            .iter()
            .filter(|(s, _)| *s == p.case.store)
            .map(|(_, c)| c)
            .collect();
        let contact = if !earlier.is_empty() && rng.r#gen::<f64>() < 0.15 {
            earlier[rng.gen_range(0..earlier.len())].clone()
        } else {
            let n = given.len();
            format!("{}****{n:04}", ["138", "139", "186"][n % 3])
        };
        given.push((p.case.store.clone(), contact.clone()));
        p.case.contact = Some(contact);
    }
}

/// The step a case stood at, at `t`, from the steps taken before it.
fn step_at(kept: &[&Act], first: Step, t: OffsetDateTime) -> Step {
    kept.iter()
        .rev()
        .find(|a| a.at <= t)
        .map_or(first, |a| a.to)
}

/// When the minute-by-minute sweep would have found the case late, had the server run
/// then: the reply deadline passed unanswered, or the resolution deadline passed open.
fn overdue_at(
    due: crate::cases::deadline::Due,
    first_reply: Option<OffsetDateTime>,
    closed_at: Option<OffsetDateTime>,
    horizon: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let reply_late = first_reply.is_none_or(|r| r > due.reply);
    let resolve_late = closed_at.is_none_or(|c| c > due.resolve);
    let t = [
        reply_late.then_some(due.reply),
        resolve_late.then_some(due.resolve),
    ]
    .into_iter()
    .flatten()
    .min()?
        + Duration::seconds(30);
    let still_open = closed_at.is_none_or(|c| t < c);
    (still_open && t < horizon && late(t, due, first_reply.filter(|r| *r < t), None).is_some())
        .then_some(t)
}

/// An event of the log: when, at which step, what, a note, public, by whom.
type Event<'a> = (
    OffsetDateTime,
    Step,
    &'a str,
    Option<String>,
    bool,
    Option<i64>,
);

async fn write(
    tx: &mut Tx<'_>,
    p: &Plan,
    horizon: OffsetDateTime,
    owner: i64,
) -> anyhow::Result<()> {
    let staff_opened = matches!(p.case.channel, Channel::WalkIn | Channel::Phone);
    let (id, _) = insert(tx, &p.case, None, staff_opened.then_some(owner)).await?;
    let first = p.case.kind.first_step();
    let kept: Vec<&Act> = p.acts.iter().filter(|a| a.at < horizon).collect();
    let taken = |word: &str| kept.iter().any(|a| a.action == word);
    let note_of = |word: &str| {
        kept.iter()
            .find(|a| a.action == word)
            .and_then(|a| a.note.as_deref())
    };
    let step = kept.last().map_or(first, |a| a.to);
    let closed_at = kept.last().filter(|a| a.to == Step::Closed).map(|a| a.at);
    let answered = kept.iter().find(|a| a.public).map(|a| a.at);
    let reply =
        (p.reply_at < horizon && answered.is_none_or(|a| p.reply_at < a)).then_some(p.reply_at);
    let first_reply = reply.or(answered);
    let overdue = overdue_at(p.case.due, first_reply, closed_at, horizon);
    let recovery = p.recovery.and_then(|(h, s, r)| {
        let at = closed_at? + Duration::seconds_f64(h * 3600.0);
        (at < horizon).then_some((at, s, r))
    });
    let c = p.cause;
    let closing = taken("closed");
    let text = |word: &str, pick: fn(&Cause) -> &'static str| c.filter(|_| taken(word)).map(pick);
    crate::with_tx!(&mut *tx, ex => sqlx::query(
        "update complaint_case set step = $1, valid = $2, invalid_reason = $3, owner_id = $4, \
         department = $5, category = $6, root_cause = $7, solution = $8, remedy = $9, approved_by = $10, \
         implementation = $11, summary = $12, customer_accepted = $13, resolved = $14, first_reply_at = $15, \
         closed_at = $16, recovery_at = $17, recovery_satisfied = $18, recovery_return = $19, \
         overdue_at = $20 where id = $21",
    )
    .bind(step.as_str())
    .bind(if taken("invalid") {
        Some(false)
    } else {
        taken("valid").then_some(true)
    })
    .bind(note_of("invalid"))
    .bind(taken("assigned").then_some(owner))
    .bind(text("assigned", |c| c.department))
    .bind(text("cause", |c| c.name))
    .bind(text("cause", |c| c.root))
    .bind(text("proposed", |c| c.solution))
    .bind(text("proposed", |c| c.remedy))
    .bind(taken("approved").then_some(owner))
    .bind(text("implemented", |c| c.remedy))
    .bind(note_of("closed"))
    .bind((closing && c.is_some()).then_some(p.accepted))
    .bind(closing.then_some(c.is_none() || p.resolved))
    .bind(first_reply.map(stamp))
    .bind(closed_at.map(stamp))
    .bind(recovery.map(|r| stamp(r.0)))
    .bind(recovery.map(|r| r.1))
    .bind(recovery.map(|r| r.2))
    .bind(overdue.map(stamp))
    .bind(id)
    .execute(&mut *ex)
    .await.map(|r| r.rows_affected()))?;
    // The log in time order: the steps, the first reply, the escalation, the recovery.
    let mut events: Vec<Event> = kept
        .iter()
        .map(|a| {
            (
                a.at,
                a.from,
                a.action,
                a.note.clone(),
                a.public,
                Some(owner),
            )
        })
        .collect();
    if let Some(at) = reply {
        let note = "您好，已收到您的反馈，我们正在处理，会尽快给您答复。".to_owned();
        let step = step_at(&kept, first, at);
        events.push((at, step, "reply", Some(note), true, Some(owner)));
    }
    if let Some(at) = overdue {
        events.push((at, step_at(&kept, first, at), "overdue", None, false, None));
    }
    if let Some((at, satisfied, again)) = recovery {
        let yes = |b: bool| if b { "yes" } else { "no" };
        let note = format!("satisfied={}, return={}", yes(satisfied), yes(again));
        events.push((at, Step::Closed, "recovery", Some(note), false, None));
    }
    events.sort_by_key(|e| e.0);
    for (at, step, action, note, public, actor) in events {
        log(
            tx,
            id,
            &stamp(at),
            actor,
            step,
            action,
            note.as_deref(),
            public,
        )
        .await?;
    }
    Ok(())
}
