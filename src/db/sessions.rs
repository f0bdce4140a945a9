//! Staff sessions: tower-sessions' SQLite store, reading through the read pool and writing through the one write connection.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;

/// Loads a session on every staff request without queueing behind writes; creates,
/// saves and deletes wait their turn for the write connection like every other write.
#[derive(Debug, Clone)]
pub struct Sessions {
    read: SqliteStore,
    write: SqliteStore,
}

impl Sessions {
    pub fn new(db: &super::Db) -> Sessions {
        Sessions {
            read: SqliteStore::new(db.read.clone()),
            write: SqliteStore::new(db.write.clone()),
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.write.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.read.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.write.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.write.delete_expired().await
    }
}
