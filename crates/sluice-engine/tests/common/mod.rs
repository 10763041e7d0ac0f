//! What the PostgreSQL suites share: the connection to the server on this
//! machine, and a fresh database per test that is dropped however the test
//! ends.

#![allow(dead_code)]

use sluice_engine::{ConnectionConfig, EngineKind};
use sqlx::{Connection, PgConnection};

pub fn pg_config() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Postgres);
    c.host = "127.0.0.1".into();
    c.port = 5432;
    c.username = "postgres".into();
    c
}

/// A fresh database, dropped when the test ends (also on panic).
pub struct Db {
    pub name: String,
}

impl Db {
    pub async fn new(prefix: &str) -> Db {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("sluice_x_{prefix}_{}_{nanos}", std::process::id());
        let mut admin = PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres")
            .await
            .expect("PostgreSQL must run on 127.0.0.1:5432");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap();
        Db { name }
    }

    pub async fn conn(&self) -> PgConnection {
        PgConnection::connect(&format!("postgres://postgres@127.0.0.1:5432/{}", self.name))
            .await
            .unwrap()
    }

    pub async fn exists(&self, relation: &str) -> bool {
        let mut conn = self.conn().await;
        sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
            .bind(relation)
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop cannot await; a thread with its own runtime can.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    if let Ok(mut c) =
                        PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres").await
                    {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut c)
                            .await;
                    }
                })
        })
        .join();
    }
}
