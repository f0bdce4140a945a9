//! A realistic generated data set for first starts and benchmarks: stores in regions, seasonal
//! responses and sales, approved audits, and a few weak stores. The same seed gives the same data.

use crate::db::Pool;

mod answers;
mod cases;

use std::collections::HashMap;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::{Date, Duration, Time, UtcOffset};

use crate::db::responses::{Submission, insert_batch};
use crate::db::stores::Store;
use crate::survey::Catalog;

/// How much to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub stores: usize,
    pub days: i64,
    pub responses: u64,
    pub end: Date,
    pub seed: u64,
    pub audits_per_store_month: u32,
    pub utc_offset: UtcOffset,
}

impl Spec {
    /// A year for 24 stores: enough for every chart to have something to say.
    pub fn demo(end: Date, utc_offset: UtcOffset) -> Spec {
        Spec {
            stores: 24,
            days: 365,
            responses: 40_000,
            end,
            seed: 2026,
            audits_per_store_month: 2,
            utc_offset,
        }
    }

    /// The benchmark's data set: a million responses over 200 stores and two years.
    pub fn benchmark(end: Date, utc_offset: UtcOffset) -> Spec {
        Spec {
            stores: 200,
            days: 730,
            responses: 1_000_000,
            end,
            seed: 7,
            audits_per_store_month: 1,
            utc_offset,
        }
    }
}

/// What was generated, and the logins created for it (their passwords are random).
#[derive(Debug, Default)]
pub struct Report {
    pub stores: usize,
    pub responses: u64,
    pub sales_rows: usize,
    pub audits: usize,
    pub cases: usize,
    pub logins: Vec<(String, String, String)>,
}

const REGIONS: [(&str, &[&str]); 4] = [
    ("East 华东", &["上海", "杭州", "南京", "苏州", "宁波"]),
    ("South 华南", &["广州", "深圳", "厦门", "佛山"]),
    ("North 华北", &["北京", "天津", "济南", "青岛"]),
    ("West 西部", &["成都", "重庆", "西安", "昆明"]),
];

/// A store's lasting traits: how good it is and how busy.
struct Profile {
    store: Store,
    quality: f64,
    size: f64,
}

pub(crate) fn normal(rng: &mut StdRng) -> f64 {
    // Box–Muller: enough for plausible noise, without another dependency.
    let (u1, u2): (f64, f64) = (rng.r#gen::<f64>().max(1e-12), rng.r#gen());
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Busy seasons: the Singles' Day week, December, Spring Festival, weekends; a summer lull.
fn season(day: Date) -> f64 {
    let doy = f64::from(day.ordinal());
    let mut f = 1.0 + 0.15 * (2.0 * std::f64::consts::PI * (doy - 120.0) / 365.0).cos();
    if day.month() == time::Month::November && (8..=14).contains(&day.day()) {
        f *= 1.6;
    }
    if day.month() == time::Month::December {
        f *= 1.2;
    }
    if day.month() == time::Month::February && day.day() <= 15 {
        f *= 1.3;
    }
    if matches!(
        day.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    ) {
        f *= 1.4;
    }
    f
}

fn profiles(spec: &Spec, rng: &mut StdRng) -> Vec<Profile> {
    (0..spec.stores)
        .map(|i| {
            let (region, cities) = REGIONS[i % REGIONS.len()];
            let city = cities[(i / REGIONS.len()) % cities.len()];
            let weak = i % 7 == 3;
            Profile {
                store: Store {
                    code: format!("S{:03}", i + 1),
                    name: format!("{city}{}号店", i / (REGIONS.len() * cities.len()) + 1),
                    region: region.to_owned(),
                    address: None,
                    opening_hours: Some("09:00-21:00".into()),
                },
                quality: 0.5 * normal(rng) - if weak { 1.2 } else { 0.0 },
                size: 0.6 + rng.r#gen::<f64>() * 1.2,
            }
        })
        .collect()
}

async fn ensure_user(
    pool: &Pool,
    name: &str,
    role: crate::auth::Role,
    report: &mut Report,
) -> anyhow::Result<i64> {
    if let Some(u) = crate::db::users::by_username(pool, name).await? {
        return Ok(u.id);
    }
    use rand::RngCore;
    let mut bytes = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut bytes);
    let password = hex::encode(bytes);
    let hash = crate::auth::hash_password(password.clone()).await?;
    let id = crate::db::users::create(pool, name, &hash, role)
        .await?
        .context("demo user exists")?;
    report
        .logins
        .push((name.to_owned(), role.to_string(), password));
    Ok(id)
}

/// Fills the database. `progress` is told how many responses are stored so far.
pub async fn generate(
    pool: &Pool,
    catalog: &Catalog,
    spec: &Spec,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<Report> {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut report = Report::default();
    let stores = profiles(spec, &mut rng);
    crate::db::stores::upsert_all(
        pool,
        &stores.iter().map(|p| p.store.clone()).collect::<Vec<_>>(),
    )
    .await?;
    report.stores = stores.len();
    ensure_user(pool, "demo-admin", crate::auth::Role::Admin, &mut report).await?;
    let manager = ensure_user(
        pool,
        "demo-manager",
        crate::auth::Role::Manager,
        &mut report,
    )
    .await?;
    let shopper = ensure_user(
        pool,
        "demo-shopper",
        crate::auth::Role::Shopper,
        &mut report,
    )
    .await?;

    let start = spec.end - Duration::days(spec.days - 1);
    let days: Vec<Date> = (0..spec.days).map(|d| start + Duration::days(d)).collect();
    let weight: f64 =
        days.iter().map(|d| season(*d)).sum::<f64>() * stores.iter().map(|p| p.size).sum::<f64>();
    let per_unit = spec.responses as f64 / weight;

    // Sales: every store, every day.
    let mut sales = Vec::with_capacity(days.len() * stores.len());
    for day in &days {
        for p in &stores {
            let transactions = (90.0 * p.size * season(*day) * (1.0 + 0.15 * normal(&mut rng)))
                .max(0.0)
                .round() as i64;
            let ticket = 420.0 + 60.0 * p.quality + 40.0 * normal(&mut rng);
            sales.push(crate::sales::SaleRow {
                store: p.store.code.clone(),
                day: *day,
                transactions,
                revenue: (transactions as f64 * ticket.max(50.0)).round(),
            });
        }
    }
    crate::db::sales::upsert_all(pool, &sales).await?;
    report.sales_rows = sales.len();

    let surveys: HashMap<&str, _> = ["post-purchase", "after-service"]
        .iter()
        .filter_map(|id| catalog.get(id).map(|s| (*id, s.clone())))
        .collect();
    let mut batches: HashMap<&str, Vec<Submission>> = HashMap::new();
    for day in &days {
        for p in &stores {
            let expected = per_unit * season(*day) * p.size;
            let count = (expected + expected.sqrt() * normal(&mut rng))
                .max(0.0)
                .round() as u64;
            for _ in 0..count {
                let form = if rng.r#gen::<f64>() < 0.9 {
                    "post-purchase"
                } else {
                    "after-service"
                };
                let Some(survey) = surveys.get(form) else {
                    continue;
                };
                let raw =
                    answers::customer(form, p.quality - 0.25 * (season(*day) - 1.0), &mut rng);
                let checked = crate::answers::check(
                    survey,
                    &raw,
                    crate::answers::Scope::All,
                    survey.default_lang,
                );
                if !checked.errors.is_empty() {
                    anyhow::bail!("generated answers do not fit {form}: {:?}", checked.errors);
                }
                let local = day
                    .with_time(Time::from_hms(
                        9 + rng.gen_range(0..12),
                        rng.gen_range(0..60),
                        rng.gen_range(0..60),
                    )?)
                    .assume_offset(spec.utc_offset);
                let at = local
                    .to_offset(UtcOffset::UTC)
                    .format(&time::format_description::well_known::Rfc3339)?;
                batches.entry(form).or_default().push(Submission {
                    survey: survey.clone(),
                    submission_key: None,
                    store: Some(p.store.code.clone()),
                    lang: if rng.r#gen::<f64>() < 0.85 {
                        "zh"
                    } else {
                        "en"
                    },
                    submitted_at: at,
                    day: *day,
                    checks: Default::default(),
                    answers: checked.answers,
                });
            }
        }
        for batch in batches.values_mut() {
            if batch.len() >= 5000 || *day == spec.end {
                insert_batch(pool, batch).await?;
                report.responses += batch.len() as u64;
                batch.clear();
                progress(report.responses);
            }
        }
    }
    report.audits = audits(
        pool,
        catalog,
        spec,
        &stores,
        &days,
        (manager, shopper),
        &mut rng,
    )
    .await?;
    report.cases = cases::generate(pool, spec, &stores, manager).await?;
    Ok(report)
}

async fn audits(
    pool: &Pool,
    catalog: &Catalog,
    spec: &Spec,
    stores: &[Profile],
    days: &[Date],
    (manager, shopper): (i64, i64),
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let Some(checklist) = catalog.iter().find(|s| s.is_audit()) else {
        return Ok(0);
    };
    let mut tx = pool.begin().await?;
    let mut count = 0;
    let months: Vec<&[Date]> = days.chunk_by(|a, b| a.month() == b.month()).collect();
    for month in months {
        let (first, last) = (month[0], month[month.len() - 1]);
        for p in stores {
            for _ in 0..spec.audits_per_store_month {
                let visit = month[rng.gen_range(0..month.len())];
                let (raw, comments) = answers::audit(p.quality, rng);
                let checked = crate::answers::check(
                    checklist,
                    &raw,
                    crate::answers::Scope::All,
                    checklist.default_lang,
                );
                if !checked.errors.is_empty() {
                    anyhow::bail!(
                        "generated audit does not fit {}: {:?}",
                        checklist.id,
                        checked.errors
                    );
                }
                let score = crate::scoring::score(checklist, &checked.answers);
                let start = Time::from_hms(10 + rng.gen_range(0..8), rng.gen_range(0..60), 0)?;
                let end = start + Duration::minutes(12 + rng.gen_range(0..30));
                let (from, to) = (first.to_string(), last.to_string());
                let assignment = crate::db::audits::NewAssignment {
                    shopper_id: shopper,
                    store_code: &p.store.code,
                    checklist_id: &checklist.id,
                    window_from: &from,
                    window_to: &to,
                    scenario: Some("Ask about a refrigerator for a family of four"),
                    created_by: manager,
                };
                let fmt = time::macros::format_description!("[hour]:[minute]");
                let (visit_s, tin, tout) =
                    (visit.to_string(), start.format(fmt)?, end.format(fmt)?);
                let submission = crate::db::audits::Submission {
                    survey: checklist,
                    answers: &checked.answers,
                    comments: &comments,
                    score: &score,
                    visit: (&visit_s, &tin, &tout),
                    flags: &[],
                };
                crate::db::audits::insert_approved(&mut tx, &assignment, &submission).await?;
                count += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(count)
}
