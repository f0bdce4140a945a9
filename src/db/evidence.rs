//! SQL for audit evidence: photos and receipts, stored as bytes with their detected type.

use sqlx::{FromRow, SqlitePool};

use crate::db::now_rfc3339;

#[derive(Debug, Clone, FromRow)]
pub struct EvidenceInfo {
    pub id: i64,
    pub section: String,
    pub content_type: String,
    pub size: i64,
}

pub async fn add_evidence(
    pool: &SqlitePool,
    audit_id: i64,
    section: &str,
    content_type: &str,
    bytes: &[u8],
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "insert into evidence (audit_id, section, content_type, size, bytes, uploaded_at) values (?, ?, ?, ?, ?, ?) returning id",
    )
    .bind(audit_id)
    .bind(section)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(bytes)
    .bind(now_rfc3339())
    .fetch_one(pool)
    .await
}

pub async fn list(pool: &SqlitePool, audit_id: i64) -> sqlx::Result<Vec<EvidenceInfo>> {
    sqlx::query_as(
        "select id, section, content_type, size from evidence where audit_id = ? order by id",
    )
    .bind(audit_id)
    .fetch_all(pool)
    .await
}

/// One evidence file's type and bytes, only if it belongs to `audit_id`.
pub async fn evidence_bytes(
    pool: &SqlitePool,
    audit_id: i64,
    id: i64,
) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    sqlx::query_as("select content_type, bytes from evidence where id = ? and audit_id = ?")
        .bind(id)
        .bind(audit_id)
        .fetch_optional(pool)
        .await
}

pub async fn delete_evidence(pool: &SqlitePool, audit_id: i64, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("delete from evidence where id = ? and audit_id = ?")
        .bind(id)
        .bind(audit_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
