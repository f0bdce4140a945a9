//! Staff sessions in the database, so any server behind a load balancer knows them: tower-sessions' SQLite store (reads on the read pool, writes on the one write connection) or its PostgreSQL store.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Pool;

/// On SQLite, loads a session on every staff request without queueing behind writes;
/// creates, saves and deletes wait their turn for the write connection like every other
/// write. On PostgreSQL one pool serves both.
#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite {
        read: SqliteStore,
        write: SqliteStore,
    },
    Postgres(PostgresStore),
}

impl Sessions {
    pub fn new(db: &super::Db) -> Sessions {
        match (&db.read, &db.write) {
            (Pool::Sqlite(read), Pool::Sqlite(write)) => Sessions::Sqlite {
                read: SqliteStore::new(read.clone()),
                write: SqliteStore::new(write.clone()),
            },
            // The table is created with the migrations, under their lock (`db::open`).
            (_, Pool::Postgres(pool)) | (Pool::Postgres(pool), _) => {
                Sessions::Postgres(PostgresStore::new(pool.clone()))
            }
        }
    }

    fn writer(&self) -> &dyn SessionStore {
        match self {
            Sessions::Sqlite { write, .. } => write,
            Sessions::Postgres(store) => store,
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.writer().create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.writer().save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite { read, .. } => read.load(id).await,
            Sessions::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.writer().delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { write, .. } => write.delete_expired().await,
            Sessions::Postgres(store) => store.delete_expired().await,
        }
    }
}
