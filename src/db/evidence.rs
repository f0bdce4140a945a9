//! SQL for audit evidence: photos and receipts, stored as bytes with their detected type.

use crate::db::Pool;

use sqlx::FromRow;

use crate::audits::{EvidenceUse, UploadLimits};
use crate::db::now_rfc3339;

#[derive(Debug, Clone, FromRow)]
pub struct EvidenceInfo {
    pub id: i64,
    pub section: String,
    pub content_type: String,
    pub size: i64,
}

/// Stores one photo only if it fits the caps; `None` when one refused it.
/// The check and the insert are one statement on the one write connection, so two posts
/// at once cannot both slip past a cap.
pub async fn add_within(
    pool: &Pool,
    audit_id: i64,
    section: &str,
    content_type: &str,
    bytes: &[u8],
    limits: &UploadLimits,
) -> sqlx::Result<Option<i64>> {
    let cap = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    crate::with_pool!(pool, ex => sqlx::query_scalar(
        "insert into evidence (audit_id, section, content_type, size, bytes, uploaded_at)
         select $1, $2, $3, $4, $5, $6
         where (select count(*) from evidence where audit_id = $1 and section = $2) < $7
           and (select count(*) from evidence where audit_id = $1) < $8
           and (select coalesce(sum(size), 0) from evidence where audit_id = $1) + $4 <= $9
         returning id",
    )
    .bind(audit_id)
    .bind(section)
    .bind(content_type)
    .bind(cap(bytes.len()))
    .bind(bytes)
    .bind(now_rfc3339())
    .bind(cap(limits.photos_per_section))
    .bind(cap(limits.photos_per_audit))
    .bind(cap(limits.audit_bytes))
    .fetch_optional(ex)
    .await)
}

/// What an audit holds already: photos in `section`, photos and bytes in all.
pub async fn usage(pool: &Pool, audit_id: i64, section: &str) -> sqlx::Result<EvidenceUse> {
    let (section_photos, audit_photos, audit_bytes): (i64, i64, i64) = crate::with_pool!(pool, ex => sqlx::query_as(
        "select coalesce(sum(section = $2), 0), count(*), coalesce(sum(size), 0)
         from evidence where audit_id = $1",
    )
    .bind(audit_id)
    .bind(section)
    .fetch_one(ex)
    .await)?;
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    Ok(EvidenceUse {
        section_photos: n(section_photos),
        audit_photos: n(audit_photos),
        audit_bytes: n(audit_bytes),
    })
}

pub async fn list(pool: &Pool, audit_id: i64) -> sqlx::Result<Vec<EvidenceInfo>> {
    crate::with_pool!(pool, ex => sqlx::query_as(
        "select id, section, content_type, size from evidence where audit_id = $1 order by id",
    )
    .bind(audit_id)
    .fetch_all(ex)
    .await)
}

/// One evidence file's type and bytes, only if it belongs to `audit_id`.
pub async fn evidence_bytes(
    pool: &Pool,
    audit_id: i64,
    id: i64,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    crate::with_pool!(pool, ex => sqlx::query_as("select content_type, bytes from evidence where id = $1 and audit_id = $2")
        .bind(id)
        .bind(audit_id)
        .fetch_optional(ex)
        .await)
}

pub async fn delete_evidence(pool: &Pool, audit_id: i64, id: i64) -> sqlx::Result<bool> {
    let done = crate::with_pool!(pool, ex => sqlx::query("delete from evidence where id = $1 and audit_id = $2")
        .bind(id)
        .bind(audit_id)
        .execute(ex)
        .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}
